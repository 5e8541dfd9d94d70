"""Build a Keras model from an `Architecture`; the model takes raw uint8 images and returns probabilities."""

from __future__ import annotations

from ..core.errors import UserError
from ..params import Architecture, Block, Params, check_fits
from .presets import resolve


def check(p: Params) -> None:
    """The network fits the images: no block shrinks the feature map below 1x1 or misaligns a residual sum.

    Run by the validate stage, before DVC deletes any output; Keras would only fail when `train` builds it. (A
    backbone takes any input of 32x32 or more, which the schema checks.)
    """
    if p.model.backbone != "none":
        return
    where = "model.custom" if p.model.preset == "custom" else f"model.preset '{p.model.preset}'"
    try:
        check_fits(resolve(p.model.preset, p.model.custom), *p.network_input, where)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def from_params(p: Params, meta: dict):
    """The network `params.yaml` describes, for the dataset in `data/dataset.json` (in the precision policy
    set before, by hardware.apply).

    `train` builds its model with this (seeded, so the same every time) instead of loading a saved untrained
    one, whose save date would make DVC retrain after an identical rebuild; `build` uses it for the summary.
    """
    check(p)
    if p.model.backbone != "none":
        from . import backbones

        return backbones.build(
            p.model.backbone,
            tuple(meta["image_shape"]),
            len(meta["classes"]),
            input_size=p.model.input_size,
            seed=p.seed,
        )
    return build(
        resolve(p.model.preset, p.model.custom),
        tuple(meta["image_shape"]),
        len(meta["classes"]),
        crop_size=p.augment.crop_size,
        seed=p.seed,
    )


def build(
    arch: Architecture,
    image_shape: tuple[int, int, int],
    num_classes: int,
    *,
    crop_size: int = 0,
    seed: int = 0,
    float_input: bool = False,
):
    """Scaling to [0, 1] (and the evaluation-time centre crop) live in the model, so it takes raw images.

    `float_input` builds the tutorials' variant instead, fed images already scaled to [0, 1] (benchmarks).
    """
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    height, width, channels = image_shape
    cropping = 0 < crop_size < min(height, width)
    # A cropping model accepts any size: training feeds random crops, evaluation feeds whole images.
    inputs = keras.Input(
        shape=(None, None, channels) if cropping else image_shape,
        dtype="float32" if float_input else "uint8",
        name="image",
    )
    # A whitening layer multiplies small pixel differences by up to ~200, more than bfloat16's 8 bits can carry:
    # it and the scaling before it compute in float32 under any policy (0.3M of ~35M multiply-adds an image).
    exact = "float32" if arch.kind == "cnn" and arch.whiten else None
    x = inputs if float_input else layers.Rescaling(1.0 / 255, dtype=exact, name="scale")(inputs)
    if cropping:
        x = layers.CenterCrop(crop_size, crop_size, name="centre_crop")(x)
    if arch.kind == "mlp":
        x = layers.Flatten(name="flatten")(x)
        for i, units in enumerate(arch.hidden):
            x = layers.Dense(units, activation=arch.activation, name=f"dense_{i + 1}")(x)
            if arch.dropout:
                x = layers.Dropout(arch.dropout, name=f"dropout_{i + 1}")(x)
    else:
        if arch.whiten:  # fitted to the training images by whitening.fit, then frozen
            x = layers.Conv2D(2 * arch.whiten**2 * channels, arch.whiten, trainable=False, dtype=exact, name="whiten")(
                x
            )
            x = layers.Activation(arch.activation, name="whiten_act")(x)
        for i, block in enumerate(arch.blocks):
            x = _conv_block(x, block, arch.activation, f"block{i + 1}")
        head = {"flatten": layers.Flatten, "gap": layers.GlobalAveragePooling2D, "gmp": layers.GlobalMaxPooling2D}[
            arch.head
        ]
        x = head(name=arch.head)(x)
        for i, units in enumerate(arch.dense):
            if arch.dropout:
                x = layers.Dropout(arch.dropout, name=f"head_dropout_{i + 1}")(x)
            x = layers.Dense(units, activation=arch.activation, name=f"dense_{i + 1}")(x)
        if arch.dropout and arch.dense:
            x = layers.Dropout(arch.dropout, name="output_dropout")(x)
    if arch.head_scale != 1.0:
        x = layers.Rescaling(arch.head_scale, name="head_scale")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"{arch.kind}")


def _conv_block(x, block: Block, activation: str, name: str):
    from keras import layers

    shortcut = x
    for j in range(block.convs):
        stride = block.stride if j == 0 else 1
        last = j == block.convs - 1
        x = layers.Conv2D(
            block.filters,
            block.kernel,
            strides=stride,
            padding=block.padding,
            use_bias=not block.batch_norm,
            activation=None if (block.batch_norm or (block.residual and last)) else activation,
            name=f"{name}_conv{j + 1}",
        )(x)
        if block.batch_norm:
            x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn{j + 1}")(x)
            if not (block.residual and last):
                x = layers.Activation(activation, name=f"{name}_act{j + 1}")(x)
    if block.residual:
        if shortcut.shape[-1] != block.filters or block.stride != 1 or block.padding == "valid":
            shortcut = layers.Conv2D(
                block.filters,
                1,
                strides=block.stride,
                use_bias=not block.batch_norm,
                padding=block.padding,
                name=f"{name}_proj",
            )(shortcut)
            if block.batch_norm:
                shortcut = layers.BatchNormalization(momentum=0.9, name=f"{name}_proj_bn")(shortcut)
            if block.padding == "valid":
                trim = (block.kernel - 1) * block.convs // 2
                shortcut = layers.Cropping2D(trim, name=f"{name}_proj_crop")(shortcut)
        x = layers.Add(name=f"{name}_add")([x, shortcut])
        x = layers.Activation(activation, name=f"{name}_out")(x)
    if block.pool != "none":
        pool = layers.MaxPooling2D if block.pool == "max" else layers.AveragePooling2D
        x = pool(2, name=f"{name}_pool")(x)
    if block.dropout:
        x = layers.Dropout(block.dropout, name=f"{name}_dropout")(x)
    return x
