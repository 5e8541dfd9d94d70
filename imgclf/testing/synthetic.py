"""Small synthetic datasets in the real files' formats, for the tests and the benchmarks' --smoke mode.

Each class gets its own pattern plus noise, so a network can learn it in an epoch or two.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import numpy as np

from ..data import cifar, idx


def patterned_images(n: int, size: int, channels: int, num_classes: int, seed: int):
    """Images whose class decides a stripe orientation/frequency and (for RGB) a tint."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % num_classes
    rng.shuffle(y)
    yy, xx = np.mgrid[0:size, 0:size] / size
    x = np.empty((n, size, size, channels), np.float32)
    phase = rng.uniform(0, 1.0 * np.pi, n)[:, None, None]
    for c in range(num_classes):
        angle = np.pi * c / num_classes
        mask = y == c
        proj = (np.cos(angle) * xx + np.sin(angle) * yy)[None]
        wave = 0.5 + 0.25 * np.sin(2 * np.pi * (2 + c % 3) * proj + phase[mask])
        tint = 0.4 + 0.6 * np.array([(c * 37 % 10) / 10, (c * 53 % 10) / 10, (c * 71 % 10) / 10])[:channels]
        x[mask] = wave[..., None] * (tint if channels == 3 else 1.0)
    x += rng.normal(0, 0.3, x.shape)
    return (np.clip(x, 0, 1) * 255).astype(np.uint8), y.astype(np.uint8)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def fashion_mirror(root: str | Path, n_train: int = 600, n_test: int = 200, seed: int = 0) -> dict[str, str]:
    """Write <root>/fashion-mnist/*.gz like the official release; return their checksums."""
    folder = Path(root) / "fashion-mnist"
    folder.mkdir(parents=True, exist_ok=True)
    sums = {}
    for prefix, n, s in (("train", n_train, seed), ("t10k", n_test, seed + 1)):
        x, y = patterned_images(n, 28, 1, 10, s)
        for name, arr in ((f"{prefix}-images-idx3-ubyte.gz", x[..., 0]), (f"{prefix}-labels-idx1-ubyte.gz", y)):
            data = gzip.compress(idx.encode(arr), mtime=0)
            (folder / name).write_bytes(data)
            sums[f"fashion-mnist/{name}"] = _md5(data)
    return sums


def cifar_mirror(
    root: str | Path, n_per_batch: int = 100, n_test: int = 200, seed: int = 0, classes: list[str] | None = None
) -> dict[str, str]:
    """Write <root>/cifar-10/cifar-10-binary.tar.gz with synthetic batches; return member checksums."""
    folder = Path(root) / "cifar-10"
    folder.mkdir(parents=True, exist_ok=True)
    classes = classes or ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    members, sums = {}, {}
    for i, name in enumerate(cifar.TRAIN_FILES + [cifar.TEST_FILE]):
        x, y = patterned_images(n_test if name == cifar.TEST_FILE else n_per_batch, 32, 3, 10, seed + i)
        members[name] = cifar.encode(x, y)
        sums[f"cifar-10/{name}"] = hashlib.sha256(members[name]).hexdigest()
    members[cifar.META_FILE] = ("\n".join(classes) + "\n").encode()
    with tarfile.open(folder / "cifar-10-binary.tar.gz", "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return sums


def write_checksums(path: str | Path, *sums: dict[str, str]) -> Path:
    merged = {k: v for s in sums for k, v in s.items()}
    Path(path).write_text(json.dumps(merged, indent=1))
    return Path(path)


def image_folder(
    root: str | Path,
    classes: list[str],
    per_class: int,
    size: int = 24,
    seed: int = 0,
    formats: tuple[str, ...] = ("png", "jpeg", "bmp", "gif"),
) -> list[Path]:
    """Coloured shapes, one sub-folder per class, in several formats; returns the written files."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    written = []
    for c, name in enumerate(classes):
        (Path(root) / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            bg = tuple(int(v) for v in rng.integers(0, 90, 3))
            im = Image.new("RGB", (size, size), bg)
            draw = ImageDraw.Draw(im)
            # Shape from c % 4 and colour from c % 5: ten classes, ten distinct (shape, colour) pairs.
            colour = ((200, 40, 40), (40, 180, 60), (50, 80, 220), (220, 200, 40), (200, 60, 220))[c % 5]
            x0, y0 = (int(v) for v in rng.integers(1, size // 3, 2))
            x1, y1 = x0 + size // 2 + int(rng.integers(0, size // 6)), y0 + size // 2 + int(rng.integers(0, size // 6))
            box = (x0, y0, x1, y1)
            if c % 4 == 0:
                draw.ellipse(box, fill=colour)
            elif c % 4 == 1:
                draw.rectangle(box, fill=colour)
            elif c % 4 == 2:
                draw.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=colour)
            else:
                draw.line(box, fill=colour, width=3)
            fmt = formats[i % len(formats)]
            path = Path(root) / name / f"{name}_{i:05d}.{'jpg' if fmt == 'jpeg' else fmt}"
            im.save(path, format=fmt.upper())
            written.append(path)
    return written
