#!/usr/bin/env python3
"""Fail a pull request on a significant regression: exit 1 when reports/compare.json's verdict is "worse".

Usage: python3 scripts/pr_gate.py [COMPARE_JSON]. "Worse" means McNemar's exact test finds head's test
accuracy lower at p < 0.05 and, where base has a seed band, head is outside it; a difference the test cannot
tell from chance never fails. Opt-in in .github/workflows/pr-report.yml (repository variable
IMGCLF_FAIL_ON_REGRESSION=true). Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "reports/compare.json")
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
        regression, verdict = bool(figures["significant_regression"]), figures["verdict"]["text"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"error: cannot read the verdict from {path} ({exc}); run `imgclf compare` first", file=sys.stderr)
        return 2
    print(("significant regression: " if regression else "no significant regression: ") + verdict)
    return 1 if regression else 0


if __name__ == "__main__":
    sys.exit(main())
