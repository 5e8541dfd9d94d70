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
    cmp.add_argument("--out", default="reports",
                     help="folder for compare.html, compare.md and compare.json (default: reports)")
    noise = sub.add_parser("noise", help="train the workspace's params under several seeds (DVC experiments) and "
                                         "record the spread of test accuracy in metrics/noise.json",
                           description="Each seed is a `dvc exp run -S seed=N`; the workspace is restored afterwards. "
                                       "Commit metrics/noise.json so that `imgclf compare` can use it for this base.")
    noise.add_argument("--seeds", type=int, default=3, help="how many seeds (default 3)")
    noise.add_argument("--first", type=int, default=None, help="first seed (default: the seed in params.yaml)")
    lst = sub.add_parser("params", help="list every param of params.yaml: default, allowed values, meaning",
                         description="Generated from the schema in imgclf/params.py, as is the README's table.")
    lst.add_argument("--markdown", action="store_true", help="print the README's Markdown table")
    args = parser.parse_args(argv)
    if args.command == "params":
        from .params import table

        print(table(markdown=args.markdown), end="")
    if args.command == "compare":
        from .compare import compare

        figures = compare(args.base, args.head, args.out)
        print(f"compare: {args.base} -> {args.head}: {figures['verdict']['text']}")
        print(f"compare: wrote {args.out}/compare.html, compare.md and compare.json")
    elif args.command == "noise":
        from .noise import NOISE, measure

        band = measure(args.seeds, args.first)
        print(f"noise: test accuracy over {band['runs']} seeds: mean {band['mean']:.2%}, "
              f"std {band['std'] * 100:.2f} pp, range {band['min']:.2%}-{band['max']:.2%} -> {NOISE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
