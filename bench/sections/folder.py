"""A generated folder of images (coloured shapes, PNG/JPEG/BMP/GIF) through the whole DVC pipeline."""

from __future__ import annotations

import json
import time

from common import Table, remove_project, stage_rows, temp_project

from imgclf.core import paths
from imgclf.testing import synthetic
from imgclf.testing.projects import track

CLASSES = ["circle", "square", "triangle", "line", "disc", "box", "wedge", "stroke", "ring", "block"]


def run(args, env) -> list[Table]:
    per_class, epochs = (30, 1) if args.smoke else (2000, 3)
    proj = temp_project(args, env, **{"data.dataset": "folder", "data.image_size": [32, 32], "train.epochs": epochs})
    start = time.perf_counter()
    files = synthetic.image_folder(proj / "data" / "images", CLASSES, per_class=per_class, size=40)
    made = time.perf_counter() - start
    track(proj)  # the DVC way (docs/data.md): validate refuses images neither git nor DVC tracks
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    stages = stage_rows(proj, env)
    prepare = next(r for r in stages if r[0] == "stage prepare")
    prepare[3] = f"{len(files) / float(prepare[1]):,.0f} images/s"
    data = json.loads((proj / paths.DATA_METRICS).read_text())
    test = json.loads((proj / paths.TEST_METRICS).read_text())
    rows = [
        [f"generate {len(files):,} images ({size_mb:.0f} MB on disk)", f"{made:.1f}", "", ""],
        *stages,
        [f"test accuracy ({data['test_images']:,} held-out images)", "", "", f"{test['accuracy']:.4f}"],
    ]
    remove_project(args, proj)
    return [
        Table(
            f"Image folder of {len(files):,} images, 32x32 RGB, end to end ({epochs} epochs)",
            ["what", "seconds", "peak RSS MB", "note"],
            rows,
        ).show()
    ]
