"""Real `dvc repro`, `dvc metrics diff` and `dvc exp run` on synthetic IDX data in a fresh git+DVC repo."""

import json

import pytest

from conftest import edit_params, run

pytestmark = pytest.mark.slow
HIDE_CELLS = r"^(?!(seed|data|model|augment|train|eval)\.)[^.]+\..+"


def ran(output: str) -> list[str]:
    return [s for s in ("prepare", "build", "train", "evaluate") if f"Running stage '{s}'" in output]


def test_repro_reruns_only_what_changed_and_diffs_metrics(project):
    first = run(["dvc", "repro"], project)
    assert ran(first.stdout) == ["prepare", "build", "train", "evaluate"]
    test = json.loads((project / "metrics/test.json").read_text())
    assert test["images"] == 200 and test["accuracy"] > 0.3
    confusion = json.loads((project / "metrics/confusion.json").read_text())
    assert sum(sum(row.values()) for row in confusion.values()) == 200
    assert "T-shirt/top" in confusion and "Ankle boot" in confusion["T-shirt/top"]
    html = (project / "reports/index.html").read_text()
    assert f"{test['accuracy']:.2%}" in html and "<script" not in html
    for line in ("prepare:", "build:", "train:", "evaluate: test accuracy"):
        assert line in first.stdout

    assert ran(run(["dvc", "repro"], project).stdout) == []
    edit_params(project, **{"eval.gallery": 4})
    assert ran(run(["dvc", "repro"], project).stdout) == ["evaluate"]
    edit_params(project, **{"train.epochs": 3})
    assert ran(run(["dvc", "repro"], project).stdout) == ["train", "evaluate"]
    history = (project / "metrics/history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,") and len(history) == 4

    run(["git", "add", "-A"], project)
    run(["git", "commit", "-qm", "baseline"], project)
    edit_params(project, **{"model.preset": "tutorial_cnn"})
    assert ran(run(["dvc", "repro"], project).stdout) == ["build", "train", "evaluate"]
    diff = json.loads(run(["dvc", "metrics", "diff", "--all", "--json"], project).stdout)
    assert "accuracy" in diff["metrics/test.json"]
    new_acc = json.loads((project / "metrics/test.json").read_text())["accuracy"]
    assert diff["metrics/test.json"]["accuracy"]["new"] == new_acc
    cells = diff["metrics/confusion.json"]
    changed = {k: v for k, v in cells.items() if v["diff"] != 0}
    assert changed and all("." in key for key in cells)
    cells = changed
    old = json.loads(run(["git", "show", "HEAD:metrics/confusion.json"], project).stdout)
    new = json.loads((project / "metrics/confusion.json").read_text())
    key = next(iter(cells))
    true, pred = key.split(".", 1)
    assert cells[key]["diff"] == new[true][pred] - old[true][pred]

    plots = run(["dvc", "plots", "diff", "HEAD", "--json"], project)
    rendered = json.loads(plots.stdout)["data"]
    assert set(rendered) == {"Loss", "Accuracy", "Confusion matrix (test set)"}
    for name in rendered:
        assert {r for d in rendered[name] for r in d["revisions"]} == {"workspace", "HEAD"}


def test_bad_params_fail_at_once_with_one_line_and_lose_nothing(project):
    run(["dvc", "repro"], project)
    before = {p: (project / p).read_bytes() for p in ("metrics/train.json", "metrics/test.json", "models/model.keras")}
    for setting, message in (("train.epochs=x", "train.epochs must be an integer"),
                             ("+train.epoch=5", "unknown param 'train.epoch' (did you mean 'train.epochs'?)"),
                             ("model.preset=resnet", "model.preset 'resnet' is unknown")):
        proc = run(["dvc", "exp", "run", "-S", setting], project, check=False)
        assert proc.returncode != 0
        errors = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("error:")]
        assert errors and message in errors[0], proc.stdout + proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        assert ran(proc.stdout) == []  # stopped by the validate stage, before any stage deleted its outputs
        run(["git", "checkout", "params.yaml"], project)
        assert {p: (project / p).read_bytes() for p in before} == before


def test_experiments_side_by_side(project):
    run(["dvc", "exp", "run", "-n", "lr-low", "-S", "train.learning_rate=0.0005"], project)
    run(["dvc", "exp", "run", "-n", "lr-high", "-S", "train.learning_rate=0.004"], project)
    shown = run(["dvc", "exp", "show", "--json"], project).stdout
    names = {e.get("name") for rev in json.loads(shown) for e in (rev.get("experiments") or [])}
    assert {"lr-low", "lr-high"} <= names
    # The README's command: hide the per-class and confusion-cell columns (dotted names outside params).
    table = run(["dvc", "exp", "show", "--no-pager", "--md", "--drop", HIDE_CELLS], project).stdout
    header = table.splitlines()[0]
    assert "lr-low" in table and "lr-high" in table
    assert {"accuracy", "macro_f1", "train_seconds", "train.learning_rate"} <= {c.strip() for c in header.split("|")}
    assert "Ankle boot" not in header and "Coat.f1" not in header
