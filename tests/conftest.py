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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A synthetic Fashion-MNIST + CIFAR-10 mirror, with its checksums registered via IMGCLF_CHECKSUMS."""
    root = tmp_path / "mirror"
    sums = synthetic.fashion_mirror(root), synthetic.cifar_mirror(root)
    checks = synthetic.write_checksums(tmp_path / "checksums.json", *sums)
    monkeypatch.setenv("IMGCLF_MIRROR", str(root))
    monkeypatch.setenv("IMGCLF_CHECKSUMS", str(checks))
    return root


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
        node = params
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node[key]
        node[leaf] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.fixture
def project(tmp_path, mirror):
    """A fresh git + DVC checkout of this project, set to train quickly on the synthetic mirror."""
    proj = tmp_path / "project"
    proj.mkdir()
    for name in ("dvc.yaml", "params.yaml", ".gitignore", ".dvcignore"):
        shutil.copy(ROOT / name, proj / name)
    for folder in ("stages", "imgclf"):
        shutil.copytree(ROOT / folder, proj / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (proj / "data" / "images").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "images" / "README.md", proj / "data" / "images" / "README.md")
    run(["git", "init", "-q"], proj)
    run(["git", "config", "user.email", "test@example.com"], proj)
    run(["git", "config", "user.name", "test"], proj)
    run(["dvc", "init", "-q"], proj)
    run(["dvc", "config", "core.analytics", "false"], proj)
    edit_params(proj, **{"train.epochs": 2, "train.batch_size": 32, "eval.gallery": 8,
                        "model.preset": "tutorial_dense128", "train.learning_rate": 0.003})
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "init"], proj)
    return proj
