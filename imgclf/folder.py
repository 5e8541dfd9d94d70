"""Load a user's folder of images: one sub-folder per class, optionally under train/ and test/."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import UserError

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}


@dataclass
class FolderData:
    classes: list[str]
    splits: dict[str, tuple[np.ndarray, np.ndarray]]   # "all" or "train"/"test" -> (images, labels)
    problems: list[str] = field(default_factory=list)  # "path: reason", reported or skipped
    ignored: int = 0                                   # non-image files


def _class_dirs(root: Path) -> list[Path]:
    return sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)


def _decode(path: Path, size: tuple[int, int], mode: str) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        im.seek(0)  # first frame of an animated GIF
        im = im.convert(mode)
        if im.size != (size[1], size[0]):
            im = im.resize((size[1], size[0]), Image.Resampling.BILINEAR)
        arr = np.asarray(im, dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr


def _read_split(root: Path, classes: list[str], size, mode, problems: list[str], counter: list[int]):
    images, labels, ignored = [], [], 0
    channels = 1 if mode == "L" else 3
    for label, name in enumerate(classes):
        folder = root / name
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        pictures = [p for p in files if p.suffix.lower() in EXTENSIONS]
        ignored += len(files) - len(pictures)
        good = 0
        for path in pictures:
            try:
                images.append(_decode(path, size, mode))
                labels.append(label)
                good += 1
            except Exception as exc:  # PIL raises many types for damaged files
                problems.append(f"{path}: unreadable image ({type(exc).__name__})")
            counter[0] += 1
            if counter[0] % 2000 == 0:
                print(f"  decoded {counter[0]} images", file=sys.stderr, flush=True)
        if good == 0:
            problems.append(f"{folder}: class '{name}' has no readable images")
    shape = (0, *size, channels)
    x = np.stack(images) if images else np.zeros(shape, np.uint8)
    return x, np.asarray(labels, dtype=np.uint8 if len(classes) <= 256 else np.int32), ignored


def load(root: str | Path, image_size: list[int], color_mode: str, bad_files: str) -> FolderData:
    """Decode every image in a deterministic (sorted) order; problems fail or are skipped per `bad_files`."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"data.folder '{root}' is not a folder: point it at a folder of class sub-folders")
    mode = "L" if color_mode == "grayscale" else "RGB"
    size = tuple(image_size)
    has_split = (root / "train").is_dir() and (root / "test").is_dir()
    class_root = root / "train" if has_split else root
    classes = [p.name for p in _class_dirs(class_root)]
    if len(classes) < 2:
        raise UserError(f"{class_root} needs at least two class sub-folders; found {len(classes)}")
    problems: list[str] = []
    counter = [0]
    splits, ignored = {}, 0
    for split, split_root in ([("train", root / "train"), ("test", root / "test")] if has_split else [("all", root)]):
        if split == "test":
            extra = sorted(set(p.name for p in _class_dirs(split_root)) - set(classes))
            problems += [f"{split_root / name}: class '{name}' is not in {root / 'train'}" for name in extra]
        x, y, n = _read_split(split_root, classes, size, mode, problems, counter)
        splits[split] = (x, y)
        ignored += n
    if problems and bad_files == "fail":
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise UserError(f"{len(problems)} problem(s) in {root}: {shown}. Fix or remove them, "
                        f"or set data.bad_files: skip to leave them out")
    if problems:
        # Skipping: drop classes that have no images in some split, then relabel densely.
        present = set(range(len(classes)))
        for x, y in splits.values():
            present &= set(np.unique(y).tolist())
        keep = sorted(present)
        if len(keep) < 2:
            raise UserError(f"{root}: fewer than two classes have readable images in every split")
        remap = np.full(len(classes), -1, np.int64)
        remap[keep] = np.arange(len(keep))
        for split, (x, y) in splits.items():
            mask = remap[y] >= 0
            splits[split] = (x[mask], remap[y[mask]].astype(y.dtype))
        classes = [classes[i] for i in keep]
    return FolderData(classes=classes, splits=splits, problems=problems, ignored=ignored)
