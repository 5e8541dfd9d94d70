"""The public datasets as arrays: Fashion-MNIST (IDX files) and CIFAR-10 (its binary release), fetched and verified
by imgclf/data/sources.py. Both fit in memory.

A file that passed its checksum can still be wrong (a private mirror vouches for its own copies), so what is read
is checked too: uint8 images, one label per image, every label one of the classes. A bad label would otherwise
train to chance, crash `evaluate`, and sit in DVC's run cache as a good `prepare`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.arrays import label_problem
from ..core.errors import UserError
from . import cifar, idx, sources

FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def load(dataset: str, downloads: str | Path):
    """({"train": (images, labels), "test": (images, labels)}, class names, {split: each image's name}) of a
    built-in dataset; an image's name is its place in the official file, `t10k-images-idx3-ubyte.gz#12`."""
    if dataset == "fashion_mnist":
        root = sources.fetch("fashion_mnist", downloads)
        splits, files = {}, {}
        for split, prefix in (("train", "train"), ("test", "t10k")):
            images, labels = root / f"{prefix}-images-idx3-ubyte.gz", root / f"{prefix}-labels-idx1-ubyte.gz"
            x, y = _fashion_images(images), _fashion_labels(labels)
            if len(x) != len(y):
                raise UserError(
                    f"{images} holds {len(x):,} images but {labels} holds {len(y):,} labels: they are not "
                    f"Fashion-MNIST's files; delete them (rm {images} {labels}) and fetch them from a good source"
                )
            splits[split], files[split] = (x[..., None], y), [f"{images.name}#{i}" for i in range(len(x))]
        return splits, FASHION_CLASSES, files
    root = sources.fetch("cifar10", downloads) / "cifar-10-batches-bin"
    splits, files = {}, {}
    for split, names in (("train", cifar.TRAIN_FILES), ("test", [cifar.TEST_FILE])):
        splits[split] = cifar.load(root, names)
        files[split] = [f"{name}#{i}" for name in names for i in range((root / name).stat().st_size // cifar.RECORD)]
    return splits, cifar.class_names(root), files


_NOT_FASHION = "it is not Fashion-MNIST's file: delete it (rm {path}) and fetch it from a good source"


def _fashion_images(path: Path) -> np.ndarray:
    x = idx.load(path)
    if x.dtype != np.uint8 or x.ndim != 3:
        raise UserError(
            f"{path} holds {x.dtype} data of shape {x.shape}, not uint8 images (N x height x width); "
            f"{_NOT_FASHION.format(path=path)}"
        )
    return x


def _fashion_labels(path: Path) -> np.ndarray:
    y = idx.load(path)
    if y.dtype.kind not in "iu" or y.ndim != 1:
        raise UserError(
            f"{path} holds {y.dtype} data of shape {y.shape}, not one integer label per image; "
            f"{_NOT_FASHION.format(path=path)}"
        )
    problem = label_problem(y, len(FASHION_CLASSES))
    if problem:
        raise UserError(f"{path}: {problem} of Fashion-MNIST; {_NOT_FASHION.format(path=path)}")
    return y.astype(np.uint8)
