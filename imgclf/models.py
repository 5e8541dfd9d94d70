"""Build a Keras model from an `Architecture`; the model takes raw uint8 images and returns probabilities."""

from __future__ import annotations

from .params import Architecture, Block, ModelParams


def resolve(model: ModelParams) -> Architecture:
    from .presets import PRESETS

    return model.custom if model.preset == "custom" else PRESETS[model.preset]


def build(arch: Architecture, image_shape: tuple[int, int, int], num_classes: int, *,
          crop_size: int = 0, seed: int = 0):
    """Scaling to [0, 1] (and the evaluation-time centre crop) live in the model, so it takes raw images."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    height, width, channels = image_shape
    cropping = 0 < crop_size < min(height, width)
    # A cropping model accepts any size: training feeds random crops, evaluation feeds whole images.
    inputs = keras.Input(shape=(None, None, channels) if cropping else image_shape, dtype="uint8", name="image")
    x = layers.Rescaling(1.0 / 255, name="scale")(inputs)
    if cropping:
        x = layers.CenterCrop(crop_size, crop_size, name="centre_crop")(x)
    if arch.kind == "mlp":
        x = layers.Flatten(name="flatten")(x)
        for i, units in enumerate(arch.hidden):
            x = layers.Dense(units, activation=arch.activation, name=f"dense_{i + 1}")(x)
            if arch.dropout:
                x = layers.Dropout(arch.dropout, name=f"dropout_{i + 1}")(x)
    else:
        for i, block in enumerate(arch.blocks):
            x = _conv_block(x, block, arch.activation, f"block{i + 1}")
        head = {"flatten": layers.Flatten, "gap": layers.GlobalAveragePooling2D,
                "gmp": layers.GlobalMaxPooling2D}[arch.head]
        x = head(name=arch.head)(x)
        for i, units in enumerate(arch.dense):
            if arch.dropout:
                x = layers.Dropout(arch.dropout, name=f"head_dropout_{i + 1}")(x)
            x = layers.Dense(units, activation=arch.activation, name=f"dense_{i + 1}")(x)
        if arch.dropout and arch.dense:
            x = layers.Dropout(arch.dropout, name="output_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"{arch.kind}")


def _conv_block(x, block: Block, activation: str, name: str):
    from keras import layers

    shortcut = x
    for j in range(block.convs):
        stride = block.stride if j == 0 else 1
        last = j == block.convs - 1
        x = layers.Conv2D(block.filters, block.kernel, strides=stride, padding=block.padding,
                          use_bias=not block.batch_norm,
                          activation=None if (block.batch_norm or (block.residual and last)) else activation,
                          name=f"{name}_conv{j + 1}")(x)
        if block.batch_norm:
            x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn{j + 1}")(x)
            if not (block.residual and last):
                x = layers.Activation(activation, name=f"{name}_act{j + 1}")(x)
    if block.residual:
        if shortcut.shape[-1] != block.filters or block.stride != 1 or block.padding == "valid":
            shortcut = layers.Conv2D(block.filters, 1, strides=block.stride, use_bias=False,
                                     padding=block.padding, name=f"{name}_proj")(shortcut)
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
