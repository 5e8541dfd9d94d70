"""Load a user's folder of images: survey it (imgclf/data/survey.py: layout, labels, splits, bad files,
duplicates), then decode each split into a scratch folder a chunk at a time (memory stays bounded however many
images there are); the disk space they need is checked first."""

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
from ..params import DataParams
from .decode import decode, out_of_memory, reason
from .survey import EXAMPLES, Survey, survey


@dataclass
class FolderData:
    classes: list[str]
    splits: dict[str, tuple[ImageFile, np.ndarray]]  # "all", or some of "train"/"val"/"test" -> (images, labels)
    files: dict[str, list[str]] = field(default_factory=dict)  # split -> each image's path, relative to the folder
    problems: list[str] = field(default_factory=list)  # "path: reason", skipped (fatal with data.bad_files: fail)
    ignored: int = 0  # files that are not images (or that no CSV row labels)
    survey: Survey | None = None


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


def _read(paths: list[Path], size, mode: str, resize: str, counter: list[int], out: Path) -> ImageFile:
    """Decode into the .npy file `out`, a bounded chunk at a time (the survey has opened each file already)."""
    channels = 1 if mode == "L" else 3
    chunk = np.empty((max(1, CHUNK // (size[0] * size[1] * channels)), *size, channels), np.uint8)
    filled = 0
    with ArrayWriter(out, chunk.shape[1:]) as writer:
        for path in paths:
            try:
                chunk[filled] = decode(path, size, mode, resize)
            except MemoryError:
                raise out_of_memory(path, "choose a smaller data.image_size") from None
            except Exception as exc:  # noqa: BLE001 - it changed since the survey opened it
                raise UserError(f"{shown(path)}: {reason(exc, path)} (it changed while prepare ran?); rerun") from None
            filled += 1
            if filled == len(chunk):
                writer.append(chunk)
                filled = 0
            counter[0] += 1
            if counter[0] % 2000 == 0:
                print(f"  decoded {counter[0]:,} images", file=sys.stderr, flush=True)
        writer.append(chunk[:filled])
    return ImageFile(out)


def load(data: DataParams, seed: int = 0, scratch: str | Path | None = None) -> FolderData:
    """Decode the folder's own splits ("all", or train / val / test) in their order into .npy files in `scratch` (the
    caller removes it; by default a temporary folder removed when the images are no longer used); the splits it
    lacks are held out by split.prepare."""
    s = survey(data, seed)
    mode = "L" if data.color_mode == "grayscale" else "RGB"
    size = tuple(data.image_size)
    own = scratch is None
    scratch = Path(tempfile.mkdtemp(prefix="imgclf-decoded-") if own else scratch)
    try:
        _check_disk(sum(len(p) for p, _ in s.roles.values()), size, 1 if mode == "L" else 3, scratch)
        counter = [0]
        splits = {
            role: (
                _read(paths, size, mode, data.resize, counter, scratch / f"decoded_{role}.npy"),
                labels.astype(np.uint8 if len(s.classes) <= 256 else np.int32),
            )
            for role, (paths, labels) in s.roles.items()
        }
    finally:
        if own:  # the open files stay readable until their images are dropped
            shutil.rmtree(scratch, ignore_errors=True)
    root = Path(data.folder)
    files = {role: [_relative(p, root) for p in paths] for role, (paths, _) in s.roles.items()}
    return FolderData(
        classes=s.classes, splits=splits, files=files, problems=s.problems, ignored=len(s.ignored), survey=s
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return shown(path.relative_to(root))
    except ValueError:
        return shown(path)


def notes(s: Survey, dropped: int) -> dict:
    """The few figures of metrics/data.json beyond the split sizes (`dvc metrics diff` lists each)."""
    return {
        "skipped_files": s.problems,
        "ignored_files": len(s.ignored),
        "dropped_rows": len(s.dropped_rows),
        **{f"duplicates_{kind}": len(groups) for kind, groups in s.duplicates.items()},
        "duplicates_dropped": dropped,
    }


def found(s: Survey) -> dict:
    """What data/summary.json says of the folder besides the counts and sources."""
    return {
        "skipped": s.problems,
        "ignored": s.ignored[:EXAMPLES],
        "ignored_count": len(s.ignored),
        "dropped_rows": s.dropped_rows,
        "sizes": s.sizes,
        "modes": s.modes,
        "duplicates": {kind: groups[:EXAMPLES] for kind, groups in s.duplicates.items()},
        "duplicate_counts": {kind: len(groups) for kind, groups in s.duplicates.items()},
    }
