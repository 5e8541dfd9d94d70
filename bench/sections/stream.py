"""Data bigger than memory: a generated folder of 64x64 RGB images through prepare, one epoch of train and evaluate,
each stage's peak RSS against the bar; then the training speed of the streamed input path against the in-memory one
on the same prepared data (Fashion-MNIST), in the same run."""

from __future__ import annotations

import statistics
import sys
import time

import targets
from common import Table, project_params, remove_project, run_case, temp_project, timed

from imgclf.testing import synthetic
from imgclf.testing.projects import track


def run(args, env) -> list[Table]:
    n = args.stream_images or (2000 if args.smoke else 200_000)
    proj = temp_project(
        args,
        env,
        **{
            "data.dataset": "folder",
            "data.image_size": [64, 64],
            "train.epochs": 1,
            "model.preset": "tutorial_dense128",
            "model.precision": "float32",
            "train.optimizer": "adam",
            "train.learning_rate": 0.001,
            "train.schedule": "constant",
            "eval.tta_flip": False,
        },
    )
    start = time.perf_counter()
    files = synthetic.image_folder(
        proj / "data" / "images", [f"c{i}" for i in range(10)], per_class=n // 10, size=64, formats=("png",)
    )
    made = time.perf_counter() - start
    track(proj)  # the DVC way (docs/data.md): validate refuses images neither git nor DVC tracks
    pixels = len(files) * 64 * 64 * 3
    rows = [
        [
            f"generate {len(files):,} PNGs ({sum(f.stat().st_size for f in files) / 1e9:.2f} GB on disk)",
            f"{made:.0f}",
            "",
            "",
        ]
    ]
    for stage in ("validate", "prepare", "train", "evaluate"):
        # The stage script itself, not through DVC, whose hashing of the folder is not the stage's memory.
        seconds, rss, out = timed([sys.executable, "-m", f"stages.{stage}"], proj, env)
        note = next((line for line in out.splitlines() if line.startswith(f"{stage}:")), "")[:90]
        rows.append([f"stage {stage}", f"{seconds:.0f}", f"{rss:.0f}", note])
    peak = max(float(r[2]) for r in rows[1:])
    remove_project(args, proj)
    memory = Table(
        f"Streaming: {len(files):,} images at 64x64x3 ({pixels / 1e9:.2f} GB of pixels) through the stages "
        f"(tutorial_dense128, 1 epoch); peak RSS {peak:.0f} MB = {peak / targets.STREAM_PEAK_RSS_MB:.2f}x "
        f"of the {targets.STREAM_PEAK_RSS_MB / 1024:g} GiB bar",
        ["what", "seconds", "peak RSS MB", "output"],
        rows,
    ).show()
    # Same data, same model and params: images in memory (one tf.gather) vs read from the prepared file.
    speed = []
    repeats = 1 if args.smoke else 2
    for preset, epochs in (("tutorial_dense128", 1 if args.smoke else 3), ("default", 1)):
        base = {
            "dataset": args.dataset,
            "downloads": args.downloads,
            "case": "pipeline",
            "preset": preset,
            "precision": "float32",
            "train": {**project_params()["train"], "epochs": epochs},
            "augment": {"flip": True},
        }
        runs = {name: [] for name in ("memory", "stream")}
        for _ in range(repeats):  # alternated: load on the shared machine hits both
            for name in runs:
                runs[name].append(run_case({**base, "stream": name == "stream"}, env))
        ips = {name: statistics.median(r["images_per_second"] for r in rs) for name, rs in runs.items()}
        speed.append(
            [
                preset,
                epochs,
                f"{ips['memory']:,.0f}",
                f"{ips['stream']:,.0f}",
                f"{ips['stream'] / ips['memory']:.3f}x",
                f"{max(r['peak_rss_mb'] for r in runs['memory']):.0f}",
                f"{max(r['peak_rss_mb'] for r in runs['stream']):.0f}",
                " / ".join(f"{r['test_accuracy']:.4f}" for r in runs["memory"] + runs["stream"]),
            ]
        )
    return [
        memory,
        Table(
            f"Training speed, images in memory vs streamed from the prepared file, {args.dataset} "
            f"(median of {repeats} alternated runs; target: stream >= "
            f"{targets.STREAM_MIN_SPEED_RATIO:.2f}x)",
            [
                "model",
                "epochs",
                "memory img/s",
                "stream img/s",
                "ratio",
                "memory RSS MB",
                "stream RSS MB",
                "test acc (memory runs / stream runs)",
            ],
            speed,
        ).show(),
    ]
