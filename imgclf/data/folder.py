"""Load a user's folder of images (see imgclf/data/layout.py and labels_csv.py for where the images and labels
come from). Decoded images are written to a scratch folder a chunk at a time (memory stays bounded however many
there are); the disk space they need is checked first.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core import resources
from ..core.arrays import CHUNK, ArrayWriter, ImageFile
from ..core.errors import UserError
from ..core.text import shown
from .decode import decode
from .labels_csv import from_csv
from .layout import check_names, from_folders


@dataclass
class FolderData:
    classes: list[str]
    splits: dict[str, tuple[ImageFile, np.ndarray]]  # "all", or some of "train"/"val"/"test" -> (images, labels)
    problems: list[str] = field(default_factory=list)  # "path: reason", reported or skipped
    ignored: int = 0  # files that are not images (or that no CSV row labels)


def _check_disk(n: int, size: tuple[int, int], channels: int, scratch: Path) -> None:
    """Decoded images stream to disk (first as decoded, then as the prepared splits), never all into memory: the
    disk is what must hold them."""
    each = size[0] * size[1] * channels
    resources.check_disk(
        2 * n * each,
        scratch,
        f"{n:,} images at {size[0]}x{size[1]}x{channels} need about "
        f"{resources.gb(2 * n * each)} of disk ({resources.gb(n * each)} decoded, as much again "
        f"for the prepared splits)",
        "free disk space, choose a smaller data.image_size or use fewer images",
    )


def _read(
    items: list[tuple[Path, int]], num_classes: int, size, mode: str, problems: list[str], counter: list[int], out: Path
) -> tuple[ImageFile, np.ndarray]:
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
                raise UserError(
                    f"ran out of memory while decoding {shown(path)} (not the file's fault): free "
                    f"memory, or choose a smaller data.image_size"
                ) from None
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


def load(
    root: str | Path,
    image_size: list[int],
    color_mode: str,
    bad_files: str,
    labels_csv: str = "",
    scratch: str | Path | None = None,
) -> FolderData:
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
        classes, plan, ignored, folders = from_csv(root, labels_csv, problems)
    else:
        classes, plan, ignored, folders = from_folders(root)
    own = scratch is None
    scratch = Path(tempfile.mkdtemp(prefix="imgclf-decoded-") if own else scratch)
    try:
        _check_disk(sum(map(len, plan.values())), size, 1 if mode == "L" else 3, scratch)
        counter = [0]
        splits = {
            split: _read(items, len(classes), size, mode, problems, counter, scratch / f"decoded_{split}.npy")
            for split, items in plan.items()
        }
    finally:
        if own:  # the open files stay readable until their images are dropped
            shutil.rmtree(scratch, ignore_errors=True)
    for split in splits:
        y = splits[split][1]
        for label in sorted(set(range(len(classes))) - set(np.unique(y).tolist())):
            where = folders[split] / classes[label] if not labels_csv else root
            problems.append(f"{shown(where)}: class '{classes[label]}' has no readable images")
    if problems and bad_files == "fail":
        listed = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise UserError(
            f"{len(problems)} problem(s) in {shown(root)}: {listed}. Fix or remove them, "
            f"or set data.bad_files: skip to leave them out"
        )
    if problems:
        # Skipping: drop classes that have no images in some split, then relabel densely.
        present = set(range(len(classes)))
        for _, y in splits.values():
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
