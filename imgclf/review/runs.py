"""A run as a revision saved it, read through DVC's API (git or DVC cache); nothing is re-run. A revision is a git
commit, branch or tag, a DVC experiment's name, or the workspace."""

from __future__ import annotations

import io
import json
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


def load_run(rev: str) -> Run:
    """Params, metrics (keyed by their paths), history and predictions of `rev`."""
    import dvc.api
    import pandas as pd
    from dvc.scm import RevError

    dvc_rev = None if rev == WORKSPACE else rev
    try:
        params = dvc.api.params_show(rev=dvc_rev)
        test = _read(paths.TEST_METRICS, dvc_rev)
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
    metrics = {paths.TEST_METRICS: json.loads(test)}
    for path in METRICS:
        text = _read(path, dvc_rev)
        metrics[path] = json.loads(text) if text else {}
    hist = _read(paths.HISTORY, dvc_rev)
    preds = _read(paths.PREDICTIONS, dvc_rev)
    return Run(
        rev=rev,
        params=params,
        metrics=metrics,
        history=pd.read_csv(io.StringIO(hist)).to_dict("records") if hist else [],
        predictions=_predictions(preds) if preds else None,
    )


def _predictions(text: str):
    """predictions.csv with class names kept as written: a class called NA or null is not a missing value."""
    import pandas as pd

    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df["confidence"] = df["confidence"].astype(float)
    return df
