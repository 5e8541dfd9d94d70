"""Sweeps through DVC's experiment queue, with real `dvc queue start` workers: the per-worker thread limit
reaches the queued runs, and a failed experiment says why in `dvc queue logs` without stopping the others."""

import json
import time

import pytest
from conftest import edit_params, make_mirror, make_project, run

from imgclf.core.errors import UserError
from imgclf.core.startup import limit_threads


def wait_for_queue(proj, timeout=600) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = run(["dvc", "queue", "status"], proj).stdout
        if not any(word in status for word in ("Queued", "Running")):
            return status
        assert time.monotonic() < deadline, f"the queue did not finish in {timeout}s:\n{status}"
        time.sleep(3)


@pytest.mark.slow
def test_queue_two_workers_one_thread_each_failures_do_not_stop_the_rest(tmp_path):
    env = make_mirror(tmp_path)
    proj = make_project(tmp_path / "project", env)
    sweep = {
        "good": ["train.epochs=1"],
        "bad-param": ["train.epochs=x"],
        "diverges": ["train.optimizer=sgd", "train.learning_rate=1e12", "train.schedule=constant", "train.epochs=1"],
    }
    for name, overrides in sweep.items():
        # Up to `train` only (validate, prepare, train): what the thread limit and the failures need.
        run(
            ["dvc", "exp", "run", "--queue", "-n", name, *[a for o in overrides for a in ("-S", o)], "train"],
            proj,
            env=env,
        )
    # The workers inherit the environment of `dvc queue start`; the thread limit is not a param.
    run(["dvc", "queue", "start", "-j", "2"], proj, env={**env, "IMGCLF_THREADS": "1"})
    status = wait_for_queue(proj)
    state = {
        line.split()[1]: line.split()[-1]
        for line in status.splitlines()
        if line.split()[1:2] in (["good"], ["bad-param"], ["diverges"])
    }
    assert state == {"good": "Success", "bad-param": "Failed", "diverges": "Failed"}, status

    reasons = {
        "bad-param": "error: train.epochs must be an integer; got 'x' (str)",
        "diverges": "error: training diverged (loss became NaN or infinite in epoch 1): lower train.learning_rate",
    }
    for name, reason in reasons.items():
        logs = run(["dvc", "queue", "logs", name], proj).stdout
        errors = [line for line in logs.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and errors[0].startswith(reason), logs
        assert "Traceback" not in logs, logs

    read = "import dvc.api, sys; print(dvc.api.read(sys.argv[1], rev='good'))"
    machine = json.loads(run(["python", "-c", read, "metrics/environment.json"], proj).stdout)
    assert (machine["intra_op_threads"], machine["inter_op_threads"]) == (1, 1), machine
    trained = json.loads(run(["python", "-c", read, "metrics/train.json"], proj).stdout)
    assert trained["epochs"] == 1 and 0 <= trained["val_accuracy"] <= 1
    # The workspace was never touched: still the committed params, no run of its own.
    assert run(["git", "status", "--porcelain"], proj).stdout == ""


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_bad_thread_count_says_what_to_set(value, monkeypatch):
    monkeypatch.setenv("IMGCLF_THREADS", value)
    with pytest.raises(UserError, match=f"IMGCLF_THREADS must be a whole number of threads >= 1 .* got '{value}'"):
        limit_threads()


@pytest.mark.slow
@pytest.mark.extended  # a queue: the two-worker test; a dvc-added folder: test_datasets_e2e.py
def test_queued_experiments_on_a_dvc_added_folder_and_one_outside(tmp_path):
    """The README's recipe for a folder inside the project (`dvc add`) reaches queued runs, which git never sees an
    image of; an absolute folder outside works too, and a relative one that the run's copy cannot see is one line."""
    from imgclf.testing import synthetic

    env = make_mirror(tmp_path)
    proj = make_project(tmp_path / "project", env)
    synthetic.image_folder(proj / "data/images", ["circle", "square"], per_class=20, size=12)
    synthetic.image_folder(tmp_path / "outside", ["circle", "square"], per_class=20, size=12, seed=3)
    edit_params(proj, **{"data.dataset": "folder", "data.image_size": [12, 12], "train.epochs": 1})
    run(["bash", "-c", "git rm -r -q --cached data/images && dvc add -q data/images"], proj)
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "images tracked by DVC"], proj)
    sweep = {
        "inside": ["seed=1"],
        "absolute": [f"data.folder={tmp_path / 'outside'}"],
        "relative": ["data.folder=../outside"],  # right from the workspace, not from DVC's copy in .dvc/tmp/exps
    }
    for name, overrides in sweep.items():
        run(["dvc", "exp", "run", "--queue", "-n", name, *[a for o in overrides for a in ("-S", o)], "train"], proj)
    run(["dvc", "queue", "start", "-j", "2"], proj, env={**env, "IMGCLF_THREADS": "1"})
    status = wait_for_queue(proj)
    state = {
        line.split()[1]: line.split()[-1] for line in status.splitlines() if line.split()[1:2] in [[n] for n in sweep]
    }
    assert state == {"inside": "Success", "absolute": "Success", "relative": "Failed"}, status
    logs = run(["dvc", "queue", "logs", "relative"], proj).stdout
    errors = [line for line in logs.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "this experiment's copy of the project" in errors[0], logs
    assert "move it into the project and track it with `dvc add`" in errors[0] and "absolute path" in errors[0]

    read = "import dvc.api, sys; print(dvc.api.read(sys.argv[1], rev=sys.argv[2]))"
    for name in ("inside", "absolute"):
        data = json.loads(run(["python", "-c", read, "metrics/data.json", name], proj).stdout)
        assert data["train_images"] + data["val_images"] + data["test_images"] == 40
    refs = run(["git", "for-each-ref", "--format=%(objectname)", "refs/exps"], proj).stdout.split()
    assert refs and not any(
        ".png" in run(["git", "ls-tree", "-r", "--name-only", ref], proj).stdout for ref in refs
    )  # no image went into git with the experiments
