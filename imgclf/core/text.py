"""Names from the user's disk as printable text."""

from __future__ import annotations

import os
import re


def shown(path: str | os.PathLike) -> str:
    """A path as printable text, whatever the bytes of its name."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 image', '2 images', '1,000 epochs'."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def duration(seconds: float) -> str:
    """'42s', '3m05s', '1h02m': a time a person reads at a glance."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


# C0 and C1 controls, DEL, and the invisible marks that reorder or break lines (bidi overrides and isolates,
# the line and paragraph separators): what lets a name move the cursor, recolour or clear the terminal, or
# start a line of its own that looks like output.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def printable(text) -> str:
    """`text` with every control character written as an escape (`\\n`, `\\x1b`, `\\u202e`), for a terminal or
    Markdown: an untrusted file name or label then shows as itself and cannot forge a line or send escape codes."""
    return _CONTROLS.sub(_escape, str(text))
