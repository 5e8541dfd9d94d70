"""One image file decoded as the pipeline stores it: upright by its EXIF orientation, 16-bit scaled to 8 bits,
converted and resized. The prepare stage and `imgclf predict` both decode through here, so the model sees at
prediction what it was trained on."""

from __future__ import annotations

from pathlib import Path

import numpy as np

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}


def is_image(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS


def decode(path: Path, size: tuple[int, int], mode: str) -> np.ndarray:
    """One image file as the uint8 array `prepare` stores (`imgclf predict` decodes the same way)."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        im.seek(0)  # first frame of an animated GIF
        return conform(ImageOps.exif_transpose(im), size, mode)  # upright, as viewers show it


def conform(im, size: tuple[int, int], mode: str) -> np.ndarray:
    """A PIL image (or a uint8 array) converted to `mode` ("L" or "RGB") and resized to `size` (height, width)."""
    from PIL import Image

    if isinstance(im, np.ndarray):
        im = Image.fromarray(im.squeeze(-1) if im.ndim == 3 and im.shape[-1] == 1 else im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(im, dtype=np.int64).clip(0, 65535)
        im = Image.fromarray(((wide + 128) // 257).astype(np.uint8), "L")  # 16 -> 8 bits, not clipped
    im = im.convert(mode)
    if im.size != (size[1], size[0]):
        im = im.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    arr = np.asarray(im, dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr
