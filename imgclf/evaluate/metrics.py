"""The evaluate stage's numbers: headline metrics, per-class scores and the confusion matrix, from the
probabilities and the true labels."""

from __future__ import annotations

import numpy as np


def summarize(probs: np.ndarray, y: np.ndarray, classes: list[str]) -> dict:
    """Headline metrics, per-class precision/recall/F1 and the confusion matrix (scikit-learn's), keyed by class.

    `loss` is plain cross-entropy (no label smoothing): compare it with train.json's `val_cross_entropy`.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y = np.asarray(y)
    pred = probs.argmax(axis=1)
    labels = np.arange(len(classes))
    cm = confusion_matrix(y, pred, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    loss = float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1.0))))
    return {
        "test": {
            "accuracy": round(float((pred == y).mean()), 4),
            "loss": round(loss, 4),
            "macro_f1": round(float(f1.mean()), 4),
            "images": int(len(y)),
        },
        "per_class": {
            c: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for c, p, r, f, s in zip(classes, precision, recall, f1, support)
        },
        "confusion": {t: {p: int(cm[i, j]) for j, p in enumerate(classes)} for i, t in enumerate(classes)},
    }


def predictions_table(probs: np.ndarray, y: np.ndarray, classes: list[str], files: list[str] | None = None):
    """One row per test image: the DVC confusion plot and the comparison's flipped images read it; `file` names
    the image (its path in a folder dataset, its place in the official file otherwise). `actual_index` and
    `predicted_index` (last, after the columns older revisions have) are the classes' places in the dataset's class
    order: the DVC confusion plot sorts by them instead of alphabetically."""
    import pandas as pd

    pred = probs.argmax(axis=1)
    names = np.asarray(classes, dtype=object)
    table = {
        "index": np.arange(len(y)),
        "actual": names[np.asarray(y)],
        "predicted": names[pred],
        "confidence": np.round(probs.max(axis=1), 4),
    }
    if files is not None:
        table["file"] = files
    table["actual_index"] = np.asarray(y)
    table["predicted_index"] = pred
    return pd.DataFrame(table)
