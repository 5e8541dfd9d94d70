"""What `imgclf predict` reads: image files and folders of them (recursively), IDX image files (the MNIST
family's, gzipped or not) and CIFAR-10 binary batches, decoded one image at a time exactly as `prepare`
decodes a folder dataset (imgclf/data/decode.py), so the model sees what it was trained on.

A file that cannot be read is reported with the reason and skipped; the rest go on.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import UserError
from ..core.text import shown
from ..data import cifar, idx
from ..data.decode import conform, decode, is_image, reason
from ..data.layout import files


@dataclass
class Source:
    path: Path
    kind: str  # "image", "idx" or "cifar"
    count: int = 1  # images in it (IDX and CIFAR files hold many)


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if is_image(path):
        return "image"
    if "idx" in name or name.endswith((".ubyte", ".ubyte.gz")):
        return "idx"
    if path.suffix.lower() == ".bin":
        return "cifar"
    return None


def find(paths: list[str | Path]) -> tuple[list[Source], list[str], int]:
    """(sources in order, problems as 'path: reason', files ignored in folders for not being images).

    A file named on the command line is always tried (as an image unless it is an IDX or CIFAR file); in a
    folder, only files with an image extension or an IDX/CIFAR name count, and hidden ones are skipped.
    """
    sources, problems, ignored = [], [], 0
    for given in map(Path, paths):
        if given.is_dir():
            for path in files(given):
                kind = kind_of(path)
                if kind is None:
                    ignored += 1
                else:
                    _add(sources, problems, path, kind)
        elif given.is_file():
            _add(sources, problems, given, kind_of(given) or "image")
        else:
            problems.append(f"{shown(given)}: not found")
    return sources, problems, ignored


def _add(sources: list[Source], problems: list[str], path: Path, kind: str) -> None:
    try:
        if path.stat().st_size == 0:
            problems.append(f"{shown(path)}: empty file")
            return
        if kind == "idx":
            opener = gzip.open if path.suffix.lower() == ".gz" else open
            with opener(path, "rb") as stream:
                _, dims, _ = idx.read_header(stream, shown(path))
            if len(dims) not in (3, 4):
                raise UserError(f"{shown(path)}: an IDX file of shape {dims}, not of images (N, height, width)")
            sources.append(Source(path, kind, dims[0]))
        elif kind == "cifar":
            records, rest = divmod(path.stat().st_size, cifar.RECORD)
            if rest:
                raise UserError(
                    f"{shown(path)}: not a CIFAR-10 binary batch ({path.stat().st_size} bytes is not "
                    f"a multiple of {cifar.RECORD})"
                )
            sources.append(Source(path, kind, records))
        else:
            sources.append(Source(path, kind))
    except UserError as exc:
        problems.append(str(exc))
    except (OSError, EOFError, zlib.error) as exc:  # unreadable, or a damaged gzip stream
        problems.append(f"{shown(path)}: cannot be read ({getattr(exc, 'strerror', None) or type(exc).__name__})")


def images(
    sources: list[Source], size: tuple[int, int], mode: str, problems: list[str], resize: str = "squash"
) -> Iterator[tuple[str, np.ndarray]]:
    """(name, uint8 array of `size` in `mode`, fitted by `resize` as prepare did) for every readable image; a file
    that fails adds to `problems`, with the reason prepare would give."""
    for source in sources:
        name = shown(source.path)
        if source.kind == "image":
            try:
                yield name, decode(source.path, size, mode, resize)
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001 - PIL raises many types for damaged files
                problems.append(f"{name}: {reason(exc, source.path)}")
            continue
        try:
            if source.kind == "idx":
                array = idx.load(source.path)
            else:
                array = cifar.parse(source.path.read_bytes(), name)[0]
        except UserError as exc:
            problems.append(str(exc))
            continue
        except OSError as exc:
            problems.append(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})")
            continue
        if array.dtype != np.uint8:
            problems.append(f"{name}: IDX images of type {array.dtype}; only 8-bit (uint8) images are read")
            continue
        for i, image in enumerate(array):
            yield f"{name}#{i}", conform(image, size, mode)
