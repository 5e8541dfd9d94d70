"""The pipeline's own overhead: each stage on its own, a no-op `dvc repro`, an evaluation-only and a report-only
rerun, and what starting Python, the params check and TensorFlow cost."""

from __future__ import annotations

import statistics
import sys

import targets
from common import Table, edit_params, project_params, remove_project, stage_rows, temp_project, timed


def run(args, env) -> list[Table]:
    proj = temp_project(args, env, **{"data.dataset": args.dataset, "train.epochs": 1})
    rows = stage_rows(proj, env, notes={"train": " (1 epoch)"})
    repeats = 1 if args.smoke else 3  # smoke (CI) checks that the section runs; its figures are not published
    noop = statistics.median(timed(["dvc", "repro"], proj, env)[0] for _ in range(repeats))
    rows.append(
        [
            f"no-op dvc repro (median of {repeats})",
            f"{noop:.2f}",
            "",
            f"{noop / targets.NO_OP_REPRO_SECONDS:.2f}x of {targets.NO_OP_REPRO_SECONDS:g} s bar",
        ]
    )
    if not args.smoke:  # CI's smoke: the stages and start-up; tests/test_reruns.py checks these two reruns
        rows += rerun_rows(proj, env)
    bare = timed([sys.executable, "-c", "pass"], proj, env)[0]
    light = timed([sys.executable, "-c", "import imgclf.params; imgclf.params.load()"], proj, env)[0]
    tf = timed([sys.executable, "-c", "from imgclf.core import quiet_tensorflow; quiet_tensorflow()"], proj, env)[0]
    rows += [
        ["start-up: bare python (baseline)", f"{bare:.2f}", "", "1.00x"],
        ["start-up: load + validate params", f"{light:.2f}", "", f"{light / bare:.1f}x"],
        ["start-up: import TensorFlow + Keras", f"{tf:.2f}", "", f"{tf / bare:.1f}x"],
    ]
    remove_project(args, proj)
    return [
        Table(
            f"Pipeline overhead, {args.dataset} (peak RSS is the largest process of the command)",
            ["what", "seconds", "peak RSS MB", "ratio"],
            rows,
        ).show()
    ]


def rerun_rows(proj, env) -> list[list[str]]:
    """An evaluation-only and a report-only rerun, each against its bar."""
    rows = []
    edit_params(proj, **{"eval.tta_flip": not project_params()["eval"]["tta_flip"]})
    seconds, rss, out = timed(["dvc", "repro"], proj, env)
    assert "Running stage 'evaluate'" in out and "Running stage 'train'" not in out
    rows.append(
        [
            "evaluation-only rerun (dvc repro)",
            f"{seconds:.1f}",
            f"{rss:.0f}",
            f"{seconds / targets.EVALUATE_RERUN_SECONDS:.2f}x of {targets.EVALUATE_RERUN_SECONDS:g} s bar",
        ]
    )
    # A restyled plot reruns only the report (no training, no inference).
    plots = proj / "imgclf" / "report" / "plots.py"
    style = plots.read_text()
    assert "DPI = 110" in style, "bench: the plot-only rerun edits DPI = 110 in imgclf/report/plots.py; update it"
    plots.write_text(style.replace("DPI = 110", "DPI = 100"))
    seconds, rss, out = timed(["dvc", "repro"], proj, env)
    assert "Running stage 'report'" in out and "Running stage 'evaluate'" not in out, out
    rows.append(
        [
            "plot-only rerun: report (dvc repro)",
            f"{seconds:.1f}",
            f"{rss:.0f}",
            f"{seconds / targets.REPORT_RERUN_SECONDS:.2f}x of {targets.REPORT_RERUN_SECONDS:g} s bar",
        ]
    )
    return rows
