"""Extract tar archives without trusting them: no path escapes, no links, no devices, bounded size."""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath

from .errors import UserError

MAX_BYTES = 1 << 30
MAX_MEMBERS = 1000


def safe_extract(archive: str | Path, dest: str | Path, *, max_bytes: int = MAX_BYTES) -> list[Path]:
    """Check every member first, then extract regular files; returns the extracted paths."""
    dest = Path(dest)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            _check(members, archive, max_bytes)
            dest.mkdir(parents=True, exist_ok=True)
            out = []
            for m in members:
                if m.isfile():
                    tar.extract(m, dest, filter="data")
                    out.append(dest / m.name)
            return out
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise UserError(f"{archive} is not a readable archive ({exc}); delete it so it is fetched again") from None


def _check(members: list[tarfile.TarInfo], archive, max_bytes: int) -> None:
    if len(members) > MAX_MEMBERS:
        raise UserError(f"refusing {archive}: {len(members)} members (at most {MAX_MEMBERS})")
    total = 0
    for m in members:
        path = PurePosixPath(m.name)
        if path.is_absolute() or ".." in path.parts:
            raise UserError(f"refusing {archive}: member '{m.name}' would be written outside the target folder")
        if not (m.isfile() or m.isdir()):
            kind = "a link" if (m.issym() or m.islnk()) else "not a regular file"
            raise UserError(f"refusing {archive}: member '{m.name}' is {kind}")
        total += m.size
        if total > max_bytes:
            raise UserError(f"refusing {archive}: it unpacks to more than {max_bytes >> 20} MiB")
