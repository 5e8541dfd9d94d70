"""How sure is a score, and is a change real? Intervals and tests for accuracies counted on a test set.

The Wilson score interval for one accuracy, McNemar's exact test (a two-sided binomial test on the images only
one of two models gets right) for a paired comparison, and Benjamini-Hochberg to keep per-class tests from crying
wolf. The tests are SciPy's; the interval is its closed form, written here (checked against SciPy's in
tests/test_stats.py) because importing scipy.stats for it took `report` from 4.3-4.6 s a run to 6.0-6.6 s
(3 runs each, 2-core AVX2 EPYC).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np

CONFIDENCE = 0.95
ALPHA = 0.05  # 1 - CONFIDENCE, written out: 1 - 0.95 is 0.050000000000000044


def wilson(correct: int, total: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Wilson score interval of the accuracy correct/total; None when there is nothing to count."""
    if total <= 0:
        return None
    n, p = int(total), int(correct) / int(total)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    scale = 1 + z * z / n
    center = (p + z * z / (2 * n)) / scale
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / scale
    return max(center - half, 0.0), min(center + half, 1.0)


def interval(ci: tuple[float, float] | None) -> str:
    """An interval of a fraction as text, '93.61–94.52%'."""
    return "n/a" if ci is None else f"{ci[0] * 100:.2f}–{ci[1] * 100:.2f}%"


@dataclass
class Paired:
    """The right/wrong table of two models on the same images, and McNemar's exact test on it."""

    images: int
    still_right: int
    still_wrong: int
    fixed: int  # wrong in base, right in head
    broken: int  # right in base, wrong in head
    p_value: float
    delta: float  # head accuracy minus base accuracy
    delta_ci: tuple[float, float]

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA

    def as_dict(self) -> dict:
        return {**asdict(self), "delta_ci": list(self.delta_ci)}


def mcnemar(fixed: int, broken: int) -> float:
    """Exact two-sided McNemar p-value: under "no difference" each discordant image is a fair coin flip."""
    from scipy.stats import binomtest

    n = fixed + broken
    return 1.0 if n == 0 else float(binomtest(int(fixed), n, 0.5).pvalue)


def paired(ok_base: np.ndarray, ok_head: np.ndarray, confidence: float = CONFIDENCE) -> Paired:
    """Compare two models image by image (boolean arrays: was each test image classified right?).

    The interval of the accuracy change is the one McNemar's exact test inverts: given the d images on
    which the models disagree, the share f of them that head fixed has a Clopper-Pearson interval, and the
    change is d/n * (2f - 1). It excludes 0 exactly when p < 1 - confidence, so the two never disagree.
    """
    from scipy.stats import binomtest

    a, b = np.asarray(ok_base, bool), np.asarray(ok_head, bool)
    n = len(a)
    fixed, broken = int((~a & b).sum()), int((a & ~b).sum())
    d = fixed + broken
    if d:
        ci = binomtest(fixed, d, 0.5).proportion_ci(confidence_level=confidence, method="exact")
        delta_ci = (d / n * (2 * ci.low - 1), d / n * (2 * ci.high - 1))
    else:
        delta_ci = (0.0, 0.0)
    return Paired(
        images=n,
        still_right=int((a & b).sum()),
        still_wrong=int((~a & ~b).sum()),
        fixed=fixed,
        broken=broken,
        p_value=mcnemar(fixed, broken),
        delta=(fixed - broken) / n if n else 0.0,
        delta_ci=(float(delta_ci[0]), float(delta_ci[1])),
    )


def adjust(p_values: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values: with ten classes, one p < 0.05 by chance alone is common."""
    from scipy.stats import false_discovery_control

    return [float(p) for p in false_discovery_control(p_values, method="bh")] if p_values else []
