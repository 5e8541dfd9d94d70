"""Load a user's folder of images.

Layouts: one sub-folder per class; or split folders `train/`, `val/` (`valid/`, `validation/`) and `test/`,
each with the same class sub-folders; or one folder of images plus a CSV of `file,label` rows
(`data.labels_csv`, e.g. Kaggle's CIFAR-10 `train/` + `trainLabels.csv`). Hidden files and folders
(`.DS_Store`, `.ipynb_checkpoints`, `__MACOSX`) are not data. Images are turned upright by their EXIF
orientation and 16-bit images are scaled to 8 bits. Decoded images are written to a scratch folder a chunk at a
time (memory stays bounded however many there are); the disk space they need is checked first.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from . import resources
from .errors import UserError
from .storage import CHUNK, ArrayWriter, ImageFile

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}
SPLITS = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}


@dataclass
class FolderData:
    classes: list[str]
    splits: dict[str, tuple[ImageFile, np.ndarray]]    # "all", or some of "train"/"val"/"test" -> (images, labels)
    problems: list[str] = field(default_factory=list)  # "path: reason", reported or skipped
    ignored: int = 0                                   # files that are not images (or that no CSV row labels)


def shown(path: str | os.PathLike) -> str:
    """A path as printable text, whatever the bytes of its name."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def check_names(root: str | os.PathLike) -> None:
    """Every name under root must be valid UTF-8: DVC cannot track another (the validate stage calls this so
    the user sees which file before DVC fails on it)."""
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                raise UserError(f"'{shown(Path(top) / name)}' is not a valid UTF-8 name, which DVC cannot "
                                f"track: rename it") from None


def _visible(name: str) -> bool:
    return not (name.startswith(".") or name == "__MACOSX")


def _subdirs(root: Path) -> list[Path]:
    return sorted((p for p in root.iterdir() if p.is_dir() and _visible(p.name)), key=lambda p: p.name)


def files(folder: Path) -> list[Path]:
    """Visible files under folder, recursively, in sorted order."""
    out = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if _visible(d))
        out += [Path(top) / f for f in sorted(names) if _visible(f)]
    return out


def is_image(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS


# ---------------------------------------------------------------- layouts -> (classes, split -> [(path, label)])


def _split_folders(root: Path) -> dict[str, Path]:
    """{"all": root} for class folders, or {"train": ..., "val": ..., "test": ...} for split folders."""
    dirs = _subdirs(root)
    splits = [d for d in dirs if d.name.lower() in SPLITS]
    if not splits:
        return {"all": root}
    others = [d.name for d in dirs if d not in splits]
    if others:
        raise UserError(f"{root} has both split folders ({', '.join(d.name for d in splits)}) and other folders "
                        f"({', '.join(others)}): put the class folders inside train/, val/ and test/")
    roles: dict[str, Path] = {}
    for d in splits:
        role = SPLITS[d.name.lower()]
        if role in roles:
            raise UserError(f"{root} has two {role} folders, {roles[role].name}/ and {d.name}/: keep one")
        roles[role] = d
    if "train" not in roles:
        raise UserError(f"{root} has {', '.join(d.name + '/' for d in splits)} but no train/ folder")
    return roles


def _from_folders(root: Path):
    roles = _split_folders(root)
    first = roles.get("train", root)
    classes = [p.name for p in _subdirs(first)]
    if len(classes) < 2:
        raise UserError(f"{first} needs at least two class sub-folders; found {len(classes)}")
    differences = []
    for role, folder in roles.items():
        names = [p.name for p in _subdirs(folder)]
        extra, lacking = sorted(set(names) - set(classes)), sorted(set(classes) - set(names))
        differences += [f"{folder.name}/ has {', '.join(map(repr, extra))} that {first.name}/ lacks"] if extra else []
        differences += [f"{folder.name}/ lacks {', '.join(map(repr, lacking))}"] if lacking else []
    if differences:
        raise UserError(f"class folders differ between splits in {root}: {'; '.join(differences)}. Every split "
                        f"needs the same class folders")
    plan, ignored = {}, 0
    for role, folder in roles.items():
        plan[role] = []
        for label, name in enumerate(classes):
            found = files(folder / name)
            pictures = [p for p in found if is_image(p)]
            ignored += len(found) - len(pictures)
            plan[role] += [(p, label) for p in pictures]
    return classes, plan, ignored, roles


def _from_csv(root: Path, labels_csv: str, problems: list[str]):
    rel = PurePosixPath(labels_csv)
    if rel.is_absolute() or ".." in rel.parts:
        raise UserError(f"data.labels_csv must be a path inside data.folder (so DVC tracks it with the images); "
                        f"got '{labels_csv}'")
    path = root / rel
    if not path.is_file():
        raise UserError(f"data.labels_csv '{labels_csv}' not found in {root}: put the CSV of file,label rows there")
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise UserError(f"{path} is not a readable CSV ({exc})") from None
    images = [p for p in files(root) if is_image(p)]
    by_name: dict[str, Path] = {}
    for p in images:
        name = p.relative_to(root).as_posix()
        by_name[name] = p
        by_name.setdefault(name.rsplit(".", 1)[0], p)   # Kaggle's ids leave the extension off
    listed = []
    for number, row in enumerate(rows[1:], start=2):    # row 1 is the header
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[1].strip():
            raise UserError(f"{path} line {number}: expected file,label; got {','.join(row)!r}")
        file, label = row[0].strip(), row[1].strip()
        if file not in by_name:
            problems.append(f"{shown(root / file)}: listed in {labels_csv} but not found")
            continue
        listed.append((by_name[file], label))
    classes = sorted({label for _, label in listed})
    if len(classes) < 2:
        raise UserError(f"{path} needs at least two labels; found {len(classes)}")
    index = {name: i for i, name in enumerate(classes)}
    used = {p for p, _ in listed}
    ignored = sum(1 for p in files(root) if p != path and p not in used)
    return classes, {"all": [(p, index[label]) for p, label in listed]}, ignored, {"all": root}


# ---------------------------------------------------------------- memory and decoding


def _check_disk(n: int, size: tuple[int, int], channels: int, scratch: Path) -> None:
    """Decoded images stream to disk (first as decoded, then as the prepared splits), never all into memory: the
    disk is what must hold them."""
    each = size[0] * size[1] * channels
    resources.check_disk(2 * n * each, scratch,
                         f"{n:,} images at {size[0]}x{size[1]}x{channels} need about "
                         f"{resources.gb(2 * n * each)} of disk ({resources.gb(n * each)} decoded, as much again "
                         f"for the prepared splits)",
                         "free disk space, choose a smaller data.image_size or use fewer images")


def decode(path: Path, size: tuple[int, int], mode: str) -> np.ndarray:
    """One image file as the uint8 array `prepare` stores (`imgclf predict` decodes the same way)."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        im.seek(0)  # first frame of an animated GIF
        return conform(ImageOps.exif_transpose(im), size, mode)   # upright, as viewers show it


def conform(im, size: tuple[int, int], mode: str) -> np.ndarray:
    """A PIL image (or a uint8 array) converted to `mode` ("L" or "RGB") and resized to `size` (height, width)."""
    from PIL import Image

    if isinstance(im, np.ndarray):
        im = Image.fromarray(im.squeeze(-1) if im.ndim == 3 and im.shape[-1] == 1 else im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(im, dtype=np.int64).clip(0, 65535)
        im = Image.fromarray(((wide + 128) // 257).astype(np.uint8), "L")   # 16 -> 8 bits, not clipped
    im = im.convert(mode)
    if im.size != (size[1], size[0]):
        im = im.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    arr = np.asarray(im, dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr


def _read(items: list[tuple[Path, int]], num_classes: int, size, mode: str, problems: list[str], counter: list[int],
          out: Path) -> tuple[ImageFile, np.ndarray]:
    """Decode into the .npy file `out`, a bounded chunk at a time; unreadable images are left out (and listed)."""
    channels = 1 if mode == "L" else 3
    chunk = np.empty((max(1, CHUNK // (size[0] * size[1] * channels)), *size, channels), np.uint8)
    labels = np.empty(len(items), np.uint8 if num_classes <= 256 else np.int32)
    good, filled = 0, 0
    with ArrayWriter(out, chunk.shape[1:]) as writer:
        for path, label in items:
            try:
                chunk[filled] = decode(path, size, mode)
            except MemoryError:
                raise UserError(f"ran out of memory while decoding {shown(path)} (not the file's fault): free "
                                f"memory, or choose a smaller data.image_size") from None
            except Exception as exc:  # PIL raises many types for damaged files
                problems.append(f"{shown(path)}: unreadable image ({type(exc).__name__})")
            else:
                labels[good] = label
                good, filled = good + 1, filled + 1
                if filled == len(chunk):
                    writer.append(chunk)
                    filled = 0
            counter[0] += 1
            if counter[0] % 2000 == 0:
                print(f"  decoded {counter[0]} images", file=sys.stderr, flush=True)
        writer.append(chunk[:filled])
    return ImageFile(out), labels[:good].copy()


def load(root: str | Path, image_size: list[int], color_mode: str, bad_files: str,
         labels_csv: str = "", scratch: str | Path | None = None) -> FolderData:
    """Decode every image in a deterministic order into .npy files in `scratch` (the caller removes it; by default
    a temporary folder removed when the images are no longer used); problems fail or are skipped per
    `bad_files`."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"data.folder '{root}' is not a folder: point it at a folder of class sub-folders")
    check_names(root)
    mode = "L" if color_mode == "grayscale" else "RGB"
    size = tuple(image_size)
    problems: list[str] = []
    if labels_csv:
        classes, plan, ignored, folders = _from_csv(root, labels_csv, problems)
    else:
        classes, plan, ignored, folders = _from_folders(root)
    own = scratch is None
    scratch = Path(tempfile.mkdtemp(prefix="imgclf-decoded-") if own else scratch)
    try:
        _check_disk(sum(map(len, plan.values())), size, 1 if mode == "L" else 3, scratch)
        counter = [0]
        splits = {split: _read(items, len(classes), size, mode, problems, counter, scratch / f"decoded_{split}.npy")
                  for split, items in plan.items()}
    finally:
        if own:     # the open files stay readable until their images are dropped
            shutil.rmtree(scratch, ignore_errors=True)
    for split in splits:
        y = splits[split][1]
        for label in sorted(set(range(len(classes))) - set(np.unique(y).tolist())):
            where = folders[split] / classes[label] if not labels_csv else root
            problems.append(f"{shown(where)}: class '{classes[label]}' has no readable images")
    if problems and bad_files == "fail":
        listed = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise UserError(f"{len(problems)} problem(s) in {shown(root)}: {listed}. Fix or remove them, "
                        f"or set data.bad_files: skip to leave them out")
    if problems:
        # Skipping: drop classes that have no images in some split, then relabel densely.
        present = set(range(len(classes)))
        for x, y in splits.values():
            present &= set(np.unique(y).tolist())
        keep = sorted(present)
        if len(keep) < 2:
            raise UserError(f"{shown(root)}: fewer than two classes have readable images in every split")
        remap = np.full(len(classes), -1, np.int64)
        remap[keep] = np.arange(len(keep))
        for split, (x, y) in splits.items():
            mask = remap[y] >= 0
            splits[split] = (x.subset(mask), remap[y[mask]].astype(y.dtype))
        classes = [classes[i] for i in keep]
    return FolderData(classes=classes, splits=splits, problems=problems, ignored=ignored)
