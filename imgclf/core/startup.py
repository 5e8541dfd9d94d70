"""TensorFlow's start-up, done once per process: a quiet import, on at most IMGCLF_THREADS threads."""

from __future__ import annotations

import importlib.abc
import os
import sys

from .errors import UserError

THREADS = "IMGCLF_THREADS"


def start_tensorflow() -> None:
    """Import TensorFlow quietly and apply the thread limit: what every process that trains or predicts does
    first (the stage scripts, `imgclf predict`, the benchmarks)."""
    quiet_tensorflow()
    limit_threads()


def quiet_tensorflow() -> None:
    """Import TensorFlow with its C++ start-up chatter (absl, oneDNN notices) kept off the terminal.

    The chatter is written straight to file descriptor 2, so it is caught there; it is shown if the
    import fails.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules:
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        sys.meta_path.insert(0, _UNUSED)
        try:
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
        except ModuleNotFoundError as exc:
            if exc.name != "tensorflow":
                raise
            os.dup2(saved, 2)
            raise UserError(
                "TensorFlow is not installed: run `make setup` (or pip install -e '.[cpu]'; '.[gpu]' for NVIDIA GPUs)"
            ) from None
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            sys.meta_path.remove(_UNUSED)
            os.dup2(saved, 2)
            os.close(saved)


class _Unused(importlib.abc.MetaPathFinder):
    """Keeps Keras from importing scikit-learn and matplotlib.pyplot at start-up, for its scikit-learn wrappers and
    image-gallery plots, which imgclf never uses (Keras imports both optionally): importing Keras and TensorFlow
    took 9.3 s, now 6.9 s (means of 3 alternating runs, 2-core AVX2 EPYC, quiet; `python -X importtime` puts 2.3 s
    on the two). Only during the import: the stages that use them import them later as usual."""

    SKIPPED = ("sklearn", "matplotlib")

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.SKIPPED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


_UNUSED = _Unused()


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
        raise UserError(
            f"{THREADS} must be a whole number of threads >= 1 (e.g. {THREADS}=1 with "
            f"`dvc queue start -j 2` on 2 cores), or unset for all cores; got '{value}'"
        )
    return int(value)
