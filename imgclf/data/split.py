"""The prepare stage's data layer: the configured raw dataset -> stratified train/val/test uint8 arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.arrays import ImageFile
from ..core.errors import UserError
from ..core.paths import DOWNLOADS
from ..params import DataParams
from . import builtin, folder


@dataclass
class Prepared:
    classes: list[str]
    arrays: dict[str, tuple[np.ndarray | ImageFile, np.ndarray]]  # split -> (images NHWC uint8, labels)
    dataset: str = ""
    notes: dict = field(default_factory=dict)  # skipped files etc., for the stage's metrics

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.arrays["train"][0].shape[1:])


def load_raw(data: DataParams, downloads: str | Path = DOWNLOADS, scratch: str | Path | None = None):
    """(splits, classes, notes) for the configured dataset; splits maps "train"/"test" (public datasets) or
    whatever the folder provides ("all", or "train" with "val" and/or "test") to (images, labels). The public
    datasets fit in memory (arrays); a folder's images are decoded into `scratch` (ImageFile)."""
    if data.dataset in ("fashion_mnist", "cifar10"):
        splits, classes = builtin.load(data.dataset, downloads)
        return splits, classes, {}
    loaded = folder.load(data.folder, data.image_size, data.color_mode, data.bad_files, data.labels_csv, scratch)
    return loaded.splits, loaded.classes, {"skipped": loaded.problems, "ignored_files": loaded.ignored}


def stratified_split(x: np.ndarray, y: np.ndarray, fraction: float, seed: int, param: str):
    """Seeded split keeping each class's share; every class needs a member on both sides."""
    from sklearn.model_selection import train_test_split

    counts = np.bincount(y)
    counts = counts[counts > 0]
    n_held = int(round(len(y) * fraction))
    if counts.min() < 2 or n_held < len(counts) or len(y) - n_held < len(counts):
        raise UserError(
            f"cannot hold out {param}={fraction} of {len(y)} images stratified over {len(counts)} "
            f"classes (smallest class: {counts.min()}); change {param} or add images"
        )
    idx_keep, idx_held = train_test_split(np.arange(len(y)), test_size=n_held, stratify=y, random_state=seed)
    idx_keep.sort()
    idx_held.sort()
    take = x.subset if isinstance(x, ImageFile) else x.__getitem__  # a file's images stay on disk
    return (take(idx_keep), y[idx_keep]), (take(idx_held), y[idx_held])


def prepare(
    data: DataParams, seed: int, downloads: str | Path = DOWNLOADS, scratch: str | Path | None = None
) -> Prepared:
    """Use the splits the data provides; hold out (stratified, seeded) the test and validation splits it lacks."""
    splits, classes, notes = load_raw(data, downloads, scratch)
    train = splits.get("train", splits.get("all"))
    test = splits.get("test")
    if test is None:
        train, test = stratified_split(*train, data.test_split, seed, "data.test_split")
    val = splits.get("val")
    if val is None:
        train, val = stratified_split(*train, data.val_split, seed, "data.val_split")
    arrays = {"train": train, "val": val, "test": test}
    return Prepared(classes=list(classes), arrays=arrays, dataset=data.dataset, notes=notes)
