"""Backbones and fine-tuning on real Keras models: raw uint8 images in (grey ones too), safe-mode loading, each
source of starting weights (ImageNet's plumbing through a local server, a user's file, an earlier model with
other classes), the frozen phase leaving the network alone, and the small-dataset recipe's Keras layers."""

from __future__ import annotations

import hashlib
import json
import sys

import numpy as np
import pytest
from conftest import CLOSED
from support import Server, one_line

from imgclf.core.errors import UserError
from imgclf.core.startup import quiet_tensorflow
from imgclf.params import AugmentParams, ModelParams, TrainParams
from imgclf.testing import synthetic

quiet_tensorflow()

import keras  # noqa: E402

from imgclf import train  # noqa: E402
from imgclf.model import backbones, fetch, pretrained  # noqa: E402

NAME = "mobilenet_v3_small"  # the smallest: what a 2-core CPU trains


def legacy_h5(net, path) -> str:
    """The network's weights in the format Keras publishes its applications' files in (legacy HDF5, by layer)."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, net)
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_backbone_takes_raw_grey_images_and_loads_in_safe_mode(tmp_path):
    net = backbones.build(NAME, (40, 40, 1), 3, input_size=48, seed=1)
    names = [layer.name for layer in net.layers]
    assert names == ["image", "to_float", "grey_to_rgb", "resize", "MobileNetV3Small", "probabilities"]
    x = np.random.default_rng(0).integers(0, 256, (4, 40, 40, 1), dtype=np.uint8)
    probs = net.predict(x, verbose=0)
    assert probs.shape == (4, 3) and np.allclose(probs.sum(1), 1, atol=1e-5)
    net.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras", safe_mode=True, compile=False)
    np.testing.assert_allclose(again.predict(x, verbose=0), probs, atol=1e-6)
    assert backbones.inner(again).name == "MobileNetV3Small"
    # The application's own preprocessing is inside: raw 0-255 pixels in, [-1, 1] where the network starts.
    base = backbones.inner(net)
    scaled = keras.Model(base.inputs, base.get_layer("rescaling").output)
    assert scaled.predict(np.full((1, 48, 48, 3), 255.0, np.float32), verbose=0).max() == pytest.approx(1.0)


def test_backbones_are_grouped_into_blocks():
    groups = backbones.blocks(backbones.network(NAME, 32))
    assert len(groups) == 12 and groups[1][0].name.startswith("expanded_conv_")
    assert groups[-1][-1].name == "avg_pool"  # what follows the last block goes with it


@pytest.fixture
def imagenet_file(tmp_path):
    """A stand-in for the official ImageNet file (random weights saved in its format), with its checksum."""
    net = backbones.network(NAME, 32)
    path = tmp_path / "made" / backbones.BACKBONES[NAME].weights_file
    path.parent.mkdir()
    return net, path, legacy_h5(net, path)


def test_imagenet_weights_come_through_the_chain_verified(tmp_path, imagenet_file, monkeypatch, capsys):
    net, made, md5 = imagenet_file
    mirror = tmp_path / "mirror" / fetch.KERAS_APPLICATIONS
    mirror.mkdir(parents=True)
    (mirror / made.name).write_bytes(made.read_bytes())
    server = Server(tmp_path / "mirror")
    try:
        (tmp_path / "sums.json").write_text(json.dumps({f"keras-applications/{made.name}": md5}))
        monkeypatch.setenv("IMGCLF_CHECKSUMS", str(tmp_path / "sums.json"))
        monkeypatch.setenv("IMGCLF_MIRROR", server.url)
        got = fetch.imagenet_file(NAME, tmp_path / "dl")
        assert got == tmp_path / "dl" / "keras-applications" / made.name and got.read_bytes() == made.read_bytes()
        assert server.hits == [f"/keras-applications/{made.name}"]
        assert fetch.imagenet_file(NAME, tmp_path / "dl") == got and len(server.hits) == 1  # the cache
        # Started from it, the backbone has exactly its weights.
        model = backbones.build(NAME, (32, 32, 3), 4)
        pretrained.load_into(model, {"weights": "imagenet", "backbone": NAME}, got)
        for a, b in zip(backbones.inner(model).get_weights(), net.get_weights()):
            np.testing.assert_array_equal(a, b)
        # A file that does not match its checksum is deleted and reported, then fetched again.
        got.write_bytes(b"damaged" + got.read_bytes()[7:])
        fetch.imagenet_file(NAME, tmp_path / "dl")
        assert "does not match its checksum: deleted, fetching it again" in capsys.readouterr().err
        (mirror / made.name).write_bytes(b"not the file")
        got.unlink()
        one_line(capsys, fetch.imagenet_file, NAME, tmp_path / "dl", match="does not match its official checksum")
        assert not got.exists()
    finally:
        server.close()


def test_offline_without_a_mirror_names_the_file_its_url_and_where_to_put_it(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("IMGCLF_MIRROR", raising=False)
    monkeypatch.setattr(backbones.Backbone, "url", property(lambda b: CLOSED + b.weights_file))
    line = one_line(capsys, fetch.imagenet_file, NAME, tmp_path / "dl", match="cannot get keras-applications/")
    file = backbones.BACKBONES[NAME].weights_file
    assert f"Download {CLOSED}{file}" in line and f"put it at {tmp_path / 'dl' / 'keras-applications' / file}" in line


def test_a_users_weights_file_and_the_weights_stage_folder(tmp_path, monkeypatch, imagenet_file):
    net, made, _ = imagenet_file
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "start").mkdir(parents=True)
    (tmp_path / "models/start/mine.h5").write_bytes(made.read_bytes())
    m = ModelParams(backbone=NAME, weights="models/start/mine.h5")
    info = fetch.prepare(m, tmp_path / "out")
    assert info == {
        "weights": "models/start/mine.h5",
        "backbone": NAME,
        "file": "mine.h5",
        "md5": hashlib.md5(made.read_bytes()).hexdigest(),
    }
    read, file = pretrained.read(tmp_path / "out")
    assert read == info and file.read_bytes() == made.read_bytes()
    model = backbones.build(NAME, (32, 32, 3), 2)
    pretrained.load_into(model, read, file)
    np.testing.assert_array_equal(backbones.inner(model).get_weights()[0], net.get_weights()[0])
    assert fetch.prepare(ModelParams(weights="imagenet"), tmp_path / "none") == {
        "weights": "none",
        "backbone": "none",
    }
    with pytest.raises(UserError, match="models/start/gone.h5 is missing"):
        fetch.prepare(ModelParams(backbone=NAME, weights="models/start/gone.h5"), tmp_path / "x")
    other = backbones.build("efficientnet_v2_b0", (32, 32, 3), 2)
    with pytest.raises(UserError, match="does not fit model.backbone efficientnet_v2_b0"):
        pretrained.load_into(other, {"weights": "models/start/mine.h5", "backbone": "efficientnet_v2_b0"}, file)


def test_an_earlier_model_with_other_classes_is_started_from_but_its_output_layer(tmp_path):
    from imgclf.model import PRESETS, build

    earlier = build(PRESETS["default_color"], (32, 32, 3), 10, seed=1)
    earlier.save(tmp_path / "last.keras")
    model = build(PRESETS["default_color"], (32, 32, 3), 5, seed=2)
    pretrained.load_into(model, {"weights": "models/start/last.keras", "backbone": "none"}, tmp_path / "last.keras")
    for layer in model.layers:
        if layer.name != "probabilities" and layer.weights:
            for a, b in zip(layer.get_weights(), earlier.get_layer(layer.name).get_weights()):
                np.testing.assert_array_equal(a, b)
    assert model.get_layer("probabilities").output.shape[-1] == 5
    other = build(PRESETS["tutorial_cnn"], (32, 32, 3), 5)
    with pytest.raises(UserError, match=r"is not the same network: layer 'block1_conv1'"):
        pretrained.take_weights(other, earlier, "models/start/last.keras")


def data(n=96, size=32, seed=0):
    x, y = synthetic.patterned_images(n, size, 3, 4, seed)
    return x, y


def test_the_frozen_phase_trains_the_head_alone_then_fine_tuning_the_last_blocks(capsys):
    x, y = data()
    xv, yv = data(32, seed=1)
    for frozen_augment in (False, True):
        model = backbones.build(NAME, (32, 32, 3), 4, seed=3)
        base = backbones.inner(model)
        start = [w.copy() for w in base.get_weights()]
        head = [w.copy() for w in model.get_layer("probabilities").get_weights()]
        params = TrainParams(
            epochs=2,
            frozen_epochs=2,
            batch_size=32,
            optimizer="adam",
            learning_rate=0.01,
            frozen_augment=frozen_augment,
        )
        train.fit(model, x, y, xv, yv, 4, params, AugmentParams(flip=True), 1, pretrained=True)
        for a, b in zip(base.get_weights(), start):  # batch norm's moving statistics too: inference mode
            np.testing.assert_array_equal(a, b)
        assert not np.array_equal(model.get_layer("probabilities").get_weights()[0], head[0])
    # Then fine-tuning the last block: its convolutions move, every earlier block and every batch norm stays.
    model = backbones.build(NAME, (32, 32, 3), 4, seed=3)
    base = backbones.inner(model)
    start = {w.path: w.numpy().copy() for w in base.weights}
    train.fit(
        model,
        x,
        y,
        xv,
        yv,
        4,
        TrainParams(epochs=2, frozen_epochs=1, unfreeze_blocks=1, batch_size=32, optimizer="adam", learning_rate=0.01),
        AugmentParams(flip=False),
        1,
        pretrained=True,
    )
    last = {w.path for layer in backbones.blocks(base)[-1] for w in layer.weights}
    moved = {w.path for w in base.weights if not np.array_equal(w.numpy(), start[w.path])}
    assert moved and moved <= last
    assert not any("bn" in path or "batch_norm" in path for path in moved), moved


RECIPE = AugmentParams(flip=True, resized_crop=0.3, randaugment=2, erasing=0.5, mixup=0.4, cutmix=1.0)


def batches(aug, first_epoch=0, count=6):
    x, y = data(100, 24)
    ds, steps = train.train_dataset(x, y, 4, 25, 7, aug, first_epoch=first_epoch)
    return [(a.numpy(), b.numpy()) for a, b in ds.take(count)], steps


def test_the_recipe_layers_are_seeded_per_batch_and_resume_where_a_run_was():
    first, steps = batches(RECIPE, count=3 * 4)
    again, _ = batches(RECIPE, count=3 * 4)
    for (a, la), (b, lb) in zip(first, again):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(la, lb)
    resumed, _ = batches(RECIPE, first_epoch=2, count=4)
    for i, (a, la) in enumerate(resumed):  # epoch 2 of a resumed run is epoch 2 of the uninterrupted one
        np.testing.assert_array_equal(a, first[2 * steps + i][0])
        np.testing.assert_allclose(la, first[2 * steps + i][1])
    images, labels = first[0]
    assert images.dtype == np.uint8 and images.shape == (25, 24, 24, 3)
    assert np.allclose(labels.sum(1), 1, atol=1e-5) and (labels.max(1) < 1).any()  # mixed: soft labels
    plain, _ = batches(AugmentParams(flip=False), count=1)
    assert not np.array_equal(images, plain[0][0])


@pytest.mark.parametrize("switch", ["resized_crop", "randaugment", "erasing", "mixup", "cutmix"])
def test_each_recipe_switch_changes_the_batches(switch):
    value = {"resized_crop": 0.3, "randaugment": 2, "erasing": 1.0, "mixup": 0.4, "cutmix": 1.0}[switch]
    changed, _ = batches(AugmentParams(flip=False, **{switch: value}), count=1)
    plain, _ = batches(AugmentParams(flip=False), count=1)
    assert not np.array_equal(changed[0][0], plain[0][0])
    mixed = not np.allclose(changed[0][1], plain[0][1])
    assert mixed == (switch in ("mixup", "cutmix"))


def test_grey_images_go_through_randaugment():
    x, y = synthetic.patterned_images(50, 24, 1, 2, 0)
    ds, _ = train.train_dataset(x, y, 2, 25, 1, AugmentParams(flip=False, randaugment=2))
    images, _ = next(iter(ds))
    assert images.shape == (25, 24, 24, 1)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
