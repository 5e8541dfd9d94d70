"""Write outputs to a temporary sibling, then rename: a failed stage leaves nothing half-written.

Temporary names are hidden and carry the writer's process id (`.<name>.<pid>.<random>.tmp<suffix>`, ignored
by git): a write killed with -9 leaves one behind, and the next write of the same output removes it once that
process is gone. Files and folders are created with the usual mode from the umask (not mkstemp's 0600).
A full disk, something in the way of an output or a place that cannot be written (a read-only folder or file
system, /proc) is a UserError (one line) that names the output, not the temporary, and never a traceback; cleaning
up after such a failure never fails again.
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
_DENIED = {errno.EACCES, errno.EPERM}


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
            _discard(tmp)
    old = path.with_name(f".{path.name}.old")  # atomic_dir's previous version, if a swap was interrupted
    if old.is_dir() and path.is_dir():
        _discard(old)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _discard(path: Path) -> None:
    """Remove a temporary, quietly: in a folder that cannot be written even a missing file's unlink fails (EROFS),
    and that must not hide the error that brought us here. A temporary left behind is removed by a later write."""
    with contextlib.suppress(OSError):
        remove(path)


def cannot_write(path: Path, exc: OSError) -> UserError:
    """One line for an output that cannot be written where it goes: the output (not its temporary), the cause, and
    the folder to fix."""
    folder = next((p for p in path.parents if p.is_dir()), Path("."))
    cause = (exc.strerror or type(exc).__name__).lower()
    if exc.errno == errno.EROFS:
        return UserError(f"cannot write {path}: {cause} ({folder} is on a read-only file system); write elsewhere")
    if exc.errno in _DENIED:
        try:
            read_only = not folder.stat().st_mode & 0o222
        except OSError:
            read_only = False
        why = f"the folder {folder} is read-only" if read_only else f"you may not write in the folder {folder}"
        return UserError(f"cannot write {path}: {cause} ({why}): make it writable (chmod u+w {folder}) and rerun")
    return UserError(f"cannot write {path}: {cause} (the folder {folder} takes no new files); write elsewhere")


def check_writable(outputs) -> None:
    """Each output's folder takes new files, tried with a real temporary: for a check before DVC runs a stage, as
    DVC deletes a stage's old outputs first and stops on a read-only folder with its own message."""
    for path in map(Path, outputs):
        folder = next((p for p in path.parents if p.is_dir()), Path("."))
        probe = temp_sibling(folder / path.name)
        try:
            os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except OSError as exc:
            raise cannot_write(path, exc) from None
        _discard(probe)


def _prepare_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next(p for p in [path.parent, *path.parent.parents] if p.exists() and not p.is_dir())
        raise UserError(f"{blocker} is a file; a folder goes there: remove it (rm {blocker}) and rerun") from None
    except OSError as exc:
        raise cannot_write(path, exc) from None
    clean_stale(path)


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


_UNWRITABLE = {*_DENIED, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.EINVAL, errno.ENAMETOOLONG}


def _about(exc: OSError, *places: Path) -> bool:
    """Whether an error names one of `places` or something inside them: the output's own write, not a file that the
    code in the `with` block happened to read."""
    names = [os.path.abspath(os.fsdecode(n)) for n in (exc.filename, exc.filename2) if isinstance(n, (str, bytes))]
    roots = [os.path.abspath(p) for p in places]
    return any(n == r or n.startswith(r + os.sep) for n in names for r in roots)


@contextlib.contextmanager
def _failures(path: Path, tmp: Path) -> Iterator[None]:
    """Turn a full disk, a folder in the way or a place that cannot be written into one line."""
    try:
        yield
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; an output file goes there: remove it (rm -r {path}) and rerun") from None
    except OSError as exc:
        if exc.errno in _DISK_FULL or (exc.errno is None and _nearly_full(path.parent)):  # numpy: a short write
            raise UserError(
                f"no space left on device while writing {path}: free some space (df -h {path.parent}) and rerun"
            ) from None
        if exc.errno in _UNWRITABLE and _about(exc, path, tmp):
            raise cannot_write(path, exc) from None
        raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary file path next to `path`; move it into place only on success."""
    path = Path(path)
    _prepare_parent(path)
    tmp = temp_sibling(path)
    try:
        with _failures(path, tmp):
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            yield tmp
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(path)
            os.replace(tmp, path)
    finally:
        _discard(tmp)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary directory; it replaces `path` only on success."""
    path = Path(path)
    with scratch_dir(path) as tmp:
        yield tmp
        with _failures(path, tmp):
            if path.exists() or path.is_symlink():
                old = path.with_name(f".{path.name}.old")
                remove(old)
                os.replace(path, old)
                os.replace(tmp, path)
                _discard(old)
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
        with _failures(path, tmp):
            os.mkdir(tmp, 0o777)
            yield tmp
    finally:
        _discard(tmp)


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")
