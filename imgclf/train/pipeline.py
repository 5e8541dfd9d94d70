"""tf.data input pipelines: uint8 images stay uint8 until the model scales them (8x less memory than the
tutorials' float64 arrays), and batches are gathered by shuffled index, so per-image work is one gather (against
the tutorials' float64 arrays into model.fit: 1.25x the speed for Flatten-128, 1.04x for the tutorial CNN on
Fashion-MNIST, 1.23x on CIFAR-10, at 0.32-0.55x the peak memory; `bench --only speed`).

Images come either from memory (one tf.gather a batch, the fastest) or, for a prepared split larger than
IN_MEMORY_BYTES, from its file (core.arrays.ImageFile: each batch read from disk as it is needed, so memory does not
grow with the dataset; bench --only stream measures both). Both give the same batches in the same order, so a
run's metrics do not depend on where the images were."""

from __future__ import annotations

import math

import numpy as np

from ..core.arrays import ImageFile
from ..core.resources import available_memory
from ..params import AugmentParams
from .augment import KerasRecipe, augment_batch, uses_keras_layers

# A prepared split up to this size (and a quarter of the available memory) is read into memory once: Fashion-MNIST
# (42 MB) and CIFAR-10 (135 MB) train as fast as ever, and a stage holds at most two such splits.
IN_MEMORY_BYTES = 256 << 20


def _reader(x: np.ndarray | ImageFile):
    """A function from a batch of indices to its uint8 images."""
    import tensorflow as tf

    if not isinstance(x, ImageFile) or x.nbytes <= min(IN_MEMORY_BYTES, available_memory() // 4):
        images = tf.constant(np.asarray(x))
        return lambda i: tf.gather(images, i)

    def read(i):
        batch = tf.numpy_function(x.read, [i], tf.uint8, stateful=False)
        batch.set_shape([None, *x.item_shape])
        return batch

    return read


def _gathered(x: np.ndarray | ImageFile, y: np.ndarray, num_classes: int, indices):
    """Map a dataset of index batches to (uint8 images, one-hot labels) batches."""
    import tensorflow as tf

    read = _reader(x)
    labels = tf.one_hot(tf.constant(np.asarray(y, dtype=np.int32)), num_classes)
    return indices.map(
        lambda i: (read(i), tf.gather(labels, i)), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
    )


def train_dataset(
    x: np.ndarray | ImageFile,
    y: np.ndarray,
    num_classes: int,
    batch_size: int,
    seed: int,
    aug: AugmentParams,
    first_epoch: int = 0,
):
    """An endless, seeded stream of shuffled, augmented, one-hot batches from epoch `first_epoch` on, the same as
    that epoch of a stream started at 0 (so fine-tuning continues it, and a resumed run trains as an uninterrupted
    one); fit() with steps_per_epoch."""
    import tensorflow as tf

    steps = math.ceil(len(x) / batch_size)
    order = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    order = order.batch(batch_size).repeat()
    if first_epoch:
        order = order.skip(first_epoch * steps)  # shuffled indices only: no image is read for the skipped epochs
    ds = _gathered(x, y, num_classes, order)
    if aug.enabled:
        # Batch number k gets seed (seed, k): the same run draws the same augmentations.
        ds = tf.data.Dataset.zip(tf.data.Dataset.counter(start=first_epoch * steps), ds)
        ours = lambda k, xy: (augment_batch(xy[0], tf.stack([tf.cast(seed, tf.int64), k]), aug), xy[1])
        if uses_keras_layers(aug):
            ds = ds.map(lambda k, xy: (k, ours(k, xy)), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            recipe = KerasRecipe(aug, seed)
            ds = ds.map(lambda k, xy: recipe(k, *xy))  # in order, one batch at a time: shared seed generators
        else:
            ds = ds.map(ours, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE), steps


def eval_dataset(x: np.ndarray | ImageFile, y: np.ndarray, num_classes: int, batch_size: int):
    import tensorflow as tf

    return _gathered(x, y, num_classes, tf.data.Dataset.range(len(x)).batch(batch_size)).prefetch(tf.data.AUTOTUNE)


def image_batches(x: np.ndarray | ImageFile, batch_size: int):
    """Images only, in order, for prediction."""
    import tensorflow as tf

    return (
        tf.data.Dataset.range(len(x))
        .batch(batch_size)
        .map(_reader(x), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def samples(y: np.ndarray, count: int, seed: int) -> np.ndarray:
    """`count` indices taking each class in turn (a seeded pick within each), so every class shows."""
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(np.asarray(y) == c)) for c in np.unique(y)]
    order = [int(ids[i]) for i in range(max(map(len, per_class), default=0)) for ids in per_class if i < len(ids)]
    return np.array(order[:count], np.int64)


def first_batch(x, y, pick: np.ndarray, num_classes: int, seed: int, aug: AugmentParams):
    """The images at `pick` as the training pipeline's first batch would give them: (uint8 images, labels as the
    network gets them, soft where MixUp or CutMix blended them)."""
    images, labels = np.asarray(x[np.sort(pick)]), np.asarray(y)[np.sort(pick)]
    if not aug.enabled:
        return images, labels
    ds, _ = train_dataset(images, labels, num_classes, len(images), seed, aug)
    batch_x, batch_y = next(iter(ds))
    return batch_x.numpy(), batch_y.numpy()
