"""Shared fixtures: synthetic mirrors in the official formats, and throw-away git+DVC projects."""

from __future__ import annotations

import fcntl
import os
import shutil
import types
from pathlib import Path

import pytest

from imgclf.testing import synthetic
from imgclf.testing.projects import BIN, ROOT, edit_params, new_project, run

__all__ = ["BIN", "CLOSED", "ROOT", "committed_run", "edit_params", "make_mirror", "make_project", "run"]


def make_mirror(root: Path) -> dict[str, str]:
    """A synthetic Fashion-MNIST + CIFAR-10 mirror; returns the environment that points the pipeline at it."""
    sums = synthetic.fashion_mirror(root / "mirror"), synthetic.cifar_mirror(root / "mirror")
    checks = synthetic.write_checksums(root / "checksums.json", *sums)
    return {"IMGCLF_MIRROR": str(root / "mirror"), "IMGCLF_CHECKSUMS": str(checks)}


CLOSED = "http://127.0.0.1:9/"  # nothing listens there: the "official download" fails at once


@pytest.fixture
def fashion_release(tmp_path, monkeypatch):
    """A Fashion-MNIST-like release whose official checksums are those of a small synthetic mirror; returns the
    mirror folder. No environment mirror is set: each test chooses its source."""
    import dataclasses
    import gzip
    import hashlib

    from imgclf.data import sources

    monkeypatch.delenv("IMGCLF_CHECKSUMS", raising=False)
    monkeypatch.delenv("IMGCLF_MIRROR", raising=False)
    root = tmp_path / "mirror"
    sums = synthetic.fashion_mirror(root, n_train=50, n_test=20)
    files = {}
    for key, md5 in sums.items():
        raw = gzip.decompress((root / key).read_bytes())
        files[key.split("/")[1]] = (md5, hashlib.md5(raw).hexdigest())
    rel = dataclasses.replace(sources.FASHION_MNIST, files=files, urls=(CLOSED,), debian_dir=str(tmp_path / "none"))
    monkeypatch.setitem(sources.RELEASES, "fashion_mnist", rel)
    return root


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    env = make_mirror(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Path(env["IMGCLF_MIRROR"])


# The suite's quick recipe: a dense network, two epochs, float32 on any CPU.
QUICK = {
    "train.epochs": 2,
    "train.batch_size": 32,
    "eval.gallery": 8,
    "model.preset": "tutorial_dense128",
    "model.precision": "float32",
    "train.optimizer": "adam",
    "train.learning_rate": 0.003,
}


def make_project(proj: Path, env: dict | None = None) -> Path:
    """A fresh git + DVC checkout of this project, set to train quickly on synthetic data."""
    return new_project(proj, QUICK, env=env)


def committed_run(root: Path) -> tuple[Path, dict]:
    """A project under `root` with a synthetic mirror, the whole pipeline run once and committed."""
    env = make_mirror(root)
    proj = make_project(root / "project", env)
    (root / "tmp").mkdir()  # the stages' own temporary folder: test_pipeline_e2e checks they leave it empty
    run(["dvc", "repro"], proj, env={**env, "TMPDIR": str(root / "tmp")})
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "baseline run"], proj)
    return proj, env


def mirror_env(root: Path) -> dict[str, str]:
    """The environment of the mirror make_mirror(root) wrote."""
    return {"IMGCLF_MIRROR": str(root / "mirror"), "IMGCLF_CHECKSUMS": str(root / "checksums.json")}


def copy_project(source: Path, dest: Path) -> Path:
    """A copy of a project with its git history and DVC cache (DVC's hash cache in .dvc/tmp stays behind: it is
    keyed by the source's inodes)."""
    shutil.copytree(
        source, dest, symlinks=True, ignore=lambda folder, names: ["tmp"] if Path(folder).name == ".dvc" else []
    )
    return dest


@pytest.fixture(scope="session")
def built_once(tmp_path_factory):
    """built_once(name, make) -> a folder that make(folder) filled once per test session, shared by the xdist
    workers (the first to ask builds it, the others wait for it): the end-to-end tests copy their trained
    projects from these instead of training the same thing again."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base

    def get(name: str, make) -> Path:
        root = shared / f"shared-{name}"
        with open(shared / f"shared-{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (root / ".done").exists():
                shutil.rmtree(root, ignore_errors=True)
                root.mkdir()
                make(root)
                (root / ".done").touch()
        return root

    return get


@pytest.fixture(scope="session")
def copy_baseline(built_once, tmp_path_factory):
    """copy_baseline(name) -> (project, environment): a fresh copy of a project whose pipeline ran once and was
    committed (the quick recipe on a synthetic mirror), for tests that build on a trained baseline."""
    root = built_once("baseline", committed_run)

    def copy(name: str = "project") -> tuple[Path, dict]:
        return copy_project(root / "project", tmp_path_factory.mktemp(name) / "project"), mirror_env(root)

    return copy


@pytest.fixture
def project(tmp_path, mirror):
    return make_project(tmp_path / "project")


@pytest.fixture
def trained_project(copy_baseline, monkeypatch):
    """Like `project`, with the pipeline already run once and committed."""
    proj, env = copy_baseline()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return proj


@pytest.fixture(scope="session")
def exported(built_once, tmp_path_factory):
    """The baseline's model exported to every format by the real pipeline (`dvc repro`, which reruns only export),
    once per session: (a copy of that project, its environment, the repro's output)."""
    from imgclf.serve import FORMATS

    baseline = built_once("baseline", committed_run)
    env = mirror_env(baseline)

    def make(root: Path) -> None:
        proj = copy_project(baseline / "project", root / "project")
        edit_params(proj, **{"export.formats": list(FORMATS), "export.calibration_images": 100})
        (root / "repro.out").write_text(run(["dvc", "repro"], proj, env=env).stdout)

    root = built_once("exported", make)
    proj = copy_project(root / "project", tmp_path_factory.mktemp("exported") / "project")
    return proj, env, types.SimpleNamespace(stdout=(root / "repro.out").read_text())


# The longest files, measured: with one pytest worker per core (`make test`), they start first instead of last.
LONGEST_FIRST = (
    "test_significance_e2e.py",
    "test_bench.py",
    "test_reruns.py",
    "test_reports.py",
    "test_pipeline_e2e.py",
    "test_backbones_e2e.py",
    "test_hostile_inputs.py",
    "test_resume.py",
    "test_remote.py",
    "test_datasets_e2e.py",
    "test_queue.py",
    "test_export.py",
    "test_predict.py",
    "test_distribute.py",
    "test_faults.py",
)


def pytest_collection_modifyitems(items):
    order = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: order.get(item.path.name, len(order)))
