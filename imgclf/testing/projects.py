"""Throw-away git + DVC copies of this project, for the tests and the benchmarks: made the way a user's clone is
(the tracked project files, `git init`, `dvc init`), with params edited the way a user edits them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ..core import paths
from ..params import set_dotted

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# What a clone of the project holds that the pipeline needs (docs, tests and benchmarks stay behind).
FILES = ("dvc.yaml", "params.yaml", ".gitignore", ".dvcignore", paths.IMAGES / "README.md", paths.START / "README.md")
FOLDERS = ("stages", "imgclf", "scripts")


def run(cmd: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """A command in `cwd` with this interpreter's scripts (dvc, imgclf) first on the PATH; a failure raises with
    its output when `check`."""
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


def _plots_config(dest: Path) -> None:
    """What a clone's .dvc/ holds besides `dvc init`'s files: the plot templates dvc.yaml names (.dvc/plots/) and
    .dvc/config's [plots], which points `dvc plots` at the offline page there."""
    from configobj import ConfigObj

    shutil.copytree(ROOT / ".dvc" / "plots", dest / ".dvc" / "plots")
    config = ConfigObj(str(dest / ".dvc" / "config"))
    config["plots"] = ConfigObj(str(ROOT / ".dvc" / "config"))["plots"]
    config.write()


def new_project(
    dest: Path,
    params: dict | None = None,
    *,
    env: dict | None = None,
    downloads: Path | None = None,
    commit: bool = True,
) -> Path:
    """A fresh git + DVC checkout of this project at `dest`, with `params` edited ({"train.epochs": 1}) and, when
    given, a folder of already fetched datasets copied in as data/downloads; committed unless `commit` is False."""
    dest.mkdir(parents=True)
    for name in FILES:  # the two READMEs keep the folders that DVC depends on in a fresh clone
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, dest / name)
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    if downloads is not None:
        shutil.copytree(downloads, dest / "data" / "downloads")
    for cmd in (
        ["git", "init", "-q"],
        ["git", "config", "user.email", "test@example.com"],
        ["git", "config", "user.name", "test"],
        ["dvc", "init", "-q"],
        ["dvc", "config", "core.analytics", "false"],
    ):
        run(cmd, dest, env=env)
    _plots_config(dest)
    edit_params(dest, **(params or {}))
    if commit:
        run(["git", "add", "-A"], dest)
        run(["git", "commit", "-qm", "init"], dest)
    return dest


def track(project: Path, folder: str | Path = paths.IMAGES) -> None:
    """A folder of images made inside the project, tracked the DVC way (`git rm --cached` if git has a file of it,
    then `dvc add`, as docs/data.md says), so that validate's check for images neither git nor DVC tracks passes
    and experiments see them."""
    if run(["git", "ls-files", "--", str(folder)], project).stdout.strip():  # data/images/README.md is in git
        run(["git", "rm", "-r", "-q", "--cached", str(folder)], project)
    run(["dvc", "add", "-q", str(folder)], project)
