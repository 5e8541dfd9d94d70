"""User errors print one line and exit non-zero; bugs keep their traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from .text import printable


class UserError(Exception):
    """Something the user can fix: a bad param, a missing or corrupt file, no data source."""


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's text, cut to `limit` characters: enough to name a cause in one line."""
    return (str(exc).strip().splitlines() or [""])[0][:limit]


def cli_entry(func: Callable[..., int | None]) -> Callable[..., int]:
    """Wrap a command's main(): UserError -> 'error: ...' on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> int:
        try:
            return func(*args, **kwargs) or 0
        except UserError as exc:
            # One line, always, and printable: a file name in it cannot send escape codes to the terminal.
            print(f"error: {printable(' '.join(str(exc).split()))}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM in a stage (imgclf/stage.py): what to do next, if known
            print(f"interrupted{': ' + ' '.join(str(exc).split()) if str(exc) else ''}", file=sys.stderr)
            return 130

    return wrapper
