"""`imgclf predict` says when an image is unlike the training images (brightness, background, colour) instead of
answering a stranger with quiet confidence."""

import csv

import numpy as np
import pytest
from conftest import run
from PIL import Image

from imgclf.data import familiar


def fashion_like(n: int, seed: int = 0) -> np.ndarray:
    """Light objects on a black background, like Fashion-MNIST."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28, 1), np.uint8)
    for i in range(n):
        top, left = rng.integers(3, 8, 2)
        x[i, top : top + 18, left : left + 16] = rng.integers(120, 255)
    return x


def test_an_inverted_image_on_white_is_flagged_and_a_training_like_one_is_not():
    ranges = familiar.training_range([fashion_like(400)], seed=0)
    assert ranges["background"][1] < 0.05 and ranges["colour"] == [0.0, 0.0]
    same = fashion_like(1, seed=9)[0]
    assert familiar.unlike(same, ranges) == ""
    inverted = 255 - same  # a product photo: dark object on white
    note = familiar.unlike(inverted, ranges)
    assert note.startswith("unlike the training images (") and "background 1.00 lighter than training's" in note
    assert familiar.unlike(inverted, None) == ""  # a model from before the ranges were kept: no hint


def test_ranges_do_not_depend_on_how_the_images_are_split():
    x = fashion_like(300)
    assert familiar.training_range([x], 1) == familiar.training_range([x[:100], x[100:]], 1)


@pytest.mark.slow
def test_predict_notes_strangers_on_the_terminal_and_in_the_csv(exported, tmp_path):
    proj, env, _ = exported
    import json

    meta = json.loads((proj / "data/dataset.json").read_text())
    assert set(meta["image_stats"]) == {"brightness", "background", "colour"}
    test = np.load(proj / "data/prepared/test_x.npy")
    Image.fromarray(test[0][..., 0]).save(tmp_path / "usual.png")
    Image.fromarray(np.full((28, 28), 255, np.uint8)).save(tmp_path / "white.png")
    out = run(["imgclf", "predict", str(tmp_path / "usual.png"), str(tmp_path / "white.png")], proj, env=env)
    rows = {line.split()[0].rsplit("/", 1)[-1]: line for line in out.stdout.splitlines()[1:]}
    assert "unlike the training images" not in rows["usual.png"]
    assert "(unlike the training images (brightness 1.00 lighter" in rows["white.png"]
    assert "note: 1 image unlike the training images" in out.stderr
    run(["imgclf", "predict", str(tmp_path), "--out", str(tmp_path / "p.csv")], proj, env=env)
    with open(tmp_path / "p.csv") as f:
        notes = {r["file"].rsplit("/", 1)[-1]: r["note"] for r in csv.DictReader(f)}
    assert notes["usual.png"] == "" and notes["white.png"].startswith("unlike the training images")
