"""Extract tar archives without trusting them: no path escapes, no links, no devices, bounded size.

Our checks run on every member first; then only the wanted members are extracted, through tarfile's
`data` filter as a second guard.
"""

from __future__ import annotations

import errno
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from ..core.errors import UserError

MAX_BYTES = 1 << 30
MAX_MEMBERS = 1000


def safe_extract(
    archive: str | Path,
    dest: str | Path,
    wanted: dict[str, str] | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    label: str | None = None,
) -> list[Path]:
    """Check every member, then extract regular files: all of them, or only `wanted` (member name -> path
    under dest). Returns the extracted paths."""
    dest, label = Path(dest), label or str(archive)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            _check(members, label, max_bytes)
            by_name = {m.name: m for m in members if m.isfile()}
            if wanted is None:
                wanted = {name: name for name in by_name}
            missing = [name for name in wanted if name not in by_name]
            if missing:
                raise UserError(
                    f"{label} has no {', '.join(missing)} (or not as a regular file): it is not the "
                    f"expected archive; check the source"
                )
            dest.mkdir(parents=True, exist_ok=True)
            out = []
            for name, target in wanted.items():
                rename = lambda m, path, t=target: tarfile.data_filter(m.replace(name=t, deep=False), path)  # noqa: E731
                tar.extract(by_name[name], dest, filter=rename)
                out.append(dest / target)
            return out
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
            raise  # our disk, not the archive: the caller's atomic write reports it
        raise UserError(
            f"{label} is not a readable archive ({str(exc).splitlines()[0].rstrip(':')}); it was not "
            f"kept, so the next run fetches "
            f"it again"
        ) from None


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
