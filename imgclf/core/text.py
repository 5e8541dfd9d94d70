"""Names from the user's disk as printable text."""

from __future__ import annotations

import os


def shown(path: str | os.PathLike) -> str:
    """A path as printable text, whatever the bytes of its name."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 image', '2 images', '1,000 epochs'."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"
