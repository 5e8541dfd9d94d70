"""Params an earlier experiment left in the workspace. `dvc exp run` applies its results to the workspace, so the
next `dvc exp run -S a=b` also keeps the previous run's `-S` values: a third run silently trained with the second's
optimizer. Each experiment run in the workspace records its params (build/, git-ignored); the next one warns about
the values that differ from its baseline commit only because the previous experiment set them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from ..core.errors import UserError
from .keys import flat_items
from .loader import as_dict, parse

RECORD = Path("build/last-experiment.json")


def check(current: dict, record: Path = RECORD) -> str | None:
    """The warning for this run, if any; records its params for the next one. Only for `dvc exp run` in the
    workspace: --temp and --queue runs start from the committed params by construction."""
    base = os.environ.get("DVC_EXP_BASELINE_REV")
    if not base or "/.dvc/tmp/exps/" in Path.cwd().as_posix():
        return None
    now = {k: v for k, v in flat_items(current)}
    try:
        last = json.loads(record.read_text())
    except (OSError, ValueError):
        last = {}
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"name": os.environ.get("DVC_EXP_NAME", ""), "params": now}))
    committed = _committed(base)
    if committed is None or not last.get("params"):
        return None
    carried = {k: v for k, v in now.items() if committed.get(k, v) != v and last["params"].get(k) == v}
    if not carried:
        return None
    shown = ", ".join(f"{k}={v}" for k, v in carried.items())
    earlier = f"experiment '{last['name']}'" if last.get("name") else "an earlier experiment"
    return (
        f"warning: {shown} differ from the commit {base[:7]} because {earlier} left them in params.yaml, and this "
        f"run keeps them; to start each experiment from the committed params, `git checkout params.yaml` first or "
        f"run `dvc exp run --temp` (docs/experiments.md)"
    )


def _committed(rev: str) -> dict | None:
    done = subprocess.run(["git", "show", f"{rev}:params.yaml"], capture_output=True, text=True)
    if done.returncode:
        return None
    try:  # validated, so that it has the same defaults filled in as this run's params
        return dict(flat_items(as_dict(parse(yaml.safe_load(done.stdout) or {}))))
    except (yaml.YAMLError, UserError):
        return None
