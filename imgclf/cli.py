"""The `imgclf` command: sub-commands around the DVC pipeline."""

from __future__ import annotations

import argparse
import sys

from .core import paths
from .core.errors import cli_entry
from .core.text import plural


def version() -> str:
    """imgclf's version and what it runs on, without starting TensorFlow."""
    import platform
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as of

    def v(name: str) -> str:
        try:
            return of(name)
        except PackageNotFoundError:
            return "not installed"

    tf = next((v(n) for n in ("tensorflow-cpu", "tensorflow") if v(n) != "not installed"), "not installed")
    python = platform.python_version()
    return f"imgclf {v('imgclf')} (Python {python}, Keras {v('keras')}, TensorFlow {tf}, DVC {v('dvc')})"


@cli_entry
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="imgclf", description=__doc__)
    parser.add_argument("--version", action="version", version=version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    revs = (
        "Revisions are git commits, branches, tags, DVC experiment names (`dvc exp ls --name-only` lists them) or "
        "'workspace'."
    )
    exps = sub.add_parser(
        "exps",
        help="the experiments at a glance: accuracy, loss, training time and the params each changed",
        description="One line per commit and experiment (from `dvc exp show`), fitted to the terminal's width: "
        "the test accuracy with its 95%% interval, the test loss, the training time and the params that differ "
        "from the experiment's commit. Per-class scores and confusion cells: `imgclf diff` and the reports.",
    )
    exps.add_argument("-A", "--all-commits", action="store_true", help="experiments of every commit, not only HEAD's")
    dif = sub.add_parser(
        "diff",
        help="`dvc metrics diff`, headline first: accuracy and loss, training, per class, the confusion matrix",
        description=f"What changed between two runs' metrics, headline first. {revs}",
    )
    dif.add_argument("a_rev", nargs="?", default="HEAD", metavar="A", help="the old run (default HEAD)")
    dif.add_argument("b_rev", nargs="?", default="workspace", metavar="B", help="the new run (default: workspace)")
    dif.add_argument("--all", action="store_true", help="unchanged metrics too")
    cmp = sub.add_parser(
        "compare",
        help="compare two runs (reports/compare.*), or rank three or more (reports/leaderboard.*)",
        description=f"{revs} BASE [HEAD]: the verdict on head (default: the workspace) against base, in "
        "compare.html, .md and .json. Three or more revisions (or --leaderboard): one table and one plot, best "
        "first, in leaderboard.html, .md, .json and .png.",
    )
    cmp.add_argument("revs", nargs="+", metavar="REV")
    cmp.add_argument("--leaderboard", action="store_true", help="rank the runs even when there are only one or two")
    cmp.add_argument(
        "--out", default=str(paths.REPORTS), metavar="DIR", help=f"folder for the reports (default: {paths.REPORTS})"
    )
    board = sub.add_parser(
        "leaderboard",
        help="rank runs by test accuracy (reports/leaderboard.*); the same as `compare --leaderboard`",
        description=f"{revs} One table and one plot, best first, each run tested against the leader.",
    )
    board.add_argument("revs", nargs="+", metavar="REV")
    board.add_argument(
        "--out", default=str(paths.REPORTS), metavar="DIR", help=f"folder for the reports (default: {paths.REPORTS})"
    )
    noise = sub.add_parser(
        "noise",
        help="train the workspace's params under several seeds (DVC experiments) and "
        "record the spread of test accuracy in metrics/noise.json",
        description="Each seed is a `dvc exp run -S seed=N`; the workspace is restored afterwards. "
        "Commit metrics/noise.json so that `imgclf compare` can use it for this base.",
    )
    noise.add_argument("--seeds", type=int, default=3, help="how many seeds (default 3)")
    noise.add_argument("--first", type=int, default=None, help="first seed (default: the seed in params.yaml)")
    for direction, what in (
        ("push", "send this project's DVC outputs and run cache to the shared remote"),
        ("pull", "fetch outputs and run cache from the shared remote, so `dvc repro` restores instead of retraining"),
    ):
        cmd = sub.add_parser(
            direction,
            help=what,
            description=f"{what[0].upper()}{what[1:]}: `dvc {direction} "
            f"--run-cache`, after checking that the remote is reachable and takes the credentials "
            f"(one line when not).",
        )
        cmd.add_argument("-r", "--remote", help="a remote's name (default: DVC's default remote)")
    pred = sub.add_parser(
        "predict",
        help="classify images with the trained model (or an exported one)",
        description="PATHs are image files (PNG, JPEG, BMP, GIF), folders of them (searched "
        "recursively), IDX image files and CIFAR-10 binary batches. Each image is "
        "converted and resized as `prepare` does for the model's dataset. Files that "
        "cannot be read are listed and skipped.",
    )
    pred.add_argument("paths", nargs="+", metavar="PATH")
    pred.add_argument(
        "--model",
        default=str(paths.MODEL),
        help=f"a .keras, .tflite or .onnx file or a SavedModel folder (default: {paths.MODEL})",
    )
    pred.add_argument("--top-k", type=int, default=3, help="how many classes to show per image (default 3)")
    pred.add_argument(
        "--out", help="write predictions.csv, .json or .html (a page with each image) instead of printing a table"
    )
    pred.add_argument(
        "--dataset",
        help="the dataset.json the model was trained with (default: the one beside the model, else data/dataset.json)",
    )
    pred.add_argument("--batch-size", type=int, default=256, help="images per step (default 256)")
    lst = sub.add_parser(
        "params",
        help="list every param of params.yaml: default, allowed values, meaning",
        description="Generated from the schema in imgclf/params/schema.py, as is the table of docs/params.md.",
    )
    lst.add_argument("--markdown", action="store_true", help="print the README's Markdown table")
    args, extra = parser.parse_known_args(argv)
    if extra:  # answered with the sub-command's usage, not the top level's
        sub.choices[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "exps":
        from .review import terminal

        print(terminal.experiments(args.all_commits))
    elif args.command == "diff":
        from .review import terminal

        print(terminal.diff(args.a_rev, args.b_rev, every=args.all))
    if args.command == "params":
        from .params import table

        print(table(markdown=args.markdown), end="")
    if args.command == "leaderboard" or args.command == "compare" and (args.leaderboard or len(args.revs) > 2):
        from .review import leaderboard
        from .review.runs import require_project

        require_project(args.command)

        best = leaderboard(args.revs, args.out)["runs"][0]
        print(f"leaderboard: {len(args.revs)} runs; best {best['rev']}: test accuracy {best['accuracy']:.2%}")
        print(f"leaderboard: wrote {args.out}/leaderboard.html, leaderboard.md, leaderboard.json and leaderboard.png")
    elif args.command == "compare":
        from .review import WORKSPACE, compare

        base, head = (args.revs + [WORKSPACE])[:2]
        figures = compare(base, head, args.out)
        print(f"compare: {base} -> {head}: {figures['verdict']['text']}")
        print(f"compare: wrote {args.out}/compare.html, compare.md and compare.json")
    elif args.command in ("push", "pull"):
        from .share import transfer

        transfer(args.command, args.remote)
    elif args.command == "predict":
        from .serve.predict import run as predict

        result = predict(args.paths, args.model, args.top_k, args.out, args.dataset, args.batch_size)
        if args.out:
            skipped = len(result["skipped"])
            print(
                f"predict: {plural(result['predicted'], 'image')} -> {args.out}"
                + (f"; skipped {plural(skipped, 'file')} (listed above)" if skipped else "")
            )
    elif args.command == "noise":
        from .review import measure_noise

        band = measure_noise(args.seeds, args.first)
        print(
            f"noise: test accuracy over {band['runs']} seeds: mean {band['mean']:.2%}, "
            f"std {band['std'] * 100:.2f} pp, range {band['min']:.2%}-{band['max']:.2%} -> {paths.NOISE}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
