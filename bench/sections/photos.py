"""A real folder of photos (`--photos DIR`, with train/, validation/ and test/ class folders, e.g.
alexeygrigorev/clothing-dataset-small): today's best preset, the small-dataset recipe on it, and each backbone from
scratch, `--seeds` seeds each, through `dvc exp run` with the folder outside the project (as a user would point
at theirs). Accuracy is the folder's own test split; time is the train stage's."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import yaml
from common import ROOT, Table, edit_params, remove_project, temp_project, timed

from imgclf.core import paths

# The runs, each a set of -S overrides on top of the preset's CIFAR-10 recipe (bench/cifar10.yaml).
RUNS = {
    "default_color": {},
    "default_color + recipe": {
        "augment.resized_crop": 0.35,
        "augment.randaugment": 2,
        "augment.erasing": 0.25,
        "augment.mixup": 0.2,
        "augment.cutmix": 1.0,
        "augment.crop_padding": 0,
        "train.epochs": 30,
    },
    "mobilenet_v3_small (scratch)": {
        "model.backbone": "mobilenet_v3_small",
        "model.weights": "none",
        "augment.crop_padding": 0,
        "train.optimizer": "adam",
        "train.learning_rate": 0.002,
        "train.weight_decay": 0.0,
    },
    "mobilenet_v3_large (scratch)": {
        "model.backbone": "mobilenet_v3_large",
        "model.weights": "none",
        "augment.crop_padding": 0,
        "train.optimizer": "adam",
        "train.learning_rate": 0.002,
        "train.weight_decay": 0.0,
    },
    "efficientnet_v2_b0 (scratch)": {
        "model.backbone": "efficientnet_v2_b0",
        "model.weights": "none",
        "augment.crop_padding": 0,
        "train.optimizer": "adam",
        "train.learning_rate": 0.002,
        "train.weight_decay": 0.0,
    },
}


def run(args, env) -> list[Table]:
    if not args.photos:
        raise SystemExit("bench: the photos section needs --photos DIR (train/, validation/, test/ class folders)")
    folder = Path(args.photos).resolve()
    proj = temp_project(args, env)
    recipe = yaml.safe_load((ROOT / "bench" / "cifar10.yaml").read_text())
    base = {f"{k}.{kk}": vv for k, v in recipe.items() for kk, vv in v.items()}
    edit_params(
        proj,
        **{
            **base,
            "data.dataset": "folder",
            "data.folder": str(folder),
            "data.image_size": [args.photo_size, args.photo_size],
            **({"train.epochs": 1} if args.smoke else {}),
        },
    )
    for cmd in (["git", "add", "-A"], ["git", "commit", "-qm", "photos"]):
        timed(cmd, proj, env)
    only = args.runs.split(",") if args.runs else list(RUNS)
    rows = []
    for name in only:
        changes = RUNS[name]
        accuracy, seconds = [], []
        for seed in range(1, args.seeds + 1):
            exp = f"{name.split()[0].replace('_', '-')}-{len(rows)}-{seed}"
            sets = [
                a
                for k, v in {"seed": seed, **changes, **({"train.epochs": 1} if args.smoke else {})}.items()
                for a in ("-S", f"{k}={json.dumps(v) if isinstance(v, list) else v}")
            ]
            timed(["git", "checkout", "-q", "params.yaml"], proj, env)  # each run from the committed params
            timed(["dvc", "exp", "run", "-n", exp, *sets], proj, env)
            accuracy.append(json.loads((proj / paths.TEST_METRICS).read_text())["accuracy"])
            seconds.append(json.loads((proj / paths.TRAIN_METRICS).read_text())["train_seconds"])
            print(f"photos: {name} seed {seed}: {accuracy[-1]:.4f} in {seconds[-1]:.0f} s", flush=True)
        spread = statistics.pstdev(accuracy) if len(accuracy) > 1 else 0.0
        rows.append(
            [
                name,
                f"{statistics.mean(accuracy):.4f} +/- {spread:.4f}",
                ", ".join(f"{a:.4f}" for a in accuracy),
                f"{statistics.mean(seconds):.0f}",
                " ".join(f"{k}={v}" for k, v in changes.items()) or "-",
            ]
        )
    data = json.loads((proj / paths.DATA_METRICS).read_text())
    remove_project(args, proj)
    return [
        Table(
            f"Photos from {folder.name} ({data['train_images']:,} train / {data['val_images']:,} val / "
            f"{data['test_images']:,} test images, {data['classes']} classes) at {args.photo_size}x{args.photo_size}, "
            f"{args.seeds} seeds each, from random weights: mean test accuracy, per seed, training time",
            ["run", "test acc mean +/- std", "per seed", "train s (mean)", "changes from the CIFAR-10 recipe"],
            rows,
        ).show()
    ]
