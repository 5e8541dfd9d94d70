import dataclasses
import functools
import gzip
import http.server
import threading

import pytest
from conftest import CLOSED

from imgclf.core.errors import UserError
from imgclf.data import sources
from imgclf.testing import synthetic


def test_mirror_folder_then_already_fetched(tmp_path, fashion_release, monkeypatch):
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    out = sources.fetch("fashion_mnist", tmp_path / "dl")
    assert sorted(p.name for p in out.iterdir()) == sorted(sources.RELEASES["fashion_mnist"].files)
    monkeypatch.delenv("IMGCLF_MIRROR")  # second time: the verified local copies suffice
    assert sources.fetch("fashion_mnist", tmp_path / "dl") == out


def test_checksum_mismatch_is_an_error_and_the_file_is_not_kept(tmp_path, fashion_release, monkeypatch):
    bad = fashion_release / "fashion-mnist" / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(gzip.compress(b"\0\0\x08\x01\0\0\0\x01\x07"))
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    with pytest.raises(UserError, match="does not match its official checksum"):
        sources.fetch("fashion_mnist", tmp_path / "dl")
    assert not (tmp_path / "dl" / "fashion-mnist" / bad.name).exists()


def test_a_damaged_local_copy_is_fetched_again(tmp_path, fashion_release, monkeypatch):
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    out = sources.fetch("fashion_mnist", tmp_path / "dl")
    (out / "t10k-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    sources.fetch("fashion_mnist", tmp_path / "dl")
    assert (out / "t10k-labels-idx1-ubyte.gz").read_bytes() == (
        fashion_release / "fashion-mnist/t10k-labels-idx1-ubyte.gz"
    ).read_bytes()


def test_mirror_url(tmp_path, fashion_release, monkeypatch):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(fashion_release))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("IMGCLF_MIRROR", f"http://127.0.0.1:{server.server_port}/")
        out = sources.fetch("fashion_mnist", tmp_path / "dl")
        assert len(list(out.glob("*.gz"))) == 4
    finally:
        server.shutdown()


def test_debian_copies_are_verified_by_their_decompressed_bytes(tmp_path, fashion_release, monkeypatch):
    debian = tmp_path / "debian"
    debian.mkdir()
    for f in (fashion_release / "fashion-mnist").iterdir():
        # Debian recompresses with its own header: different .gz bytes, same content.
        (debian / f.name).write_bytes(gzip.compress(gzip.decompress(f.read_bytes()), mtime=123456))
    rel = dataclasses.replace(sources.RELEASES["fashion_mnist"], debian_dir=str(debian))
    monkeypatch.setitem(sources.RELEASES, "fashion_mnist", rel)
    out = sources.fetch("fashion_mnist", tmp_path / "dl")
    assert len(list(out.glob("*.gz"))) == 4


def test_offline_without_a_source_names_the_mirror_variable(tmp_path, fashion_release):
    with pytest.raises(UserError, match="IMGCLF_MIRROR"):
        sources.fetch("fashion_mnist", tmp_path / "dl")


def test_mirror_folder_missing_a_file(tmp_path, fashion_release, monkeypatch):
    (fashion_release / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").unlink()
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    with pytest.raises(UserError, match="has no fashion-mnist/t10k-images-idx3-ubyte.gz"):
        sources.fetch("fashion_mnist", tmp_path / "dl")


def test_cifar_archive_members_are_verified(tmp_path, monkeypatch):
    root = tmp_path / "mirror"
    sums = synthetic.cifar_mirror(root, n_per_batch=10, n_test=10)
    members = {f"cifar-10-batches-bin/{k.split('/')[1]}": v for k, v in sums.items()}
    members["cifar-10-batches-bin/batches.meta.txt"] = ""
    rel = dataclasses.replace(sources.CIFAR10, members=members, urls=(CLOSED,))
    monkeypatch.setitem(sources.RELEASES, "cifar10", rel)
    monkeypatch.delenv("IMGCLF_CHECKSUMS", raising=False)
    monkeypatch.setenv("IMGCLF_MIRROR", str(root))
    out = sources.fetch("cifar10", tmp_path / "dl")
    assert (out / "cifar-10-batches-bin" / "test_batch.bin").stat().st_size == 10 * 3073
    assert not (out / "cifar-10-binary.tar.gz").exists()
    # A mirror whose members differ from the expected checksums is refused and leaves nothing behind.
    members["cifar-10-batches-bin/data_batch_1.bin"] = "0" * 64
    monkeypatch.setitem(sources.RELEASES, "cifar10", dataclasses.replace(rel, members=members))
    with pytest.raises(UserError, match="data_batch_1.bin"):
        sources.fetch("cifar10", tmp_path / "dl2")
    assert not list((tmp_path / "dl2").rglob("*.bin"))
