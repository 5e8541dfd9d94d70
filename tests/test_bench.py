"""The benchmarks keep running as the pipeline changes: the overhead section, in smoke mode on synthetic data, runs
every stage of dvc.yaml through DVC (a new stage the bench does not know fails here, not in a user's bench run).
Run here rather than before the suite so that it shares the pytest workers with the other end-to-end tests."""

import json
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_overhead_section_runs_every_stage_in_smoke_mode():
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke", "--only", "overhead", "--seeds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "bench: done in " in done.stdout
    table = json.loads((ROOT / "bench/out/fashion_mnist-smoke-overhead.json").read_text())["tables"][0]
    shown = [row[0] for row in table["rows"]]
    stages = [s for s in yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"] if s != "export"]
    assert [r.split(" (")[0] for r in shown if r.startswith("stage ")] == [f"stage {s}" for s in stages], shown
    assert all(float(row[1]) > 0 for row in table["rows"]), table["rows"]
    assert any(r.startswith("start-up: import TensorFlow") for r in shown)
