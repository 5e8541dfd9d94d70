"""Training-time augmentation on whole uint8 batches, seeded per batch so runs are repeatable."""

from __future__ import annotations

from ..params import AugmentParams


def crop_hw(aug: AugmentParams, image_shape) -> tuple[int, int]:
    """Size of the images the network sees: the crop when it is smaller than the image."""
    h, w = image_shape[:2]
    if 0 < aug.crop_size < min(h, w):
        return aug.crop_size, aug.crop_size
    return h, w


def augment_batch(images, seed, aug: AugmentParams):
    """Random crop (after zero padding), flip and colour jitter; returns uint8 of the crop size.

    `seed` is a shape-[2] int tensor; each op draws from its own stateless stream derived from it.
    Colour ops (hue, saturation) apply to RGB only; brightness and contrast to any image.
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(images)
    batch = tf.shape(x)[0]
    h, w, channels = x.shape[1], x.shape[2], x.shape[3]
    ch, cw = crop_hw(aug, (h, w))
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=8)
    pad = aug.crop_padding
    if pad or (ch, cw) != (h, w):
        x = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
        dy = tf.random.stateless_uniform([batch], seeds[0], 0, h + 2 * pad - ch + 1, dtype=tf.int32)
        dx = tf.random.stateless_uniform([batch], seeds[1], 0, w + 2 * pad - cw + 1, dtype=tf.int32)
        rows = dy[:, None] + tf.range(ch)[None, :]
        cols = dx[:, None] + tf.range(cw)[None, :]
        x = tf.gather(x, rows, axis=1, batch_dims=1)
        x = tf.gather(x, cols, axis=2, batch_dims=1)
    if aug.flip:
        flip = tf.random.stateless_uniform([batch], seeds[2]) < 0.5
        x = tf.where(flip[:, None, None, None], tf.reverse(x, axis=[2]), x)
    colour = channels == 3 and (aug.hue or aug.saturation)
    if aug.brightness or aug.contrast or colour:
        x = tf.cast(x, tf.float32) / 255.0
        if aug.brightness:
            delta = tf.random.stateless_uniform([batch, 1, 1, 1], seeds[3], -aug.brightness, aug.brightness)
            x = x + delta
        if aug.contrast:
            factor = tf.random.stateless_uniform([batch, 1, 1, 1], seeds[4], 1 - aug.contrast, 1 + aug.contrast)
            mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
            x = (x - mean) * factor + mean
        if channels == 3 and aug.saturation:
            factor = tf.random.stateless_uniform([batch, 1, 1, 1], seeds[5], 1 - aug.saturation, 1 + aug.saturation)
            grey = tf.reduce_mean(x, axis=3, keepdims=True)
            x = (x - grey) * factor + grey
        if channels == 3 and aug.hue:
            hsv = tf.image.rgb_to_hsv(tf.clip_by_value(x, 0.0, 1.0))
            shift = tf.random.stateless_uniform([batch, 1, 1], seeds[6], -aug.hue, aug.hue)
            hue = tf.math.floormod(hsv[..., 0] + shift, 1.0)
            x = tf.image.hsv_to_rgb(tf.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1))
        x = tf.cast(tf.round(tf.clip_by_value(x, 0.0, 1.0) * 255.0), tf.uint8)
    return x
