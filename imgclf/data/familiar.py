"""Is a new image like the training images? A network is confidently wrong on inputs unlike anything it trained on
(a Fashion-MNIST ankle boot inverted onto a white background, as product photos are, is "Bag 95.0%"), so `prepare`
records the range of three plain statistics over the training images (dataset.json's `image_stats`) and
`imgclf predict` says so beside a prediction whose image falls outside it:

- brightness: the mean pixel value;
- background: the mean of the image's outer frame (dark for Fashion-MNIST, light for most product photos);
- colour: the mean saturation (0 for grey images).

The range is the 0.5th to 99.5th percentile of up to SAMPLE training images, widened by MARGIN: a hint, not a
detector of every kind of stranger."""

from __future__ import annotations

import numpy as np

SAMPLE = 5000
CHUNK = 256  # images whose statistics are computed at once
MARGIN = 0.05  # on the 0-1 scale of every statistic
NAMES = ("brightness", "background", "colour")


def statistics(images: np.ndarray) -> np.ndarray:
    """(n, 3) brightness, background and colour of uint8 NHWC images, each 0-1."""
    x = np.asarray(images, dtype=np.float32) / 255.0
    brightness = x.mean(axis=(1, 2, 3))
    edge = max(1, min(x.shape[1], x.shape[2]) // 14)  # 2 pixels of a 28x28 image
    frame = np.concatenate(
        [x[:, :edge].reshape(len(x), -1), x[:, -edge:].reshape(len(x), -1),
         x[:, :, :edge].reshape(len(x), -1), x[:, :, -edge:].reshape(len(x), -1)], axis=1,
    )  # fmt: skip
    if x.shape[3] == 3:
        high, low = x.max(axis=3), x.min(axis=3)
        colour = np.where(high > 0, (high - low) / np.maximum(high, 1e-6), 0).mean(axis=(1, 2))
    else:
        colour = np.zeros(len(x), np.float32)
    return np.stack([brightness, frame.mean(axis=1), colour], axis=1)


def training_range(parts: list, seed: int) -> dict[str, list[float]]:
    """dataset.json's `image_stats`: {statistic: [low, high]} over a seeded sample of the images in `parts` (uint8
    arrays or ImageFiles). Given the images before any split is held out, it does not change with data.val_split,
    which would rebuild the network for nothing (dataset.json is a dependency of `build`)."""
    sizes = [len(x) for x in parts]
    n = sum(sizes)
    pick = np.sort(np.random.default_rng(seed).choice(n, size=min(n, SAMPLE), replace=False))
    starts = np.cumsum([0, *sizes])
    stats = []
    for x, lo, hi in zip(parts, starts[:-1], starts[1:]):
        mine = pick[(pick >= lo) & (pick < hi)] - lo
        for i in range(0, len(mine), CHUNK):  # a chunk at a time: prepare's memory must not grow with the folder
            rows = mine[i : i + CHUNK]
            stats.append(statistics(x.read(rows) if hasattr(x, "read") else np.asarray(x)[rows]))
    stats = np.concatenate(stats)
    low, high = np.percentile(stats, 0.5, axis=0), np.percentile(stats, 99.5, axis=0)
    return {name: [round(float(lo), 3), round(float(hi), 3)] for name, lo, hi in zip(NAMES, low, high)}


def unlike(image: np.ndarray, ranges: dict | None) -> str:
    """'' when the image is like the training images (or nothing is known of them), else a short hint."""
    if not ranges:
        return ""
    values = statistics(image[None])[0]
    out = []
    for name, value in zip(NAMES, values):
        low, high = ranges.get(name, [0.0, 1.0])
        if value < low - MARGIN or value > high + MARGIN:
            side = ("greyer", "more colourful") if name == "colour" else ("darker", "lighter")
            side = side[int(value > high)]
            out.append(f"{name} {value:.2f} {side} than training's {low:.2f}-{high:.2f}")
    return f"unlike the training images ({'; '.join(out)}): the prediction may be unreliable" if out else ""
