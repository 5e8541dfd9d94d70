"""Get the public datasets' official files, verified by checksum, from the first source that has them.

Order: files already fetched; the mirror in $IMGCLF_MIRROR (a folder or a base URL laid out as
<dataset>/<official file name>; when set, it is the only remote source); Debian's packaged copy; the official
download. A download is verified before it is put in place (and before anything is inflated); a mirror
password is never printed. Nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomic import atomic_dir, atomic_path, remove
from ..core.errors import UserError
from ..core.paths import DOWNLOADS
from . import archive, cifar, idx
from .download import SourceError, copy_from, redact, scrub

MIRROR_ENV = "IMGCLF_MIRROR"
CHECKSUMS_ENV = "IMGCLF_CHECKSUMS"


@dataclass(frozen=True)
class Release:
    """One dataset's official release: files with checksums, or an archive with checksummed members."""

    name: str  # folder name in a mirror: fashion-mnist, cifar-10
    urls: tuple[str, ...]  # official base URLs
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (md5, md5 of gunzipped)
    archive: str = ""  # archive file name
    archive_md5: str = ""  # the archive's published checksum
    members: dict[str, str] = field(default_factory=dict)  # member path -> sha256
    check: Callable[[Path, str], object] | None = None  # validates the extracted folder
    debian_dir: str = ""


FASHION_MNIST = Release(
    name="fashion-mnist",
    urls=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    files={
        "train-images-idx3-ubyte.gz": ("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
        "train-labels-idx1-ubyte.gz": ("25c81989df183df01b3e8a0aad5dffbe", "9018921c3c673c538a1fc5bad174d6f9"),
        "t10k-images-idx3-ubyte.gz": ("bef4ecab320f06d8554ea6380940ec79", "8181f5470baa50b63fa0f6fddb340f0a"),
        "t10k-labels-idx1-ubyte.gz": ("bb300cfdad3c16e7a12a480ee83cd310", "15d484375f8d13e6eb1aabb0c3f46965"),
    },
    debian_dir="/usr/share/datasets/fashion-mnist",
)

CIFAR10 = Release(
    name="cifar-10",
    urls=("https://www.cs.toronto.edu/~kriz/",),
    archive="cifar-10-binary.tar.gz",
    archive_md5="c32a1d4ab5d03f1284b67883e8d87530",
    members={
        "cifar-10-batches-bin/data_batch_1.bin": "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
        "cifar-10-batches-bin/data_batch_2.bin": "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
        "cifar-10-batches-bin/data_batch_3.bin": "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
        "cifar-10-batches-bin/data_batch_4.bin": "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
        "cifar-10-batches-bin/data_batch_5.bin": "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
        "cifar-10-batches-bin/test_batch.bin": "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b",
        "cifar-10-batches-bin/batches.meta.txt": "",  # class names: not checksummed upstream, checked by name
    },
    check=lambda folder, label: cifar.check_names(
        (folder / cifar.META_FILE).read_bytes(), f"{label}: {cifar.META_FILE}"
    ),
)

RELEASES = {"fashion_mnist": FASHION_MNIST, "cifar10": CIFAR10}


def digest(data_or_path, algo: str) -> str:
    h = hashlib.new(algo)
    if isinstance(data_or_path, bytes):
        h.update(data_or_path)
    else:
        with open(data_or_path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _overrides() -> dict[str, str]:
    """Checksums of a private mirror's own files ({"<dataset>/<file>": hex}); tests use it for synthetic data."""
    path = os.environ.get(CHECKSUMS_ENV)
    if not path:
        return {}
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"{CHECKSUMS_ENV}={path} is not a readable JSON file ({exc})") from None


def checksum_override(key: str) -> str | None:
    """A private mirror's own checksum of "<folder>/<file>", when IMGCLF_CHECKSUMS names one."""
    return _overrides().get(key)


def _file_ok(release: Release, name: str, path: Path) -> bool:
    """A .gz file is good if it is the official file, or if its decompressed bytes are (Debian's copies).

    The compressed file's checksum is checked first; the decompressed check inflates no more than the IDX
    header states, so a gzip bomb costs nothing.
    """
    override = _overrides().get(f"{release.name}/{name}")
    md5, raw_md5 = release.files[name]
    if override:
        return digest(path, "md5") == override or digest(path, "sha256") == override
    return digest(path, "md5") == md5 or idx.gunzipped_md5(path) == raw_md5


def _member_ok(release: Release, member: str, path: Path) -> bool:
    expected = _overrides().get(f"{release.name}/{Path(member).name}", release.members[member])
    return path.is_file() and (not expected or digest(path, "sha256") == expected)


def _candidates(release: Release, name: str) -> list[tuple[str, str, bool]]:
    """(description, location, is it the only remote source) of each source in order."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if mirror and "://" in mirror:
        return [(f"mirror {redact(mirror)}", f"{mirror.rstrip('/')}/{release.name}/{name}", True)]
    found = []
    if mirror:
        path = Path(mirror).expanduser() / release.name / name
        if not path.is_file():
            raise UserError(
                f"{MIRROR_ENV}={mirror} has no {release.name}/{name}; "
                f"a mirror is laid out as <dataset>/<official file name>"
            )
        found.append((f"mirror {mirror}", str(path), True))
    if release.debian_dir and (Path(release.debian_dir) / name).is_file():
        found.append(("Debian's package", str(Path(release.debian_dir) / name), False))
    if not mirror:
        found += [("the official download", url + name, False) for url in release.urls]
    return found


def _clear(path: Path, folder: bool = False) -> None:
    """Our downloads folder is a cache: whatever stands where a file (or folder) belongs is removed, with a line."""
    right = path.is_dir() if folder else path.is_file()
    if path.is_symlink() or (path.exists() and not right):
        remove(path)
        print(f"  removed {path}: it was in the way of the download", file=sys.stderr)


def obtain(release: Release, name: str, dest: Path, verify: Callable[[Path], bool]) -> None:
    """Fetch one file into dest from the first source that answers; it is verified before it is put there."""
    _clear(dest)
    errors = []
    for label, location, only in _candidates(release, name):
        shown = redact(location)
        print(f"  {release.name}/{name}: from {label}", file=sys.stderr)
        try:
            with atomic_path(dest) as tmp:
                copy_from(location, tmp, name)
                if not verify(tmp):
                    raise UserError(
                        f"{release.name}/{name} from {label} ({shown}) does not match its official "
                        f"checksum; the file was deleted. Check the source, or set {MIRROR_ENV} to a "
                        f"good mirror"
                    )
            return
        except SourceError as exc:
            reason = scrub(str(exc), location)
            if only:
                raise UserError(
                    f"{label} {reason} for {release.name}/{name}: check {MIRROR_ENV} (when it is set, "
                    f"nothing else is tried)"
                ) from None
            errors.append(f"{label}: {reason}")
    official = " or ".join(url + name for url in release.urls)
    raise UserError(
        f"cannot get {release.name}/{name}: {'; '.join(errors) or 'no source'}. Offline? Download {official} "
        f"elsewhere and put it at {dest}, or set {MIRROR_ENV} to a folder or URL laid out as <dataset>/<file> "
        f"(e.g. ../shared/datasets, holding {release.name}/{name})"
    )


# ---------------------------------------------------------------- datasets


def fetch(dataset: str, downloads: str | Path = DOWNLOADS) -> Path:
    """Make sure the dataset's verified files are under downloads/<release name>; return that folder."""
    release = RELEASES[dataset]
    folder = Path(downloads) / release.name
    _clear(folder, folder=True)
    folder.mkdir(parents=True, exist_ok=True)
    if release.files:
        for name in release.files:
            fetch_file(release, name, folder / name, lambda p, n=name: _file_ok(release, n, p))
        return folder
    tarball = folder / release.archive
    if _members_ok(release, folder):
        tarball.unlink(missing_ok=True)  # left by a run killed after extracting
        return folder
    try:
        obtain(release, release.archive, tarball, lambda p: p.stat().st_size > 0)
        _extract(release, tarball, folder)
    finally:
        tarball.unlink(missing_ok=True)
    return folder


def fetch_file(release: Release, name: str, path: Path, verify: Callable[[Path], bool]) -> Path:
    """One verified file at `path`: kept if it is there and verifies, else (deleted, with a line, and) fetched."""
    _clear(path)
    if path.is_file():
        if verify(path):
            return path
        path.unlink()
        print(f"  {path} does not match its checksum: deleted, fetching it again", file=sys.stderr)
    obtain(release, name, path, verify)
    return path


def matches(path: Path, checksum: str) -> bool:
    """A file against a published md5 (32 hex digits) or sha256 (64)."""
    return digest(path, "sha256" if len(checksum) == 64 else "md5") == checksum.lower()


def _members_ok(release: Release, folder: Path) -> bool:
    if not all(_member_ok(release, m, folder / m) for m in release.members):
        return False
    try:
        if release.check:
            release.check(folder / _top(release), str(folder / _top(release)))
    except UserError as exc:
        print(f"  {exc}: fetching it again", file=sys.stderr)
        return False
    return True


def _top(release: Release) -> str:
    (top,) = {m.split("/", 1)[0] for m in release.members}
    return top


def _extract(release: Release, tarball: Path, folder: Path) -> None:
    """Only the members the format needs, into a temporary folder that replaces the old one once each member
    matches its checksum (after the archive's own published checksum, which a repacked mirror may not match)."""
    label = f"{release.name}/{release.archive}"
    if release.archive_md5 and digest(tarball, "md5") == release.archive_md5:
        print(f"  {label} matches the official checksum", file=sys.stderr)
    else:
        print(
            f"  {label} is not the official archive (its checksum differs, e.g. repacked by a mirror): "
            f"checking each file it needs against its official checksum",
            file=sys.stderr,
        )
    top = _top(release)
    with atomic_dir(folder / top) as out:
        archive.safe_extract(tarball, out, {m: m.split("/", 1)[1] for m in release.members}, label=label)
        bad = [m for m in release.members if not _member_ok(release, m, out / m.split("/", 1)[1])]
        if bad:
            raise UserError(
                f"{label}: {', '.join(bad)} not matching the official checksum; nothing was kept. Check the source"
            )
        if release.check:
            release.check(out, label)
