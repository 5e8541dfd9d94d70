"""What every stage script shares: paths, quiet start-up, safe model loading, the run's revision."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from .errors import UserError, quiet_tensorflow
from .params import Params, load

VALIDATED = Path("data/params.valid")
PREPARED = Path("data/prepared")
META = Path("data/dataset.json")
MODEL = Path("models/model.keras")
AUGMENTED = Path("data/augmented_samples.npz")          # written by train, drawn by report
PROBABILITIES = Path("metrics/test_probabilities.npy")
REPORT = Path("reports/index.html")
THREADS = "IMGCLF_THREADS"
EXPORTED = Path("models/export")                       # the export stage's formats and their dataset.json
EXPORT_METRICS = Path("metrics/export.json")


def begin() -> Params:
    """Validate params.yaml before anything slow (a bad param fails in a fraction of a second), then import
    TensorFlow quietly, on at most IMGCLF_THREADS threads."""
    params = load()
    quiet_tensorflow()
    limit_threads()
    return params


def limit_threads() -> int | None:
    """IMGCLF_THREADS=N caps TensorFlow's intra-op and inter-op thread pools at N threads each, so that several
    runs side by side (`dvc queue start -j J`, N = cores / J) share the cores instead of thrashing. An environment
    variable, not a param: the thread count belongs to the machine, and a param would change DVC's stage hashes
    and miss its run cache. Must run before TensorFlow executes anything; metrics/environment.json records it."""
    value = thread_limit()
    if value is None:
        return None
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(value)
    tf.config.threading.set_inter_op_parallelism_threads(value)
    return value


def thread_limit() -> int | None:
    """IMGCLF_THREADS as a number (None when unset), without TensorFlow: the export stage's LiteRT and
    onnxruntime sessions take the same count."""
    value = os.environ.get(THREADS, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise UserError(f"{THREADS} must be a whole number of threads >= 1 (e.g. {THREADS}=1 with "
                        f"`dvc queue start -j 2` on 2 cores), or unset for all cores; got '{value}'")
    return int(value)


class Timer:
    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def load_model(path: Path):
    """Safe mode: a .keras file cannot run arbitrary code (no lambda layers) when loaded."""
    import keras

    if not path.exists():
        raise UserError(f"{path} is missing: run the earlier stages first (dvc repro)")
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # noqa: BLE001 - a damaged or crafted file raises any type (TypeError, KeyError...)
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise UserError(f"{path} cannot be loaded ({type(exc).__name__}: {first}); rerun the stage that writes "
                        f"it (dvc repro -f)") from None


def revision() -> str:
    """Short git commit of the code that produced the run, marked when the work tree had changes."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True).stdout.strip()
        return rev + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
