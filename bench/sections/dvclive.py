"""imgclf's training with and without dvclive's Keras callback, alternated, same data and epochs. The callback works
once per epoch, so the fastest network (seconds per epoch) is its worst case."""

from __future__ import annotations

import importlib.util
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import TUTORIAL_TRAIN, Table, run_case


def run(args, env) -> list[Table]:
    if importlib.util.find_spec("dvclive") is None:
        sys.exit("bench: the dvclive section needs dvclive, which imgclf does not depend on: pip install dvclive")
    epochs = 2 if args.smoke else 4
    base = {
        "dataset": args.dataset,
        "downloads": args.downloads,
        "case": "pipeline",
        "preset": "tutorial_dense128",
        "train": {**TUTORIAL_TRAIN, "epochs": epochs},
    }
    live_dir = Path(tempfile.mkdtemp(prefix="imgclf-bench-dvclive-"))
    runs: dict[str, list[dict]] = {"without": [], "with dvclive": []}
    for _ in range(2):
        runs["without"].append(run_case(base, env))
        runs["with dvclive"].append(run_case({**base, "dvclive": str(live_dir)}, env))
    shutil.rmtree(live_dir, ignore_errors=True)
    baseline = statistics.median(r["train_seconds"] for r in runs["without"])
    rows = [
        [
            name,
            epochs,
            f"{statistics.median(r['train_seconds'] for r in rs):.1f}",
            f"{statistics.median(r['images_per_second'] for r in rs):,.0f}",
            f"{statistics.median(r['train_seconds'] for r in rs) / baseline:.3f}x",
        ]
        for name, rs in runs.items()
    ]
    return [
        Table(
            f"dvclive's Keras callback: training time, median of 2 alternated runs, {args.dataset}",
            ["run", "epochs", "train s", "img/s", "time ratio"],
            rows,
        ).show()
    ]
