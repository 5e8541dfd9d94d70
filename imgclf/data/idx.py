"""Parse IDX files (the MNIST family's format): magic, dims, then raw big-endian data.

Read as a stream whose size the header states, so a gzip bomb or a header claiming terabytes is refused
without ever holding more than the header promised (and never more than MAX_BYTES).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..core.errors import UserError

_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
MAX_BYTES = 4 << 30  # Fashion-MNIST's largest file holds 47 MB
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


def read_header(stream: BinaryIO, source: str) -> tuple[np.dtype, tuple[int, ...], int]:
    """(dtype, dims, data bytes) from the header at the start of `stream`."""
    magic = stream.read(4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _DTYPES:
        raise UserError(f"{source} is not an IDX file (bad magic number {magic.hex() or 'empty'})")
    dtype, ndim = np.dtype(_DTYPES[magic[2]]), magic[3]
    raw = stream.read(4 * ndim)
    if ndim == 0 or len(raw) < 4 * ndim:
        raise UserError(f"{source} is truncated inside its IDX header")
    dims = tuple(int.from_bytes(raw[4 * i : 4 * i + 4], "big") for i in range(ndim))
    size = math.prod(dims) * dtype.itemsize  # Python integers: no overflow
    if size > MAX_BYTES:
        raise UserError(
            f"{source}: its header claims {dims} = {size:,} bytes of data, more than the "
            f"{MAX_BYTES >> 30} GiB an IDX file here may hold; the file is damaged or not a dataset"
        )
    return dtype, dims, size


def read_stream(stream: BinaryIO, source: str) -> np.ndarray:
    dtype, dims, size = read_header(stream, source)
    buf = bytearray(size)
    got = stream.readinto(memoryview(buf)) if size else 0
    while got < size and (n := stream.readinto(memoryview(buf)[got:])):
        got += n
    if got < size:
        raise UserError(f"{source} is truncated: header {dims} needs {size} data bytes, found {got}")
    if stream.read(1):
        raise UserError(f"{source} is longer than its header says: header {dims} needs {size} data bytes")
    return np.frombuffer(buf, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="), copy=False)


def parse(data: bytes, source: str = "<bytes>") -> np.ndarray:
    return read_stream(io.BytesIO(data), source)


def load(path: str | Path) -> np.ndarray:
    """Read a file, gunzipped as a stream when it ends in .gz; a damaged gzip stream is a user error."""
    path = Path(path)
    try:
        with open(path, "rb") as raw:
            if path.suffix != ".gz":
                return read_stream(raw, str(path))
            with gzip.GzipFile(fileobj=raw) as stream:
                return read_stream(stream, str(path))
    except FileNotFoundError:
        raise UserError(f"{path} is missing") from None
    except _GZIP_ERRORS as exc:
        raise UserError(f"{path} is not a valid gzip file ({exc}); delete it so it is fetched again") from None


def gunzipped_md5(path: str | Path) -> str | None:
    """md5 of a .gz file's IDX content, inflating no more than its header states; None if it is not one."""
    h = hashlib.md5()
    try:
        with gzip.open(path, "rb") as stream:
            tee = _Hashing(stream, h)
            _, _, size = read_header(tee, str(path))
            while size > 0 and (chunk := tee.read(min(size, 1 << 20))):
                size -= len(chunk)
            if size or stream.read(1):
                return None
    except (UserError, *_GZIP_ERRORS):
        return None
    return h.hexdigest()


class _Hashing:
    """A read-only stream that hashes what passes through it."""

    def __init__(self, stream: BinaryIO, h):
        self.stream, self.h = stream, h

    def read(self, n: int) -> bytes:
        data = self.stream.read(n)
        self.h.update(data)
        return data


def encode(array: np.ndarray) -> bytes:
    """The inverse of `parse`, for uint8 arrays: tests build synthetic files with it."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()
