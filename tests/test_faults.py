"""Fault injection: every bad input or broken environment ends in one `error:` line, loses nothing and leaves
nothing behind that blocks the next run. Small synthetic files only; URL mirrors are local http servers."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from conftest import CLOSED, ROOT, edit_params, make_project, run
from support import Server, load_folder, one_line

from imgclf import data as dataset
from imgclf.core import atomic
from imgclf.data import idx, sources
from imgclf.params import DataParams
from imgclf.testing import synthetic


@pytest.fixture
def servers():
    made = []
    yield lambda *a, **k: made.append(Server(*a, **k)) or made[-1]
    for s in made:
        s.close()


CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def cifar_members(n: int = 4) -> dict[str, bytes]:
    from imgclf.data import cifar

    out = {}
    for i, name in enumerate(cifar.TRAIN_FILES + [cifar.TEST_FILE]):
        x, y = synthetic.patterned_images(n, 32, 3, 10, i)
        out[f"cifar-10-batches-bin/{name}"] = cifar.encode(x, y)
    out["cifar-10-batches-bin/batches.meta.txt"] = ("\n".join(CIFAR_NAMES) + "\n\n").encode()
    return out


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def cifar_release(tmp_path, monkeypatch):
    """Point the CIFAR-10 release at a mirror folder; members' official sha256 are the synthetic ones."""
    monkeypatch.delenv("IMGCLF_CHECKSUMS", raising=False)
    members = cifar_members()
    sums = {m: (hashlib.sha256(d).hexdigest() if not m.endswith(".txt") else "") for m, d in members.items()}
    rel = dataclasses.replace(sources.CIFAR10, members=sums, urls=(CLOSED,))
    monkeypatch.setitem(sources.RELEASES, "cifar10", rel)
    monkeypatch.setenv("IMGCLF_MIRROR", str(tmp_path / "mirror"))
    return tmp_path / "mirror" / "cifar-10" / "cifar-10-binary.tar.gz", members


# ------------------------------------------------------------------ 1. folder layouts


def _split_layout(root: Path, splits: dict[str, list[str]], per_class: int = 4) -> None:
    for i, (split, classes) in enumerate(splits.items()):
        synthetic.image_folder(root / split, classes, per_class=per_class, size=12, seed=i)


@pytest.mark.parametrize("val_name", ["val", "valid", "validation"])
def test_provided_validation_split_is_used_not_learned_as_a_class(tmp_path, val_name):
    root = tmp_path / "imgs"
    _split_layout(root, {"train": ["cat", "dog"], val_name: ["cat", "dog"], "test": ["cat", "dog"]}, per_class=5)
    (root / val_name / "dog" / "dog_00000.png").unlink()
    data = DataParams(dataset="folder", folder=str(root), image_size=[12, 12])
    prep = dataset.prepare(data, seed=0)
    assert prep.classes == ["cat", "dog"]
    assert {s: len(y) for s, (_, y) in prep.arrays.items()} == {"train": 10, "val": 9, "test": 10}


def test_train_and_val_without_test_holds_out_a_test_split(tmp_path):
    root = tmp_path / "imgs"
    _split_layout(root, {"train": ["a", "b"], "val": ["a", "b"]}, per_class=10)
    prep = dataset.prepare(DataParams(dataset="folder", folder=str(root), image_size=[12, 12], test_split=0.2), 0)
    assert {s: len(y) for s, (_, y) in prep.arrays.items()} == {"train": 16, "val": 20, "test": 4}


def test_class_folders_that_differ_between_splits_are_refused(tmp_path, capsys):
    root = tmp_path / "imgs"
    _split_layout(root, {"train": ["cat", "dog"], "val": ["cat", "dog", "cow"], "test": ["cat"]})
    line = one_line(capsys, load_folder, root, [12, 12], "rgb", "skip", match="class folders differ between splits")
    assert "'cow'" in line and "'dog'" in line


def test_split_folders_mixed_with_class_folders_are_refused(tmp_path, capsys):
    root = tmp_path / "imgs"
    _split_layout(root, {"train": ["cat", "dog"], "test": ["cat", "dog"]})
    synthetic.image_folder(root, ["bird"], per_class=2, size=12)
    one_line(capsys, load_folder, root, [12, 12], "rgb", "fail", match="both split folders .* and other folders")


def test_one_folder_of_images_and_a_labels_csv(tmp_path):
    """Kaggle's CIFAR-10 layout: train/1.png ... with trainLabels.csv `id,label` (ids without extension)."""
    root = tmp_path / "train"
    written = synthetic.image_folder(tmp_path / "src", ["frog", "truck", "cat"], per_class=6, size=12, formats=("png",))
    root.mkdir()
    rows = ["id,label"]
    for i, path in enumerate(written, 1):
        shutil.copy(path, root / f"{i}.png")
        rows.append(f"{i},{path.parent.name}")
    (root / "trainLabels.csv").write_text("\n".join(rows) + "\n")
    (root / "unlisted.png").write_bytes((root / "1.png").read_bytes())
    loaded = load_folder(root, [12, 12], "rgb", "fail", labels_csv="trainLabels.csv")
    assert loaded.classes == ["cat", "frog", "truck"]
    x, y = loaded.splits["all"]
    assert x.shape == (18, 12, 12, 3) and np.bincount(y).tolist() == [6, 6, 6]
    assert loaded.ignored == 1  # the image no row labels
    from PIL import Image

    first = np.asarray(Image.open(written[0]).convert("RGB"))
    np.testing.assert_array_equal(x[list(y).index(1)], first)  # row 1 (a frog) is the first frog read


def test_labels_csv_problems_are_one_line(tmp_path, capsys):
    root = tmp_path / "imgs"
    synthetic.image_folder(root, ["a"], per_class=3, size=12, formats=("png",))
    (root / "labels.csv").write_text("file,label\na/a_00000.png,x\na/a_00001,y\nmissing.png,y\n")
    one_line(
        capsys,
        load_folder,
        root,
        [12, 12],
        "rgb",
        "fail",
        labels_csv="labels.csv",
        match=r"missing.png: listed in labels.csv but not found",
    )
    one_line(
        capsys,
        load_folder,
        root,
        [12, 12],
        "rgb",
        "fail",
        labels_csv="nope.csv",
        match=r"data.labels_csv .*nope.csv.* not found",
    )
    one_line(
        capsys, load_folder, root, [12, 12], "rgb", "fail", labels_csv="../labels.csv", match=r"inside data.folder"
    )


def test_hidden_files_and_folders_are_ignored(tmp_path):
    root = tmp_path / "imgs"
    synthetic.image_folder(root, ["cat", "dog"], per_class=3, size=12)
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "cat" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "__MACOSX" / "cat").mkdir(parents=True)
    (root / "__MACOSX" / "cat" / "._cat_00000.png").write_bytes(b"\0\5\26\7 AppleDouble")
    (root / "dog" / "._dog_00000.png").write_bytes(b"\0\5\26\7 AppleDouble")
    synthetic.image_folder(root / "dog" / ".ipynb_checkpoints", ["x"], per_class=2, size=12)
    synthetic.image_folder(root / ".ipynb_checkpoints", ["ghost"], per_class=2, size=12)
    data = load_folder(root, [12, 12], "rgb", "fail")
    assert data.classes == ["cat", "dog"] and data.problems == [] and data.ignored == 0
    assert np.bincount(data.splits["all"][1]).tolist() == [3, 3]


def _two_colour(width: int, height: int):
    """Left half red, right half blue."""
    from PIL import Image

    im = Image.new("RGB", (width, height), (255, 0, 0))
    im.paste((0, 0, 255), (width // 2, 0, width, height))
    return im


def test_exif_orientation_is_honoured(tmp_path):
    root = tmp_path / "imgs"
    for c in ("a", "b"):
        (root / c).mkdir(parents=True)
        im = _two_colour(40, 20)  # stored landscape; EXIF says rotate 90 degrees clockwise to display
        exif = im.getexif()
        exif[0x0112] = 6
        im.save(root / c / "photo.jpg", quality=95, exif=exif)
    x, _ = load_folder(root, [40, 20], "rgb", "fail").splits["all"]
    # Displayed upright it is portrait (40 high, 20 wide) with red on top, blue at the bottom.
    top, bottom = x[0, 5, 10], x[0, 35, 10]
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    from PIL import Image

    root = tmp_path / "imgs"
    for c, value in (("dark", 8000), ("mid", 32896)):
        (root / c).mkdir(parents=True)
        Image.fromarray(np.full((8, 8), value, np.uint16)).save(root / c / "scan.png")
        assert Image.open(root / c / "scan.png").mode in ("I;16", "I")
    data = load_folder(root, [8, 8], "grayscale", "fail")
    x, y = data.splits["all"]
    assert x[list(y).index(0)].max() == round(8000 / 257) and x[list(y).index(1)].max() == 128


# ------------------------------------------------------------------ 3, 4, 10. downloads


def test_corrupt_gz_in_the_mirror_is_one_line_and_not_kept(tmp_path, fashion_release, monkeypatch, capsys):
    path = fashion_release / "fashion-mnist" / "train-labels-idx1-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[10] = 0xFF  # first deflate block header: invalid block type -> zlib.error, not OSError
    path.write_bytes(bytes(data))
    with pytest.raises(Exception) as raw:  # what the gzip module raises on it
        gzip.decompress(bytes(data))
    assert type(raw.value).__name__ == "error"
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    one_line(capsys, sources.fetch, "fashion_mnist", tmp_path / "dl", match="does not match its official checksum")
    assert not (tmp_path / "dl" / "fashion-mnist" / path.name).exists()


def test_corrupt_download_already_on_disk_is_deleted_with_a_line_and_fetched_again(
    tmp_path, fashion_release, monkeypatch, capsys
):
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    out = sources.fetch("fashion_mnist", tmp_path / "dl")
    damaged = bytearray((out / "t10k-images-idx3-ubyte.gz").read_bytes())
    damaged[10] = 0xFF
    (out / "t10k-images-idx3-ubyte.gz").write_bytes(bytes(damaged))
    capsys.readouterr()
    sources.fetch("fashion_mnist", tmp_path / "dl")
    err = capsys.readouterr().err
    assert "t10k-images-idx3-ubyte.gz does not match its checksum: deleted, fetching it again" in err
    assert idx.load(out / "t10k-images-idx3-ubyte.gz").shape == (20, 28, 28)


def _bomb(n_bytes: int) -> bytes:
    """A gzip file whose IDX header claims 10 images of 28x28 but which inflates to n_bytes."""
    header = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (10, 28, 28))
    stream = io.BytesIO()
    with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=1, mtime=0) as gz:
        gz.write(header)
        zeros = bytes(1 << 20)
        for _ in range(n_bytes >> 20):
            gz.write(zeros)
    return stream.getvalue()


def test_gzip_bomb_is_checked_before_and_never_inflated_in_memory(tmp_path, fashion_release, monkeypatch, capsys):
    bomb = _bomb(256 << 20)
    assert len(bomb) < 2 << 20
    (fashion_release / "fashion-mnist" / "train-images-idx3-ubyte.gz").write_bytes(bomb)
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    tracemalloc.start()
    try:
        one_line(capsys, sources.fetch, "fashion_mnist", tmp_path / "dl", match="does not match its official checksum")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, f"peak {peak >> 20} MiB"
    assert not (tmp_path / "dl" / "fashion-mnist" / "train-images-idx3-ubyte.gz").exists()


def test_a_trusted_bomb_is_read_with_the_size_its_header_states(tmp_path, capsys):
    (tmp_path / "x.gz").write_bytes(_bomb(128 << 20))
    tracemalloc.start()
    try:
        one_line(capsys, idx.load, tmp_path / "x.gz", match="longer than its header says")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, f"peak {peak >> 20} MiB"


@pytest.mark.parametrize("dims", [(65536, 65536, 65536, 65536), (2**32 - 1, 2**32 - 1, 2**32 - 1)])
def test_idx_header_whose_sizes_overflow(dims, capsys):
    data = bytes([0, 0, 8, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    one_line(capsys, idx.parse, data, "x.idx", match=r"x.idx: its header claims .* bytes")


def test_mirror_url_404_is_one_line_and_does_not_fall_back_to_the_internet(
    tmp_path, fashion_release, monkeypatch, servers, capsys
):
    official, mirror = servers(fashion_release), servers(tmp_path / "empty")
    rel = dataclasses.replace(sources.RELEASES["fashion_mnist"], urls=(official.url + "fashion-mnist/",))
    monkeypatch.setitem(sources.RELEASES, "fashion_mnist", rel)
    monkeypatch.setenv("IMGCLF_MIRROR", mirror.url)
    one_line(capsys, sources.fetch, "fashion_mnist", tmp_path / "dl", match=r"mirror .* answered 404 .*IMGCLF_MIRROR")
    assert mirror.hits and not official.hits
    assert not list((tmp_path / "dl").rglob("*.gz"))


def test_mirror_url_answering_an_html_page_is_one_line(tmp_path, fashion_release, monkeypatch, servers, capsys):
    monkeypatch.setenv("IMGCLF_MIRROR", servers(None, html=True).url)
    one_line(capsys, sources.fetch, "fashion_mnist", tmp_path / "dl", match=r"answered with a web page \(HTML\)")
    assert not [p for p in (tmp_path / "dl").rglob("*") if p.is_file()]


def test_mirror_url_with_a_password_works_and_is_never_printed(tmp_path, fashion_release, monkeypatch, servers, capsys):
    server = servers(fashion_release, auth="alice:s3cret")
    monkeypatch.setenv("IMGCLF_MIRROR", server.url.replace("http://", "http://alice:s3cret@"))
    out = sources.fetch("fashion_mnist", tmp_path / "dl")
    assert len(list(out.glob("*.gz"))) == 4
    err = capsys.readouterr().err
    assert "s3cret" not in err and "alice:***@127.0.0.1" in err
    assert "100%" in err  # tqdm's progress bar
    monkeypatch.setenv("IMGCLF_MIRROR", server.url.replace("http://", "http://alice:wrong@") + "nothing/")
    line = one_line(capsys, sources.fetch, "fashion_mnist", tmp_path / "dl2", match="answered 401")
    assert "wrong" not in line


@pytest.mark.parametrize(
    "url, match",
    [
        ("http://bob:hunter2@127.0.0.1:9/mirror", "cannot reach"),
        ("http://bob:hunter2@127.0.0.1:port/mirror", "failed .*port"),
    ],
)
def test_unreachable_or_malformed_mirror_url_is_one_line_without_the_password(
    tmp_path, fashion_release, monkeypatch, capsys, url, match
):
    monkeypatch.setenv("IMGCLF_MIRROR", url)
    line = one_line(capsys, sources.fetch, "fashion_mnist", tmp_path / "dl", match=match)
    assert "hunter2" not in capsys.readouterr().err + line and "bob:***@" in line


# ------------------------------------------------------------------ 5. the CIFAR-10 archive


def test_cifar_official_archive_checksum_is_checked_first(tmp_path, cifar_release, monkeypatch, capsys):
    tarball, members = cifar_release
    write_tar(tarball, members)
    md5 = hashlib.md5(tarball.read_bytes()).hexdigest()
    monkeypatch.setitem(sources.RELEASES, "cifar10", dataclasses.replace(sources.RELEASES["cifar10"], archive_md5=md5))
    out = sources.fetch("cifar10", tmp_path / "dl")
    assert "matches the official checksum" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "cifar-10-batches-bin").iterdir()) == sorted(Path(m).name for m in members)


def test_cifar_repacked_archive_is_accepted_by_its_members_and_extras_are_never_extracted(
    tmp_path, cifar_release, capsys
):
    tarball, members = cifar_release
    extras = {
        "cifar-10-batches-bin/install.sh": b"#!/bin/sh\nrm -rf ~\n",
        "cifar-10-batches-bin/padding.bin": bytes(3 << 20),
        "readme.html": b"<html></html>",
    }
    write_tar(tarball, {**members, **extras})
    out = sources.fetch("cifar10", tmp_path / "dl")
    err = capsys.readouterr().err
    assert "is not the official archive" in err and "checking each file it needs" in err
    found = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    assert found == sorted(["cifar-10-batches-bin", *members])


def test_cifar_non_ascii_class_names_are_one_line_and_nothing_is_left(tmp_path, cifar_release, capsys):
    tarball, members = cifar_release
    members["cifar-10-batches-bin/batches.meta.txt"] = (
        "avión\n".encode() + members["cifar-10-batches-bin/batches.meta.txt"]
    )
    write_tar(tarball, members)
    one_line(capsys, sources.fetch, "cifar10", tmp_path / "dl", match="batches.meta.txt is not ASCII text")
    assert not [p for p in (tmp_path / "dl").rglob("*") if p.is_file()]


def test_cifar_other_class_names_are_refused(tmp_path, cifar_release, capsys):
    tarball, members = cifar_release
    members["cifar-10-batches-bin/batches.meta.txt"] = ("\n".join(reversed(CIFAR_NAMES)) + "\n").encode()
    write_tar(tarball, members)
    one_line(
        capsys,
        sources.fetch,
        "cifar10",
        tmp_path / "dl",
        match="batches.meta.txt lists .*truck.*; CIFAR-10's classes are airplane, automobile",
    )
    assert not [p for p in (tmp_path / "dl").rglob("*") if p.is_file()]


def test_cifar_archive_missing_a_member(tmp_path, cifar_release, capsys):
    tarball, members = cifar_release
    del members["cifar-10-batches-bin/data_batch_3.bin"]
    write_tar(tarball, members)
    one_line(capsys, sources.fetch, "cifar10", tmp_path / "dl", match="has no cifar-10-batches-bin/data_batch_3.bin")


def test_cifar_unreadable_archive_is_one_line_and_the_next_fetch_works(tmp_path, cifar_release, capsys):
    tarball, members = cifar_release
    tarball.parent.mkdir(parents=True)
    tarball.write_bytes(b"\x1f\x8b\x08\0" + bytes(100))
    one_line(capsys, sources.fetch, "cifar10", tmp_path / "dl", match="is not a readable archive")
    write_tar(tarball, members)
    assert (sources.fetch("cifar10", tmp_path / "dl") / "cifar-10-batches-bin" / "test_batch.bin").is_file()


# ------------------------------------------------------------------ 8. things in the way


def test_a_folder_where_an_archive_member_belongs_does_not_block_the_fetch(tmp_path, cifar_release, capsys):
    tarball, members = cifar_release
    write_tar(tarball, members)
    (tmp_path / "dl" / "cifar-10" / "cifar-10-batches-bin" / "data_batch_1.bin" / "junk").mkdir(parents=True)
    (tmp_path / "dl" / "cifar-10" / "cifar-10-binary.tar.gz").mkdir(parents=True)
    out = sources.fetch("cifar10", tmp_path / "dl")
    assert (out / "cifar-10-batches-bin" / "data_batch_1.bin").is_file()
    assert "was in the way" in capsys.readouterr().err


def test_a_folder_where_a_download_belongs_does_not_block_the_fetch(tmp_path, fashion_release, monkeypatch, capsys):
    monkeypatch.setenv("IMGCLF_MIRROR", str(fashion_release))
    (tmp_path / "dl" / "fashion-mnist" / "train-labels-idx1-ubyte.gz" / "x").mkdir(parents=True)
    out = sources.fetch("fashion_mnist", tmp_path / "dl")
    assert (out / "train-labels-idx1-ubyte.gz").is_file()
    assert "was in the way" in capsys.readouterr().err


def test_a_folder_in_the_way_of_an_output_is_one_line(tmp_path, capsys):
    (tmp_path / "metrics" / "test.json").mkdir(parents=True)
    one_line(
        capsys,
        atomic.write_json,
        tmp_path / "metrics" / "test.json",
        {},
        match=r"metrics/test.json is a folder; an output file goes there: remove it",
    )
    (tmp_path / "models").write_text("a file where a folder belongs")
    one_line(
        capsys,
        atomic.write_text,
        tmp_path / "models" / "model.keras",
        "",
        match=r"models is a file; a folder goes there: remove it",
    )


# ------------------------------------------------------------------ 7. memory


def test_an_image_size_that_cannot_fit_on_disk_is_refused_before_decoding(tmp_path, capsys):
    """Decoded images stream to disk, so the disk is what must hold them: checked before anything is decoded."""
    root = tmp_path / "imgs"
    synthetic.image_folder(root, ["a", "b"], per_class=3, size=12)
    start = time.monotonic()
    line = one_line(
        capsys,
        load_folder,
        root,
        [200000, 200000],
        "rgb",
        "fail",
        scratch=tmp_path,
        match=r"6 images at 200000x200000x3 need about .* GB of disk .* GB is free in .*: free disk "
        r"space, choose a smaller data.image_size",
    )
    assert time.monotonic() - start < 5
    assert "unreadable" not in line and not list(tmp_path.glob("decoded_*"))


def test_a_batch_that_cannot_fit_in_memory_is_refused(capsys):
    """Memory bounds only what is in flight, which grows with the batch: a huge batch is refused up front."""
    from imgclf.core import resources

    one_line(
        capsys,
        resources.check_batch_memory,
        1 << 20,
        (2048, 2048, 3),
        match=r"train.batch_size=1048576 images at 2048x2048x3 need about .* GB of memory for the 8 batches "
        r"the input pipeline holds at once, but .* GB is available: lower train.batch_size",
    )
    resources.check_batch_memory(128, (28, 28, 1))  # today's default fits anywhere


def test_running_out_of_memory_while_decoding_does_not_blame_the_file(tmp_path):
    """Under an address-space limit the estimate passes but decoding fails: a memory error, not a bad image."""
    from PIL import Image

    root = tmp_path / "imgs"
    synthetic.image_folder(root, ["a", "b"], per_class=2, size=12)
    Image.new("RGB", (9000, 9000), (1, 2, 3)).save(root / "a" / "huge.png")  # 243 MB decoded, small on disk
    code = (
        "import resource, sys; from imgclf.data import folder; from imgclf.core import cli_entry;"
        "resource.setrlimit(resource.RLIMIT_AS, (900 << 20, 900 << 20));"
        "from imgclf.params import DataParams;"
        f"p = DataParams.model_construct(dataset='folder', folder={str(root)!r}, image_size=[16, 16]);"
        "sys.exit(cli_entry(folder.load)(p))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "out of memory" in proc.stderr and "unreadable" not in proc.stderr
    print(f"\nLINE: {proc.stderr.strip().splitlines()[-1]}")


# ------------------------------------------------------------------ 10. disk full, crafted models, file names


def _tmpfs_available() -> bool:
    return (
        shutil.which("unshare") is not None
        and subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True
        ).returncode
        == 0
    )


needs_tmpfs = pytest.mark.skipif(not _tmpfs_available(), reason="needs unshare + tmpfs (a full disk is simulated)")


@needs_tmpfs
@pytest.mark.parametrize("size, where", [("400k", "data/downloads/"), ("900k", "data/prepared")])
def test_a_full_disk_in_prepare_is_one_line_and_leaves_nothing(tmp_path, mirror, size, where):
    proj = make_project(tmp_path / "p")
    script = (
        f"mount -t tmpfs -o size={size} tmpfs {proj / 'data'} && "
        f"cd {proj} && {sys.executable} -m stages.prepare; echo rc=$?; find data -name '.*'"
    )
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(proj)},
    )
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert "rc=2" in proc.stdout and "Traceback" not in proc.stderr and len(errors) == 1, proc.stderr
    # 400k: a download does not fit; 900k: the downloads fit, the prepared arrays do not.
    assert f"no space left on device while writing {where}" in errors[0] and "free some space" in errors[0]
    assert proc.stdout.split("rc=2")[1].split() == [], proc.stdout  # no temp files left on the full disk
    print(f"\nLINE: {errors[0]}", file=sys.__stdout__)


@needs_tmpfs
def test_a_full_disk_while_saving_the_model_is_one_line(tmp_path):
    code = (
        "import sys; from imgclf.core import cli_entry, quiet_tensorflow; quiet_tensorflow(); import keras;"
        "from imgclf.core.atomic import atomic_path\n"
        "@cli_entry\n"
        "def main():\n"
        "    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(4096)])\n"
        "    with atomic_path('full/model.keras') as tmp:\n"
        "        model.save(tmp)\n"
        "sys.exit(main())\n"
    )
    (tmp_path / "full").mkdir()
    script = f'mount -t tmpfs -o size=256k tmpfs full && {sys.executable} -c "$CODE"; echo rc=$?; ls -A full'
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "CODE": code, "PYTHONPATH": str(ROOT)},
    )
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert "rc=2" in proc.stdout and "Traceback" not in proc.stderr and len(errors) == 1, proc.stderr
    assert "no space left on device" in errors[0]
    assert proc.stdout.split("rc=2")[1].split() == [], proc.stdout
    print(f"\nLINE: {errors[0]}", file=sys.__stdout__)


@pytest.mark.parametrize(
    "config",
    [
        {"module": "keras", "class_name": "Sequential", "config": 5},
        {"module": "keras", "class_name": "Sequential", "config": {"layers": [{"class_name": "Dense"}]}},
        {"class_name": "Functional", "config": {"layers": [], "input_layers": [["x", 0, 0]], "output_layers": 7}},
        ["not", "a", "mapping"],
    ],
)
def test_a_crafted_model_config_is_one_line(tmp_path, config, capsys):
    import zipfile

    from imgclf.model import load_model

    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.10.0"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", b"")
    one_line(capsys, load_model, path, match=r"model.keras cannot be loaded")


@pytest.mark.parametrize("name", [b"a/caf\xe9.png", b"gar\xe7on"])
def test_file_and_folder_names_that_are_not_utf8(tmp_path, name, capsys):
    """DVC cannot track such a name; the validate stage names the file before DVC fails on it (run once)."""
    root = tmp_path / "imgs"
    synthetic.image_folder(root, ["a", "b"], per_class=3, size=12, formats=("png",))
    shutil.copy(root / "a" / "a_00000.png", os.fsdecode(os.fsencode(root) + b"/" + name))
    one_line(
        capsys, load_folder, root, [12, 12], "rgb", "fail", match=r"(caf|gar)\\x(e9|e7).* is not a valid UTF-8 name"
    )
    if name != b"gar\xe7on":
        return
    proj = make_project(tmp_path / "p")
    shutil.rmtree(proj / "data" / "images")
    shutil.copytree(root, proj / "data" / "images")
    edit_params(proj, **{"data.dataset": "folder", "data.image_size": [12, 12]})
    proc = run(["dvc", "repro"], proj, check=False)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert proc.returncode != 0 and len(errors) == 1 and "is not a valid UTF-8 name" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ 11, 12. temp files and modes


def killed_mid_write(writer: str, path: Path, write: str) -> Path:
    """Start `with atomic.<writer>(path) as tmp: <write>` in a process, SIGKILL it mid-write; return its temp path."""
    code = (
        f"import time; from imgclf.core.atomic import {writer}\n"
        f"with {writer}({str(path)!r}) as tmp:\n"
        f"    {write}; print(tmp, flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    tmp = Path(proc.stdout.readline().strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return tmp


def test_temp_files_of_a_killed_stage_are_cleaned_by_the_next_write_and_ignored_by_git(tmp_path):
    target = tmp_path / "metrics" / "test.json"
    tmp = killed_mid_write("atomic_path", target, "tmp.write_bytes(b'x' * 1000)")
    assert tmp.exists()
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", f"metrics/{tmp.name}"], cwd=ROOT)
    assert ignored.returncode == 0, "temp files must be git-ignored"
    live = target.with_name(f".{target.name}.{os.getpid()}.keep.tmp")
    live.write_text("a write still in progress in this process")
    atomic.write_json(target, {"ok": 1})
    assert not tmp.exists() and live.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([target.name, live.name])


def test_a_killed_directory_write_is_cleaned_too(tmp_path):
    out = tmp_path / "data" / "prepared"
    tmp = killed_mid_write("atomic_dir", out, "(tmp / 'x.npy').write_bytes(b'x')")
    assert tmp.is_dir()
    with atomic.atomic_dir(out) as new:
        (new / "y").write_text("y")
    assert sorted(p.name for p in out.parent.iterdir()) == ["prepared"]


def test_outputs_get_the_usual_mode_from_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "a.txt", "x")
        with atomic.atomic_dir(tmp_path / "d") as d:
            (d / "f").write_text("y")
        os.umask(0o027)
        atomic.write_text(tmp_path / "b.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o640
