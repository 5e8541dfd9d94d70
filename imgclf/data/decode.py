"""One image file decoded as the pipeline stores it: upright by its EXIF orientation, 16-bit scaled to 8 bits,
converted and fitted to the size (`data.resize`: squashed, padded or centre-cropped). The prepare stage and
`imgclf predict` both decode through here, so the model sees at prediction what it was trained on, and a file
either cannot read is named with the same plain reason in both."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ..core.errors import UserError
from ..core.text import shown

RESIZE = ("squash", "pad", "crop")
# Pillow's stand-ins for formats it only identifies, or decodes with an outside library (scientific data, video,
# Windows metafiles).
STUBS = {"BUFR", "GRIB", "HDF5", "MPEG", "WMF"}


@functools.cache
def extensions() -> frozenset[str]:
    """Every file extension Pillow can open (not only write): PNG, JPEG, BMP, GIF, WebP, TIFF, ICO, PPM..."""
    from PIL import Image

    Image.init()
    return frozenset(
        ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN and fmt not in STUBS
    )


def is_image(path: Path) -> bool:
    return path.suffix.lower() in extensions()


def decode(path: Path, size: tuple[int, int], mode: str, resize: str = "squash") -> np.ndarray:
    """One image file as the uint8 array `prepare` stores (`imgclf predict` decodes the same way)."""
    return conform(opened(path), size, mode, resize)


def opened(path: Path):
    """The image as viewers show it: its first frame (an animated GIF's, a multi-page TIFF's), turned upright by
    its EXIF orientation, every pixel read (a truncated file fails here, not later)."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        im.seek(0)
        upright = ImageOps.exif_transpose(im)
        upright.load()
        return upright


def conform(im, size: tuple[int, int], mode: str, resize: str = "squash") -> np.ndarray:
    """A PIL image (or a uint8 array) converted to `mode` ("L" or "RGB") and fitted to `size` (height, width):
    `squash` stretches it, `pad` letterboxes it (black bars, centred), `crop` takes its centre."""
    from PIL import Image

    if isinstance(im, np.ndarray):
        im = Image.fromarray(im.squeeze(-1) if im.ndim == 3 and im.shape[-1] == 1 else im)
    im = converted(im, mode)
    height, width = size
    if im.size != (width, height):
        if resize == "squash":
            im = im.resize((width, height), Image.Resampling.BILINEAR)
        else:
            scale = (min if resize == "pad" else max)(width / im.width, height / im.height)
            inner = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
            im = im.resize(inner, Image.Resampling.BILINEAR)
            if resize == "pad":
                canvas = Image.new(mode, (width, height))
                canvas.paste(im, ((width - inner[0]) // 2, (height - inner[1]) // 2))
                im = canvas
            else:
                left, top = (inner[0] - width) // 2, (inner[1] - height) // 2
                im = im.crop((left, top, left + width, top + height))
    arr = np.asarray(im, dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr


def converted(im, mode: str):
    """The image in `mode`, 16-bit (and 32-bit integer) images scaled to 8 bits rather than clipped."""
    from PIL import Image

    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(im, dtype=np.int64).clip(0, 65535)
        im = Image.fromarray(((wide + 128) // 257).astype(np.uint8), "L")
    return im.convert(mode)


def reason(exc: Exception, path: Path | None = None) -> str:
    """Why a file could not be read, in plain words (the same in `prepare` and `imgclf predict`)."""
    from PIL import UnidentifiedImageError

    if path is not None and path.is_file() and path.stat().st_size == 0:
        return "empty file"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image (or a format Pillow cannot read)"
    text = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return f"truncated image ({text or 'the file ends early'})"
    if isinstance(exc, OSError) and getattr(exc, "strerror", None):
        return f"cannot be read ({exc.strerror})"
    return f"unreadable image ({type(exc).__name__}{': ' + text if text else ''})"


def out_of_memory(path: Path, fix: str) -> UserError:
    """Decoding ran out of memory: the machine's fault, not the file's (the survey and prepare say it alike)."""
    return UserError(f"ran out of memory while decoding {shown(path)} (not the file's fault): free memory, or {fix}")
