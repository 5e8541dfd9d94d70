"""Airbench's patch-whitening first layer, fitted to the training images before training starts.

Its filters are the eigenvectors of the covariance of the training images' k x k patches, each divided by the
square root of its eigenvalue (and the same filters negated, so that a ReLU after it keeps both signs): the first
trainable layer then sees decorrelated, unit-variance inputs and learns in fewer epochs. The layer is frozen, so
it costs one small convolution and no training.
"""

from __future__ import annotations

import numpy as np

SAMPLE = 5000  # images whose patches estimate the covariance (airbench's figure)
EPS = 5e-4  # added to each eigenvalue, relative to the mean patch variance (airbench's, on standardised inputs)


def fit(model, images) -> None:
    """Set the `whiten` layer's filters and bias from `images` (uint8, N x H x W x C); no-op without one."""
    layer = next((layer for layer in model.layers if layer.name == "whiten"), None)
    if layer is None:
        return
    k = layer.kernel_size[0]
    sample = np.asarray(images[:SAMPLE])
    channels = sample.shape[-1]
    dim = k * k * channels
    total, outer, count = np.zeros(dim), np.zeros((dim, dim)), 0
    for start in range(0, len(sample), 500):  # bounded memory: 500 images' patches at a time
        x = sample[start : start + 500].astype(np.float64) / 255.0  # the model's own input scale
        patches = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))  # N, H', W', C, k, k
        patches = patches.transpose(0, 1, 2, 4, 5, 3).reshape(-1, dim)  # rows in Keras' kernel order (kh, kw, c)
        total += patches.sum(0)
        outer += patches.T @ patches
        count += len(patches)
    mean = total / count
    cov = outer / count - np.outer(mean, mean)
    values, vectors = np.linalg.eigh(cov)
    # The floor keeps flat images (no variance at all) finite: their centred patches are all 0 anyway.
    filters = vectors / np.sqrt(np.clip(values, 0, None) + EPS * max(np.trace(cov) / dim, 1e-4))
    filters = np.concatenate([filters, -filters], axis=1)  # dim x 2*dim
    layer.set_weights(
        [filters.reshape(k, k, channels, 2 * dim).astype(np.float32), (-mean @ filters).astype(np.float32)]
    )  # centred: each output has mean 0
