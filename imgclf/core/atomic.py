"""Write outputs to a temporary sibling, then rename: a failed stage leaves nothing half-written.

Temporary names are hidden and carry the writer's process id (`.<name>.<pid>.<random>.tmp<suffix>`, ignored
by git): a write killed with -9 leaves one behind, and the next write of the same output removes it once that
process is gone. Files and folders are created with the usual mode from the umask (not mkstemp's 0600).
A full disk or something in the way of an output is a UserError (one line), not a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import UserError

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def temp_sibling(path: Path) -> Path:
    """A fresh hidden name next to `path`, keeping its suffix (Keras and numpy go by it)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp{path.suffix}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def clean_stale(path: Path) -> None:
    """Remove temporaries of `path` left by processes that no longer run (killed mid-write)."""
    prefix = f".{path.name}."
    for tmp in path.parent.glob(glob.escape(prefix) + "*.tmp*"):
        pid = tmp.name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            remove(tmp)
    old = path.with_name(f".{path.name}.old")  # atomic_dir's previous version, if a swap was interrupted
    if old.is_dir() and path.is_dir():
        remove(old)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _prepare_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next(p for p in [path.parent, *path.parent.parents] if p.exists() and not p.is_dir())
        raise UserError(f"{blocker} is a file; a folder goes there: remove it (rm {blocker}) and rerun") from None
    clean_stale(path)


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


@contextlib.contextmanager
def _failures(path: Path) -> Iterator[None]:
    """Turn a full disk or a folder in the way into one line."""
    try:
        yield
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; an output file goes there: remove it (rm -r {path}) and rerun") from None
    except OSError as exc:
        if exc.errno in _DISK_FULL or (exc.errno is None and _nearly_full(path.parent)):  # numpy: a short write
            raise UserError(
                f"no space left on device while writing {path}: free some space (df -h {path.parent}) and rerun"
            ) from None
        raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary file path next to `path`; move it into place only on success."""
    path = Path(path)
    _prepare_parent(path)
    tmp = temp_sibling(path)
    try:
        with _failures(path):
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            yield tmp
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(path)
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary directory; it replaces `path` only on success."""
    path = Path(path)
    with scratch_dir(path) as tmp:
        yield tmp
        with _failures(path):
            if path.exists() or path.is_symlink():
                old = path.with_name(f".{path.name}.old")
                remove(old)
                os.replace(path, old)
                os.replace(tmp, path)
                remove(old)
            else:
                os.replace(tmp, path)


@contextlib.contextmanager
def scratch_dir(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary working directory next to `path` (same disk), always removed; one left by a killed run is
    removed by the next write of `path` (its name is a temporary of `path`)."""
    path = Path(path)
    _prepare_parent(path)
    tmp = temp_sibling(path)
    try:
        with _failures(path):
            os.mkdir(tmp, 0o777)
            yield tmp
    finally:
        remove(tmp)


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")
