"""Experiments a DVC user can read: `imgclf exps` and `imgclf diff` rendered at 100 columns on real experiments,
and the warning when an experiment keeps the `-S` values an earlier one left in params.yaml."""

import json

import pytest
from conftest import run

pytestmark = pytest.mark.slow


def test_exps_and_diff_fit_100_columns_and_inherited_params_are_named(copy_baseline):
    project, env = copy_baseline("exps")
    run(["dvc", "exp", "run", "-n", "fast-lr", "-S", "train.learning_rate=0.006"], project, env=env)
    second = run(["dvc", "exp", "run", "-n", "mlp300", "-S", "model.preset=tutorial_mlp300"], project, env=env)
    warning = next(line for line in second.stderr.splitlines() if line.startswith("warning:"))
    assert warning.startswith("warning: train.learning_rate=0.006 differ from the commit ")
    assert "experiment 'fast-lr' left them in params.yaml" in warning and "git checkout params.yaml" in warning
    assert "model.preset" not in warning  # its own -S value is not an inherited one

    narrow = {**env, "COLUMNS": "100"}
    shown = run(["imgclf", "exps"], project, env=narrow).stdout.splitlines()
    assert all(len(line) <= 100 for line in shown), "\n".join(shown)
    assert shown[0].split() == [
        "run",
        "accuracy",
        "(95%)",
        "loss",
        "time",
        "params",
        "changed",
        "(from",
        "its",
        "commit)",
    ]
    start = shown[0].index("params")  # a line blank up to the params column continues the row above
    rows: dict[str, str] = {}
    for line in shown[1:]:
        if line[:start].strip():
            name = line.split()[0]
            rows[name] = line
        else:
            rows[name] += " " + line.strip()
    read = "import dvc.api, sys; print(dvc.api.read('metrics/test.json', rev=sys.argv[1]))"
    for name, changed in (("fast-lr", ["train.learning_rate=0.006"]),
                          ("mlp300", ["train.learning_rate=0.006", "model.preset=tutorial_mlp300"])):  # fmt: skip
        test = json.loads(run(["python", "-c", read, name], project).stdout)
        assert f"{test['accuracy']:.2%} ±" in rows[name] and f"{test['loss']:.4f}" in rows[name]
        assert all(c in rows[name].split() for c in changed), rows[name]

    diff = run(["imgclf", "diff", "HEAD", "mlp300"], project, env=narrow).stdout.splitlines()
    assert all(len(line) <= 100 for line in diff)
    assert diff[0].split() == ["file", "metric", "HEAD", "mlp300", "change"]
    assert diff[1].split()[:2] == ["test.json", "accuracy"]  # the headline first
    files = [line.split()[0] for line in diff[1:-1]]
    assert files.index("train.json") < files.index("per_class.json") < files.index("confusion.json")


def test_a_long_params_cell_wraps_onto_continuation_lines_instead_of_being_cut():
    from imgclf.review.terminal import table

    changed = "model.preset=tutorial_mlp300 train.learning_rate=0.006 data.augment.flip=true"
    lines = table([["mlp300", "59.50%", changed]], ["run", "accuracy", "params"], cols=50).splitlines()
    assert all(len(line) <= 50 for line in lines) and len(lines) == 4, lines
    assert lines[1].startswith("mlp300") and all(line.startswith(" " * 18) for line in lines[2:])
    assert " ".join(line[18:] for line in lines[1:]).split() == changed.split()
