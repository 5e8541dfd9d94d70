"""Run a trained classifier through the runtime of its format: Keras (.keras), TensorFlow (a SavedModel folder),
LiteRT (.tflite, float32 or full-integer int8) or onnxruntime (.onnx).

Every runner takes raw uint8 images (N, H, W, C), as the Keras model does, and returns float32 class
probabilities; `imgclf predict` and the export stage's parity checks both go through here, so what is measured
is what a user runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..core.errors import UserError, first_line
from ..core.paths import DATASET
from ..core.startup import quiet_tensorflow, start_tensorflow, thread_limit

KINDS = ("keras", "savedmodel", "tflite", "onnx")
EXPORT_EXTRA = "pip install -e '.[export]' (make setup installs it)"


def threads() -> int:
    """The thread count every runtime is given: IMGCLF_THREADS (as TensorFlow gets it, imgclf/core/startup.py), or
    0 for each runtime's own default."""
    return thread_limit() or 0


def kind_of(path: Path) -> str:
    if path.is_dir():
        if (path / "saved_model.pb").is_file():
            return "savedmodel"
        raise UserError(
            f"{path} is a folder without saved_model.pb: give a .keras, .tflite or .onnx file or a SavedModel folder"
        )
    kind = {".keras": "keras", ".tflite": "tflite", ".onnx": "onnx"}.get(path.suffix.lower())
    if kind is None:
        raise UserError(
            f"{path}: unknown model format '{path.suffix}'; give a .keras, .tflite or .onnx file or a SavedModel folder"
        )
    return kind


class Runner:
    """A loaded model: `predict(x)` maps uint8 images to probabilities."""

    kind = ""

    def __init__(self, path: Path):
        self.path = path

    @property
    def input_shape(self) -> tuple:
        """(height, width, channels), None where the model takes any size."""
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class KerasRunner(Runner):
    kind = "keras"

    def __init__(self, path: Path, model=None):
        super().__init__(path)
        if model is None:
            quiet_tensorflow()
            from ..model.loading import load_model

            model = load_model(path)
        self.model = model

    @property
    def input_shape(self):
        return tuple(self.model.input_shape[1:])

    def predict(self, x):
        from ..core.hardware import kernel_errors

        with kernel_errors(self.model):
            return np.asarray(self.model.predict_on_batch(x), dtype=np.float32)


class SavedModelRunner(Runner):
    kind = "savedmodel"

    def __init__(self, path: Path):
        super().__init__(path)
        quiet_tensorflow()
        import tensorflow as tf

        try:
            self.fn = tf.saved_model.load(str(path)).signatures["serving_default"]
        except Exception as exc:  # noqa: BLE001 - a damaged SavedModel raises many types
            raise _unloadable(path, exc) from None
        self.name, self.spec = next(iter(self.fn.structured_input_signature[1].items()))
        self.tf = tf

    @property
    def input_shape(self):
        return tuple(self.spec.shape[1:])

    def predict(self, x):
        out = self.fn(**{self.name: self.tf.constant(x, dtype=self.spec.dtype)})
        return np.asarray(next(iter(out.values())), dtype=np.float32)


class LiteRunner(Runner):
    """LiteRT's interpreter; int8 inputs and outputs are (de)quantised with the scale the converter chose."""

    kind = "tflite"

    def __init__(self, path: Path):
        super().__init__(path)
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            raise UserError(f"{path} needs the LiteRT interpreter (ai-edge-litert): {EXPORT_EXTRA}") from None
        try:
            self.interpreter = Interpreter(model_path=str(path), num_threads=threads() or None)
            self.interpreter.allocate_tensors()
        except Exception as exc:  # noqa: BLE001
            raise _unloadable(path, exc) from None
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]
        self.batch_shape = tuple(self.input["shape"])

    @property
    def input_shape(self):
        signature = self.input.get("shape_signature", self.input["shape"])
        return tuple(None if d < 0 else int(d) for d in signature[1:])

    def predict(self, x):
        it = self.interpreter
        if tuple(x.shape) != self.batch_shape:
            it.resize_tensor_input(self.input["index"], list(x.shape))
            it.allocate_tensors()
            self.batch_shape = tuple(x.shape)
        scale, zero = self.input["quantization"]
        if scale:
            x = np.round(x / scale + zero)
        it.set_tensor(self.input["index"], np.asarray(x).astype(self.input["dtype"]))
        it.invoke()
        out = it.get_tensor(self.output["index"]).astype(np.float32)
        scale, zero = self.output["quantization"]
        return (out - zero) * scale if scale else out


class OnnxRunner(Runner):
    kind = "onnx"

    def __init__(self, path: Path):
        super().__init__(path)
        try:
            import onnxruntime as ort
        except ImportError:
            raise UserError(f"{path} needs onnxruntime: {EXPORT_EXTRA}") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads()
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001
            raise _unloadable(path, exc) from None
        self.input = self.session.get_inputs()[0]

    @property
    def input_shape(self):
        return tuple(d if isinstance(d, int) else None for d in self.input.shape[1:])

    def predict(self, x):
        return np.asarray(self.session.run(None, {self.input.name: x})[0], dtype=np.float32)


def _unloadable(path: Path, exc: Exception) -> UserError:
    return UserError(
        f"{path} cannot be loaded ({type(exc).__name__}: {first_line(exc)}); export it again (dvc repro -f export)"
    )


def open_model(path: str | Path, cap_threads: bool = False) -> Runner:
    """`cap_threads`: apply IMGCLF_THREADS to TensorFlow first (only before TensorFlow has run anything)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path} is missing: train a model first (dvc repro), or give --model")
    if cap_threads and kind_of(path) in ("keras", "savedmodel"):
        start_tensorflow()
    return {"keras": KerasRunner, "savedmodel": SavedModelRunner, "tflite": LiteRunner, "onnx": OnnxRunner}[
        kind_of(path)
    ](path)


def dataset_info(model: Path, given: str | Path | None = None) -> tuple[dict, Path]:
    """The dataset the model was trained on (class names, image shape): `given`, else the dataset.json the
    export stage writes beside the exported files, else the pipeline's data/dataset.json."""
    model = Path(model)
    candidates = [Path(given)] if given else [model.parent / DATASET.name, DATASET]
    for path in candidates:
        if path.is_file():
            try:
                meta = json.loads(path.read_text())
                return {
                    "classes": list(meta["classes"]),
                    "image_shape": [int(d) for d in meta["image_shape"]],
                    "dataset": meta.get("dataset", ""),
                    "resize": meta.get("resize", "squash"),
                    "image_stats": meta.get("image_stats"),  # what the training images look like (data/familiar.py)
                }, path
            except (ValueError, KeyError, TypeError) as exc:
                raise UserError(
                    f"{path} is not a dataset description ({type(exc).__name__}: {exc}); rerun dvc repro prepare"
                ) from None
    raise UserError(
        f"no dataset description for {model} (looked for {' and '.join(map(str, candidates))}): "
        f"run from the project, or give --dataset data/dataset.json"
    )


def check_fits(runner: Runner, meta: dict, source: Path) -> None:
    """The model's input and output must match the dataset description, or the class names would be wrong."""
    shape = tuple(meta["image_shape"])
    if any(m is not None and m != s for m, s in zip(runner.input_shape, shape)) or len(runner.input_shape) != 3:
        raise UserError(
            f"{runner.path} takes images of shape {runner.input_shape}, but {source} describes "
            f"{shape}: give the dataset.json it was trained with (--dataset)"
        )
    probe = runner.predict(np.zeros((1, *shape), np.uint8))
    if probe.shape[-1] != len(meta["classes"]):
        raise UserError(
            f"{runner.path} has {probe.shape[-1]} outputs, but {source} lists {len(meta['classes'])} "
            f"classes: give the dataset.json it was trained with (--dataset)"
        )
