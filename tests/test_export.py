"""The export stage on a tiny trained model: real conversions, each format measured through its own runtime,
the parity bars, the documented plain-Python loading code (docs/using-the-model.md), and the float32 copy of a
mixed-precision model."""

import json
import re
import shutil
import sys

import numpy as np
import pytest
from conftest import ROOT, edit_params, run

from imgclf.serve.export import FORMATS
from imgclf.serve.runtimes import threads

pytestmark = pytest.mark.slow


def size(path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def test_every_format_is_written_and_measured_through_its_own_runtime(exported):
    proj, _, repro = exported
    assert (
        "Running stage 'export'" in repro.stdout
        and "export: savedmodel, tflite_float32, tflite_int8, onnx" in repro.stdout
    )
    figures = json.loads((proj / "metrics/export.json").read_text())
    assert figures["setup"] == {
        "formats": list(FORMATS),
        "reference": "keras",
        "test_images": 200,
        "batch_size": 256,
        "threads": threads(),
    }
    for name in ("keras", *FORMATS):
        f = figures[name]
        assert f["bytes"] == size(proj / f["file"]), name
        assert 0.3 < f["accuracy"] <= 1 and f["images_per_second"] > 0, (name, f)
        assert 0 < f["latency_ms_p50"] <= f["latency_ms_p95"], (name, f)
    for name in ("savedmodel", "tflite_float32", "onnx"):
        assert figures[name]["agreement"] >= 0.999, (name, figures[name])
    int8 = figures["tflite_int8"]
    assert figures["keras"]["accuracy"] - int8["accuracy"] <= 0.01
    assert int8["smaller_than_float32"] == round(figures["tflite_float32"]["bytes"] / int8["bytes"], 2) >= 3
    assert json.loads((proj / "models/export/dataset.json").read_text()) == json.loads(
        (proj / "data/dataset.json").read_text()
    )

    # The accuracy is the runtime's own: recomputed here with onnxruntime on the prepared test set.
    import onnxruntime as ort

    x = np.load(proj / "data/prepared/test_x.npy")
    y = np.load(proj / "data/prepared/test_y.npy")
    session = ort.InferenceSession(str(proj / "models/export/model.onnx"), providers=["CPUExecutionProvider"])
    probs = session.run(None, {session.get_inputs()[0].name: x})[0]
    assert round(float((probs.argmax(1) == y).mean()), 4) == figures["onnx"]["accuracy"]

    shown = json.loads(run(["dvc", "metrics", "show", "--json"], proj).stdout)
    data = next(iter(shown.values()))["data"]["metrics/export.json"]["data"]
    assert data["tflite_int8"]["accuracy"] == int8["accuracy"]


def test_readme_loads_each_format_from_plain_python(exported, tmp_path):
    """The documented loading code, run as written on the exported files, gives the same class everywhere."""
    proj, _, _ = exported
    from PIL import Image

    Image.fromarray(np.load(proj / "data/prepared/test_x.npy")[3, :, :, 0]).save(proj / "shoe.png")
    text = (ROOT / "docs" / "using-the-model.md").read_text()
    code = re.search(r"<!-- load-formats:start -->\s*```python\n(.*?)```", text, re.S).group(1)
    check = (
        "\nimport numpy as np\nfor p in (p_saved, p_lite, p_onnx):\n"
        "    assert p.shape == p_keras.shape and int(p.argmax()) == int(p_keras.argmax()), (p, p_keras)\n"
        "assert np.allclose(p_saved, p_keras, atol=1e-5) and np.allclose(p_onnx, p_keras, atol=1e-5)\n"
    )
    script = tmp_path / "load.py"
    script.write_text(code + check)
    done = run([sys.executable, str(script)], proj)
    assert done.stdout.strip().splitlines()[-1] in json.loads((proj / "data/dataset.json").read_text())["classes"]


def test_a_missed_parity_bar_fails_the_stage_with_one_line(exported, tmp_path):
    proj, env, _ = exported
    copy = tmp_path / "project"
    shutil.copytree(proj, copy, symlinks=True)
    edit_params(copy, **{"export.formats": ["tflite_int8"], "export.min_int8_shrink": 100.0})
    proc = run(["dvc", "repro", "export"], copy, check=False, env=env)
    out = proc.stdout + proc.stderr
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert proc.returncode != 0 and "Traceback" not in out
    assert len(errors) == 1 and "tflite_int8 is" in errors[0] and "export.min_int8_shrink 100x" in errors[0], out
    figures = json.loads((copy / "metrics/export.json").read_text())  # the figures stay for the user to read
    assert errors[0].count(f"{figures['tflite_int8']['smaller_than_float32']:.2f}x") == 1
    assert not (copy / "models/export/model_int8.tflite").exists()


def test_float32_copy_of_a_mixed_precision_model(tmp_path):
    """Keras' ONNX route needs float32; the copy keeps the weights and predictions, and onnxruntime runs it."""
    from imgclf.core.startup import quiet_tensorflow

    quiet_tensorflow()
    import keras

    from imgclf import model as models
    from imgclf.model.presets import resolve
    from imgclf.serve import runtimes
    from imgclf.serve.export import float32_copy

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        mixed = models.build(resolve("tutorial_cnn", None), (28, 28, 1), 10, seed=1)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert {layer.dtype_policy.name for layer in mixed.layers} >= {"mixed_bfloat16"}
    plain = float32_copy(mixed)
    assert {layer.dtype_policy.name for layer in plain.layers} == {"float32"}
    assert [w.name for w in plain.weights] == [w.name for w in mixed.weights]
    for a, b in zip(plain.get_weights(), mixed.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).integers(0, 256, (16, 28, 28, 1), dtype=np.uint8)
    np.testing.assert_allclose(plain.predict(x, verbose=0), mixed.predict(x, verbose=0), atol=0.02)
    plain.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    np.testing.assert_allclose(
        runtimes.open_model(tmp_path / "m.onnx").predict(x), plain.predict(x, verbose=0), atol=1e-5
    )
