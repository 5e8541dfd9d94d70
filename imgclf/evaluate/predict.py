"""Class probabilities of a set of images, with test-time augmentation: what the evaluate stage scores."""

from __future__ import annotations

import numpy as np


def predict(model, x: np.ndarray, batch_size: int, *, tta_flip: bool = False, tta_shift: int = 0) -> np.ndarray:
    """Class probabilities; with `tta_flip`, the mean over each image and its mirror image (+0.2 pp on
    Fashion-MNIST's `default`).

    With `tta_shift` = s, also over copies moved s pixels down-right and up-left (zero-filled, as the training
    crop pads), weighted 1/4 each against 1/2 for the unmoved image: airbench's multi-crop test-time augmentation
    (+0.32 pp native bf16 and +0.36 pp AVX2 over flip alone with CIFAR-10's `default_color`, 3 seeds each; as good as
    any other grid tried: both diagonals, the four axis shifts, 3x3, 2-pixel shifts).
    """
    import tensorflow as tf

    from ..core.hardware import kernel_errors
    from ..train.pipeline import image_batches

    def views(ds):
        probs = model.predict(ds, verbose=0)
        if tta_flip:
            probs = (probs + model.predict(ds.map(lambda b: tf.reverse(b, axis=[2])), verbose=0)) / 2
        return probs

    ds = image_batches(x, batch_size)
    with kernel_errors(model):
        probs = views(ds)
        if tta_shift:
            s = tta_shift
            pad = [[0, 0], [s, s], [s, s], [0, 0]]
            down_right = ds.map(lambda b: tf.pad(b, pad)[:, : -2 * s, : -2 * s])
            up_left = ds.map(lambda b: tf.pad(b, pad)[:, 2 * s :, 2 * s :])
            probs = probs / 2 + (views(down_right) + views(up_left)) / 4
    return probs.astype(np.float32)
