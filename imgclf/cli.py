"""The `imgclf` command: sub-commands around the DVC pipeline."""

from __future__ import annotations

import argparse
import sys

from .errors import cli_entry


@cli_entry
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="imgclf", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser("compare", help="compare two runs and write reports/compare.html and compare.md",
                         description="BASE and HEAD are git commits, branches, tags, DVC experiment names "
                                     "(see `dvc exp show`) or 'workspace' (the default HEAD).")
    cmp.add_argument("base")
    cmp.add_argument("head", nargs="?", default="workspace")
    cmp.add_argument("--out", default="reports", help="folder for compare.html and compare.md (default: reports)")
    lst = sub.add_parser("params", help="list every param of params.yaml: default, allowed values, meaning",
                         description="Generated from the schema in imgclf/params.py, as is the README's table.")
    lst.add_argument("--markdown", action="store_true", help="print the README's Markdown table")
    args = parser.parse_args(argv)
    if args.command == "params":
        from .params import table

        print(table(markdown=args.markdown), end="")
    if args.command == "compare":
        from .compare import compare

        html_path, md_path = compare(args.base, args.head, args.out)
        print(f"compare: {args.base} -> {args.head}: wrote {html_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
