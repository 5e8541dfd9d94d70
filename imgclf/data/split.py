"""The prepare stage's data layer: the configured dataset -> stratified train/val/test uint8 arrays, each image's
name (its file, or its place in the official file) and a summary of what went in."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.arrays import ImageFile
from ..core.errors import UserError
from ..core.paths import DOWNLOADS
from ..core.text import shown
from ..params import DataParams
from . import builtin, familiar, folder
from .summary import describe
from .survey import duplicates_line, later_copies, with_splits


@dataclass
class Prepared:
    classes: list[str]
    arrays: dict[str, tuple[np.ndarray | ImageFile, np.ndarray]]  # split -> (images NHWC uint8, labels)
    dataset: str = ""
    files: dict[str, list[str]] = field(default_factory=dict)  # split -> each image's name, in order
    notes: dict = field(default_factory=dict)  # metrics/data.json's extra figures (skipped files etc.)
    summary: dict = field(default_factory=dict)  # data/summary.json: what went in, for the report
    resize: str = "squash"
    image_stats: dict = field(default_factory=dict)  # the training images' range (imgclf/data/familiar.py)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.arrays["train"][0].shape[1:])


def held_out(y: np.ndarray, fraction: float, seed: int, param: str) -> tuple[np.ndarray, np.ndarray]:
    """(kept, held out) indices of a seeded split that keeps each class's share; every class needs a member on
    both sides."""
    from sklearn.model_selection import train_test_split

    counts = np.bincount(y)
    counts = counts[counts > 0]
    n_held = int(round(len(y) * fraction))
    if counts.min() < 2 or n_held < len(counts) or len(y) - n_held < len(counts):
        raise UserError(
            f"cannot hold out {param}={fraction} of {len(y)} images stratified over {len(counts)} "
            f"classes (smallest class: {counts.min()}); change {param} or add images"
        )
    keep, held = train_test_split(np.arange(len(y)), test_size=n_held, stratify=y, random_state=seed)
    return np.sort(keep), np.sort(held)


def stratified_split(x: np.ndarray, y: np.ndarray, fraction: float, seed: int, param: str):
    """((images, labels) kept, (images, labels) held out), as held_out splits them."""
    keep, held = held_out(y, fraction, seed, param)
    take = x.subset if isinstance(x, ImageFile) else x.__getitem__  # a file's images stay on disk
    return (take(keep), y[keep]), (take(held), y[held])


def prepare(
    data: DataParams, seed: int, downloads: str | Path = DOWNLOADS, scratch: str | Path | None = None
) -> Prepared:
    """The splits the data provides, and the validation (and, for a folder, test) splits it lacks held out."""
    if data.dataset == "folder":
        return _folder(data, seed, scratch)
    splits, classes, files = builtin.load(data.dataset, downloads)
    (x, y), names = splits["train"], files["train"]
    keep, held = held_out(y, data.val_split, seed, "data.val_split")
    arrays = {"train": (x[keep], y[keep]), "val": (x[held], y[held]), "test": splits["test"]}
    names = {"train": [names[i] for i in keep], "val": [names[i] for i in held], "test": files["test"]}
    train_file = files["train"][0].split("#")[0]
    sources = {
        "train": f"the official training file {train_file}",
        "val": f"{data.val_split:g} of {train_file} held out (data.val_split, stratified, seeded)",
        "test": f"the official test file {files['test'][0].split('#')[0]}",
    }
    return Prepared(
        classes=list(classes),
        arrays=arrays,
        dataset=data.dataset,
        files=names,
        summary=describe(list(classes), arrays, sources),
        image_stats=familiar.training_range([x], seed),
    )


def _folder(data: DataParams, seed: int, scratch) -> Prepared:
    loaded = folder.load(data, seed, scratch)
    roles = {role: (x, y, loaded.files[role]) for role, (x, y) in loaded.splits.items()}
    train = roles.get("train", roles.get("all"))
    for role, fraction, param in (
        ("test", data.test_split, "data.test_split"),
        ("val", data.val_split, "data.val_split"),
    ):
        if role not in roles:  # held out as the survey held it out
            x, y, names = train
            keep, held = held_out(y, fraction, seed, param)
            train = (x.subset(keep), y[keep], [names[i] for i in keep])
            roles[role] = (x.subset(held), y[held], [names[i] for i in held])
    roles["train"] = train
    s = with_splits(loaded.survey, data, seed)
    if data.duplicates == "warn" and any(s.duplicates.values()):
        print(
            f"warning: {duplicates_line(s.duplicates)} (listed in data/summary.json and the "
            f"report; data.duplicates: drop leaves out each later copy)",
            file=sys.stderr,
            flush=True,
        )
    later = later_copies(s) if data.duplicates == "drop" else set()
    dropped = 0
    arrays, files = {}, {}
    root = Path(data.folder)
    for split in ("train", "val", "test"):
        x, y, names = roles[split]
        keep = [i for i, n in enumerate(names) if shown(root / n) not in later and n not in later]
        dropped += len(names) - len(keep)
        if len(keep) < len(names):
            x, y, names = x.subset(np.array(keep, np.int64)), y[keep], [names[i] for i in keep]
        arrays[split], files[split] = (x, y), names
    summary = describe(loaded.classes, arrays, s.sources, **folder.found(s), duplicates_dropped=dropped)
    return Prepared(
        classes=loaded.classes,
        arrays=arrays,
        dataset="folder",
        files=files,
        notes=folder.notes(s, dropped),
        summary=summary,
        resize=data.resize,
        image_stats=familiar.training_range([x for x, _ in loaded.splits.values()], seed),
    )
