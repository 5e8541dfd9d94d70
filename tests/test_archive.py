import io
import tarfile

import pytest

from imgclf.core.errors import UserError
from imgclf.data import archive


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


def _file(name, data=b"hello"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def test_extracts_regular_files(tmp_path):
    _tar(tmp_path / "a.tgz", [_file("d/one.bin"), _file("d/two.txt", b"x" * 10)])
    out = archive.safe_extract(tmp_path / "a.tgz", tmp_path / "out")
    assert sorted(p.name for p in out) == ["one.bin", "two.txt"]
    assert (tmp_path / "out/d/two.txt").read_bytes() == b"x" * 10


@pytest.mark.parametrize("name", ["../escape.txt", "d/../../escape.txt", "/etc/escape.txt"])
def test_path_escapes_are_refused(tmp_path, name):
    _tar(tmp_path / "a.tgz", [_file("ok.txt"), _file(name)])
    with pytest.raises(UserError, match="outside the target folder"):
        archive.safe_extract(tmp_path / "a.tgz", tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "out" / "ok.txt").exists()  # nothing is extracted from a refused archive


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_links_are_refused(tmp_path, kind):
    link = tarfile.TarInfo("d/link")
    link.type = kind
    link.linkname = "/etc/passwd"
    _tar(tmp_path / "a.tgz", [_file("d/ok.txt"), (link, None)])
    with pytest.raises(UserError, match="is a link"):
        archive.safe_extract(tmp_path / "a.tgz", tmp_path / "out")


def test_size_is_bounded(tmp_path):
    _tar(tmp_path / "a.tgz", [_file("big.bin", b"\0" * 5000)])
    with pytest.raises(UserError, match="unpacks to more than"):
        archive.safe_extract(tmp_path / "a.tgz", tmp_path / "out", max_bytes=4096)


def test_not_an_archive(tmp_path):
    (tmp_path / "a.tgz").write_bytes(b"definitely not a tarball")
    with pytest.raises(UserError, match="not a readable archive"):
        archive.safe_extract(tmp_path / "a.tgz", tmp_path / "out")
