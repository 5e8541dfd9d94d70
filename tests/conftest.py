"""Shared fixtures: synthetic mirrors in the official formats, and throw-away git+DVC projects."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from imgclf import synthetic
from imgclf.params import set_dotted

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


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

    from imgclf import sources

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


def run(cmd: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def edit_params(project: Path, **changes) -> None:
    """edit_params(p, **{"train.epochs": 3}) rewrites params.yaml the way a user would."""
    path = project / "params.yaml"
    params = yaml.safe_load(path.read_text())
    for dotted, value in changes.items():
        set_dotted(params, dotted, value)
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def make_project(proj: Path, env: dict | None = None) -> Path:
    """A fresh git + DVC checkout of this project, set to train quickly on synthetic data."""
    proj.mkdir(parents=True)
    for name in ("dvc.yaml", "params.yaml", ".gitignore", ".dvcignore"):
        shutil.copy(ROOT / name, proj / name)
    for folder in ("stages", "imgclf", "scripts"):
        shutil.copytree(ROOT / folder, proj / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (proj / "data" / "images").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "images" / "README.md", proj / "data" / "images" / "README.md")
    for cmd in (["git", "init", "-q"], ["git", "config", "user.email", "test@example.com"],
                ["git", "config", "user.name", "test"], ["dvc", "init", "-q"],
                ["dvc", "config", "core.analytics", "false"]):
        run(cmd, proj, env=env)
    edit_params(proj, **{"train.epochs": 2, "train.batch_size": 32, "eval.gallery": 8,
                         "model.preset": "tutorial_dense128", "model.precision": "float32",
                         "train.optimizer": "adam", "train.learning_rate": 0.003})
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "init"], proj)
    return proj


def committed_run(root: Path) -> tuple[Path, dict]:
    """A project under `root` with a synthetic mirror, the whole pipeline run once and committed."""
    env = make_mirror(root)
    proj = make_project(root / "project", env)
    run(["dvc", "repro"], proj, env=env)
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "baseline run"], proj)
    return proj, env


@pytest.fixture
def project(tmp_path, mirror):
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """A tiny model trained and exported to every format by the real pipeline (`dvc repro`), once per session:
    (project, environment, the repro's output)."""
    from imgclf.export import FORMATS

    root = tmp_path_factory.mktemp("exported")
    env = make_mirror(root)
    proj = make_project(root / "project", env)
    edit_params(proj, **{"export.formats": list(FORMATS), "export.calibration_images": 100})
    return proj, env, run(["dvc", "repro"], proj, env=env)
