"""The statistics behind the comparison's verdict, checked against values worked out by hand."""

import numpy as np
import pytest

from imgclf.core import stats


def test_wilson_interval_by_hand():
    # 8 right of 10, z = 1.959964 (z^2 = 3.841459):
    #   centre    = (p + z^2/2n) / (1 + z^2/n)             = (0.8 + 0.192073) / 1.384146        = 0.716743
    #   half-width = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2) = 1.959964 / 1.384146 * sqrt(0.016 + 0.009604)
    #              = 1.416010 * 0.160011                                                          = 0.226578
    #   interval  = 0.490165 .. 0.943321
    lo, hi = stats.wilson(8, 10)
    assert lo == pytest.approx(0.490165, abs=1e-5) and hi == pytest.approx(0.943321, abs=1e-5)


@pytest.mark.parametrize(
    "k, n, lo, hi",
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score, no continuity correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_textbook(k, n, lo, hi):
    got = stats.wilson(k, n)
    assert got[0] == pytest.approx(lo, abs=5e-5) and got[1] == pytest.approx(hi, abs=5e-5)


def test_wilson_closed_form_is_scipys():
    from scipy.stats import binomtest

    for n in (1, 7, 96, 10_000):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            for confidence in (0.9, 0.95, 0.99):
                ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
                assert stats.wilson(k, n, confidence) == pytest.approx((ci.low, ci.high), abs=1e-12), (k, n)


def test_wilson_of_nothing_is_none():
    assert stats.wilson(0, 0) is None and stats.interval(None) == "n/a"
    assert stats.interval((0.93612, 0.94521)) == "93.61–94.52%"


@pytest.mark.parametrize(
    "fixed, broken, p",
    [
        # Under "no difference" each of the fixed + broken images is a fair coin:
        # p = 2 * P(X <= min) for X ~ Bin(n, 1/2).
        (1, 9, 2 * (1 + 10) / 2**10),  # = 22/1024 = 0.021484
        (2, 8, 2 * (1 + 10 + 45) / 2**10),  # = 112/1024 = 0.109375
        (5, 5, 1.0),  # the two tails overlap: capped at 1
        (0, 6, 2 / 2**6),  # = 0.03125
        (0, 0, 1.0),  # nothing discordant: no evidence at all
    ],
)
def test_mcnemar_exact_by_hand(fixed, broken, p):
    assert stats.mcnemar(fixed, broken) == pytest.approx(p, rel=1e-9)
    assert stats.mcnemar(broken, fixed) == pytest.approx(p, rel=1e-9)


def test_paired_table_and_change_interval_by_hand():
    # 100 images: 80 right in both, 10 wrong in both, 9 fixed, 1 broken.
    base = np.array([True] * 80 + [False] * 10 + [False] * 9 + [True] * 1)
    head = np.array([True] * 80 + [False] * 10 + [True] * 9 + [False] * 1)
    r = stats.paired(base, head)
    assert (r.still_right, r.still_wrong, r.fixed, r.broken, r.images) == (80, 10, 9, 1, 100)
    assert r.p_value == pytest.approx(22 / 1024) and r.significant
    assert r.delta == pytest.approx(0.08)
    # Clopper-Pearson 95% interval of 9 fixed of 10 discordant: 0.554984 .. 0.997471 (textbook tables: 0.555-0.997),
    # so the change is 10/100 * (2f - 1): +0.011 .. +0.0995.
    assert r.delta_ci[0] == pytest.approx(0.1 * (2 * 0.554984 - 1), abs=1e-5)
    assert r.delta_ci[1] == pytest.approx(0.1 * (2 * 0.997471 - 1), abs=1e-5)


def test_change_interval_and_test_never_disagree():
    """The interval excludes 0 exactly when McNemar's p < 0.05: the verdict and its CI cannot contradict."""
    for fixed in range(0, 41):
        for broken in range(0, 41 - fixed):
            n = 200
            base = np.array([False] * fixed + [True] * broken + [True] * (n - fixed - broken))
            head = np.array([True] * fixed + [False] * broken + [True] * (n - fixed - broken))
            r = stats.paired(base, head)
            excludes_zero = r.delta_ci[0] > 0 or r.delta_ci[1] < 0
            assert excludes_zero == r.significant, (fixed, broken, r)


def test_benjamini_hochberg_by_hand():
    # sorted p = 0.01, 0.02, 0.03, 0.5 (m = 4): p * m / rank = 0.04, 0.04, 0.04, 0.5;
    # then the running minimum from the top.
    assert stats.adjust([0.03, 0.5, 0.01, 0.02]) == pytest.approx([0.04, 0.5, 0.04, 0.04])
    assert stats.adjust([]) == []
