"""The export stage's work: the trained model in deployable formats, each measured through its own runtime.

Routes, as measured on TensorFlow 2.21 / Keras 3.15 (docs/using-the-model.md): the SavedModel comes from Keras'
`model.export(format="tf_saved_model")` (a `serving_default` signature taking raw uint8 images); both TFLite
models from `TFLiteConverter.from_saved_model` on it (int8: full-integer, calibrated on training images);
ONNX from Keras' `model.export(format="onnx")` (tf2onnx). All start from a float32 copy of the weights: a
mixed-bfloat16 model exports an ONNX file that onnxruntime refuses and fails the TFLite converter.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from ..core.errors import UserError
from ..core.paths import EXPORTED
from ..params import EXPORT_FORMATS

FORMATS = EXPORT_FORMATS  # the schema lists them (export.formats); this module makes and measures them

FILES = {
    "savedmodel": "savedmodel",
    "tflite_float32": "model_float32.tflite",
    "tflite_int8": "model_int8.tflite",
    "onnx": "model.onnx",
}
FLOAT = ("savedmodel", "tflite_float32", "onnx")  # held to the agreement bar; int8 to the accuracy and size bars
LATENCY_IMAGES = 200  # batch-1 calls timed per format (after 10 warm-up calls)


def float32_copy(model):
    """The same network and weights under a float32 dtype policy (a mixed-precision model as trained otherwise)."""
    import keras

    def plain(node):
        if isinstance(node, dict):
            if str(node.get("class_name", "")).endswith("DTypePolicy") and str(
                node.get("config", {}).get("name", "")
            ).startswith("mixed_"):
                return {**node, "config": {**node["config"], "name": "float32"}}
            return {k: plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return node

    copy = keras.Model.from_config(plain(model.get_config()))
    copy.set_weights(model.get_weights())
    return copy


def write(model, formats: list[str], out: Path, calibration: np.ndarray, scratch: Path) -> dict[str, Path]:
    """Write each format of a float32 `model` into `out`; returns format -> path. `scratch` receives what only
    the measurement needs: the SavedModel the TFLite models are converted from, and the float32 TFLite model
    that the int8 one is compared with, when they were not asked for."""
    import tensorflow as tf

    paths = {f: out / FILES[f] for f in formats}
    tflite = {"tflite_float32", "tflite_int8"} & set(formats)
    saved = paths.get("savedmodel", scratch / FILES["savedmodel"])
    if "savedmodel" in formats or tflite:
        model.export(str(saved), format="tf_saved_model", verbose=False)
    if tflite:
        float_path = paths.get("tflite_float32", scratch / FILES["tflite_float32"])
        float_path.write_bytes(tf.lite.TFLiteConverter.from_saved_model(str(saved)).convert())
    if "tflite_int8" in formats:
        paths["tflite_int8"].write_bytes(_int8(tf, saved, calibration))
    if "onnx" in formats:
        model.export(str(paths["onnx"]), format="onnx", verbose=False)
    return paths


def _int8(tf, saved: Path, calibration: np.ndarray) -> bytes:
    """Full-integer quantisation: uint8 pixels in, uint8 probabilities out, int8 weights and activations, with
    activation ranges calibrated on training images."""
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([calibration[i : i + 1]] for i in range(len(calibration)))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.uint8
    converter.inference_output_type = tf.uint8
    return converter.convert()


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def measure(
    runner, x: np.ndarray, y: np.ndarray, batch_size: int, reference: np.ndarray | None = None
) -> tuple[dict, np.ndarray]:
    """Test accuracy and agreement with the reference predictions over the whole test set, throughput at
    `batch_size`, and latency at batch 1 (median and p95 over LATENCY_IMAGES calls)."""
    runner.predict(np.ascontiguousarray(x[:batch_size]))  # warm-up: tracing, tensor allocation
    predicted = np.empty(len(x), np.int64)
    start = time.perf_counter()
    for i in range(0, len(x), batch_size):
        predicted[i : i + batch_size] = runner.predict(np.ascontiguousarray(x[i : i + batch_size])).argmax(axis=1)
    seconds = time.perf_counter() - start
    n = min(LATENCY_IMAGES, len(x))
    for i in range(10):
        runner.predict(np.ascontiguousarray(x[i % n : i % n + 1]))
    times = []
    for i in range(n):
        one = np.ascontiguousarray(x[i : i + 1])
        t = time.perf_counter()
        runner.predict(one)
        times.append((time.perf_counter() - t) * 1000)
    figures = {
        "accuracy": round(float((predicted == np.asarray(y)).mean()), 4),
        "agreement": round(float((predicted == reference).mean()), 4) if reference is not None else 1.0,
        "latency_ms_p50": round(float(np.percentile(times, 50)), 3),
        "latency_ms_p95": round(float(np.percentile(times, 95)), 3),
        "images_per_second": round(len(x) / seconds, 1),
    }
    return figures, predicted


def misses(figures: dict, bars) -> list[str]:
    """What fails the parity bars (`bars` is params' ExportParams), as short sentences. The reference is the
    float32 Keras model the formats were exported from."""
    out = []
    reference = figures[figures["setup"]["reference"]]["accuracy"]
    for name in FLOAT:
        if name in figures and figures[name]["agreement"] < bars.min_agreement:
            out.append(
                f"{name} agrees with Keras on {figures[name]['agreement']:.2%} of the test images, below "
                f"export.min_agreement {bars.min_agreement:.2%}"
            )
    if "tflite_int8" in figures:
        q = figures["tflite_int8"]
        drop = (reference - q["accuracy"]) * 100
        if drop > bars.max_int8_accuracy_drop * 100 + 1e-9:
            out.append(
                f"tflite_int8 loses {drop:.2f} pp of test accuracy ({q['accuracy']:.2%} vs Keras "
                f"{reference:.2%}), more than export.max_int8_accuracy_drop {bars.max_int8_accuracy_drop * 100:g} pp"
            )
        if q["smaller_than_float32"] < bars.min_int8_shrink:
            out.append(
                f"tflite_int8 is {q['smaller_than_float32']:.2f}x smaller than float32 TFLite, less than "
                f"export.min_int8_shrink {bars.min_int8_shrink:g}x"
            )
    return out


def run(
    model_path: Path, formats: list[str], out: Path, x_cal: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, settings
) -> dict:
    """Export into `out`, then measure Keras and every format on the test set: metrics/export.json's content.
    `settings` is params' ExportParams.

    A model trained in mixed precision is measured twice in Keras: as trained (`keras`) and as the float32
    copy every format is exported from (`keras_float32`), which is the reference for the parity bars: the
    two differ by bfloat16 rounding, which is not the export's doing.
    """
    import keras
    import tensorflow as tf

    from . import runtimes

    trained = runtimes.KerasRunner(model_path)
    # Frozen for export: a backbone's batch norm layers come back from the .keras file trainable, and Keras' export
    # then traces them on the batch's own statistics (the SavedModel agreed with Keras on 14% of the test images).
    trained.model.trainable = False
    policies = {layer.dtype_policy.name for layer in trained.model.layers} - {"float32"}
    plain = runtimes.KerasRunner(model_path, float32_copy(trained.model)) if policies else trained
    version = f"Keras {keras.__version__} (TensorFlow {tf.__version__})"
    reference_name = "keras_float32" if policies else "keras"
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="imgclf-export-") as scratch:
        paths = write(plain.model, formats, out, x_cal, Path(scratch))
        measured, reference = measure(plain, x_test, y_test, settings.batch_size)
        rows = {reference_name: (measured, "float32")}
        if policies:
            rows["keras"] = (
                measure(trained, x_test, y_test, settings.batch_size, reference)[0],
                ", ".join(sorted(policies)) + " as trained",
            )
        for name in ("keras", "keras_float32"):
            if name in rows:
                figures[name] = {
                    "file": str(model_path),
                    "bytes": size(model_path),
                    "runtime": f"{version}, {rows[name][1]}",
                    **rows[name][0],
                }
        for name in formats:
            runner = runtimes.open_model(paths[name])
            figures[name] = {
                "file": (EXPORTED / FILES[name]).as_posix(),
                "bytes": size(paths[name]),
                "runtime": _runtime(runner.kind),
            }
            figures[name].update(measure(runner, x_test, y_test, settings.batch_size, reference)[0])
            if name == "tflite_int8":
                float_path = paths.get("tflite_float32", Path(scratch) / FILES["tflite_float32"])
                figures[name]["smaller_than_float32"] = round(size(float_path) / size(paths[name]), 2)
    # What the figures were measured with, under one key so that `dvc exp show` views can drop it with them.
    return {
        "setup": {
            "formats": list(formats),
            "reference": reference_name,
            "test_images": int(len(x_test)),
            "batch_size": settings.batch_size,
            "threads": runtimes.threads(),
        },
        **figures,
    }


def _runtime(kind: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    name, packages = {
        "savedmodel": ("TensorFlow", ("tensorflow-cpu", "tensorflow")),
        "tflite": ("LiteRT", ("ai-edge-litert",)),
        "onnx": ("onnxruntime", ("onnxruntime",)),
    }[kind]
    for package in packages:
        try:
            return f"{name} {version(package)}"
        except PackageNotFoundError:
            continue
    return name


def check(figures: dict, settings) -> None:
    """One line naming every missed parity bar."""
    missed = misses(figures, settings)
    if missed:
        raise UserError(f"export: {'; '.join(missed)} (all figures in metrics/export.json)")
