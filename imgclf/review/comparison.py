"""What a comparison of two runs says besides the verdict (imgclf/review/significance.py): the params that changed,
the headline metrics with their deltas, the confusion matrices and their largest changes, the flipped images."""

from __future__ import annotations

import numpy as np

from ..core import paths
from ..core.outputs import confusion_array
from ..params import flat_items
from . import significance
from .runs import Run

HEADLINE = [  # (file, key, label, higher is better, format)
    (paths.TEST_METRICS, "accuracy", "test accuracy", True, "{:.2%}"),
    (paths.TEST_METRICS, "loss", "test loss", False, "{:.4f}"),
    (paths.TEST_METRICS, "macro_f1", "macro F1", True, "{:.4f}"),
    (paths.TRAIN_METRICS, "val_accuracy", "validation accuracy", True, "{:.2%}"),
    (paths.TRAIN_METRICS, "train_seconds", "training time (s)", False, "{:,.1f}"),
    (paths.MODEL_METRICS, "parameters", "parameters", None, "{:,}"),
]


def changed_params(base: Run, head: Run) -> list[tuple[str, object, object]]:
    a, b = dict(flat_items(base.params)), dict(flat_items(head.params))
    return [(k, a.get(k, "-"), b.get(k, "-")) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def headline(base: Run, head: Run, figures: dict) -> list[dict]:
    """Headline metrics with deltas; test accuracy is called better or worse only when the verdict is, training time
    never when the runs differ in hardware or threads."""
    rows = []
    for path, key, label, higher, fmt in HEADLINE:
        old, new = base.metrics[path].get(key), head.metrics[path].get(key)
        if old is None or new is None:
            continue
        delta = new - old
        tone = "same" if higher is None or delta == 0 else ("better" if (delta > 0) == higher else "worse")
        row = {
            "label": label,
            "old": old,
            "new": new,
            "delta": delta,
            "tone": tone,
            "fmt": fmt,
            "key": f"{path.as_posix()}:{key}",
        }
        if key == "accuracy" and path == paths.TEST_METRICS:
            kind = figures["verdict"]["kind"]
            row.update(
                tone=kind if kind in ("better", "worse") else "same",
                old_ci=figures["base"]["ci95"],
                new_ci=figures["head"]["ci95"],
            )
        if key == "train_seconds" and figures.get("hardware"):  # other machine or threads: neither faster nor slower
            row.update(tone="not_comparable", note="not comparable: other hardware or thread counts")
        rows.append(row)
    return rows


def confusion_matrices(base: Run, head: Run) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """Both confusion matrices over the head's classes; None when the runs have different classes."""
    classes = list(head.metrics[paths.CONFUSION])
    if not classes or list(base.metrics[paths.CONFUSION]) != classes:
        return None
    return (
        classes,
        confusion_array(base.metrics[paths.CONFUSION], classes),
        confusion_array(head.metrics[paths.CONFUSION], classes),
    )


def largest_confusion_changes(base: Run, head: Run, n: int = 5) -> list[tuple[str, str, int]]:
    """(true, predicted, head minus base) for the off-diagonal cells that changed most."""
    cms = confusion_matrices(base, head)
    if cms is None:
        return []
    classes, cm_a, cm_b = cms
    diff = cm_b - cm_a
    off = [
        (classes[i], classes[j], int(diff[i, j]))
        for i in range(len(classes))
        for j in range(len(classes))
        if i != j and diff[i, j]
    ]
    return sorted(off, key=lambda o: -abs(o[2]))[:n]


def flips(base: Run, head: Run) -> tuple[np.ndarray, np.ndarray] | None:
    """Test images that went right->wrong and wrong->right; None unless both runs scored the same test set."""
    a, b = base.predictions, head.predictions
    if a is None or b is None or significance.test_set_difference(base, head):
        return None
    ok_a = a["actual"].values == a["predicted"].values
    ok_b = b["actual"].values == b["predicted"].values
    return np.flatnonzero(ok_a & ~ok_b), np.flatnonzero(~ok_a & ok_b)
