"""Transfer learning with the project itself: `default_color` trained on CIFAR-10's classes 0-4 (its recipe,
bench/cifar10.yaml), then classes 5-9 from 50 training images each (the official test images of those classes as
the test set), once starting from that model (`model.weights`) and once from scratch, per seed; each pair
compared by `imgclf compare` (McNemar's exact test on the same test images). Everything runs through `dvc exp
run` on image folders, as a user's would. `python bench/run.py --dataset cifar10 --only transfer`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import yaml
from common import ROOT, Table, edit_params, remove_project, temp_project, timed

from imgclf.core import paths
from imgclf.data import builtin

PER_CLASS = 50  # training images of each new class
TARGET = {"train.batch_size": 32, "train.epochs": 40, "train.frozen_epochs": 5}  # what 250 images allow


def write_folder(root: Path, x: np.ndarray, y: np.ndarray, classes: list[str]) -> None:
    from PIL import Image

    for i, (image, label) in enumerate(zip(x, y)):
        folder = root / classes[int(label)]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{i:05d}.png")


def run(args, env) -> list[Table]:
    splits, classes, _ = builtin.load("cifar10", args.downloads)
    (x_tr, y_tr), (x_te, y_te) = splits["train"], splits["test"]
    proj = temp_project(args, env)
    recipe = yaml.safe_load((ROOT / "bench" / "cifar10.yaml").read_text())
    flat = {f"{k}.{kk}": vv for k, v in recipe.items() for kk, vv in v.items()}
    rng = np.random.default_rng(0)
    per_class = 12 if args.smoke else PER_CLASS
    old = np.isin(y_tr, range(5))
    images = proj.parent / "images"  # beside the project, so neither git nor DVC need track 30,000 PNGs
    write_folder(images / "old" / "train", x_tr[old], y_tr[old], classes)
    write_folder(images / "old" / "test", x_te[np.isin(y_te, range(5))], y_te[np.isin(y_te, range(5))], classes)
    few = np.concatenate([rng.choice(np.flatnonzero(y_tr == c), per_class, replace=False) for c in range(5, 10)])
    write_folder(images / "new" / "train", x_tr[np.sort(few)], y_tr[np.sort(few)], classes)
    keep = np.isin(y_te, range(5, 10))
    write_folder(images / "new" / "test", x_te[keep], y_te[keep], classes)
    base = {
        **flat,
        "data.dataset": "folder",
        "data.image_size": [32, 32],
        **({"train.epochs": 2} if args.smoke else {}),
    }
    edit_params(proj, **base, **{"data.folder": str(images / "old")})
    seconds, _, out = timed(["dvc", "repro"], proj, env)
    first = json.loads((proj / paths.TEST_METRICS).read_text())["accuracy"]
    print(f"transfer: classes 0-4 trained in {seconds:.0f} s, test accuracy {first:.4f}", flush=True)
    shutil.copy(proj / paths.MODEL, proj / paths.START / "classes04.keras")
    edit_params(
        proj,
        **{
            "data.folder": str(images / "new"),
            **TARGET,
            **({"train.epochs": 3, "train.frozen_epochs": 1} if args.smoke else {}),
        },
    )
    for cmd in (["git", "add", "-A"], ["git", "commit", "-qm", "classes 5-9"]):
        timed(cmd, proj, env)
    rows = []
    for seed in range(1, args.seeds + 1):
        result = {}
        for name, weights in (("scratch", "none"), ("start", "models/start/classes04.keras")):
            exp = f"{name}-{seed}"
            timed(["dvc", "exp", "run", "-n", exp, "-S", f"seed={seed}", "-S", f"model.weights={weights}"], proj, env)
            result[name] = json.loads((proj / paths.TRAIN_METRICS).read_text())["train_seconds"]  # applied to it
        timed(["imgclf", "compare", f"scratch-{seed}", f"start-{seed}", "--out", "reports/transfer"], proj, env)
        figures = json.loads((proj / "reports" / "transfer" / "compare.json").read_text())
        p = figures["paired"]
        rows.append(
            [
                seed,
                f"{figures['base']['accuracy']:.4f}",
                f"{figures['head']['accuracy']:.4f}",
                f"{p['delta'] * 100:+.2f} pp",
                f"{p['p_value']:.2g}",
                figures["verdict"]["kind"],
                f"{result['scratch']:.1f}",
                f"{result['start']:.1f}",
            ]
        )
        print(f"transfer: seed {seed}: {figures['verdict']['text']}", flush=True)
    remove_project(args, proj)
    return [
        Table(
            f"CIFAR-10 classes 5-9 from {per_class} training images each (test: their {keep.sum():,} official "
            f"test images), from scratch vs starting from `default_color` trained on classes 0-4 "
            f"({first:.2%} on theirs, {seconds:.0f} s); `imgclf compare scratch-N start-N`",
            ["seed", "scratch acc", "start acc", "change", "McNemar p", "verdict", "scratch train s", "start train s"],
            rows,
        ).show()
    ]
