"""Folders as people really have them: labels CSVs in their many layouts, label hygiene, duplicates, every format
Pillow reads, aspect ratios, nested zips and files that are not files; on folders the tests make."""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np
import pytest
from PIL import Image
from support import load_folder

from imgclf import data
from imgclf.core.errors import UserError
from imgclf.data import survey
from imgclf.params import DataParams
from imgclf.testing import synthetic


def photos(root, classes=("cat", "dog"), per_class=6, size=16, formats=("png",), seed=0):
    return synthetic.image_folder(root, list(classes), per_class=per_class, size=size, seed=seed, formats=formats)


def flat(tmp_path, per_class=6):
    """Images in one folder, and the label each should have, for the CSV layouts."""
    made = photos(tmp_path / "src", per_class=per_class)
    root = tmp_path / "flat"
    root.mkdir()
    labels = {}
    for i, path in enumerate(made, 1):
        shutil.copy(path, root / f"{i}.png")
        labels[f"{i}.png"] = path.parent.name
    return root, labels


def params(root, **more) -> DataParams:
    return DataParams.model_construct(dataset="folder", folder=str(root), image_size=[12, 12], **more)


def test_a_csv_without_a_header_loses_no_row(tmp_path):
    root, labels = flat(tmp_path)
    (root / "labels.csv").write_text("".join(f"{name},{label}\n" for name, label in labels.items()))
    loaded = load_folder(root, [12, 12], "rgb", "fail", labels_csv="labels.csv")
    assert loaded.classes == ["cat", "dog"] and len(loaded.splits["all"][1]) == len(labels) == 12
    assert loaded.files["all"][0] == "1.png"  # the first row is an image, not a header
    declared = load_folder(root, [12, 12], "rgb", "fail", labels_csv="labels.csv", labels_header="yes")
    assert len(declared.splits["all"][1]) == 11  # told there is a header, the first row is one


def test_a_kaggle_csv_beside_train(tmp_path):
    """trainLabels.csv (id,label, ids without extension) beside train/ and an unlabelled test/."""
    root, labels = flat(tmp_path)
    kaggle = tmp_path / "kaggle"
    shutil.move(root, kaggle / "train")
    photos(kaggle / "test" / "x", per_class=2)  # Kaggle's unlabelled test images
    (kaggle / "trainLabels.csv").write_text("id,label\n" + "".join(f"{n[:-4]},{c}\n" for n, c in labels.items()))
    loaded = load_folder(kaggle, [12, 12], "rgb", "fail", labels_csv="trainLabels.csv")
    assert np.bincount(loaded.splits["all"][1]).tolist() == [6, 6]
    assert loaded.files["all"][0] == "train/1.png" and loaded.ignored == 4


def test_a_csv_whose_file_column_is_not_first_and_paths_relative_to_another_folder(tmp_path):
    """facial_expressions' legend.csv: user.id,image,emotion; the images in images/."""
    root, labels = flat(tmp_path)
    shutil.move(root, tmp_path / "data" / "images")
    rows = "".join(
        f"u{i},{name},{label.upper() if i % 2 else label.upper()}\n" for i, (name, label) in enumerate(labels.items())
    )
    (tmp_path / "data" / "legend.csv").write_text("user.id,image,emotion\n" + rows)
    loaded = load_folder(tmp_path / "data", [12, 12], "rgb", "fail", labels_csv="legend.csv")
    assert loaded.classes == ["CAT", "DOG"] and len(loaded.splits["all"][1]) == 12


def test_rows_naming_missing_files_are_named_with_the_folders_searched(tmp_path, capsys):
    from support import one_line

    root, labels = flat(tmp_path)
    rows = "".join(f"{n},{c}\n" for n, c in labels.items()) + "gone1.png,cat\ngone2.png,dog\n"
    (root / "labels.csv").write_text("file,label\n" + rows)
    line = one_line(
        capsys,
        load_folder,
        root,
        [12, 12],
        "rgb",
        "fail",
        labels_csv="labels.csv",
        match=r"2 problem\(s\) in .*gone1.png: listed in labels.csv but not found \(line 14\)",
    )
    assert "gone2.png" in line and f"looked for under {root}" in line
    skipped = load_folder(root, [12, 12], "rgb", "skip", labels_csv="labels.csv")
    assert len(skipped.splits["all"][1]) == 12 and len(skipped.problems) == 2


def test_no_row_is_dropped_without_being_listed(tmp_path):
    root, labels = flat(tmp_path)
    rows = "".join(f"{n},{c}\n" for n, c in labels.items())
    (root / "labels.csv").write_text("file,label\n" + rows + "1.png,cat\n12.png,\n")
    s = survey(params(root, labels_csv="labels.csv"), 0)
    assert s.dropped_rows == ["line 15: no label for '12.png'"]
    assert len(s.roles["all"][0]) == 12  # 1.png listed twice with the same label is one image


def test_labels_that_differ_only_in_case_or_spaces(tmp_path):
    root, labels = flat(tmp_path)
    rows = "".join(f"{n},{c.upper() if i % 3 == 0 else c}\n" for i, (n, c) in enumerate(labels.items()))
    (root / "labels.csv").write_text("file,label\n" + rows)
    with pytest.raises(
        UserError,
        match=r"labels that differ only in case or spaces: 'CAT' and 'cat'; 'DOG' and "
        r"'dog'.*data.label_variants: merge",
    ):
        survey(params(root, labels_csv="labels.csv"), 0)
    merged = survey(params(root, labels_csv="labels.csv", label_variants="merge"), 0)
    assert merged.classes == ["cat", "dog"] and np.bincount(merged.roles["all"][1]).tolist() == [6, 6]
    (root / "labels.csv").write_text(
        "file,label\n" + "".join(f"{n},{c} \n" if n == "1.png" else f"{n},{c}\n" for n, c in labels.items())
    )
    with pytest.raises(UserError, match=r"'cat' and 'cat '"):
        survey(params(root, labels_csv="labels.csv"), 0)


def test_a_file_given_two_labels_is_named(tmp_path):
    root, labels = flat(tmp_path)
    (root / "labels.csv").write_text("file,label\n" + "".join(f"{n},{c}\n" for n, c in labels.items()) + "3.png,dog\n")
    with pytest.raises(UserError, match=r"3.png has two labels in .*labels.csv: 'cat' and 'dog'"):
        survey(params(root, labels_csv="labels.csv"), 0)


def test_duplicates_across_splits_within_a_class_and_across_classes(tmp_path):
    root = tmp_path / "imgs"
    for seed, split in enumerate(("train", "val", "test")):  # all three: no hold-out to move copies between splits
        photos(root / split, per_class=6, seed=seed)
    shutil.copy(root / "train/cat/cat_00000.png", root / "test/cat/leak.png")  # trained on and tested on
    shutil.copy(root / "train/dog/dog_00001.png", root / "train/dog/again.png")  # twice in a class
    shutil.copy(root / "train/cat/cat_00002.png", root / "train/dog/which.png")  # in two classes
    p = params(root, val_split=0.25)
    s = data.with_splits(survey(p, 0), p, 0)
    found = {
        kind: [sorted(os.path.basename(f) for f in g["files"]) for g in groups] for kind, groups in s.duplicates.items()
    }
    assert ["cat_00000.png", "leak.png"] in found["across_splits"]
    assert found["within_class"] == [["again.png", "dog_00001.png"]]
    assert found["across_classes"] == [["cat_00002.png", "which.png"]]
    with pytest.raises(UserError, match=r"image\(s\) in more than one split .* data.duplicates"):
        strict = params(root, duplicates="fail", val_split=0.25)
        data.with_splits(survey(strict, 0), strict, 0)
    prep = data.prepare(params(root, duplicates="drop", val_split=0.25), 0)
    assert "leak.png" not in " ".join(prep.files["test"]) and prep.notes["duplicates_dropped"] == 3
    assert prep.summary["duplicate_counts"] == {"across_splits": 1, "within_class": 1, "across_classes": 1}


@pytest.mark.parametrize("fmt", ["webp", "tiff"])
def test_every_format_pillow_reads(tmp_path, fmt):
    root = tmp_path / "imgs"
    photos(root, formats=(fmt,))
    assert data.is_image(root / "cat" / f"cat_00000.{fmt}")
    loaded = load_folder(root, [12, 12], "rgb", "fail")
    assert len(loaded.splits["all"][1]) == 12 and loaded.ignored == 0


def test_prepare_and_predict_give_the_same_reasons(tmp_path):
    from imgclf.serve import inputs

    root = tmp_path / "imgs"
    photos(root)
    (root / "cat" / "empty.png").write_bytes(b"")
    good = (root / "dog" / "dog_00000.png").read_bytes()
    (root / "dog" / "cut.png").write_bytes(good[: len(good) // 2])
    s = survey(params(root, bad_files="skip"), 0)
    prepared = sorted(p.split(": ", 1)[1] for p in s.problems)
    sources, problems, _ = inputs.find([root / "cat" / "empty.png", root / "dog" / "cut.png"])
    list(inputs.images(sources, (12, 12), "RGB", problems))
    predicted = sorted(p.split(": ", 1)[1] for p in problems)
    assert prepared == predicted and prepared[0] == "empty file" and prepared[1].startswith("truncated image")


@pytest.mark.parametrize("how, expected", [("squash", (12, 24)), ("pad", (12, 24)), ("crop", (12, 24))])
def test_aspect_ratio_modes(how, expected):
    wide = np.zeros((10, 40, 3), np.uint8)
    wide[:, :20] = 255  # left half white
    out = data.conform(wide, expected, "RGB", how)
    assert out.shape == (*expected, 3)
    if how == "pad":  # 40x10 into 24x12: scaled to 24x6, black bars above and below
        assert out[0].max() == 0 and out[-1].max() == 0 and out[6, 2].min() > 200
    if how == "crop":  # scaled to 48x12, its centre 24 columns: white left, black right
        assert out[6, 2].min() > 200 and out[6, -3].max() < 50
    if how == "squash":
        assert out[:, :10].min() > 200 and out[:, -10:].max() < 50


def test_a_zip_extracted_one_level_deep_gets_a_hint(tmp_path):
    root = tmp_path / "download"
    photos(root / "clothing" / "train")
    photos(root / "clothing" / "test", seed=1)
    (root / "__MACOSX" / "clothing").mkdir(parents=True)
    with pytest.raises(UserError, match=r"holds one folder, clothing/, which holds 2 folders; set data.folder to "):
        survey(params(root), 0)


def test_a_fifo_named_like_an_image_is_refused_and_never_opened(tmp_path):
    """Even with data.bad_files: skip: DVC would block on it when it hashes the folder (tests/test_hostile_inputs.py
    runs that under dvc repro)."""
    root = tmp_path / "imgs"
    photos(root)
    os.mkfifo(root / "cat" / "stuck.png")
    start = time.monotonic()
    for bad_files in ("fail", "skip"):
        with pytest.raises(UserError, match=r"stuck.png: not a regular file \(a FIFO\), which DVC would block on"):
            survey(params(root, bad_files=bad_files), 0)
    assert time.monotonic() - start < 20


def test_what_the_survey_saw_is_summarised(tmp_path):
    root = tmp_path / "imgs"
    photos(root, per_class=10, size=20)
    Image.new("RGB", (60, 30)).save(root / "cat" / "wide.png")
    Image.new("L", (20, 20)).save(root / "dog" / "grey.png")
    prep = data.prepare(params(root, val_split=0.1), 0)
    summary = prep.summary
    assert summary["sizes"]["width"] == {"min": 20, "median": 20, "max": 60}
    assert summary["modes"] == {"RGB": 21, "L": 1}
    assert summary["counts"]["test"] == {"cat": 2, "dog": 2} and sum(summary["counts"]["train"].values()) == 16
    assert "held out (data.test_split, stratified, seeded)" in summary["sources"]["test"]
    assert prep.files["test"][0].startswith(("cat/", "dog/"))
    line = data.summary.line(summary)
    assert "sizes 20x20 to 60x30" in line and "modes RGB 21, L 1" in line
    json.dumps(summary)  # it is written as JSON


def test_the_training_samples_show_every_class():
    from imgclf.core.startup import quiet_tensorflow

    quiet_tensorflow()
    from imgclf import train
    from imgclf.params import AugmentParams

    y = np.repeat(np.arange(5), 40)  # sorted by class, as a folder's are
    pick = train.samples(y, 16, 0)
    assert len(pick) == 16 and set(y[pick]) == set(range(5))
    x = synthetic.patterned_images(200, 12, 3, 5, 0)[0]
    images, labels = train.first_batch(x, y, pick, 5, 0, AugmentParams(mixup=0.4, flip=True))
    assert images.shape == (16, 12, 12, 3) and labels.shape == (16, 5)
