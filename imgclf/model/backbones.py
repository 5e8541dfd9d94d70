"""Keras application networks as backbones (`model.backbone`): the network without its ImageNet classifier, behind
the layers that make it take the pipeline's raw uint8 images, and a new classification head.

Each backbone's official ImageNet file (name, URL, checksum) is read from Keras' own application module, so what
is fetched and checked is what Keras publishes. The set was chosen by measured speed on a 2-core CPU (AVX2,
float32, batch 32, at 224x224: training images/s, every layer forward and backward): MobileNetV3 Small 42.9,
MobileNetV3 Large 9.4, EfficientNetV2-B0 7.4; ResNet50 (2.1) and ConvNeXt-Tiny (0.6) were measured too and left
out, 20 and 70 times slower than the small MobileNet (bench/sections/backbones.py, docs/performance.md).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from ..params import BACKBONE_NAMES


@dataclass(frozen=True)
class Backbone:
    name: str
    application: str  # the function in keras.applications
    module: str  # keras.src.applications.<module>: its weights' base URL and WEIGHTS_HASHES
    base_url: str  # the module constant holding the base URL
    weights_file: str  # the official file of the network without its top
    hash_key: str  # WEIGHTS_HASHES[hash_key][1] is that file's checksum
    block: str  # a regex matching the start of a layer's block's name, for `train.unfreeze_blocks`
    size: int = 224  # the input size its ImageNet weights were trained at

    @property
    def url(self) -> str:
        return getattr(_module(self), self.base_url) + self.weights_file

    @property
    def checksum(self) -> str:
        """Keras' published md5 (32 hex digits) or sha256 (64) of the file."""
        return _module(self).WEIGHTS_HASHES[self.hash_key][1]


def _module(b: Backbone):
    return importlib.import_module(f"keras.src.applications.{b.module}")


BACKBONES: dict[str, Backbone] = {
    b.name: b
    for b in (
        Backbone("mobilenet_v3_small", "MobileNetV3Small", "mobilenet_v3", "BASE_WEIGHT_PATH",
                 "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5", "small_224_1.0_float",
                 r"^expanded_conv(_\d+)?_"),
        Backbone("mobilenet_v3_large", "MobileNetV3Large", "mobilenet_v3", "BASE_WEIGHT_PATH",
                 "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5", "large_224_1.0_float",
                 r"^expanded_conv(_\d+)?_"),
        Backbone("efficientnet_v2_b0", "EfficientNetV2B0", "efficientnet_v2", "BASE_WEIGHTS_PATH",
                 "efficientnetv2-b0_notop.h5", "b0", r"^block(\d+[a-z])_"),
    )
}  # fmt: skip
assert tuple(BACKBONES) == BACKBONE_NAMES, "imgclf.params.BACKBONE_NAMES lists these, in this order"


def network(name: str, size: int):
    """The application itself, without its top, global-average pooled, random weights."""
    import keras

    make = getattr(keras.applications, BACKBONES[name].application)
    return make(include_top=False, weights=None, input_shape=(size, size, 3), pooling="avg", include_preprocessing=True)


def build(name: str, image_shape: tuple[int, int, int], num_classes: int, *, input_size: int = 0, seed: int = 0):
    """uint8 images of `image_shape` -> float -> 3 channels (grey images repeated) -> resized to `input_size`
    (0: as they are) -> the backbone (one layer, its own preprocessing inside) -> softmax head."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    height, width, channels = image_shape
    size = input_size or height
    inputs = keras.Input(shape=image_shape, dtype="uint8", name="image")
    x = layers.Rescaling(1.0, name="to_float")(inputs)  # 0-255, as every application's preprocessing expects
    if channels == 1:
        x = layers.Concatenate(name="grey_to_rgb")([x, x, x])
    if (height, width) != (size, size):
        x = layers.Resizing(size, size, name="resize")(x)
    x = network(name, size)(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def inner(model):
    """The backbone layer of a model that `build` made, or None."""
    return next((layer for layer in model.layers if layer.name in BY_MODEL_NAME), None)


def blocks(backbone) -> list[list]:
    """The backbone's layers grouped into its blocks, in order: the stem (the layers before the first block) first,
    and the layers after the last block (the last convolution) with the last."""
    pattern = re.compile(BY_MODEL_NAME[backbone.name].block)
    groups: list[list] = [[]]
    current = None
    for layer in backbone.layers:
        match = pattern.search(layer.name)
        if match and match.group(0) != current:
            current = match.group(0)
            groups.append([])
        groups[-1].append(layer)
    return [g for g in groups if g]


# The name Keras gives each application model (EfficientNetV2 chooses its preprocessing by it, so it is kept).
BY_MODEL_NAME = {
    "MobileNetV3Small": BACKBONES["mobilenet_v3_small"],
    "MobileNetV3Large": BACKBONES["mobilenet_v3_large"],
    "efficientnetv2-b0": BACKBONES["efficientnet_v2_b0"],
}
