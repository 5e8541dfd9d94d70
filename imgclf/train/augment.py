"""Training-time augmentation on whole uint8 batches, seeded per batch so runs are repeatable.

Two kinds: our own stateless ops (crop after padding, flip, colour jitter, random resized crop: Keras has no
layer for the last), each drawing from the batch's seed; and Keras 3's own layers for the small-dataset recipe
(RandAugment, random erasing, MixUp, CutMix), whose seed generators are set from the batch's number before each
batch, so that they too draw the same augmentations in every run and after a resume.
"""

from __future__ import annotations

from ..params import AugmentParams

KERAS_LAYERS = ("randaugment", "erasing", "mixup", "cutmix")  # the params switching Keras' own layers on


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
    if aug.resized_crop:
        x = _resized_crop(x, seeds[7], aug.resized_crop)
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


def _resized_crop(x, seed, min_area: float):
    """Each image's random box of min_area to all of its area, aspect 3:4 to 4:3, resized back to the full size
    (Inception's crop; uint8 in and out)."""
    import tensorflow as tf

    batch, h, w = tf.shape(x)[0], x.shape[1], x.shape[2]
    s = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=4)
    area = tf.random.stateless_uniform([batch], s[0], min_area, 1.0)
    aspect = tf.exp(tf.random.stateless_uniform([batch], s[1], tf.math.log(3 / 4), tf.math.log(4 / 3)))
    bh = tf.minimum(tf.sqrt(area * aspect), 1.0)
    bw = tf.minimum(tf.sqrt(area / aspect), 1.0)
    y0 = tf.random.stateless_uniform([batch], s[2]) * (1.0 - bh)
    x0 = tf.random.stateless_uniform([batch], s[3]) * (1.0 - bw)
    boxes = tf.stack([y0, x0, y0 + bh, x0 + bw], axis=1)
    out = tf.image.crop_and_resize(tf.cast(x, tf.float32), boxes, tf.range(batch), (h, w))
    return tf.cast(tf.round(tf.clip_by_value(out, 0.0, 255.0)), tf.uint8)


def uses_keras_layers(aug: AugmentParams) -> bool:
    return any(getattr(aug, name) for name in KERAS_LAYERS)


class KerasRecipe:
    """RandAugment and random erasing on the images, then MixUp or CutMix on images and labels: Keras 3's layers,
    each batch's draws fixed by (seed, batch number) through the layers' seed generators. Call it on one batch
    at a time, in order (the generators are shared state)."""

    SPACING = 1 << 16  # seeds a layer may draw in one batch

    def __init__(self, aug: AugmentParams, seed: int):
        import keras

        self.seed, self.aug = seed, aug
        self.image_layers = []
        if aug.randaugment:
            self.image_layers.append(
                keras.layers.RandAugment(
                    value_range=(0, 255), num_ops=aug.randaugment, factor=aug.randaugment_magnitude, seed=seed
                )
            )
        if aug.erasing:
            self.image_layers.append(keras.layers.RandomErasing(factor=aug.erasing, value_range=(0, 255), seed=seed))
        self.mixers = []
        if aug.mixup:
            self.mixers.append(keras.layers.MixUp(alpha=aug.mixup, seed=seed))
        if aug.cutmix:
            self.mixers.append(keras.layers.CutMix(factor=aug.cutmix, seed=seed))

    def _reseed(self, layer, stream: int, k):
        import tensorflow as tf

        state = layer.generator.state
        value = tf.stack([tf.cast(self.seed + stream, tf.int64), tf.cast(k, tf.int64) * self.SPACING])
        state.assign(tf.cast(value, state.dtype))

    def __call__(self, k, images, labels):
        import tensorflow as tf

        x = tf.cast(images, tf.float32)
        grey = x.shape[-1] == 1
        if grey and self.image_layers:  # RandAugment's colour operations want three channels
            x = tf.concat([x, x, x], axis=-1)
        for i, layer in enumerate(self.image_layers):
            self._reseed(layer, i, k)
            x = layer(x, training=True)
        if grey and self.image_layers:
            x = x[..., :1]
        if self.mixers:

            def mix(layer, stream):
                def apply():
                    self._reseed(layer, stream, k)
                    t = layer.get_random_transformation(x, training=True)
                    return layer.transform_images(x, t), tf.cast(layer.transform_labels(labels, t), labels.dtype)

                return apply

            branches = [mix(layer, 8 + j) for j, layer in enumerate(self.mixers)]
            if len(branches) == 1:
                x, labels = branches[0]()
            else:  # MixUp or CutMix, a coin flip per batch
                coin = tf.random.stateless_uniform([], tf.stack([tf.cast(self.seed, tf.int64), tf.cast(k, tf.int64)]))
                x, labels = tf.cond(coin < 0.5, branches[0], branches[1])
        return tf.cast(tf.round(tf.clip_by_value(x, 0.0, 255.0)), tf.uint8), labels
