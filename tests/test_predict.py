"""`imgclf predict` on the session's tiny exported model: every format, files of every mode, IDX and CIFAR
batches, bad files, the HTML page in headless Chromium, and one-line errors."""

import gzip
import json

import numpy as np
import pytest
from browser import render
from conftest import run
from PIL import Image

from imgclf.data import cifar, idx
from imgclf.serve.export import FILES

pytestmark = pytest.mark.slow
MODELS = {"keras": "models/model.keras", **{name: f"models/export/{file}" for name, file in FILES.items()}}
LOSSLESS = ("grey.png", "rgba.png", "16bit.png", "rgb.bmp")


@pytest.fixture(scope="module")
def photos(exported, tmp_path_factory):
    """Test images 0-3 saved losslessly in four modes, image 4 as an enlarged JPEG, the same images 0-4 as an
    IDX file, two colour images as a CIFAR batch, and three bad files."""
    proj = exported[0]
    x = np.load(proj / "data/prepared/test_x.npy")[:5, :, :, 0]
    root = tmp_path_factory.mktemp("photos")
    (root / "sub").mkdir()
    Image.fromarray(x[0]).save(root / "0_grey.png")
    Image.fromarray(x[1]).convert("RGBA").save(root / "1_rgba.png")
    Image.fromarray(x[2].astype(np.uint16) * 257).save(root / "sub" / "2_16bit.png")
    Image.fromarray(x[3]).convert("RGB").save(root / "sub" / "3_rgb.bmp")
    Image.fromarray(x[4]).convert("RGB").resize((84, 84)).save(root / "4_big.jpg", quality=95)
    (root / "images-idx3-ubyte.gz").write_bytes(gzip.compress(idx.encode(x)))
    colour = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    (root / "sub" / "data_batch_1.bin").write_bytes(cifar.encode(colour, np.array([1, 2])))
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    (root / "empty.jpg").write_bytes(b"")
    (root / "cut.jpg").write_bytes((root / "4_big.jpg").read_bytes()[:200])
    (root / "notes.txt").write_text("not an image, ignored in a folder")
    return root


def predictions(proj, photos, model, out_dir):
    out = out_dir / f"{model}.json"
    done = run(["imgclf", "predict", str(photos), "--model", MODELS[model], "--out", str(out), "--top-k", "10"], proj)
    return json.loads(out.read_text()), done


@pytest.fixture(scope="module")
def predicted(exported, photos, tmp_path_factory):
    """model -> (the --out JSON, the finished process), each model run once."""
    out_dir, cache = tmp_path_factory.mktemp("predictions"), {}

    def get(model):
        if model not in cache:
            cache[model] = predictions(exported[0], photos, model, out_dir)
        return cache[model]

    return get


@pytest.mark.parametrize("model", list(MODELS))
def test_predict_with_each_format(photos, predicted, model):
    result, done = predicted(model)
    by_file = {p["file"].replace(str(photos) + "/", ""): p["top"] for p in result["predictions"]}
    assert len(by_file) == 5 + 5 + 2 and "predict: 12 images -> " in done.stdout
    assert sorted(s.split(":")[0].rsplit("/", 1)[-1] for s in result["skipped"]) == [
        "broken.png",
        "cut.jpg",
        "empty.jpg",
    ]
    assert any("empty file" in s for s in result["skipped"]) and any("truncated" in s for s in result["skipped"])
    assert "skipped" in done.stderr and "broken.png" in done.stderr
    probs = {f: {t["class"]: t["probability"] for t in top} for f, top in by_file.items()}
    assert all(len(p) == 10 and abs(sum(p.values()) - 1) < 0.02 for p in probs.values())
    # Decoded as prepare decodes: each lossless file gives exactly the probabilities of its IDX original.
    for i, name in enumerate(LOSSLESS):
        path = next(f for f in probs if f.endswith(f"{i}_{name}"))
        assert probs[path] == probs[f"images-idx3-ubyte.gz#{i}"], (path, model)
    # Every format predicts the Keras model's classes (int8: on all but at most two of the 12 images).
    tops = {p["file"]: p["top"][0]["class"] for p in result["predictions"]}
    keras_tops = {p["file"]: p["top"][0]["class"] for p in predicted("keras")[0]["predictions"]}
    same = sum(tops[f] == keras_tops[f] for f in tops)
    assert same >= len(tops) - (2 if model == "tflite_int8" else 0), (tops, keras_tops)


def test_table_and_html_page(exported, photos, tmp_path):
    proj = exported[0]
    table = run(["imgclf", "predict", str(photos / "0_grey.png"), str(photos / "sub"), "--model", MODELS["onnx"]], proj)
    lines = table.stdout.splitlines()
    assert (
        lines[0].split() == ["file", "top-1", "top-2", "top-3"] and len(lines) == 1 + 1 + 2 + 2
    )  # header, grey.png, sub/: two files and a 2-image CIFAR batch
    assert any(str(photos / "sub" / "data_batch_1.bin#1") in line and "%" in line for line in lines)
    page = tmp_path / "predictions.html"
    run(["imgclf", "predict", str(photos), "--model", MODELS["tflite_float32"], "--out", str(page)], proj)
    shown = render(page)
    assert shown.console_errors == [] and shown.requests == [] and "<script" not in page.read_text()
    assert shown.images_loaded == 12 and "Skipped files" in shown.text and "broken.png" in shown.text
    classes = json.loads((proj / "data/dataset.json").read_text())["classes"]
    assert sum(shown.text.count(c) for c in classes) >= 12 * 3


def test_one_line_errors(exported, photos, tmp_path):
    proj = exported[0]

    def fails(*args):
        proc = run(["imgclf", "predict", *args], proj, check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, proc.stderr
        return errors[0]

    onnx = ["--model", MODELS["onnx"]]
    assert "nothing could be predicted" in fails(str(photos / "broken.png"), str(photos / "empty.jpg"), *onnx)
    assert "must end in .csv, .json, .html" in fails(str(photos), "--out", str(tmp_path / "x.txt"))
    assert not (tmp_path / "x.txt").exists()
    (tmp_path / "damaged.onnx").write_bytes(b"not a model")
    assert "damaged.onnx cannot be loaded" in fails(str(photos), "--model", str(tmp_path / "damaged.onnx"))
    (tmp_path / "other.json").write_text(json.dumps({"classes": ["a", "b"], "image_shape": [32, 32, 3]}))
    assert "takes images of shape" in fails(
        str(photos), "--model", MODELS["onnx"], "--dataset", str(tmp_path / "other.json")
    )
    # A model that safe mode refuses (a Lambda layer runs arbitrary code) is one line, not a traceback.
    from imgclf.core.startup import quiet_tensorflow

    quiet_tensorflow()
    import keras

    inp = keras.Input((28, 28, 1))
    out = keras.layers.Dense(10)(keras.layers.Flatten()(keras.layers.Lambda(lambda t: t * 2)(inp)))
    keras.Model(inp, out).save(tmp_path / "lambda.keras")
    error = fails(str(photos), "--model", str(tmp_path / "lambda.keras"))
    assert "lambda.keras cannot be loaded" in error and "Lambda" in error
