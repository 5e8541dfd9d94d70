"""Parse CIFAR-10's binary version: records of 1 label byte + 3072 pixel bytes (R, G, B planes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.arrays import label_problem
from ..core.errors import UserError

RECORD = 1 + 32 * 32 * 3
TRAIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)]
TEST_FILE = "test_batch.bin"
META_FILE = "batches.meta.txt"


def parse(data: bytes, source: str = "<bytes>") -> tuple[np.ndarray, np.ndarray]:
    if not data or len(data) % RECORD:
        raise UserError(f"{source} is not a CIFAR-10 binary batch: {len(data)} bytes is not a multiple of {RECORD}")
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0].copy()
    problem = label_problem(labels, len(CLASSES))
    if problem:
        raise UserError(f"{source}: {problem} of CIFAR-10; it is not a CIFAR-10 batch: check the source")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
    return images, labels


def load(folder: str | Path, files: list[str]) -> tuple[np.ndarray, np.ndarray]:
    parts = []
    for name in files:
        path = Path(folder) / name
        if not path.exists():
            raise UserError(f"{path} is missing")
        parts.append(parse(path.read_bytes(), str(path)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def check_names(data: bytes, source: str) -> list[str]:
    """The class names of batches.meta.txt, which must be CIFAR-10's ten, in order: other names would
    silently relabel the classes."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{source} is not ASCII text (byte {data[exc.start]:#04x} at offset {exc.start}); "
            f"it is not CIFAR-10's file, check the source"
        ) from None
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if names != CLASSES:
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise UserError(
            f"{source} lists {len(names)} classes ({shown}); CIFAR-10's classes are "
            f"{', '.join(CLASSES)}: check the source"
        )
    return names


def class_names(folder: str | Path) -> list[str]:
    path = Path(folder) / META_FILE
    try:
        return check_names(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise UserError(f"{path} is missing") from None


def encode(images: np.ndarray, labels: np.ndarray) -> bytes:
    """The inverse of `parse`: tests build synthetic batches with it."""
    planes = np.asarray(images, dtype=np.uint8).transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([np.asarray(labels, dtype=np.uint8)[:, None], planes], axis=1).tobytes()
