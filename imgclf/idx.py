"""Parse IDX files (the MNIST family's format) with numpy: magic, dims, then raw big-endian data."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from .errors import UserError

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
           0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_bytes(path: str | Path) -> bytes:
    """Whole file, gunzipped when it ends in .gz; a damaged gzip stream is a user error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path} is missing") from None
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise UserError(f"{path} is not a valid gzip file ({exc}); delete it so it is fetched again") from None
    return data


def parse(data: bytes, source: str = "<bytes>") -> np.ndarray:
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise UserError(f"{source} is not an IDX file (bad magic number {data[:4].hex() or 'empty'})")
    dtype = np.dtype(_DTYPES[data[2]])
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise UserError(f"{source} is truncated inside its IDX header")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        what = "truncated" if found < expected else "longer than its header says"
        raise UserError(f"{source} is {what}: header {dims} needs {expected} data bytes, found {found}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def load(path: str | Path) -> np.ndarray:
    return parse(read_bytes(path), str(path))


def encode(array: np.ndarray) -> bytes:
    """The inverse of `parse`, for uint8 arrays: tests build synthetic files with it."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()
