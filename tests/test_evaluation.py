"""Test-time augmentation: which views `evaluate.predict` averages, on a real Keras model."""

import numpy as np
import pytest

from imgclf import evaluate


@pytest.fixture(scope="module")
def model():
    import keras

    # Flatten-Dense reads every pixel where it is, so any shift or mirror changes its prediction.
    inp = keras.Input((8, 8, 1))
    out = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(keras.layers.Rescaling(1 / 32)(inp)))
    return keras.Model(inp, out)


def test_shift_tta_weighs_the_image_half_and_each_shifted_copy_a_quarter(model):
    x = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 1), dtype=np.uint8)

    def probs(a, flip):
        p = model.predict(a.astype(np.float32), verbose=0)
        return (p + model.predict(a[:, :, ::-1].astype(np.float32), verbose=0)) / 2 if flip else p

    padded = np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)])  # zeros, like the training crop's padding
    down_right, up_left = padded[:, :-4, :-4], padded[:, 4:, 4:]
    assert (down_right[:, 2:, 2:] == x[:, :-2, :-2]).all()  # the content moved 2 pixels down and right
    for flip in (False, True):
        want = probs(x, flip) / 2 + (probs(down_right, flip) + probs(up_left, flip)) / 4
        got = evaluate.predict(model, x, 2, tta_flip=flip, tta_shift=2)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert not np.allclose(got, evaluate.predict(model, x, 2, tta_flip=flip), atol=1e-4)
    with pytest.raises(TypeError):  # keyword-only: a positional dict once silently meant "flip only"
        evaluate.predict(model, x, 2, {"tta_flip": True, "tta_shift": 2})
