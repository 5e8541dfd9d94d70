"""Stage 4's numbers: predictions on the test set and the metrics computed from them."""

from __future__ import annotations

import numpy as np


def predict(model, x: np.ndarray, batch_size: int, *, tta_flip: bool = False, tta_shift: int = 0) -> np.ndarray:
    """Class probabilities; with `tta_flip`, the mean over each image and its mirror image.

    With `tta_shift` = s, also over copies moved s pixels down-right and up-left (zero-filled, as the training
    crop pads), weighted 1/4 each against 1/2 for the unmoved image: airbench's multi-crop test-time augmentation.
    """
    import tensorflow as tf

    from .hardware import kernel_errors
    from .pipeline import image_batches

    def views(ds):
        probs = model.predict(ds, verbose=0)
        if tta_flip:
            probs = (probs + model.predict(ds.map(lambda b: tf.reverse(b, axis=[2])), verbose=0)) / 2
        return probs

    ds = image_batches(x, batch_size)
    with kernel_errors(model):
        probs = views(ds)
        if tta_shift:
            s = tta_shift
            pad = [[0, 0], [s, s], [s, s], [0, 0]]
            down_right = ds.map(lambda b: tf.pad(b, pad)[:, : -2 * s, : -2 * s])
            up_left = ds.map(lambda b: tf.pad(b, pad)[:, 2 * s:, 2 * s:])
            probs = probs / 2 + (views(down_right) + views(up_left)) / 4
    return probs.astype(np.float32)


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
        "test": {"accuracy": round(float((pred == y).mean()), 4), "loss": round(loss, 4),
                 "macro_f1": round(float(f1.mean()), 4), "images": int(len(y))},
        "per_class": {c: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                          "f1": round(float(f), 4), "support": int(s)}
                      for c, p, r, f, s in zip(classes, precision, recall, f1, support)},
        "confusion": {t: {p: int(cm[i, j]) for j, p in enumerate(classes)} for i, t in enumerate(classes)},
    }


def predictions_table(probs: np.ndarray, y: np.ndarray, classes: list[str]):
    """One row per test image: the DVC confusion plot and the comparison's flipped images read it."""
    import pandas as pd

    pred = probs.argmax(axis=1)
    names = np.asarray(classes, dtype=object)
    return pd.DataFrame({"index": np.arange(len(y)), "actual": names[np.asarray(y)], "predicted": names[pred],
                         "confidence": np.round(probs.max(axis=1), 4)})
