"""`imgclf noise`: how far test accuracy moves when only the seed changes.

Each seed is a real DVC experiment (`dvc exp run -S seed=N`, listed by `dvc exp show`); the spread goes to
metrics/noise.json together with the params it was measured for, so that `imgclf compare` uses it only for
a base with the same params. The workspace's own seed runs last (from DVC's run cache where it has it), so
the workspace ends on its own run; its params.yaml is put back as it was written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from ..core.atomic import write_json, write_text
from ..core.errors import UserError
from ..core.paths import NOISE, TEST_METRICS
from ..params import flat_items
from .runs import require_project


def _without_seed(params: dict) -> dict:
    return {k: v for k, v in params.items() if k != "seed"}


def band_for(band: dict | None, params: dict) -> tuple[dict | None, str | None]:
    """The seed band if it was measured for these params (seed aside); else None and why not."""
    if not band:
        return None, None
    if band.get("params") != _without_seed(params):
        a, b = dict(flat_items(band.get("params") or {})), dict(flat_items(_without_seed(params)))
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        return None, (
            f"{NOISE} of base was measured for other params ({', '.join(keys[:5])}); "
            f"rerun `imgclf noise` there to get its seed band"
        )
    return {k: band[k] for k in ("runs", "seeds", "accuracy", "mean", "std", "min", "max")}, None


def _dvc(*args: str) -> None:
    proc = subprocess.run(["dvc", *args])
    if proc.returncode:
        raise UserError(f"`dvc {' '.join(args)}` failed (its output is above)")


def measure(count: int, first: int | None = None, out: str | Path = NOISE) -> dict:
    """Train the workspace's params under `count` seeds (from `first`, default its own seed)."""
    import dvc.api
    import numpy as np

    if count < 2:
        raise UserError(f"--seeds must be at least 2 to measure a spread; got {count}")
    if not Path("dvc.yaml").exists() or shutil.which("dvc") is None:
        raise UserError(
            "run `imgclf noise` in the project folder with the virtual environment active "
            "(dvc.yaml and the `dvc` command are needed)"
        )
    require_project("noise")
    params = dvc.api.params_show()
    own = params.get("seed", 0)
    start = own if first is None else first
    seeds = [start + i for i in range(count)]
    # The workspace's own seed runs last, so the workspace ends on its own run without another step.
    order = sorted(seeds, key=lambda s: s == own)
    original = Path("params.yaml").read_text()
    by_seed = {}
    try:
        for i, seed in enumerate(order, 1):
            print(f"noise: seed {seed} ({i} of {count}): dvc exp run -S seed={seed}", flush=True)
            _dvc("exp", "run", "-S", f"seed={seed}")
            by_seed[seed] = json.loads(TEST_METRICS.read_text())["accuracy"]
    except UserError as exc:
        raise UserError(
            f"{exc}; params.yaml was put back: run `dvc repro` to restore the workspace's own run"
        ) from None
    finally:
        write_text("params.yaml", original)
    if order[-1] != own:
        print("noise: restoring the workspace's own run (dvc repro)", flush=True)
        _dvc("repro")
    accuracy = [by_seed[s] for s in seeds]
    acc = np.array(accuracy, dtype=float)
    band = {
        "metric": "test accuracy",
        "runs": count,
        "seeds": seeds,
        "accuracy": accuracy,
        "mean": round(float(acc.mean()), 6),
        "std": round(float(acc.std(ddof=1)), 6),
        "min": float(acc.min()),
        "max": float(acc.max()),
        "params": _without_seed(params),
    }
    write_json(out, band)
    return band
