import numpy as np
import pytest

from imgclf import train
from imgclf.core.errors import UserError
from imgclf.model import build
from imgclf.model.presets import PRESETS
from imgclf.params import AugmentParams, TrainParams
from imgclf.testing import synthetic


def data():
    x, y = synthetic.patterned_images(400, 28, 1, 10, seed=0)
    return x[:300], y[:300], x[300:], y[300:]


def test_learns_synthetic_patterns_and_records_history():
    x, y, xv, yv = data()
    model = build(PRESETS["tutorial_dense128"], (28, 28, 1), 10, seed=1)
    result = train.fit(
        model,
        x,
        y,
        xv,
        yv,
        10,
        TrainParams(epochs=3, batch_size=32, learning_rate=0.003, optimizer="adam"),
        AugmentParams(flip=True),
        seed=1,
    )
    assert [r["epoch"] for r in result.history] == [1, 2, 3]
    assert result.history[-1]["val_accuracy"] > 0.5  # chance is 0.1
    assert result.images_per_second > 0 and not result.stopped_early
    # plain cross-entropy beside the label-smoothed objective (default smoothing 0.1): like with like for the test loss
    last = result.history[-1]
    assert last["val_cross_entropy"] < last["val_loss"] and last["cross_entropy"] > 0


def test_same_seed_same_weights():
    x, y, xv, yv = data()
    outs = []
    for _ in range(2):
        model = build(PRESETS["tutorial_dense128"], (28, 28, 1), 10, seed=3)
        train.fit(
            model,
            x,
            y,
            xv,
            yv,
            10,
            TrainParams(epochs=1, batch_size=32, learning_rate=0.003, optimizer="adam"),
            AugmentParams(crop_padding=2),
            3,
        )
        outs.append(model.predict(xv, verbose=0))
    np.testing.assert_array_equal(outs[0], outs[1])


def test_nan_loss_is_a_clear_error():
    x, y, xv, yv = data()
    model = build(PRESETS["tutorial_dense128"], (28, 28, 1), 10, seed=1)
    with pytest.raises(UserError, match="lower train.learning_rate"):
        train.fit(
            model,
            x,
            y,
            xv,
            yv,
            10,
            TrainParams(epochs=2, batch_size=32, learning_rate=1e12, schedule="constant", optimizer="sgd"),
            AugmentParams(),
            seed=1,
        )
