#!/usr/bin/env python3
"""The pull-request comment: reports/compare.md followed by links to the full report.

Usage: python3 scripts/pr_comment.py [--artifact-url URL] [--preview-url URL] [COMPARE_MD] > comment.md
The artifact URL is the upload step's `artifact-url` (a zip of reports/); the preview URL is the GitHub Pages
folder of this PR's preview, where the repository publishes one. Standard library only: the workflow's
comment job runs it without the project's environment.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

URL = re.compile(r"https://[^\s()<>\[\]`\"']+")


def links(artifact_url: str | None, preview_url: str | None) -> str:
    parts = []
    if preview_url:
        base = preview_url.rstrip("/")
        parts.append(
            f"[compare.html]({base}/compare.html) and the [head's run report]({base}/index.html), "
            f"rendered (GitHub Pages preview of this PR)"
        )
    if artifact_url:
        parts.append(f"[every report as a zip]({artifact_url}) (this run's artifact)")
    if not parts:
        return "_Full report: `reports/compare.html` in this run's artifacts._"
    return "**Full report:** " + "; ".join(parts) + "."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compare_md", nargs="?", default="reports/compare.md")
    parser.add_argument("--artifact-url", default="")
    parser.add_argument("--preview-url", default="")
    args = parser.parse_args(argv)
    for name in ("artifact_url", "preview_url"):
        value = getattr(args, name)
        if value and not URL.fullmatch(value):
            print(f"error: --{name.replace('_', '-')} must be a plain https:// URL; got {value!r}", file=sys.stderr)
            return 2
    path = Path(args.compare_md)
    if not path.is_file():
        print(f"error: {path} is missing: run `imgclf compare` (scripts/pr_report.sh) first", file=sys.stderr)
        return 2
    sys.stdout.write(
        path.read_text(encoding="utf-8").rstrip("\n")
        + "\n\n"
        + links(args.artifact_url or None, args.preview_url or None)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
