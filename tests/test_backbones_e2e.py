"""A backbone through the real pipeline: its "ImageNet" file (made here, served by the synthetic mirror) fetched by
the weights stage and recorded in dvc.lock, fine-tuned on grey 28x28 images resized inside the model, exported to
every format within the parity bars, and `imgclf predict`; then an earlier model as the start of another run."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import yaml
from conftest import edit_params, run

from imgclf.core import paths

pytestmark = pytest.mark.slow
NAME = "mobilenet_v3_small"


@pytest.fixture
def with_imagenet_file(project, mirror):
    """The synthetic mirror also serves a stand-in for the backbone's ImageNet file, under its official name."""
    from test_backbones import legacy_h5

    from imgclf.model import backbones

    file = mirror / "keras-applications" / backbones.BACKBONES[NAME].weights_file
    file.parent.mkdir()
    md5 = legacy_h5(backbones.network(NAME, 32), file)
    sums = json.loads(open(_checksums_path()).read())
    sums[f"keras-applications/{file.name}"] = md5
    with open(_checksums_path(), "w") as f:
        json.dump(sums, f)
    return project, file


def _checksums_path() -> str:
    import os

    return os.environ["IMGCLF_CHECKSUMS"]


def ran(output: str) -> list[str]:
    return [
        s
        for s in ("weights", "prepare", "build", "train", "evaluate", "report", "export")
        if f"Running stage '{s}'" in output
    ]


def test_a_backbone_from_imagenet_through_the_pipeline_export_and_predict(with_imagenet_file, tmp_path):
    project, file = with_imagenet_file
    edit_params(
        project,
        **{
            "model.backbone": NAME,
            "model.input_size": 32,
            "train.epochs": 2,
            "train.frozen_epochs": 1,
            "export.formats": ["savedmodel", "tflite_float32", "onnx", "tflite_int8"],
            "export.calibration_images": 50,
            "export.max_int8_accuracy_drop": 1.0,
            "export.min_int8_shrink": 1.0,
        },
    )
    out = run(["dvc", "repro"], project).stdout
    assert ran(out) == ["weights", "prepare", "build", "train", "evaluate", "report", "export"], out
    assert f"weights: ImageNet weights of {NAME} ({file.name})" in out
    assert (project / paths.PRETRAINED / file.name).read_bytes() == file.read_bytes()
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    recorded = next(o for o in lock["stages"]["weights"]["outs"] if o["path"] == paths.PRETRAINED.as_posix())
    assert recorded["nfiles"] == 2 and any(d["path"] == "models/pretrained" for d in lock["stages"]["train"]["deps"])
    assert "epochs from ImageNet weights" in out and "1 frozen, then lr x 0.01" in out
    # The report draws the backbone as one node with its size.
    graph = json.loads((project / paths.MODEL_GRAPH).read_text())
    node = next(layer for layer in graph if "layers" in layer)
    assert node["name"] == "MobileNetV3Small" and node["bytes"] > 1e6
    assert "backbone, " in (project / paths.REPORT).read_text()
    figures = json.loads((project / paths.EXPORT_METRICS).read_text())
    for name in ("savedmodel", "tflite_float32", "onnx"):
        assert figures[name]["agreement"] >= 0.999, (name, figures[name])
    # imgclf predict with the exported backbone takes a PNG as it is.
    import numpy as np
    from PIL import Image

    Image.fromarray(np.load(project / "data/prepared/test_x.npy")[0, :, :, 0]).save(tmp_path / "shoe.png")
    predicted = run(
        [
            "imgclf",
            "predict",
            str(tmp_path / "shoe.png"),
            "--model",
            "models/export/model.onnx",
            "--out",
            str(tmp_path / "p.json"),
        ],
        project,
    )
    assert "predict: 1 image " in predicted.stdout
    # Nothing changed: nothing reruns; other weights make DVC rerun train (training again is left to test_reruns).
    assert ran(run(["dvc", "repro"], project).stdout) == []
    edit_params(project, **{"model.weights": "none"})
    assert ran(run(["dvc", "repro", "weights"], project).stdout) == ["weights"]
    stale = json.loads(run(["dvc", "status", "--json"], project).stdout)
    changed = {k for entry in stale["train"] if isinstance(entry, dict) for k in entry.get("changed deps", {})}
    assert paths.PRETRAINED.as_posix() in changed, stale


@pytest.mark.extended  # an earlier model's weights under another output layer: test_backbones.py
def test_starting_from_an_earlier_model_with_other_classes(project, tmp_path):
    from imgclf.testing import synthetic
    from imgclf.testing.projects import track

    first = run(["dvc", "repro", "train"], project).stdout  # ten classes, the quick dense network
    assert "train: 2 epochs from random weights" in first, first
    (project / "models" / "start" / "last.keras").parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(project / paths.MODEL, project / "models" / "start" / "last.keras")
    images = project / "data" / "photos"
    synthetic.image_folder(images, ["a", "b", "c"], per_class=20, size=28, formats=("png",))
    track(project, "data/photos")
    edit_params(
        project,
        **{
            "data.dataset": "folder",
            "data.folder": "data/photos",
            "data.image_size": [28, 28],
            "data.color_mode": "grayscale",
            "model.weights": "models/start/last.keras",
        },
    )
    out = run(["dvc", "repro", "train"], project).stdout
    md5 = hashlib.md5((project / "models/start/last.keras").read_bytes()).hexdigest()
    assert f"epochs from models/start/last.keras (md5 {md5[:8]})" in out, out
    info = json.loads((project / paths.PRETRAINED / "source.json").read_text())
    assert info == {"weights": "models/start/last.keras", "backbone": "none", "file": "last.keras", "md5": md5}
    # Another architecture than the earlier model's is one line.
    edit_params(project, **{"model.preset": "tutorial_mlp300"})
    failed = run(["dvc", "repro", "train"], project, check=False)
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert failed.returncode != 0 and len(errors) == 1 and "is not the same network" in errors[0], failed.stderr
    assert "Traceback" not in failed.stderr
