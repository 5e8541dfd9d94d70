"""What the stages hand to each other, read back: the files of metrics/ as the reports and the review use them."""

from __future__ import annotations

import numpy as np


def confusion_array(confusion: dict, classes: list[str]) -> np.ndarray:
    """metrics/confusion.json ({true: {predicted: count}}) as a matrix, rows the true class, in `classes` order."""
    return np.array([[confusion[t][p] for p in classes] for t in classes])
