"""Prepared arrays on disk (data/prepared/*.npy, data/dataset.json): written by stage 1, read by the rest.

Kept apart from the dataset readers so that the later stages do not depend on (and rerun for) them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .atomic import atomic_dir, write_json
from .errors import UserError


def save(prep, out_dir: str | Path, meta_path: str | Path) -> None:
    """`prep` is a dataset.Prepared."""
    with atomic_dir(out_dir) as tmp:
        for split, (x, y) in prep.arrays.items():
            np.save(tmp / f"{split}_x.npy", np.ascontiguousarray(x, dtype=np.uint8))
            np.save(tmp / f"{split}_y.npy", np.asarray(y, dtype=np.int32))
    # Only what the model's shape depends on: a new split size must not rebuild the model.
    write_json(meta_path, {"dataset": prep.dataset, "classes": prep.classes, "image_shape": list(prep.image_shape)})


def load_meta(meta_path: str | Path = "data/dataset.json") -> dict:
    path = Path(meta_path)
    if not path.exists():
        raise UserError(f"{path} is missing: run stage 1 first (dvc repro prepare)")
    return json.loads(path.read_text())


def load_split(out_dir: str | Path, split: str, mmap: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Memory-mapped arrays: a stage touches only the pages it reads."""
    out_dir = Path(out_dir)
    try:
        x = np.load(out_dir / f"{split}_x.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
        y = np.load(out_dir / f"{split}_y.npy", allow_pickle=False)
    except FileNotFoundError as exc:
        raise UserError(f"{exc.filename} is missing: run stage 1 first (dvc repro prepare)") from None
    except ValueError as exc:
        raise UserError(f"{out_dir}/{split}_*.npy is corrupt ({exc}); rerun stage 1 (dvc repro -f prepare)") from None
    if len(x) != len(y):
        raise UserError(f"{out_dir}/{split}: {len(x)} images but {len(y)} labels; rerun stage 1 (dvc repro -f prepare)")
    return x, y
