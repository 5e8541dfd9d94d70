"""CIFAR-10 and image folders through the real DVC pipeline, and switching datasets through DVC's run cache."""

import json

import pytest
from browser import render
from conftest import edit_params, run
from support import the_error

from imgclf.testing import synthetic

pytestmark = pytest.mark.slow


def ran(output: str) -> list[str]:
    return [s for s in ("prepare", "build", "train", "evaluate", "report") if f"Running stage '{s}'" in output]


@pytest.mark.extended  # CIFAR-10 preparation: test_datasets.py; the run cache: test_reruns.py
def test_cifar10_then_back_to_fashion_from_the_cache(trained_project):
    project = trained_project
    run(["dvc", "repro"], project)
    fashion = json.loads((project / "metrics/test.json").read_text())
    edit_params(project, **{"data.dataset": "cifar10", "augment.hue": 0.05, "augment.saturation": 0.2})
    out = run(["dvc", "repro"], project).stdout
    assert ran(out) == ["prepare", "build", "train", "evaluate", "report"]
    meta = json.loads((project / "data/dataset.json").read_text())
    assert meta["image_shape"] == [32, 32, 3] and meta["classes"][0] == "airplane"
    assert json.loads((project / "metrics/data.json").read_text())["test_images"] == 200
    edit_params(project, **{"data.dataset": "fashion_mnist", "augment.hue": 0.0, "augment.saturation": 0.0})
    back = run(["dvc", "repro"], project).stdout
    assert ran(back) == [] and "skipping run" in back  # restored from DVC's run cache, not retrained
    assert json.loads((project / "metrics/test.json").read_text()) == fashion


def test_image_folder_the_dvc_way_with_bad_files(project):
    """README's recipe: the folder inside the project tracked with `dvc add`; bad files stop the run before
    anything is deleted, or are skipped and listed; the report shows what went in, file names included."""
    images = project / "data" / "images"
    synthetic.image_folder(images, ["circle", "square", "triangle"], per_class=30, size=20)
    (images / "square" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (images / "circle" / "notes.txt").write_text("not an image")
    edit_params(project, **{"data.dataset": "folder", "data.image_size": [16, 16], "model.preset": "tutorial_cnn"})
    untracked = run(["dvc", "repro"], project, check=False)
    line = the_error(untracked.stderr)
    assert untracked.returncode != 0 and line.startswith("error: data/images has 91 images that neither git nor DVC")
    command = line.split("Track the folder with DVC: ", 1)[1].rsplit(" (see docs/data.md)", 1)[0]
    run(["bash", "-c", command], project)  # the command the line gives, as a user would paste it
    assert (project / "data/images.dvc").exists() and "images" in run(["git", "log", "-1", "--stat"], project).stdout
    run(["git", "commit", "-qam", "folder dataset"], project)

    failed = run(["dvc", "repro"], project, check=False)
    assert failed.returncode != 0
    assert "square/broken.png: not an image" in failed.stderr and "data.bad_files: skip" in failed.stderr
    assert not (project / "data/prepared").exists()  # nothing half-written

    edit_params(project, **{"data.bad_files": "skip"})
    out = run(["dvc", "repro"], project)
    assert "skipped 1" in out.stdout and "ignored 1 non-image files" in out.stdout
    data = json.loads((project / "metrics/data.json").read_text())
    assert data["classes"] == 3 and data["ignored_files"] == 1
    assert any("broken.png" in s for s in data["skipped_files"])
    assert data["train_images"] + data["val_images"] + data["test_images"] == 90
    confusion = json.loads((project / "metrics/confusion.json").read_text())
    assert list(confusion) == ["circle", "square", "triangle"]
    import pandas as pd

    predictions = pd.read_csv(project / "metrics/predictions.csv")
    assert len(predictions) == data["test_images"]
    assert all((images / f).is_file() for f in predictions["file"])  # relative to data.folder: findable on disk
    summary = json.loads((project / "data/summary.json").read_text())
    page = render(project / "reports/index.html")
    assert page.console_errors == [] and "broken.png" in page.text and "notes.txt" in page.text
    counts = summary["counts"]
    for c in summary["classes"]:  # the data section: images per class and split
        assert "\t".join([c, *(str(counts[s][c]) for s in ("train", "val", "test"))]) in page.text
    wrong = predictions[predictions["actual"] != predictions["predicted"]]
    shown = (wrong if len(wrong) else predictions)["file"].iloc[0].rsplit("/", 1)[1]
    assert shown in page.text  # the gallery names its files
    seen_by_git = run(["git", "status", "--porcelain", "--untracked-files=all"], project).stdout
    seen_by_git += run(["git", "ls-files"], project).stdout
    assert "data/images/" not in seen_by_git  # git never gets an image: DVC tracks them

    # The folder is a tracked dependency: a new image reruns from prepare.
    synthetic.image_folder(images, ["triangle"], per_class=31, size=20, seed=5)
    status = run(["dvc", "status", "prepare"], project).stdout
    assert "data/images" in status and "modified" in status
