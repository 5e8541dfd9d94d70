"""The network description shared by `model.custom` and the presets, and the shape check run in `validate`.

Part of the params schema (it types `model.custom`); imgclf/model/presets.py writes its networks in this form, so
any preset can be copied into params.yaml and edited.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)
Fraction = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
Units = Annotated[int, Field(ge=1)]


class Block(BaseModel):
    """One convolutional block: `convs` convolutions, then optional pooling and dropout."""

    model_config = STRICT
    filters: int = Field(ge=1, description="convolution filters")
    kernel: int = Field(3, ge=1, description="kernel size")
    stride: int = Field(1, ge=1, description="stride of the first convolution")
    padding: Literal["same", "valid"] = Field("same", description="`valid` shrinks each side by kernel-1")
    convs: int = Field(1, ge=1, description="convolutions in the block")
    batch_norm: bool = Field(False, description="batch norm after each convolution")
    residual: bool = Field(False, description="add the block's input to its output (ResNet)")
    pool: Literal["max", "avg", "none"] = Field("max", description="2x2 pooling after the convolutions")
    dropout: Fraction = Field(0.0, description="dropout after the block")


class Architecture(BaseModel):
    """A dense (`mlp`) or convolutional (`cnn`) network."""

    model_config = STRICT
    kind: Literal["mlp", "cnn"] = Field(description="`mlp`: dense layers only; `cnn`: `blocks`, `head`, `dense`")
    hidden: list[Units] = Field([], description="mlp: sizes of the hidden dense layers")
    blocks: list[Block] = Field([], description="cnn: the convolutional blocks, in order")
    head: Literal["flatten", "gap", "gmp"] = Field(
        "flatten", description="cnn: flatten, global average (`gap`) or global max (`gmp`) pooling"
    )
    dense: list[Units] = Field([], description="cnn: dense layers after the head")
    activation: Literal["relu", "gelu", "elu", "selu", "tanh", "sigmoid", "swish"] = Field(
        "relu", description="activation of every hidden layer"
    )
    dropout: Fraction = Field(0.0, description="dropout before each dense layer")
    head_scale: float = Field(
        1.0,
        gt=0,
        allow_inf_nan=False,
        description="multiplies the features before the output layer (fast-training trick)",
    )
    whiten: int = Field(
        0,
        ge=0,
        le=4,
        description="cnn: a frozen first layer that whitens each NxN patch of the "
        "training images (airbench's, N=2); 0 = off",
    )

    @model_validator(mode="after")
    def _cnn_has_blocks(self):
        if self.kind == "cnn" and not self.blocks:
            raise ValueError("kind is cnn but blocks is empty: list at least one block")
        return self


def check_fits(arch: Architecture, height: int, width: int, where: str) -> None:
    """Raise ValueError when a block would shrink the feature map below 1x1 or misalign a residual sum.

    Keras would only fail when the model is built, in `train`, after DVC has deleted the old outputs.
    """
    size = (height, width)
    if arch.kind == "cnn" and arch.whiten:  # its valid NxN convolution trims N-1 (images are at least 4x4)
        size = tuple(_conv(n, arch.whiten, 1, "valid") for n in size)
    for i, b in enumerate(arch.blocks if arch.kind == "cnn" else []):
        name = f"{where}.blocks[{i}]"
        before = size
        for j in range(b.convs):
            size = tuple(_conv(n, b.kernel, b.stride if j == 0 else 1, b.padding) for n in size)
            if min(size) < 1:
                raise ValueError(
                    f"{name}: a {b.kernel}x{b.kernel} '{b.padding}' convolution shrinks the "
                    f"{_hw(before)} input below 1x1; use larger images, fewer blocks or padding: same"
                )
        if b.residual:
            trim = (b.kernel - 1) * b.convs // 2 if b.padding == "valid" else 0
            shortcut = tuple(_conv(n, 1, b.stride, b.padding) - 2 * trim for n in before)
            if shortcut != size:
                raise ValueError(
                    f"{name}: the residual shortcut ({_hw(shortcut)}) does not match the block's "
                    f"output ({_hw(size)}); use padding: same or stride 1"
                )
        if b.pool != "none":
            if min(size) < 2:
                raise ValueError(
                    f"{name}: 2x2 pooling of a {_hw(size)} feature map leaves nothing (the network "
                    f"is too deep for {height}x{width} images); use pool: none, fewer blocks or "
                    f"larger images"
                )
            size = (size[0] // 2, size[1] // 2)


def _conv(n: int, kernel: int, stride: int, padding: str) -> int:
    return math.ceil(n / stride) if padding == "same" else (n - kernel) // stride + 1


def _hw(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"
