"""Real `dvc repro`, `dvc metrics diff` and `dvc exp run` on synthetic IDX data in a fresh git+DVC repo."""

import json

import pytest
from conftest import ROOT, committed_run, edit_params, run

pytestmark = pytest.mark.slow


def ran(output: str) -> list[str]:
    return [s for s in ("prepare", "build", "train", "evaluate", "report") if f"Running stage '{s}'" in output]


def readme_line(start: str) -> list[str]:
    """A command as the README shows it (so the README cannot drift from what is tested)."""
    import shlex

    line = next(text for text in (ROOT / "README.md").read_text().splitlines() if text.startswith(start))
    return shlex.split(line.split("  #")[0])


@pytest.mark.extended  # reruns: test_reruns.py row by row; metrics diff: test_reports.py
def test_repro_reruns_only_what_changed_and_diffs_metrics(project):
    first = run(["dvc", "repro"], project)
    assert ran(first.stdout) == ["prepare", "build", "train", "evaluate", "report"]
    test = json.loads((project / "metrics/test.json").read_text())
    assert test["images"] == 200 and test["accuracy"] > 0.3
    confusion = json.loads((project / "metrics/confusion.json").read_text())
    assert sum(sum(row.values()) for row in confusion.values()) == 200
    assert "T-shirt/top" in confusion and "Ankle boot" in confusion["T-shirt/top"]
    html = (project / "reports/index.html").read_text()
    assert f"{test['accuracy']:.2%}" in html and "<script" not in html
    for line in ("prepare:", "build:", "train:", "evaluate: test accuracy", "report: reports/index.html"):
        assert line in first.stdout

    assert ran(run(["dvc", "repro"], project).stdout) == []
    edit_params(project, **{"eval.gallery": 4})
    assert ran(run(["dvc", "repro"], project).stdout) == ["report"]
    edit_params(project, **{"train.epochs": 3})
    assert ran(run(["dvc", "repro"], project).stdout) == ["train", "evaluate", "report"]
    history = (project / "metrics/history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,") and len(history) == 4

    run(["git", "add", "-A"], project)
    run(["git", "commit", "-qm", "baseline"], project)
    # The trained model is a DVC artifact: registered as a version (a GTO git tag, DVC's model-registry
    # convention), `dvc artifacts get` fetches exactly the committed model.
    run(["gto", "register", "classifier"], project)
    assert "classifier@v0.0.1" in run(["git", "tag"], project).stdout
    got = run(["dvc", "artifacts", "get", ".", "classifier", "-o", "fetched.keras"], project)
    assert (project / "fetched.keras").read_bytes() == (project / "models/model.keras").read_bytes(), got.stdout
    (project / "fetched.keras").unlink()
    edit_params(project, **{"model.preset": "tutorial_cnn"})
    assert ran(run(["dvc", "repro"], project).stdout) == ["build", "train", "evaluate", "report"]
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
    assert set(rendered) == {"Cross-entropy (no label smoothing)", "Accuracy", "Confusion matrix (test set)"}
    for name in rendered:
        assert {r for d in rendered[name] for r in d["revisions"]} == {"workspace", "HEAD"}


def test_the_pipeline_leaves_no_temporary_files(built_once):
    """Autograph writes a file per tf.data function and deletes it at exit, which the stages' fast exit skipped."""
    root = built_once("baseline", committed_run)
    assert (root / "project" / "models/model.keras").exists()
    assert sorted(p.name for p in (root / "tmp").iterdir()) == []


def test_bad_params_fail_at_once_with_one_line_and_lose_nothing(trained_project):
    project = trained_project
    run(["dvc", "repro"], project)
    before = {p: (project / p).read_bytes() for p in ("metrics/train.json", "metrics/test.json", "models/model.keras")}
    cases = (
        ({"train.epochs": "x"}, "train.epochs must be an integer; got 'x' (str)"),
        ({"train.epoch": 5}, "unknown param 'train.epoch' (did you mean 'train.epochs'?)"),
        ({"model.preset": "resnet"}, "model.preset must be one of tutorial_dense128"),
        ({"train.weight_decay": -0.1}, "train.weight_decay must be >= 0; got -0.1"),
    )
    for changes, message in cases:
        edit_params(project, **changes)
        proc = run(["dvc", "repro"], project, check=False)
        assert proc.returncode != 0
        errors = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("error:")]
        assert errors and message in errors[0], proc.stdout + proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        assert ran(proc.stdout) == []  # stopped by the validate stage, before any stage deleted its outputs
        # `dvc repro`, not `dvc exp run -S`: after a failed workspace experiment, DVC 3.67 was seen to write the
        # failed params.yaml back after the command had returned (under load), which tests DVC rather than us.
        run(["git", "checkout", "HEAD", "--", "params.yaml"], project)
        assert {p: (project / p).read_bytes() for p in before} == before


@pytest.mark.extended  # test_reports.py shows and compares experiments
def test_experiments_side_by_side(trained_project):
    project = trained_project
    # DVC writes 0.00001 as `1e-05`, which YAML 1.1 reads as a string: a float param takes it (issue 9, defect 2).
    low = run(["dvc", "exp", "run", "-n", "lr-low", "-S", "train.learning_rate=0.00001"], project)
    assert "1e-05" in (project / "params.yaml").read_text() and "Running stage 'train'" in low.stdout
    assert "lr 1e-05" in low.stdout
    run(["dvc", "exp", "run", "-n", "lr-high", "-S", "train.learning_rate=0.004"], project)
    shown = run(["dvc", "exp", "show", "--json"], project).stdout
    names = {e.get("name") for rev in json.loads(shown) for e in (rev.get("experiments") or [])}
    assert {"lr-low", "lr-high"} <= names
    # The README's everyday view at 100 columns: each experiment with the param it changed, no line cut short of it.
    view = run(readme_line("imgclf exps"), project, env={"COLUMNS": "100"}).stdout.splitlines()
    assert all(len(line) <= 100 for line in view), view
    rows = {line.split()[0]: line for line in view[1:]}
    assert "train.learning_rate=1e-05" in rows["lr-low"] and "train.learning_rate=0.004" in rows["lr-high"]
