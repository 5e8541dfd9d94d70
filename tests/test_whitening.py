"""The frozen patch-whitening first layer (`whiten`): fitted to the training images, then left alone."""

import numpy as np
import pytest

from imgclf import train
from imgclf.core.errors import UserError
from imgclf.model import build, whitening
from imgclf.params import Architecture, AugmentParams, Block, TrainParams, parse
from imgclf.testing import synthetic

ARCH = Architecture(kind="cnn", whiten=2, blocks=[Block(filters=8, batch_norm=True), Block(filters=16)], head="gmp")


def images(n=300, seed=0):
    """Colour images with strongly correlated neighbouring pixels and channels, as photographs have."""
    x, y = synthetic.patterned_images(n, 32, 3, 10, seed=seed)
    return x, y


def whitened(model, x):
    import keras

    return keras.Model(model.input, model.get_layer("whiten").output).predict(x, verbose=0).reshape(-1, 24)


def test_fitted_layer_decorrelates_the_patches_of_the_images_it_was_fitted_on():
    x, _ = images()
    model = build(ARCH, (32, 32, 3), 10, seed=1)
    raw = np.cov(whitened(model, x)[:, :12].T)
    whitening.fit(model, x)
    out = whitened(model, x)
    cov = np.cov(out[:, :12].T)
    # 2x2x3 = 12 directions, each then negated: 24 outputs with mean 0 and (nearly, eps) identity covariance
    np.testing.assert_allclose(out[:, 12:], -out[:, :12], atol=1e-4)
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-3)
    np.testing.assert_allclose(np.diag(cov), 1, atol=0.05)
    assert np.abs(cov - np.diag(np.diag(cov))).max() < 1e-3 < np.abs(raw - np.diag(np.diag(raw))).max()


def test_flat_images_give_finite_filters():
    model = build(ARCH, (32, 32, 3), 10, seed=1)
    whitening.fit(model, np.full((20, 32, 32, 3), 7, np.uint8))
    assert all(np.isfinite(w).all() for w in model.get_layer("whiten").get_weights())


def test_training_fits_the_layer_first_and_never_changes_it():
    x, y = images()
    model = build(ARCH, (32, 32, 3), 10, seed=1)
    reference = build(ARCH, (32, 32, 3), 10, seed=1)
    whitening.fit(reference, x[:250])
    train.fit(
        model,
        x[:250],
        y[:250],
        x[250:],
        y[250:],
        10,
        TrainParams(epochs=2, batch_size=50),
        AugmentParams(crop_padding=2),
        seed=1,
    )
    for got, want in zip(model.get_layer("whiten").get_weights(), reference.get_layer("whiten").get_weights()):
        np.testing.assert_array_equal(got, want)
    assert not model.get_layer("whiten").trainable_weights


def test_shape_check_counts_the_pixels_the_layer_trims():
    from imgclf.model import check

    blocks = [{"filters": 8}, {"filters": 8}]  # two 2x2 poolings: 4x4 -> 2x2 -> 1x1
    params = {
        "data": {"dataset": "folder", "image_size": [4, 4]},
        "model": {"preset": "custom", "custom": {"kind": "cnn", "blocks": blocks}},
    }
    check(parse(params))  # what the validate stage does
    params["model"]["custom"]["whiten"] = 2  # 4x4 -> 3x3 -> 1x1, and nothing left to pool
    with pytest.raises(UserError, match=r"model.custom.blocks\[1\]: 2x2 pooling of a 1x1 feature map"):
        check(parse(params))


def test_layer_and_its_input_stay_float32_under_a_bfloat16_policy():
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = build(ARCH, (32, 32, 3), 10, seed=1)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    dtypes = {name: model.get_layer(name).compute_dtype for name in ("scale", "whiten", "block1_conv1")}
    assert dtypes == {"scale": "float32", "whiten": "float32", "block1_conv1": "bfloat16"}
