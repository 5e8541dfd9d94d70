"""Matplotlib figures as PNG bytes, for embedding in the self-contained HTML reports."""

from __future__ import annotations

import io

import numpy as np


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def learning_curves(runs: dict[str, list[dict]]) -> bytes:
    """Loss and accuracy per epoch, train dashed and validation solid; one colour per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for colour, (label, rows) in zip(plt.rcParams["axes.prop_cycle"].by_key()["color"], runs.items()):
        epochs = [r["epoch"] for r in rows]
        for ax, key in zip(axes, ("loss", "accuracy")):
            if rows and key in rows[0]:
                ax.plot(epochs, [r[key] for r in rows], "--", color=colour, label=f"{label} train")
            if rows and f"val_{key}" in rows[0]:
                ax.plot(epochs, [r[f"val_{key}"] for r in rows], "-", color=colour, marker="o", ms=3,
                        label=f"{label} validation")
    for ax, title in zip(axes, ("Loss", "Accuracy")):
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _png(fig)


def image_grid(images: np.ndarray, captions: list[str], cols: int = 8, title: str = "") -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = max(1, -(-len(images) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.5), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, cap in zip(axes.flat, images, captions):
        ax.imshow(img.squeeze(), cmap="gray" if img.shape[-1] == 1 else None, vmin=0, vmax=255)
        ax.set_title(cap, fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return _png(fig)


def png_of_image(image: np.ndarray, scale: int = 3) -> bytes:
    """One uint8 image as PNG bytes, enlarged with nearest-neighbour so small images stay crisp."""
    from PIL import Image

    arr = image.squeeze()
    im = Image.fromarray(arr, mode="L" if arr.ndim == 2 else "RGB")
    im = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
