"""Get the public datasets' official files, verified by checksum, from the first source that has them.

Order: files already fetched; the mirror in $IMGCLF_MIRROR (a folder or a base URL laid out as
<dataset>/<official file name>); Debian's packaged copy; the official download. Nothing is unpickled.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from . import archive
from .atomic import atomic_path
from .errors import UserError

MIRROR_ENV = "IMGCLF_MIRROR"
CHECKSUMS_ENV = "IMGCLF_CHECKSUMS"


@dataclass(frozen=True)
class Release:
    """One dataset's official release: files with checksums, or an archive with checksummed members."""

    name: str                         # folder name in a mirror: fashion-mnist, cifar-10
    urls: tuple[str, ...]             # official base URLs
    files: dict[str, tuple[str, str]] = field(default_factory=dict)   # file -> (md5, md5 of gunzipped)
    archive: str = ""                 # archive file name
    members: dict[str, str] = field(default_factory=dict)             # member path -> sha256
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
    members={
        "cifar-10-batches-bin/data_batch_1.bin": "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
        "cifar-10-batches-bin/data_batch_2.bin": "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
        "cifar-10-batches-bin/data_batch_3.bin": "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
        "cifar-10-batches-bin/data_batch_4.bin": "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
        "cifar-10-batches-bin/data_batch_5.bin": "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
        "cifar-10-batches-bin/test_batch.bin": "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b",
        "cifar-10-batches-bin/batches.meta.txt": "",   # class names: read, not checksummed upstream
    },
)

RELEASES = {"fashion_mnist": FASHION_MNIST, "cifar10": CIFAR10}


def _digest(data_or_path, algo: str) -> str:
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


def _file_ok(release: Release, name: str, path: Path) -> bool:
    """A .gz file is good if it is the official file, or if its decompressed bytes are (Debian's copies)."""
    override = _overrides().get(f"{release.name}/{name}")
    md5, raw_md5 = release.files[name]
    if override:
        return _digest(path, "md5") == override or _digest(path, "sha256") == override
    if _digest(path, "md5") == md5:
        return True
    try:
        return _digest(gzip.decompress(path.read_bytes()), "md5") == raw_md5
    except (OSError, EOFError):
        return False


def _member_ok(release: Release, member: str, path: Path) -> bool:
    expected = _overrides().get(f"{release.name}/{Path(member).name}", release.members[member])
    return path.is_file() and (not expected or _digest(path, "sha256") == expected)


def _progress(label: str):
    start = time.monotonic()
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done != total:
            return
        last[0] = now
        mb = done / 1e6
        pct = f"{100 * done / total:5.1f}% of {total / 1e6:.1f} MB" if total > 0 else f"{mb:.1f} MB"
        print(f"\r  {label}: {pct} ({mb / max(now - start, 1e-6):.1f} MB/s)", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)

    return report


def _copy_from(source: str, dest: Path) -> None:
    """Copy a local path or download a URL to dest (atomically), with progress for downloads."""
    with atomic_path(dest) as tmp:
        if "://" not in source:
            shutil.copyfile(source, tmp)
        else:
            report = _progress(dest.name)
            with urllib.request.urlopen(source, timeout=30) as resp, open(tmp, "wb") as out:
                total = int(resp.headers.get("Content-Length") or 0)
                done = 0
                while chunk := resp.read(1 << 20):
                    out.write(chunk)
                    done += len(chunk)
                    report(done, total)
                report(done, done)


def _candidates(release: Release, name: str) -> list[tuple[str, str]]:
    """(description, location) of each source in order, skipping ones that plainly lack the file."""
    found = []
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if mirror:
        if "://" in mirror:
            found.append((f"mirror {mirror}", f"{mirror.rstrip('/')}/{release.name}/{name}"))
        else:
            path = Path(mirror).expanduser() / release.name / name
            if not path.is_file():
                raise UserError(f"{MIRROR_ENV}={mirror} has no {release.name}/{name}; "
                                f"a mirror is laid out as <dataset>/<official file name>")
            found.append((f"mirror {mirror}", str(path)))
    if release.debian_dir and (Path(release.debian_dir) / name).is_file():
        found.append(("Debian's package", str(Path(release.debian_dir) / name)))
    for url in release.urls:
        found.append(("the official download", url + name))
    return found


def _obtain(release: Release, name: str, dest: Path, verify) -> None:
    """Fetch one file into dest from the first source that answers; a checksum mismatch is fatal."""
    errors = []
    for label, location in _candidates(release, name):
        try:
            print(f"  {release.name}/{name}: from {label}", file=sys.stderr)
            _copy_from(location, dest)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            errors.append(f"{label}: {getattr(exc, 'reason', exc)}")
            continue
        if not verify(dest):
            dest.unlink(missing_ok=True)
            raise UserError(f"{release.name}/{name} from {label} ({location}) does not match its official "
                            f"checksum; the file was deleted. Check the source, or set {MIRROR_ENV} to a good mirror")
        return
    raise UserError(f"cannot get {release.name}/{name}: {'; '.join(errors) or 'no source'}. Offline? Set "
                    f"{MIRROR_ENV} to a folder or URL laid out as <dataset>/<file> (e.g. ../shared/datasets)")


def fetch(dataset: str, downloads: str | Path = "data/downloads") -> Path:
    """Make sure the dataset's verified files are under downloads/<release name>; return that folder."""
    release = RELEASES[dataset]
    folder = Path(downloads) / release.name
    folder.mkdir(parents=True, exist_ok=True)
    if release.files:
        for name in release.files:
            path = folder / name
            if path.exists() and _file_ok(release, name, path):
                continue
            _obtain(release, name, path, lambda p, n=name: _file_ok(release, n, p))
        return folder
    members = {m: folder / m for m in release.members}
    if all(_member_ok(release, m, p) for m, p in members.items()):
        return folder
    tarball = folder / release.archive
    _obtain(release, release.archive, tarball, lambda p: p.stat().st_size > 0)
    try:
        archive.safe_extract(tarball, folder)
        bad = [m for m, p in members.items() if not _member_ok(release, m, p)]
        if bad:
            for p in members.values():
                p.unlink(missing_ok=True)
            raise UserError(f"{release.archive}: {', '.join(bad)} missing or not matching the official "
                            f"checksum; the extracted files were deleted. Check the source")
    finally:
        tarball.unlink(missing_ok=True)
    return folder
