"""Prepared images stream from disk: the same batches as from memory, and memory that does not grow with the
dataset (prepare decodes a chunk at a time; the input pipeline reads a batch at a time)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from conftest import ROOT

from imgclf.core import arrays
from imgclf.params import AugmentParams
from imgclf.testing import synthetic


def _rss_mb() -> float:
    """Current resident memory of this process (not the peak): what it holds now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def test_a_prepared_file_reads_back_as_numpy_would(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (300, 6, 5, 3), dtype=np.uint8)
    arrays.write_images(tmp_path / "x.npy", x)
    assert np.array_equal(np.load(tmp_path / "x.npy"), x)  # a plain .npy file
    f = arrays.ImageFile(tmp_path / "x.npy")
    order = np.random.default_rng(1).permutation(300)
    assert np.array_equal(f.read(order), x[order]) and np.array_equal(f[7], x[7]) and np.array_equal(f[-3:], x[-3:])
    assert np.array_equal(f[4, 1, 2], x[4, 1, 2]) and np.array_equal(f[2:9, 0], x[2:9, 0])
    sub = f.subset(order[:50]).subset(np.arange(50) % 2 == 0)
    assert sub.shape == (25, 6, 5, 3) and np.array_equal(np.asarray(sub), x[order[:50]][::2])
    (tmp_path / "cut.npy").write_bytes((tmp_path / "x.npy").read_bytes()[:-10])
    try:
        arrays.ImageFile(tmp_path / "cut.npy")
    except arrays.UserError as exc:
        assert "truncated" in str(exc)
    else:
        raise AssertionError("a truncated file was accepted")


def test_streamed_batches_equal_in_memory_batches_and_memory_stays_flat(tmp_path, monkeypatch):
    """Same seed, same shuffled and augmented batches from the file as from memory; reading 100 MB of images
    through the pipeline leaves the process's resident memory where it was (no mmap, no copy of the data)."""
    from imgclf.train import pipeline

    monkeypatch.setattr(pipeline, "IN_MEMORY_BYTES", 0)  # stream however small (else read once)
    n, shape = 4_096, (64, 64, 3)  # 50 MB of pixels
    x = np.random.default_rng(2).integers(0, 256, (n, *shape), dtype=np.uint8)
    y = np.arange(n) % 10
    arrays.write_images(tmp_path / "x.npy", x)
    f = arrays.ImageFile(tmp_path / "x.npy")
    aug = AugmentParams(flip=True, crop_size=56, crop_padding=2)
    arrays.write_images(tmp_path / "small.npy", x[:600])
    from_file, _ = pipeline.train_dataset(arrays.ImageFile(tmp_path / "small.npy"), y[:600], 10, 64, 7, aug)
    from_memory, _ = pipeline.train_dataset(x[:600], y[:600], 10, 64, 7, aug)
    for (a, la), (b, lb) in zip(from_file.take(12), from_memory.take(12)):  # over an epoch boundary
        assert np.array_equal(a.numpy(), b.numpy()) and np.array_equal(la.numpy(), lb.numpy())
    del x, from_memory
    streamed, _ = pipeline.train_dataset(f, y, 10, 64, 7, aug)
    before = _rss_mb()
    seen = 0
    for batch, _ in streamed.take(n // 64):  # one epoch
        seen += len(batch)
    grown = _rss_mb() - before
    print(f"\nstreamed {seen} images ({seen * 64 * 64 * 3 / 2**20:.0f} MB): resident memory grew {grown:.1f} MB")
    assert seen == n and grown < 16


def test_prepare_memory_does_not_grow_with_the_folder(tmp_path):
    """The prepare stage's peak memory on a folder 4x larger grows by far less than the 4x larger pixels it decodes."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (pytest-sized) process that spawned this one.
    code = (
        "import sys; from imgclf import data; from imgclf.core import arrays; from imgclf.params import DataParams;"
        "from imgclf.core.atomic import scratch_dir; root, out = sys.argv[1], sys.argv[2];"
        "p = DataParams(dataset='folder', folder=root, image_size=[128, 128]);\n"
        "with scratch_dir(out + '/prepared') as s:\n"
        "    arrays.save(data.prepare(p, 0, scratch=s), out + '/prepared', out + '/dataset.json')\n"
        "print([int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    peaks, pixels = [], []
    for per_class in (60, 300):
        root = tmp_path / f"imgs{per_class}"
        synthetic.image_folder(root, ["a", "b", "c", "d", "e"], per_class=per_class, size=128, formats=("bmp",))
        out = tmp_path / f"out{per_class}"
        proc = subprocess.run(
            [sys.executable, "-c", code, str(root), str(out)], capture_output=True, text=True, cwd=ROOT
        )
        assert proc.returncode == 0, proc.stderr
        peaks.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        pixels.append(5 * per_class * 128 * 128 * 3 / 2**20)
        assert len(np.load(out / "prepared" / "train_x.npy", mmap_mode="r")) > 0
        assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # the scratch folder is gone
    print(f"\npeak RSS {peaks[0]:.0f} MB for {pixels[0]:.0f} MB of pixels, {peaks[1]:.0f} MB for {pixels[1]:.0f} MB")
    assert peaks[1] - peaks[0] < 0.25 * (pixels[1] - pixels[0])
