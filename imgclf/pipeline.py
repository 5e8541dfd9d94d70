"""tf.data input pipelines: uint8 images stay uint8 until the model scales them (4x less memory than float32)."""

from __future__ import annotations

import math

import numpy as np

from .augment import augment_batch
from .params import AugmentParams


def train_dataset(x: np.ndarray, y: np.ndarray, num_classes: int, batch_size: int, seed: int,
                  aug: AugmentParams):
    """An endless, seeded stream of shuffled, augmented, one-hot batches; fit() with steps_per_epoch."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((np.asarray(x), np.asarray(y, dtype=np.int32)))
    ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).batch(batch_size).repeat()
    if aug.enabled:
        # Batch number k gets seed (seed, k): the same run draws the same augmentations.
        ds = tf.data.Dataset.zip(tf.data.Dataset.counter(), ds)
        ds = ds.map(lambda k, xy: (augment_batch(xy[0], tf.stack([tf.cast(seed, tf.int64), k]), aug), xy[1]),
                    num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.map(lambda xb, yb: (xb, tf.one_hot(yb, num_classes)), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE), math.ceil(len(x) / batch_size)


def eval_dataset(x: np.ndarray, y: np.ndarray, num_classes: int, batch_size: int):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((np.asarray(x), tf.one_hot(np.asarray(y, dtype=np.int32), num_classes)))
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
