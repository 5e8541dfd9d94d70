"""Estimating performance on the test set: predictions with test-time augmentation, and the metrics the evaluate
stage writes (headline numbers, per-class scores, the confusion matrix, one row per test image). How sure each
score is (intervals, paired tests) is imgclf.core.stats, which the reports share."""

from .metrics import predictions_table, summarize
from .predict import predict

__all__ = ["predict", "predictions_table", "summarize"]
