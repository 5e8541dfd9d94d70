"""Sweeps through DVC's experiment queue, with real `dvc queue start` workers: the per-worker thread limit
reaches the queued runs, and a failed experiment says why in `dvc queue logs` without stopping the others."""

import json
import time

import pytest
from conftest import make_mirror, make_project, run

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
