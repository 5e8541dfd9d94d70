"""Experiments and metric diffs that fit a terminal, over DVC's own JSON.

`dvc exp show` has a column for every metric (each per-class score and confusion cell: 263 columns here), so at
any width the params that were changed fall off the right; `imgclf exps` shows, per experiment, its name, the test
accuracy with its 95% interval, the test loss, the training time and the params that differ from its baseline
commit. `dvc metrics diff` lists its files in a Python set's order (dvc/utils/diff.py), so the headline accuracy
can come after a hundred confusion cells; `imgclf diff` leads with the headline, then training, per class and the
confusion matrix.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ..core import paths
from ..core.errors import UserError
from ..core.stats import wilson
from ..core.text import duration, plural
from ..params import flat_items
from .runs import require_project

HEADLINE = tuple(p.as_posix() for p in (paths.TEST_METRICS, paths.TRAIN_METRICS, paths.PER_CLASS, paths.CONFUSION))


def width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def _dvc(*args: str) -> object:
    """DVC's JSON answer, or one line saying why there is none. The dvc beside this interpreter first, so that
    `.venv/bin/imgclf` works without activating the environment."""
    require_project("exps" if args[0] == "exp" else "diff")
    beside = Path(sys.executable).parent / "dvc"
    dvc = str(beside) if beside.exists() else "dvc"
    try:
        done = subprocess.run([dvc, *args, "--json"], capture_output=True, text=True)
    except FileNotFoundError:
        raise UserError("dvc is not on the PATH: activate the project's environment (`make setup`)") from None
    if done.returncode:
        err = next((line for line in done.stderr.splitlines() if line.startswith("ERROR")), done.stderr.strip())
        raise UserError(f"`dvc {' '.join(args)}` failed: {err.removeprefix('ERROR: ')[:300]}")
    try:
        return json.loads(done.stdout or "null")
    except json.JSONDecodeError:
        raise UserError(f"`dvc {' '.join(args)} --json` printed no JSON: {done.stdout[:200]!r}") from None


def _fit(text: str, size: int) -> str:
    return text if len(text) <= size else text[: max(size - 1, 0)] + "…"


def _wrap(text: str, size: int) -> list[str]:
    """Words onto lines of at most `size` characters, so no changed param falls off; only a word longer than a
    whole line is cut with '…'."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= size:
            lines[-1] += " " + word
        else:
            lines.append(_fit(word, size))
    return lines or [""]


def table(rows: list[list[str]], header: list[str], cols: int, right: set[int] = frozenset()) -> str:
    """Columns as wide as their widest cell; the last one takes what is left of `cols` and wraps onto
    continuation lines (the other columns blank there) rather than losing its end."""
    cells = [header, *rows]
    sizes = [max(len(r[i]) for r in cells) for i in range(len(header))]
    fixed = sum(sizes[:-1]) + 2 * (len(header) - 1)
    sizes[-1] = max(min(sizes[-1], cols - fixed), 1)
    lines = []
    for row in cells:
        parts = [
            _fit(c, sizes[i]).rjust(sizes[i]) if i in right else _fit(c, sizes[i]).ljust(sizes[i])
            for i, c in enumerate(row[:-1])
        ]
        for n, tail in enumerate(_wrap(row[-1], sizes[-1]) if row is not header else [row[-1]]):
            lead = parts if n == 0 else [" " * s for s in sizes[:-1]]
            lines.append(_fit("  ".join([*lead, tail]).rstrip(), cols))
    return "\n".join(lines)


def _params(entry: dict) -> dict:
    data = ((entry.get("data") or {}).get("params") or {}).get("params.yaml", {}).get("data") or {}
    return dict(flat_items(data))


def _metric(entry: dict, path: str) -> dict:
    return ((entry.get("data") or {}).get("metrics") or {}).get(path, {}).get("data") or {}


def _value(value) -> str:
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


def _row(name: str, entry: dict, base: dict, state: str = "") -> list[str]:
    test, trained = _metric(entry, HEADLINE[0]), _metric(entry, HEADLINE[1])
    changed = [f"{k}={_value(v)}" for k, v in _params(entry).items() if k in base and base[k] != v]
    changed += [f"{k}={_value(v)}" for k, v in _params(entry).items() if k not in base]
    if state in ("queued", "running", "failed") or not test:
        return [name, state or "no metrics", "", "", " ".join(changed) or "-"]
    accuracy, images = test.get("accuracy"), test.get("images")
    ci = wilson(round(accuracy * images), images) if accuracy is not None and images else None
    half = f" ±{(ci[1] - ci[0]) * 50:.1f}" if ci else ""
    seconds = trained.get("train_seconds")
    return [
        name,
        f"{accuracy:.2%}{half}" if accuracy is not None else "-",
        f"{test['loss']:.4f}" if "loss" in test else "-",
        duration(seconds) if seconds is not None else "-",
        " ".join(changed) or "-",
    ]


def experiments(all_commits: bool = False, cols: int | None = None) -> str:
    """`imgclf exps`: one line per commit and experiment; the params column holds what differs from the commit."""
    found = _dvc("exp", "show", *(["--all-commits"] if all_commits else []))
    commits = [c for c in found or [] if c["rev"] != "workspace"]
    rows = []
    for commit in found or []:
        base = _params(commit)
        if commit["rev"] == "workspace":
            head = _params(commits[0]) if commits else base
            if base != head:  # uncommitted param edits (or an experiment applied to the workspace)
                rows.append(_row("workspace", commit, head))
            continue
        name = commit.get("name")
        rows.append(_row(f"{name} ({commit['rev'][:7]})" if name else commit["rev"][:7], commit, base))
        for exp in commit.get("experiments") or []:
            for rev in exp.get("revs") or []:
                state = (exp.get("executor") or {}).get("state", "") or ""
                label = rev.get("name") or exp.get("name") or rev["rev"][:7]
                rows.append(_row(f"  {label}", rev, base, "failed" if rev.get("error") else state))
    if not rows:
        raise UserError("no runs to show: run `dvc repro` or `dvc exp run` first")
    header = ["run", "accuracy (95%)", "loss", "time", "params changed (from its commit)"]
    return table(rows, header, cols or width(), right={2, 3})


def diff(a_rev: str = "HEAD", b_rev: str = "workspace", cols: int | None = None, every: bool = False) -> str:
    """`imgclf diff`: `dvc metrics diff`, headline first; per-class and confusion rows only where they changed."""
    found = _dvc("metrics", "diff", a_rev, *([] if b_rev == "workspace" else [b_rev]), *(["--all"] if every else []))
    if not found:
        return f"no metric differs between {a_rev} and {b_rev}"
    order = [p for p in HEADLINE if p in found] + sorted(p for p in found if p not in HEADLINE)
    rows = []
    for path in order:
        keys = found[path]
        first = [k for k in ("accuracy", "loss", "macro_f1", "train_seconds") if k in keys]
        for key in first + sorted(k for k in keys if k not in first):
            change = keys[key]
            d = change.get("diff")
            rows.append(
                [
                    path.removeprefix(f"{paths.TEST_METRICS.parent.as_posix()}/"),
                    key,
                    _number(change.get("old")),
                    _number(change.get("new")),
                    f"{d:+.4g}" if isinstance(d, int | float) else "",
                ]
            )
    header = ["file", "metric", a_rev, b_rev, "change"]
    cols = cols or width()
    return table(rows, header, cols, right={2, 3, 4}) + f"\n{plural(len(rows), 'metric')} changed"


def _number(v) -> str:
    if v is None:
        return "-"
    return f"{v:.4g}" if isinstance(v, float) else str(v)
