"""The README's table "I change X -> these stages rerun": each row, done for real in a git+DVC project."""

import re

import pytest
from conftest import ROOT, edit_params, run

pytestmark = pytest.mark.slow
STAGES = ("validate", "weights", "prepare", "build", "train", "evaluate", "report", "export")


def ran(output: str) -> list[str]:
    """Stages that ran (validate, which takes a second on any params change, is left out)."""
    return [s for s in STAGES[1:] if f"Running stage '{s}'" in output]


def readme_rows() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text()
    table = text.split("<!-- reruns:start -->")[1].split("<!-- reruns:end -->")[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.strip().splitlines()[2:]]
    return {change: re.findall(r"`(\w+)`", stages) for change, stages in rows}


def edit_file(project, path, old, new):
    file = project / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


CHANGES = {  # the README's first column -> what a user does
    "nothing": lambda p, env: None,
    "a plot's style (`imgclf/report/plots.py`)": lambda p, env: edit_file(
        p, "imgclf/report/plots.py", "DPI = 110", "DPI = 120"
    ),
    "the page template (`imgclf/report/html.py`)": lambda p, env: edit_file(
        p, "imgclf/report/html.py", "--accent:#2456a6", "--accent:#1f4e9a"
    ),
    "a preset's comment (`imgclf/model/presets.py`)": lambda p, env: edit_file(
        p, "imgclf/model/presets.py", "# Bench figures per ISA class", "# Bench figures, per ISA class"
    ),
    "`eval.gallery`": lambda p, env: edit_params(p, **{"eval.gallery": 3}),
    "`eval.tta_flip`, `eval.tta_shift`, `eval.batch_size`": lambda p, env: edit_params(p, **{"eval.tta_shift": 1}),
    "`train.*`, `augment.*`": lambda p, env: edit_params(p, **{"train.epochs": 1}),
    "`model.*`": lambda p, env: edit_params(p, **{"model.preset": "tutorial_mlp_deep"}),
    "`data.val_split`": lambda p, env: edit_params(p, **{"data.val_split": 0.2}),
    "`seed`": lambda p, env: edit_params(p, **{"seed": 7}),
    "`export.*`": lambda p, env: edit_params(p, **{"export.batch_size": 64}),
    # -f forces the target's upstream too; prepare's outputs come out byte-identical, so train does not rerun
    "nothing, but `dvc repro -f build`": lambda p, env: run(["dvc", "repro", "-f", "build"], p, env=env).stdout,
}


@pytest.fixture(scope="module")
def project(copy_baseline):
    return copy_baseline("reruns")


def test_the_readme_table_lists_every_tested_change():
    assert set(readme_rows()) == set(CHANGES)


# Rows that retrain like the preset's comment row does, and DVC's own -f (make test-all runs them too).
EXTENDED = {"`seed`", "`data.val_split`", "`model.*`", "`train.*`, `augment.*`", "nothing, but `dvc repro -f build`"}


@pytest.mark.parametrize(
    "change", [pytest.param(c, marks=pytest.mark.extended) if c in EXTENDED else c for c in sorted(CHANGES)]
)
def test_a_change_reruns_what_the_readme_says(project, change):
    proj, env = project
    expected = readme_rows()[change]
    before = CHANGES[change](proj, env) or ""
    status = run(["dvc", "status", "--json"], proj, env=env).stdout
    after = run(["dvc", "repro"], proj, env=env).stdout
    assert ran(before + after) == [s for s in STAGES if s in expected], before + after
    if expected == ["report"]:
        assert '"report"' in status and '"train"' not in status and '"evaluate"' not in status
    # Back to the committed baseline (outputs from DVC's cache) for the next row, whose own `ran` check fails
    # if anything was left stale here.
    run(["git", "checkout", "--", "."], proj)
    run(["dvc", "checkout", "--force"], proj, env=env)
