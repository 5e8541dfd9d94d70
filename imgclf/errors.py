"""User errors print one line and exit non-zero; bugs keep their traceback."""

from __future__ import annotations

import functools
import os
import sys
from typing import Callable


class UserError(Exception):
    """Something the user can fix: a bad param, a missing or corrupt file, no data source."""


def cli_entry(func: Callable[..., int | None]) -> Callable[..., int]:
    """Wrap a command's main(): UserError -> 'error: ...' on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> int:
        try:
            return func(*args, **kwargs) or 0
        except UserError as exc:
            print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)   # one line, always
            return 2
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130

    return wrapper


def quiet_tensorflow() -> None:
    """Import TensorFlow with its C++ start-up chatter (absl, oneDNN notices) kept off the terminal.

    The chatter is written straight to file descriptor 2, so it is caught there; it is shown if the
    import fails.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules:
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
            import keras  # noqa: F401
        except ModuleNotFoundError as exc:
            if exc.name != "tensorflow":
                raise
            os.dup2(saved, 2)
            raise UserError("TensorFlow is not installed: run `make setup` (or pip install -e '.[cpu]'; "
                            "'.[gpu]' for NVIDIA GPUs)") from None
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
