"""Matplotlib figures as PNG bytes, for embedding in the self-contained HTML reports.

Figures are made with matplotlib's object API (no pyplot state, no backend to select), and every text is
drawn as plain text: a class or branch name such as `$x$` is shown as written, never parsed as mathtext.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np


def _figure(**kwargs):
    from matplotlib.figure import Figure

    return Figure(**kwargs)


DPI = 110
NARROW_DENSITY = 2  # a phone's figure is drawn at twice the pixels (a 2x image: crisp on a phone's dense screen)


def _png(fig, density: int = 1) -> bytes:
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI * density, bbox_inches="tight")
    return buf.getvalue()


# Text sizes (points) of a figure drawn for a phone: it is shown at about its own width, so these stay readable.
NARROW_TEXT = {"title": 12, "label": 11, "ticks": 10, "legend": 9}


def _narrow_text(axes) -> None:
    for ax in axes:
        ax.title.set_fontsize(NARROW_TEXT["title"])
        ax.xaxis.label.set_fontsize(NARROW_TEXT["label"])
        ax.tick_params(labelsize=NARROW_TEXT["ticks"])


def learning_curves(runs: dict[str, list[dict]], stacked: bool = False) -> bytes:
    """Cross-entropy and accuracy per epoch, train dashed and validation solid; one colour per run. `stacked`: the
    two panels one above the other, narrow and with larger text, for a phone.

    Plain cross-entropy (comparable with the test loss) when every run recorded it; otherwise (runs from
    before it was recorded) the training objective `loss`, which includes label smoothing.
    """
    import matplotlib

    plain = all(rows and "cross_entropy" in rows[0] for rows in runs.values())
    loss_key, loss_title = (
        ("cross_entropy", "Cross-entropy (no label smoothing)")
        if plain
        else ("loss", "Loss (training objective, with label smoothing)")
    )
    fig = _figure(figsize=(4.2, 6.8) if stacked else (10, 3.6), layout="constrained" if stacked else None)
    axes = fig.subplots(2, 1) if stacked else fig.subplots(1, 2)
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    for colour, (label, rows) in zip(colours, runs.items()):
        epochs = [r["epoch"] for r in rows]
        for ax, key in zip(axes, (loss_key, "accuracy")):
            if rows and key in rows[0]:
                ax.plot(epochs, [r[key] for r in rows], "--", color=colour, label=f"{label} train".strip())
            if rows and f"val_{key}" in rows[0]:
                ax.plot(
                    epochs,
                    [r[f"val_{key}"] for r in rows],
                    "-",
                    color=colour,
                    marker="o",
                    ms=3,
                    label=f"{label} validation".strip(),
                )
    for ax, title in zip(axes, (loss_title, "Accuracy")):
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=NARROW_TEXT["legend"] if stacked else 8)
    if stacked:
        _narrow_text(axes)
    return _png(fig, NARROW_DENSITY if stacked else 1)


def image_grid(images: np.ndarray, captions: list[str], cols: int = 8, title: str = "") -> bytes:
    rows = max(1, -(-len(images) // cols))
    fig = _figure(figsize=(cols * 1.3, rows * 1.5))
    axes = fig.subplots(rows, cols, squeeze=False)
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


def leaderboard(
    names: list[str],
    accuracy: list[float],
    ci95: list[tuple[float, float] | None],
    seconds: list[float | None],
    time_note: str | None = None,
    stacked: bool = False,
) -> bytes:
    """Runs top to bottom in the order given: test accuracy with its 95% interval, and training time; `time_note`
    says under the time panel's title why the times are not comparable. `stacked`: one panel above the other,
    narrow and with larger text, for a phone."""
    if stacked:
        rows = 0.9 + 0.36 * len(names)
        fig = _figure(figsize=(4.2, 2 * rows + 0.6), layout="constrained")
        ax_acc, ax_time = fig.subplots(2, 1)
    else:
        fig = _figure(figsize=(10, 0.9 + 0.42 * len(names)))
        ax_acc, ax_time = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    y = np.arange(len(names))[::-1]
    acc = np.array(accuracy, dtype=float) * 100
    err = np.array([[a - ci[0] * 100, ci[1] * 100 - a] if ci else [0, 0] for a, ci in zip(acc, ci95)]).T
    ax_acc.errorbar(acc, y, xerr=err, fmt="o", capsize=4, color="#2456a6")
    ax_acc.set_yticks(y, names)
    ax_acc.set_title("Test accuracy (%) with 95% interval")
    ax_time.barh(y, [s or 0 for s in seconds], color="#9aa5b8", hatch="//" if time_note else None)
    if stacked:
        ax_time.set_yticks(y, names)
    if time_note and stacked:
        time_note = textwrap.fill(time_note, 44)
    ax_time.set_title("Training time (s)" + (f"\n{time_note}" if time_note else ""))
    if time_note:
        ax_time.title.set_color("#8a6100")
    for ax in (ax_acc, ax_time):
        ax.grid(axis="x", alpha=0.3)
    if stacked:
        ax_acc.set_title("Test accuracy (%), 95% interval")
        _narrow_text((ax_acc, ax_time))
        for ax in (ax_acc, ax_time):
            ax.tick_params(axis="y", labelsize=NARROW_TEXT["label"])
    return _png(fig, NARROW_DENSITY if stacked else 1)
