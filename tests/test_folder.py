import numpy as np
import pytest
from support import load_folder

from imgclf.core.errors import UserError
from imgclf.testing import synthetic

CLASSES = ["circle", "square", "triangle"]


@pytest.fixture
def images(tmp_path):
    root = tmp_path / "imgs"
    synthetic.image_folder(root, CLASSES, per_class=8, size=20)
    return root


def test_loads_all_formats_resized_in_sorted_order(images):
    (images / "circle" / "notes.txt").write_text("not an image")
    data = load_folder(images, [16, 12], "rgb", "fail")
    x, y = data.splits["all"]
    assert data.classes == CLASSES
    assert x.shape == (24, 16, 12, 3) and x.dtype == np.uint8
    assert np.bincount(y).tolist() == [8, 8, 8]
    assert data.ignored == 1 and data.problems == []
    again = load_folder(images, [16, 12], "rgb", "fail").splits["all"][0]
    np.testing.assert_array_equal(x, again)


def test_grayscale(images):
    x, _ = load_folder(images, [10, 10], "grayscale", "fail").splits["all"]
    assert x.shape == (24, 10, 10, 1)


def test_corrupt_images_fail_by_path_or_are_skipped(images):
    bad = images / "square" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    (images / "triangle" / "cut.jpg").write_bytes((images / "triangle" / "triangle_00001.jpg").read_bytes()[:30])
    with pytest.raises(UserError) as exc:
        load_folder(images, [16, 16], "rgb", "fail")
    message = str(exc.value)
    assert str(bad) in message and "cut.jpg" in message and "data.bad_files: skip" in message
    data = load_folder(images, [16, 16], "rgb", "skip")
    assert len(data.splits["all"][1]) == 24 and len(data.problems) == 2


def test_empty_class(images):
    (images / "hexagon").mkdir()
    with pytest.raises(UserError, match="class 'hexagon' has no readable images"):
        load_folder(images, [16, 16], "rgb", "fail")
    data = load_folder(images, [16, 16], "rgb", "skip")
    assert data.classes == CLASSES and any("hexagon" in p for p in data.problems)


def test_train_test_layout_and_class_empty_in_test(tmp_path):
    root = tmp_path / "split"
    synthetic.image_folder(root / "train", CLASSES, per_class=6, size=16)
    synthetic.image_folder(root / "test", CLASSES[:2], per_class=3, size=16, seed=1)
    (root / "test" / "triangle").mkdir()
    with pytest.raises(UserError, match="class 'triangle' has no readable images"):
        load_folder(root, [16, 16], "rgb", "fail")
    data = load_folder(root, [16, 16], "rgb", "skip")
    assert data.classes == CLASSES[:2]
    assert set(np.unique(data.splits["test"][1])) == {0, 1}
    synthetic.image_folder(root / "test", ["triangle"], per_class=3, size=16, seed=2)
    data = load_folder(root, [16, 16], "rgb", "fail")
    assert len(data.splits["train"][1]) == 18 and len(data.splits["test"][1]) == 9


def test_not_a_folder_or_single_class(tmp_path):
    with pytest.raises(UserError, match="not a folder"):
        load_folder(tmp_path / "missing", [8, 8], "rgb", "fail")
    synthetic.image_folder(tmp_path / "one", ["only"], per_class=2, size=8)
    with pytest.raises(UserError, match="at least two class"):
        load_folder(tmp_path / "one", [8, 8], "rgb", "fail")
