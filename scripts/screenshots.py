"""Regenerate the README's screenshots of the run and comparison reports in headless Chromium.

Usage: python scripts/screenshots.py  (after `make run` and `imgclf compare ...` wrote the reports)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser driver lives with the tests
from browser import render  # noqa: E402

SHOTS = {"reports/index.html": "docs/run-report.png", "reports/compare.html": "docs/compare-report.png"}


def main() -> int:
    Path("docs").mkdir(exist_ok=True)
    for page, png in SHOTS.items():
        if not Path(page).exists():
            print(f"error: {page} is missing: run the pipeline (make run) and imgclf compare first", file=sys.stderr)
            return 2
        result = render(Path(page), screenshot=Path(png), width=1280, height=1500)
        if result.console_errors or result.requests:
            print(f"error: {page}: console errors {result.console_errors}, requests {result.requests}", file=sys.stderr)
            return 1
        print(f"screenshots: {page} -> {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
