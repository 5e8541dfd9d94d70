"""Named architectures: the seed tutorials' networks, reproduced exactly, and our own fast `default` and
`default_color`, each with the measured gain of every choice beside it (the one place those figures are written).

Presets are written in the same `Architecture` form as `model.custom` in params.yaml, so any preset can
be copied there and edited. The schema knows them by name (imgclf.params.PRESET_NAMES, in this order).
"""

from __future__ import annotations

from ..params.architecture import Architecture, Block

PRESETS: dict[str, Architecture] = {
    # Keras "basic classification" tutorial: Flatten-128-10 (101,770 params on 28x28x1).
    "tutorial_dense128": Architecture(kind="mlp", hidden=[128]),
    # Hands-on ML chapter 10: Flatten-300-100-10 (266,610 params on 28x28x1).
    "tutorial_mlp300": Architecture(kind="mlp", hidden=[300, 100]),
    # Widening dense stack: Flatten-16-32-64-128-256-10 (59,130 params on 28x28x1).
    "tutorial_mlp_deep": Architecture(kind="mlp", hidden=[16, 32, 64, 128, 256]),
    # CIFAR-10 dense baseline trained with plain SGD: Flatten-3000-1000-10 (12,230,010 params on 32x32x3).
    "tutorial_dense3000": Architecture(kind="mlp", hidden=[3000, 1000]),
    # Conv32-Pool-Conv64-Pool-Dense64-10 (121,930 params on 28x28x1; 167,562 on 32x32x3).
    "tutorial_cnn": Architecture(
        kind="cnn",
        blocks=[Block(filters=32, padding="valid"), Block(filters=64, padding="valid")],
        dense=[64],
    ),
    # Strided Conv32/64/128/256 (3x3, stride 2, no pooling) then Dense-10 (398,090 params on 28x28x1).
    "tutorial_strided": Architecture(
        kind="cnn",
        blocks=[Block(filters=f, stride=2, pool="none") for f in (32, 64, 128, 256)],
    ),
    # AlexNet-inspired 3 conv + 2 dense with 2x2 max-pooling, meant to train with augmentation.
    "tutorial_alexnet": Architecture(
        kind="cnn",
        blocks=[Block(filters=64), Block(filters=128), Block(filters=256)],
        dense=[512],
        dropout=0.5,
    ),
    # Ours, for small grey images: a cheap 16-filter conv at full resolution, a double-conv block of 32 filters at
    # 14x14, a double-conv block of 96 with `valid` padding (7x7 -> 5x5 -> 3x3), batch norm throughout, flattened
    # 3x3x96 features; SGD one-cycle for 11 epochs (see params.yaml). Each change was measured with a throughput
    # probe (training images/s, same machine, 2 cores, AVX2 / AVX-512 float32 / native bf16) against the network
    # before it, starting from 32 | 48x2 | 96x2 with global average pooling, then with test-accuracy curves
    # (native bf16, seeds 1-3):
    #   16 stem filters instead of 32 at full resolution: 1.1-1.8x (the stem has 2% of the multiply-adds:
    #   its cost is moving 28x28 maps through batch norm and pooling)
    #   `valid` last block (3x3 instead of 7x7 outputs, 0.3x its multiply-adds): a further 1.2-1.3x
    #   flatten instead of global average pooling: same speed, +0.26 pp test (93.31% -> 93.57%, 16|32x2|64x2, seed 1)
    #   32 filters instead of 48 at 14x14: a further 1.3-1.4x under AVX2, where 48 missed the time target
    #   (1.69x the tutorial's); 11 epochs instead of 10 buy back the accuracy (93.79% mean of 3 seeds,
    #   against 93.52% / 93.83% for seeds 1 / 2 in 10 epochs)
    # Narrower still (16|32x2|64x2) lost accuracy for the time: 93.31% in 10 epochs, 93.55% in 13.
    # Bench figures per ISA class: docs/performance.md.
    "default": Architecture(
        kind="cnn",
        blocks=[
            Block(filters=16, batch_norm=True),
            Block(filters=32, convs=2, batch_norm=True),
            Block(filters=96, convs=2, batch_norm=True, padding="valid", pool="none"),
        ],
    ),
    # Ours, for colour photographs (CIFAR-10): a ResNet-9-like network behind airbench's frozen 2x2 patch-whitening
    # layer, downsampling early (conv-pool before each residual pair), global max pooling, features scaled by 1/8
    # before the classifier; 16 | 32x2 | 96 | 96x2 | 192 | 192x2 filters. Recipe in bench/cifar10.yaml and the
    # README: SGD one-cycle for 15 epochs, batch 256, weight decay 5e-3, label smoothing 0.2, flip + 2-pixel
    # shifts, test-time flip + 1-pixel shifts. Each change measured against the network before it (training
    # images/s, batch 256, 2 cores; test accuracy in AVX2 float32, seed 1, flip TTA unless named):
    #   16 | 32x2 at 32x32 / 16x16 instead of 32 | 64x2 | 128 | 128x2 | 256 | 256x2: 2.0x under AVX2 (544 vs 270
    #   images/s), 1.7x in native bf16 (660 vs 379), so 12 epochs fit where 6 did: 88.18% -> 89.29%
    #   test-time shifts (airbench's multi-crop): +0.51 pp on that model (89.29% -> 89.80%); 2-pixel: +0.23 pp
    #   patch whitening: +1.09 pp in the same 12 epochs (89.29% -> 90.38%; 90.76% with shifts), and faster: its
    #   31x31 output leaves 15x15, 7x7, 3x3 maps (35M instead of 43M multiply-adds an image), 1.24x the images/s
    #   in the throughput probe, 1.10x in real training (76 vs 84 s an epoch), so 15 epochs fit in 20 minutes:
    #   91.08% (91.37% with shifts)
    #   24 | 48x2 | 96 | 96x2 | 192 | 192x2 (451 images/s under AVX2) in 10 epochs: 89.40% / 89.55% (flip / shifts)
    "default_color": Architecture(
        kind="cnn",
        blocks=[
            Block(filters=16, batch_norm=True),
            Block(filters=32, convs=2, batch_norm=True, residual=True, pool="none"),
            Block(filters=96, batch_norm=True),
            Block(filters=96, convs=2, batch_norm=True, residual=True, pool="none"),
            Block(filters=192, batch_norm=True),
            Block(filters=192, convs=2, batch_norm=True, residual=True, pool="none"),
        ],
        head="gmp",
        head_scale=0.125,
        whiten=2,
    ),
}


def resolve(preset: str, custom: Architecture | None) -> Architecture:
    """The network that `model.preset` (and `model.custom` when it is "custom") names."""
    return custom if preset == "custom" else PRESETS[preset]
