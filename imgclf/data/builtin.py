"""The public datasets as arrays: Fashion-MNIST (IDX files) and CIFAR-10 (its binary release), fetched and verified
by imgclf/data/sources.py. Both fit in memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np

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


def load(dataset: str, downloads: str | Path) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[str]]:
    """({"train": (images, labels), "test": (images, labels)}, class names) of a built-in dataset."""
    if dataset == "fashion_mnist":
        root = sources.fetch("fashion_mnist", downloads)
        x_tr = idx.load(root / "train-images-idx3-ubyte.gz")[..., None]
        y_tr = idx.load(root / "train-labels-idx1-ubyte.gz")
        x_te = idx.load(root / "t10k-images-idx3-ubyte.gz")[..., None]
        y_te = idx.load(root / "t10k-labels-idx1-ubyte.gz")
        for x, y, name in ((x_tr, y_tr, "train"), (x_te, y_te, "t10k")):
            if len(x) != len(y):
                raise UserError(f"fashion-mnist {name}: {len(x)} images but {len(y)} labels")
        return {"train": (x_tr, y_tr), "test": (x_te, y_te)}, FASHION_CLASSES
    root = sources.fetch("cifar10", downloads) / "cifar-10-batches-bin"
    splits = {"train": cifar.load(root, cifar.TRAIN_FILES), "test": cifar.load(root, [cifar.TEST_FILE])}
    return splits, cifar.class_names(root)
