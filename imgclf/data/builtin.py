"""The public datasets as arrays: Fashion-MNIST (IDX files) and CIFAR-10 (its binary release), fetched and verified
by imgclf/data/sources.py. Both fit in memory."""

from __future__ import annotations

from pathlib import Path

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
            images = f"{prefix}-images-idx3-ubyte.gz"
            x = idx.load(root / images)[..., None]
            y = idx.load(root / f"{prefix}-labels-idx1-ubyte.gz")
            if len(x) != len(y):
                raise UserError(f"fashion-mnist {prefix}: {len(x)} images but {len(y)} labels")
            splits[split], files[split] = (x, y), [f"{images}#{i}" for i in range(len(x))]
        return splits, FASHION_CLASSES, files
    root = sources.fetch("cifar10", downloads) / "cifar-10-batches-bin"
    splits, files = {}, {}
    for split, names in (("train", cifar.TRAIN_FILES), ("test", [cifar.TEST_FILE])):
        splits[split] = cifar.load(root, names)
        files[split] = [f"{name}#{i}" for name in names for i in range((root / name).stat().st_size // cifar.RECORD)]
    return splits, cifar.class_names(root), files
