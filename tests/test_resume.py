"""Ctrl-C in the middle of `train` under real `dvc repro`: one line saying what to run, and the next `dvc repro`
resumes after the last finished epoch and ends with the weights and history of an uninterrupted run."""

import io
import json
import os
import signal
import subprocess
import zipfile

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import BIN, edit_params, run

pytestmark = pytest.mark.slow

RECIPE = {  # dropout, augmentation and Adam's moments: each must continue where it stopped
    "train.epochs": 12,
    "model.preset": "custom",
    "model.custom": {"kind": "mlp", "hidden": [64], "dropout": 0.3, "activation": "relu"},
    "augment.flip": True,
    "augment.crop_padding": 2,
    "augment.crop_size": 0,
}


def repro_interrupted(project, env, after_epoch: int) -> subprocess.CompletedProcess:
    """`dvc repro`, with Ctrl-C (SIGINT to its process group, as a terminal sends it) once `after_epoch` is done."""
    full = {**os.environ, **env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen(
        ["dvc", "repro"], cwd=project, env=full, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip  # SIGINT as in a terminal: a shell's background job (CI's, say) starts with it ignored
    out = []
    for line in proc.stdout:
        out.append(line)
        if line.startswith(f"epoch {after_epoch:>3}/"):
            os.killpg(proc.pid, signal.SIGINT)
            break
    rest, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "".join(out) + rest, err)


def weights(project) -> dict[str, np.ndarray]:
    """Every array in the saved model's weights file (a .keras file is a zip around it), read without TensorFlow."""
    arrays = {}
    with zipfile.ZipFile(project / "models/model.keras") as z, h5py.File(io.BytesIO(z.read("model.weights.h5"))) as f:
        f.visititems(lambda name, item: arrays.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
    return arrays


def test_interrupted_training_resumes_to_the_same_weights(copy_baseline):
    reference, env = copy_baseline("reference")
    edit_params(reference, **RECIPE)
    run(["dvc", "repro", "train"], reference, env=env)  # equal weights make equal evaluations: train is enough

    project, _ = copy_baseline("interrupted")
    edit_params(project, **RECIPE)
    stopped = repro_interrupted(project, env, after_epoch=3)
    assert stopped.returncode != 0, stopped.stdout
    line = next(x for x in stopped.stderr.splitlines() if x.startswith("interrupted: train: "))
    saved = int(line.split("interrupted: train: ", 1)[1].split()[0])  # Ctrl-C just after epoch 3's line may
    # arrive before that epoch is saved: then the run resumes after epoch 2
    assert saved >= 2 and f"`dvc repro` (or the same `dvc exp run`) resumes from epoch {saved + 1}" in line
    assert "Traceback" not in stopped.stderr
    assert not (project / "build/checkpoints/train/.train.new").exists()
    assert "train" in run(["dvc", "status"], project).stdout  # DVC knows train has to run again

    resumed = run(["dvc", "repro", "train"], project, env=env).stdout
    assert f"resuming after epoch {saved} from build/checkpoints/train" in resumed
    assert f"epoch {saved:>3}/" not in resumed and f"epoch {saved + 1:>3}/" in resumed  # the rest only
    assert f"(resumed after epoch {saved})" in resumed
    assert not (project / "build/checkpoints/train").exists()  # done: nothing left to resume
    ours, theirs = weights(project), weights(reference)
    assert len(ours) > 4 and ours.keys() == theirs.keys()
    for name in ours:
        np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
    ours, theirs = (pd.read_csv(p / "metrics/history.csv").drop(columns="seconds") for p in (project, reference))
    pd.testing.assert_frame_equal(ours, theirs)
    trained = json.loads((project / "metrics/train.json").read_text())
    history = pd.read_csv(project / "metrics/history.csv")
    assert trained["train_seconds"] == pytest.approx(history["seconds"].sum(), abs=0.1)  # one training time
