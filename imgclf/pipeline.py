"""tf.data input pipelines: uint8 images stay uint8 until the model scales them (8x less memory than the
tutorials' float64 arrays), and batches are gathered by shuffled index, so per-image work is one gather."""

from __future__ import annotations

import math

import numpy as np

from .augment import augment_batch
from .params import AugmentParams


def _gathered(x: np.ndarray, y: np.ndarray, num_classes: int, indices):
    """Map a dataset of index batches to (uint8 images, one-hot labels) batches."""
    import tensorflow as tf

    images = tf.constant(np.asarray(x))
    labels = tf.one_hot(tf.constant(np.asarray(y, dtype=np.int32)), num_classes)
    return indices.map(lambda i: (tf.gather(images, i), tf.gather(labels, i)), num_parallel_calls=tf.data.AUTOTUNE,
                       deterministic=True)


def train_dataset(x: np.ndarray, y: np.ndarray, num_classes: int, batch_size: int, seed: int,
                  aug: AugmentParams):
    """An endless, seeded stream of shuffled, augmented, one-hot batches; fit() with steps_per_epoch."""
    import tensorflow as tf

    order = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = _gathered(x, y, num_classes, order.batch(batch_size).repeat())
    if aug.enabled:
        # Batch number k gets seed (seed, k): the same run draws the same augmentations.
        ds = tf.data.Dataset.zip(tf.data.Dataset.counter(), ds)
        ds = ds.map(lambda k, xy: (augment_batch(xy[0], tf.stack([tf.cast(seed, tf.int64), k]), aug), xy[1]),
                    num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE), math.ceil(len(x) / batch_size)


def eval_dataset(x: np.ndarray, y: np.ndarray, num_classes: int, batch_size: int):
    import tensorflow as tf

    return _gathered(x, y, num_classes, tf.data.Dataset.range(len(x)).batch(batch_size)).prefetch(tf.data.AUTOTUNE)


def image_batches(x: np.ndarray, batch_size: int):
    """Images only, in order, for prediction."""
    import tensorflow as tf

    images = tf.constant(np.asarray(x))
    return (tf.data.Dataset.range(len(x)).batch(batch_size)
            .map(lambda i: tf.gather(images, i), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            .prefetch(tf.data.AUTOTUNE))
