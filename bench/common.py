"""What the benchmark sections share: running one case in a fresh process, timing a command, printing a table,
the tutorials' recipe, and throw-away copies of the project."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from imgclf.testing.projects import ROOT, edit_params, new_project

OUT = ROOT / "bench" / "out"

# The tutorials' own recipe: Adam at 1e-3, batch 32, constant rate, no augmentation, no label smoothing.
TUTORIAL_TRAIN = {
    "optimizer": "adam",
    "learning_rate": 0.001,
    "schedule": "constant",
    "batch_size": 32,
    "weight_decay": 0.0,
    "label_smoothing": 0.0,
}
# The tutorials' best network on each dataset and its epochs: the baseline every speed figure is a ratio to.
TUTORIAL_BEST = {"fashion_mnist": ("tutorial_cnn", 10), "cifar10": ("tutorial_cnn", 10)}


@dataclass
class Table:
    """One printed table of a section, kept for bench/out/<dataset>-<section>.json and docs/performance.md."""

    title: str
    header: list[str]
    rows: list[list]
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        cells = [[str(c) for c in r] for r in [self.header] + self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.header))]
        fmt = lambda r: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
        return "\n".join(
            [
                f"\n## {self.title}",
                fmt(cells[0]),
                "  ".join("-" * w for w in widths),
                *[fmt(r) for r in cells[1:]],
                *self.notes,
            ]
        )

    def show(self) -> Table:
        print(self.text(), flush=True)
        return self


def run_script(script: str, spec: dict, env: dict) -> dict:
    """bench/<script> in its own process (so its peak memory is its own), given `spec` as JSON: its JSON result."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        sys.exit(f"bench: {script} failed: {spec}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def run_case(spec: dict, env: dict) -> dict:
    """bench/case.py: one training run, measured."""
    return run_script("case.py", spec, env)


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the command's process tree's largest process, and its output."""
    wrapper = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys, json, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:]); s = time.perf_counter() - t; "
        "print(json.dumps([s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r.returncode]))",
    ]
    proc = subprocess.run(wrapper + cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds, rss, rc = json.loads(proc.stdout.strip().splitlines()[-1])
    if rc:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds, rss, proc.stdout


def project_params() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def temp_project(args, env, **changes) -> Path:
    """A throw-away git + DVC copy of this project with params changed ({"train.epochs": 1}) and the datasets
    the bench already fetched; the caller removes its parent folder."""
    return new_project(
        Path(tempfile.mkdtemp(prefix="imgclf-bench-")) / "project",
        changes,
        env=env,
        downloads=Path(args.downloads),
        commit=False,
    )


def remove_project(args, proj: Path) -> None:
    """The end of a temp_project: removed, or with --keep left for a look at its experiments (`dvc exp show`)."""
    if args.keep:
        print(f"bench: kept {proj}", flush=True)
    else:
        shutil.rmtree(proj.parent, ignore_errors=True)


def stage_rows(proj: Path, env, notes: dict | None = None) -> list[list]:
    """Each stage of the project's dvc.yaml (but opt-in export) run on its own through `dvc repro -s`, in the
    file's order so a new stage is never missed: seconds and peak RSS."""
    stages = [name for name in yaml.safe_load((proj / "dvc.yaml").read_text())["stages"] if name != "export"]
    rows = []
    for stage in stages:
        seconds, rss, _ = timed(["dvc", "repro", "-s", stage], proj, env)
        rows.append([f"stage {stage}" + (notes or {}).get(stage, ""), f"{seconds:.1f}", f"{rss:.0f}", ""])
    return rows


__all__ = [
    "OUT",
    "ROOT",
    "TUTORIAL_BEST",
    "TUTORIAL_TRAIN",
    "Table",
    "edit_params",
    "project_params",
    "remove_project",
    "run_case",
    "run_script",
    "stage_rows",
    "temp_project",
    "timed",
]
