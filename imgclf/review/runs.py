"""A run as a revision saved it, read through DVC's API (git or DVC cache); nothing is re-run. A revision is a git
commit, branch or tag, a DVC experiment's name, or the workspace."""

from __future__ import annotations

import io
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core import paths
from ..core.errors import UserError

WORKSPACE = "workspace"
# The metrics files a comparison reads besides test.json (a run from before a file existed has it empty).
METRICS = (paths.TRAIN_METRICS, paths.MODEL_METRICS, paths.PER_CLASS, paths.CONFUSION, paths.ENVIRONMENT, paths.NOISE)


@dataclass
class Run:
    rev: str
    params: dict
    metrics: dict[Path, dict]  # keyed by the paths of imgclf.core.paths
    history: list[dict]
    predictions: object | None  # pandas DataFrame or None
    name: str = ""  # the branch (or name) the titles show: the workspace's branch, the PR's branches in CI
    commit: str | None = None  # its short commit
    uncommitted: bool = False  # the workspace, with changes to tracked files (outside a pull request's CI job)


def _git(*args: str) -> str | None:
    proc = subprocess.run(["git", *args], capture_output=True, text=True)
    return None if proc.returncode else proc.stdout.strip() or None


def identify(rev: str) -> dict:
    """The name (branch), short commit and uncommitted flag of a revision, for the titles. The workspace is named
    after its branch (in a GitHub pull request, GITHUB_HEAD_REF: CI checks out GitHub's test merge of the PR into its
    base, a detached merge commit, so the commit shown is the PR's own head, the merge's second parent);
    `origin/<GITHUB_BASE_REF>` is named after the base branch. An experiment's commit is its DVC experiment commit."""
    head_ref, base_ref = os.environ.get("GITHUB_HEAD_REF"), os.environ.get("GITHUB_BASE_REF")
    if rev == WORKSPACE:
        name = head_ref or _git("symbolic-ref", "-q", "--short", "HEAD") or WORKSPACE
        merged = head_ref and _git("rev-parse", "-q", "--verify", "HEAD^2")
        # In CI the reproduction itself rewrites dvc.lock and metrics/: not worth a mark there.
        dirty = not head_ref and bool(_git("status", "--porcelain", "--untracked-files=no"))
        commit = _git("rev-parse", "--short=7", "HEAD^2" if merged else "HEAD")
        return {"name": name, "commit": commit, "uncommitted": dirty}
    name = base_ref if base_ref and rev in (base_ref, f"origin/{base_ref}") else rev
    sha = None if rev.startswith("-") else _git("rev-parse", "-q", "--verify", f"{rev}^{{commit}}")
    if sha is None:  # a DVC experiment's name
        from dvc.scm import SCM, SCMError, resolve_rev

        try:
            sha = resolve_rev(SCM("."), rev)
        except SCMError:
            return {"name": name, "commit": None, "uncommitted": False}
    return {"name": name, "commit": _git("rev-parse", "--short=7", sha), "uncommitted": False}


def require_project(command: str = "compare") -> None:
    """Revisions are read from a git + DVC project; one line when this is not one (DVC raises NotDvcRepoError, or
    fails to clone the folder, with a traceback)."""
    from dvc.exceptions import NotDvcRepoError
    from dvc.repo import Repo

    try:
        Repo.find_root()
    except NotDvcRepoError:
        raise UserError(
            f"not in a DVC project: {Path.cwd()} and the folders above it have no .dvc/; run `imgclf {command}` in "
            f"the project's folder (the one with dvc.yaml and .dvc/, in a git clone)"
        ) from None


def _outputs(rev: str | None) -> set[str]:
    """The outputs that revision's dvc.lock lists (DVC-cached files such as metrics/predictions.csv)."""
    import yaml

    text = _read(Path("dvc.lock"), rev)
    lock = (yaml.safe_load(text) or {}) if text else {}
    return {o["path"] for st in (lock.get("stages") or {}).values() for o in st.get("outs") or [] if "path" in o}


def _read(path, rev: str | None) -> str | None:
    """A file as that revision saved it (git or DVC cache); None when it has none or the cache lacks it."""
    import dvc.api
    from dvc.exceptions import DvcException
    from dvc.scm import RevError

    try:
        return dvc.api.read(path.as_posix(), rev=rev)
    except RevError:
        raise
    except (DvcException, FileNotFoundError):
        return None


def load_run(rev: str, role: str = "revision") -> Run:
    """Params, metrics (keyed by their paths), history and predictions of `rev` (`role`, e.g. base, names it in
    errors). Outputs its dvc.lock lists that the DVC cache lacks are an error: without them the comparison would
    quietly lose its paired test, learning curves and hardware check."""
    import dvc.api
    import pandas as pd
    from dvc.scm import NoSCMError, RevError

    require_project()
    dvc_rev = None if rev == WORKSPACE else rev
    try:
        params = dvc.api.params_show(rev=dvc_rev)
        test = _read(paths.TEST_METRICS, dvc_rev)
    except NoSCMError:
        raise UserError(
            "this DVC project has no git repository (dvc init --no-scm): the revisions to compare are git commits, "
            "branches and DVC experiments; run `git init`, commit the project, and compare again"
        ) from None
    except RevError:
        raise UserError(
            f"unknown revision '{rev}': give a git commit, branch or tag, an experiment name from "
            f"`dvc exp show`, or '{WORKSPACE}'"
        ) from None
    if test is None:
        raise UserError(
            f"revision '{rev}' has no {paths.TEST_METRICS.as_posix()} yet: run the pipeline there "
            f"(dvc repro) and commit its dvc.lock and metrics/"
        )
    texts = {path: _read(path, dvc_rev) for path in (*METRICS, paths.HISTORY, paths.PREDICTIONS)}
    absent = [path.as_posix() for path, text in texts.items() if text is None]
    missing = [path for path in absent if path in _outputs(dvc_rev)] if absent else []
    if missing:
        raise UserError(
            f"the outputs of {role} '{rev}' are not in the DVC cache ({', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} in its dvc.lock): "
            f"run `imgclf pull` (or `dvc pull`) to fetch them, or `dvc repro` at that revision to remake them"
        )
    metrics = {paths.TEST_METRICS: json.loads(test)}
    for path in METRICS:
        metrics[path] = json.loads(texts[path]) if texts[path] else {}
    hist, preds = texts[paths.HISTORY], texts[paths.PREDICTIONS]
    return Run(
        rev=rev,
        params=params,
        metrics=metrics,
        history=pd.read_csv(io.StringIO(hist)).to_dict("records") if hist else [],
        predictions=_predictions(preds) if preds else None,
        **identify(rev),
    )


def _predictions(text: str):
    """predictions.csv with class names kept as written: a class called NA or null is not a missing value."""
    import pandas as pd

    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df["confidence"] = df["confidence"].astype(float)
    return df
