"""Plots draw every user-given string (class names, branch names) as plain text (issue 9, defect 9)."""

import io

import numpy as np
import pytest
from PIL import Image

from imgclf.report import plots

# Valid mathtext, mathtext that makes matplotlib raise, and plain dollars.
NAMES = [r"$\alpha$_1", r"$\notacommand{x}$", "$x^$", "cost $5 or $6", "a_b^c"]


def size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


@pytest.mark.parametrize("name", NAMES)
def test_image_grid_titles_are_plain_text(name):
    images = np.zeros((2, 8, 8, 1), np.uint8)
    png = plots.image_grid(images, [name, "ok"], cols=2, title=name)
    assert size(png)[0] > 50


@pytest.mark.parametrize("name", NAMES)
def test_learning_curve_legends_are_plain_text(name):
    rows = [
        {
            "epoch": e,
            "loss": 1 / e,
            "val_loss": 1.1 / e,
            "accuracy": 0.5,
            "val_accuracy": 0.4,
            "cross_entropy": 0.9 / e,
            "val_cross_entropy": 1 / e,
        }
        for e in (1, 2)
    ]
    png = plots.learning_curves({f"base ({name})": rows, f"head ({name})": rows})
    assert size(png)[0] > 200


def test_a_title_is_drawn_as_written_not_as_mathtext():
    """A figure title `$\\alpha$_1 ...` as plain text makes a wider PNG than as mathtext (one glyph)."""
    from matplotlib.figure import Figure

    def drawn(parse_math: bool) -> bytes:
        fig = Figure(figsize=(1, 1))
        fig.text(0, 0, r"$\alpha$_1 $\beta$_2 $\gamma$_3", parse_math=parse_math)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()

    images = np.zeros((1, 8, 8, 1), np.uint8)
    ours = plots.image_grid(images, [""], cols=1, title=r"$\alpha$_1 $\beta$_2 $\gamma$_3")
    assert size(drawn(False))[0] > 1.5 * size(drawn(True))[0]
    assert size(ours)[0] > 1.5 * size(drawn(True))[0]
