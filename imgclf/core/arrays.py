"""Prepared arrays on disk (data/prepared/*.npy, data/dataset.json): written by the prepare stage, read by the rest.

Images stream: they are written a chunk at a time and read back a batch at a time with `pread`, never as one
array, so a stage's memory stays bounded however many images there are. Nothing is memory-mapped either: the
pages of a mapped file that a stage has touched count as its resident memory until it unmaps them, whereas the
kernel's page cache is reclaimable and nobody's. The files are plain `.npy` (np.load reads them).

In core, not with the dataset readers of imgclf/data: every stage after prepare reads these files, and none of them
should rerun because a reader changed.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

from . import inputs
from .atomic import atomic_dir, write_json
from .errors import UserError  # noqa: F401 - callers catch arrays.UserError
from .paths import DATASET

HEADER = 128  # bytes: a fixed .npy header, so the image count can be written once it is known
CHUNK = 8 << 20  # bytes of images decoded, written or copied at a time


class ImageFile:
    """The images (N x H x W x C uint8) of a .npy file, or a subset of them, read on demand.

    `x[i]`, `x[a:b]`, `x[indices]` and `np.asarray(x)` read into memory, like numpy; `subset(indices)` is a lazy
    view. Reads are positional (os.pread), so the tf.data threads share one file descriptor. Arrays read are
    read-only (they wrap the bytes read).
    """

    def __init__(self, path: str | Path, rows: np.ndarray | None = None, _fd: _Fd | None = None):
        self.path = Path(path)
        self._fd = _fd or _Fd(self.path)
        self.offset, shape, self.dtype = self._fd.offset, self._fd.shape, self._fd.dtype
        self.rows = None if rows is None else np.asarray(rows, np.int64)
        self.item_shape = tuple(shape[1:])
        self.item_bytes = int(np.prod(self.item_shape, dtype=np.int64)) * self.dtype.itemsize
        self.shape = (shape[0] if self.rows is None else len(self.rows), *self.item_shape)

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        return len(self) * self.item_bytes

    def subset(self, indices) -> ImageFile:
        indices = np.arange(len(self))[indices]  # booleans, negatives and bounds as numpy has them
        return ImageFile(self.path, indices if self.rows is None else self.rows[indices], self._fd)

    def read(self, indices) -> np.ndarray:
        """Images at `indices`, in that order: one read for a contiguous run, else one per image (joined in C;
        measured 1.5 us an image, 6x faster than a numpy copy per image)."""
        indices = np.asarray(indices, np.int64).reshape(-1)
        rows = indices if self.rows is None else self.rows[indices]
        n, size = len(rows), self.item_bytes
        if n and rows[-1] - rows[0] == n - 1 and (n == 1 or bool((np.diff(rows) == 1).all())):
            data = self._fd.pread(n * size, self.offset + int(rows[0]) * size)
        else:
            pread, offset = self._fd.pread, self.offset
            data = b"".join([pread(size, offset + r * size) for r in rows.tolist()])
        if len(data) != n * size:
            raise inputs.corrupt(self.path, "truncated")
        return np.frombuffer(data, self.dtype).reshape(n, *self.item_shape)

    def chunks(self, size: int = CHUNK):
        """The images in order, a bounded chunk at a time."""
        step = max(1, size // max(self.item_bytes, 1))
        for start in range(0, len(self), step):
            yield self.read(np.arange(start, min(start + step, len(self))))

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, tuple):  # x[i, row, col]: read the images, then index within them
            first = self[key[0]]
            return first[key[1:]] if isinstance(key[0], (int, np.integer)) else first[(slice(None), *key[1:])]
        if isinstance(key, (int, np.integer)):
            return self.read([np.arange(len(self))[key]])[0]
        return self.read(np.arange(len(self))[key])

    def __array__(self, dtype=None, copy=None):
        x = self.read(np.arange(len(self)))
        return x if dtype is None else x.astype(dtype)


class _Fd:
    """One open .npy file: its header, and positional reads that fail with one line when it is cut short."""

    def __init__(self, path: Path):
        try:
            with open(path, "rb") as f:
                major, minor = np.lib.format.read_magic(f)
                read_header = getattr(np.lib.format, f"read_array_header_{major}_{minor}", None)
                if read_header is None:
                    raise ValueError(f"unsupported .npy version {major}.{minor}")
                shape, fortran, dtype = read_header(f)
                self.offset = f.tell()
        except FileNotFoundError:
            raise inputs.missing(path) from None
        except IsADirectoryError:
            raise inputs.corrupt(path, "a folder, not a file") from None
        except (ValueError, EOFError, OSError) as exc:  # a bad magic or header, or a file shorter than its header
            raise inputs.corrupt(path, str(exc) or type(exc).__name__) from None
        if fortran or dtype.hasobject or len(shape) < 1:
            raise inputs.corrupt(path, "not an array of images")
        self.path, self.shape, self.dtype = path, shape, dtype
        self.fd = os.open(path, os.O_RDONLY)
        need = self.offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if os.fstat(self.fd).st_size < need:
            raise inputs.corrupt(path, "truncated")

    def pread(self, size: int, offset: int) -> bytes:
        data = os.pread(self.fd, size, offset)
        while len(data) < size:  # a large read may come back in parts
            more = os.pread(self.fd, size - len(data), offset + len(data))
            if not more:
                break
            data += more
        return data

    def __del__(self):
        if getattr(self, "fd", None) is not None:
            os.close(self.fd)


class ArrayWriter:
    """Appends images to a .npy file a chunk at a time; the count in the header is written on close."""

    def __init__(self, path: str | Path, item_shape: tuple[int, ...], dtype=np.uint8):
        self.path, self.item_shape, self.dtype, self.count = Path(path), tuple(item_shape), np.dtype(dtype), 0
        self.file = open(self.path, "wb")
        self.file.write(_header(0, self.item_shape, self.dtype))

    def append(self, x: np.ndarray) -> None:
        x = np.ascontiguousarray(x, dtype=self.dtype)
        if x.shape[1:] != self.item_shape:
            raise ValueError(f"{self.path}: images of shape {x.shape[1:]}, expected {self.item_shape}")
        self.file.write(memoryview(x).cast("B"))
        self.count += len(x)

    def close(self) -> None:
        self.file.seek(0)
        self.file.write(_header(self.count, self.item_shape, self.dtype))
        self.file.close()

    def __enter__(self) -> ArrayWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close() if exc[0] is None else self.file.close()


def _header(count: int, item_shape: tuple[int, ...], dtype: np.dtype) -> bytes:
    """A version-1.0 .npy header padded to HEADER bytes (np.load accepts any padding ending in a newline)."""
    text = repr(
        {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (count, *item_shape)}
    ).encode("latin1")
    body = HEADER - 10
    return np.lib.format.magic(1, 0) + struct.pack("<H", body) + text.ljust(body - 1) + b"\n"


def write_images(path: Path, x) -> None:
    """An in-memory array or an ImageFile (view) to a .npy file, a chunk at a time."""
    with ArrayWriter(path, x.shape[1:]) as out:
        for chunk in x.chunks() if isinstance(x, ImageFile) else np.array_split(x, max(1, x.nbytes // CHUNK)):
            out.append(chunk)


def save(prep, out_dir: str | Path, meta_path: str | Path) -> None:
    """`prep` is an imgclf.data.Prepared."""
    with atomic_dir(out_dir) as tmp:
        for split, (x, y) in prep.arrays.items():
            write_images(tmp / f"{split}_x.npy", x)
            np.save(tmp / f"{split}_y.npy", np.asarray(y, dtype=np.int32))
            if split in prep.files:
                (tmp / f"{split}_files.json").write_text(json.dumps(prep.files[split]) + "\n")
    # Only what the model's shape and a prediction's decoding depend on: a new split size must not rebuild it.
    meta = {"dataset": prep.dataset, "classes": prep.classes, "image_shape": list(prep.image_shape)}
    if prep.dataset == "folder":
        meta["resize"] = prep.resize  # how `imgclf predict` fits a photo to the size, as prepare did
    if getattr(prep, "image_stats", None):
        meta["image_stats"] = prep.image_stats  # what the training images look like, for predict's hint
    write_json(meta_path, meta)


def load_meta(meta_path: str | Path = DATASET) -> dict:
    """data/dataset.json, checked: the class names and the image shape every later stage relies on."""
    path = Path(meta_path)
    meta = inputs.json_file(path, keys=("dataset", "classes", "image_shape"))
    classes, shape = meta["classes"], meta["image_shape"]
    inputs.check(
        isinstance(classes, list) and len(classes) > 0 and all(isinstance(c, str) for c in classes),
        path,
        f"'classes' must be a list of class names; got {str(classes)[:60]}",
    )
    inputs.check(
        isinstance(shape, list) and len(shape) == 3 and all(type(d) is int and d > 0 for d in shape),
        path,
        f"'image_shape' must be [height, width, channels]; got {str(shape)[:60]}",
    )
    return meta


def load_files(out_dir: str | Path, split: str, count: int) -> list[str]:
    """Each image's name in the split (its file, or its place in the official file); `#i` where none was kept."""
    path = Path(out_dir) / f"{split}_files.json"
    try:
        names = json.loads(path.read_text())
    except (OSError, ValueError):
        return [f"#{i}" for i in range(count)]
    return names if isinstance(names, list) and len(names) == count else [f"#{i}" for i in range(count)]


def label_problem(y: np.ndarray, classes: int) -> str | None:
    """What is wrong with integer labels that must index `classes` classes, or None: a label outside them trains to
    chance and crashes evaluation much later."""
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= classes):
        i = int(np.flatnonzero((y < 0) | (y >= classes))[0])
        return f"label {int(y[i])} at index {i} is outside the {classes} classes (labels 0-{classes - 1})"
    return None


def load_split(out_dir: str | Path, split: str, meta: dict | None = None) -> tuple[ImageFile, np.ndarray]:
    """The split's images, read on demand (see ImageFile), and its labels, in memory; both checked against `meta`
    (by default the dataset.json beside `out_dir`, when there is one): uint8 images of its shape, one integer label
    per image, each naming one of its classes."""
    out_dir = Path(out_dir)
    if meta is None and (out_dir.parent / DATASET.name).exists():
        meta = load_meta(out_dir.parent / DATASET.name)
    x_path, y_path = out_dir / f"{split}_x.npy", out_dir / f"{split}_y.npy"
    x = ImageFile(x_path)
    inputs.check(x.dtype == np.uint8 and len(x.shape) == 4, x_path, f"images of {x.dtype} {x.shape}, not uint8 NHWC")
    if meta is not None:
        shape = tuple(meta["image_shape"])
        inputs.check(x.item_shape == shape, x_path, f"images of shape {x.item_shape}, not the {shape} of dataset.json")
    y = inputs.npy(y_path, kind="iu", ndim=1)
    inputs.check(len(x) == len(y), out_dir / split, f"{len(x)} images but {len(y)} labels")
    problem = label_problem(y, len(meta["classes"])) if meta is not None else None
    inputs.check(problem is None, y_path, str(problem))
    return x, y
