"""The statistics of xlt_core.stats against values computed by hand or by their reference definitions."""

import math

import numpy as np
import pytest

from xlt_core import stats

A = [0, 100, 0, 100, 0, 100, 0, 0, 100, 0]  # 40% correct
B = [100, 100, 0, 100, 100, 100, 0, 100, 100, 0]  # 70% correct: wins on examples 0, 4 and 7, loses none


def test_paired_bootstrap_on_ten_examples_follows_its_definition():
    """Gain 30 points by hand. The resamples, recomputed one by one in plain Python from the same PCG64 draws
    (seed 7): each draws 10 indices with replacement and scores both variants on that same draw."""
    found = stats.bootstrap_gain(A, B, "mean", resamples=200, seed=7)
    assert found["gain"] == pytest.approx(30.0) and found["n"] == 10 and found["resamples"] == 200
    draws = np.random.default_rng(7).integers(0, 10, size=(200, 10))
    gains = [sum(B[i] for i in row) / 10 - sum(A[i] for i in row) / 10 for row in draws]
    assert stats.replicates(A, B, "mean", 200, seed=7) == pytest.approx(gains)
    spread = sorted(abs(g - 30.0) for g in gains)  # the null distribution: resampled minus observed
    half = np.quantile(spread, 0.95, method="higher")
    assert (found["lo"], found["hi"]) == pytest.approx((30.0 - half, 30.0 + half))
    far = sum(d >= 30.0 - 1e-9 for d in spread)  # as far from the gain as the gain is from zero
    assert found["p"] == pytest.approx((1 + far) / 201)
    assert (found["lo"] > 0) == (found["p"] < 0.05)  # interval and test say the same
    assert min(gains) >= 0  # B never loses an example: no resample has B behind


def test_bootstrap_extremes():
    same = stats.bootstrap_gain(A, A, "mean", resamples=100)
    assert (same["gain"], same["lo"], same["hi"], same["p"]) == (0.0, 0.0, 0.0, 1.0)
    every = stats.bootstrap_gain([0] * 10, [100] * 10, "mean", resamples=100)
    assert (every["gain"], every["lo"], every["hi"]) == (100.0, 100.0, 100.0)
    assert every["p"] == pytest.approx(1 / 101)  # the smallest p a Monte Carlo test of 100 resamples gives


def test_f1_counts_are_resampled_as_sums():
    """Micro F1 of counts (tp, predicted, gold): 200 tp / (predicted + gold); by hand 200*3/(4+5) = 66.67."""
    counts = np.array([[1, 1, 2], [2, 3, 3]])
    assert stats.statistic(counts.sum(axis=0), "f1") == pytest.approx(200 * 3 / 9)
    assert stats.statistic(np.array([0, 0, 0]), "f1") == 0.0  # nothing predicted, nothing gold
    a = np.array([[0, 1, 1], [1, 1, 1], [0, 0, 1]])  # F1 = 200*1/(2+3) = 40
    b = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 1]])  # F1 = 100
    found = stats.bootstrap_gain(a, b, "f1", resamples=50, seed=1)
    assert found["gain"] == pytest.approx(60.0)
    draws = np.random.default_rng(1).integers(0, 3, size=(50, 3))
    by_hand = [100.0 - (200 * a[row, 0].sum() / (a[row, 1].sum() + a[row, 2].sum())) for row in draws]
    assert stats.replicates(a, b, "f1", 50, seed=1) == pytest.approx(by_hand)


def test_mismatched_samples_are_refused():
    with pytest.raises(ValueError, match="differ in shape"):
        stats.bootstrap_gain([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="no examples"):
        stats.bootstrap_gain([], [])
    with pytest.raises(ValueError, match="tp, predicted, gold"):
        stats.bootstrap_gain([1, 2], [1, 2], "f1")


def test_student_t_against_tables():
    assert stats.t_sf2(1.0, 1) == pytest.approx(0.5)  # Cauchy: P(|T| > 1) = 1/2
    assert stats.t_sf2(2.228139, 10) == pytest.approx(0.05, abs=1e-6)  # the t table's 0.975 quantile, 10 df
    assert stats.t_quantile(0.975, 4) == pytest.approx(2.776445, abs=1e-5)
    assert stats.t_quantile(0.975, 1) == pytest.approx(12.706205, abs=1e-5)
    t = 5.0  # 2 df has a closed form: P(|T| > t) = 1 - t / sqrt(t^2 + 2)
    assert stats.t_sf2(t, 2) == pytest.approx(1 - t / math.sqrt(t * t + 2))


def test_seed_test_by_hand():
    """Gains 6, 7, 8: mean 7, sd 1, se 1/sqrt(3), t(0.975, 2 df) = 4.302653, t = 7 sqrt(3)."""
    found = stats.seed_test([6, 7, 8])
    se = 1 / math.sqrt(3)
    assert found["gain"] == pytest.approx(7.0) and found["se"] == pytest.approx(se) and found["seeds"] == 3
    assert (found["lo"], found["hi"]) == pytest.approx((7 - 4.302653 * se, 7 + 4.302653 * se), abs=1e-5)
    t = 7 / se
    assert found["p"] == pytest.approx(1 - t / math.sqrt(t * t + 2))
    assert stats.seed_test([3.0]) is None  # one seed: no test over seeds
    assert stats.seed_test([2.0, 2.0])["p"] == 0.0 and stats.seed_test([0.0, 0.0])["p"] == 1.0


def test_holm_and_benjamini_hochberg_on_five_p_values():
    """Sorted: 0.005, 0.01, 0.03, 0.04, 0.2. Holm multiplies by 5, 4, 3, 2, 1 and keeps the running maximum:
    0.025, 0.04, 0.09, max(0.08, 0.09), 0.2. BH multiplies by 5/rank and keeps the running minimum from the top:
    0.2, min(0.2, 0.05), min(0.05, 0.05), 0.025, 0.025."""
    p = [0.01, 0.04, 0.03, 0.005, 0.2]
    assert stats.holm(p) == pytest.approx([0.04, 0.09, 0.09, 0.025, 0.2])
    assert stats.benjamini_hochberg(p) == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.2])
    assert stats.holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])  # capped at 1
    with pytest.raises(ValueError, match="holm or bh"):
        stats.adjust(p, "bonferroni")


def test_an_interval_crossing_zero():
    assert stats.crosses_zero(-0.1, 2.0) and stats.crosses_zero(0.0, 1.0) and stats.crosses_zero(None, None)
    assert not stats.crosses_zero(0.1, 2.0) and not stats.crosses_zero(-3.0, -0.5)


def test_interval_and_p_value_agree_on_every_case():
    """The interval excludes 0 exactly when p < 0.05 (p computed from counts: equal up to the Monte Carlo +1)."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(5, 60))
        a = rng.integers(0, 2, n) * 100.0
        b = np.where(rng.random(n) < rng.uniform(0, 0.4), 100.0 - a, a)
        found = stats.bootstrap_gain(a, b, resamples=400, seed=int(rng.integers(1 << 30)))
        if found["gain"] and abs(found["p"] - 0.05) > 2 / 401:
            assert stats.crosses_zero(found["lo"], found["hi"]) == (found["p"] >= 0.05), found
