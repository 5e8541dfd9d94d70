"""Fine-tuning a network that starts from trained weights, as people do it: first the classification head alone on
the frozen network (batch norm in inference mode), then the last `train.unfreeze_blocks` blocks as well, at
`train.finetune_lr_factor` times the learning rate, batch norm still frozen.

The frozen epochs pay for no backward pass through the network; without augmentation (`train.frozen_augment:
false`, the default) they do not run it forward every epoch either: its features of the training and validation
images are computed once and the head trains on them (bench/sections/backbones.py measures the gain).
"""

from __future__ import annotations

import re

import keras
import numpy as np

from ..model import backbones

HEAD = "probabilities"  # the classification layer every imgclf network ends with
ALWAYS_FROZEN = {"whiten"}  # fixed by construction (patch whitening), never trained
PRESET_BLOCK = re.compile(r"^(block\d+|dense_\d+)_?")  # imgclf's own networks: block1_conv1 ... dense_1


def freeze(model) -> None:
    """Everything but the head stops training; a frozen BatchNormalization layer runs in inference mode."""
    for layer in model.layers:
        layer.trainable = layer.name == HEAD


def blocks(model) -> list[list]:
    """The network's layers (a backbone's own, or the model's) grouped into blocks, first to last."""
    base = backbones.inner(model)
    if base is not None:
        return backbones.blocks(base)
    groups: list[list] = [[]]
    current = None
    for layer in model.layers:
        if layer.name == HEAD:
            continue
        match = PRESET_BLOCK.match(layer.name)
        if match and match.group(1) != current:
            current = match.group(1)
            groups.append([])
        groups[-1].append(layer)
    return [g for g in groups if g]


def unfreeze(model, count: int) -> None:
    """The head and the last `count` blocks train (-1: every block, 0: none); batch norm stays frozen."""
    for layer in model.layers:
        layer.trainable = layer.name not in ALWAYS_FROZEN  # propagates into a backbone's own layers
    groups = blocks(model)
    still = groups if count == 0 else groups[:-count] if count > 0 else []
    for group in still:
        for layer in group:
            layer.trainable = False
    for layer in _all_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization) or layer.name in ALWAYS_FROZEN:
            layer.trainable = False
    model.get_layer(HEAD).trainable = True


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def head_on_features(model):
    """(the network up to the head, the head alone on its features): the head shares its weights with `model`."""
    head = model.get_layer(HEAD)
    body = keras.Model(model.inputs, head.input, name="body")
    features = keras.Input(shape=tuple(head.input.shape[1:]), name="features")
    return body, keras.Model(features, head(features), name="head")


def features(body, x, batch_size: int) -> np.ndarray:
    """The frozen network's features of `x` (uint8 images), once, as float32."""
    from .pipeline import image_batches

    return np.asarray(body.predict(image_batches(x, batch_size), verbose=0), dtype=np.float32)
