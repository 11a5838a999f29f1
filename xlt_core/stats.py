"""Is a gain real? Paired significance tests over evaluation examples and over seeds, and corrections for testing
many languages at once. Pure functions over numpy arrays; no torch, no SQL.

- `bootstrap_gain`: the paired bootstrap over evaluation examples (Koehn 2004; Berg-Kirkpatrick et al. 2012). Both
  variants are scored on the same examples; each resample draws n examples with replacement and recomputes both
  scores on that same draw. The resampled gains minus the observed gain stand for the null distribution: the
  two-sided p-value counts those at least as far from 0 as the observed gain (with the +1 of a Monte Carlo test),
  and the 95% interval is the observed gain plus or minus their 95th absolute percentile. Interval and test agree:
  the interval excludes 0 exactly when p < 0.05 (up to the +1).
- Two kinds of per-example values: `mean` (one value per example whose mean is the score: accuracy, EM, F1 of a
  question, Tatoeba's top-1) and `f1` (three counts per example, true positives, predicted and gold items, whose
  sums give a micro F1 = 200 tp / (predicted + gold): seqeval per sentence, BUCC per source sentence).
- `seed_test`: Student's t over seed-level gains (the gain of each seed, paired by seed), with its interval.
- `holm`, `benjamini_hochberg`: adjusted p-values for the languages of one task.
"""

from __future__ import annotations

import math

import numpy as np

RESAMPLES = 1000  # bootstrap resamples: p-values down to 1/1001, intervals stable to ~0.1 point on 100 examples
LEVEL = 0.95
KINDS = ("mean", "f1")
CORRECTIONS = {"holm": "Holm", "bh": "Benjamini-Hochberg"}


def statistic(values: np.ndarray, kind: str) -> np.ndarray:
    """The score (0-100) of per-example values summed along axis -2: the mean of `mean` values, or the micro F1 of
    `f1` counts (last axis: tp, predicted, gold). Works on one sample (n,) / (n, 3) or on resampled sums."""
    if kind == "mean":
        return values.mean(axis=-1)
    tp, pred, gold = (values[..., i] for i in range(3))
    total = pred + gold
    return np.where(total > 0, 200.0 * tp / np.where(total > 0, total, 1), 0.0)


def _check(a: np.ndarray, b: np.ndarray, kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: choose mean or f1")
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in shape: {a.shape} and {b.shape}")
    if not len(a):
        raise ValueError("no examples to compare")
    if kind == "f1" and (a.ndim != 2 or a.shape[1] != 3):
        raise ValueError("f1 values are (tp, predicted, gold) counts per example")


def replicates(a, b, kind: str = "mean", resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """The gain (b - a) on each of `resamples` paired resamples of the examples, drawn by numpy's PCG64 from
    `seed`: the same draw of example indices for both variants."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    _check(a, b, kind)
    n = len(a)
    rng = np.random.default_rng(seed)
    out = np.empty(resamples)
    chunk = max(1, 2_000_000 // n)  # index matrices of ~16 MB at most
    for start in range(0, resamples, chunk):
        idx = rng.integers(0, n, size=(min(chunk, resamples - start), n))
        if kind == "mean":
            out[start:start + len(idx)] = (b - a)[idx].mean(axis=1)
        else:
            out[start:start + len(idx)] = statistic(b[idx].sum(axis=1), kind) - statistic(a[idx].sum(axis=1), kind)
    return out


def summarise(gain: float, reps: np.ndarray, level: float = LEVEL) -> dict:
    """The observed gain with its interval (gain +- the `level` quantile of |resampled - observed|), the bootstrap
    standard error and the two-sided p-value (the share of |resampled - observed| >= |observed|, +1)."""
    spread = np.abs(reps - gain)
    half = float(np.quantile(spread, level, method="higher"))  # an observed distance: ties count as the test does
    if half >= abs(gain) - 1e-9:  # as far as the gain itself, up to rounding: the interval reaches 0
        half = max(half, abs(gain))
    far = np.count_nonzero(spread >= abs(gain) - 1e-9) if gain else len(reps)
    return {"gain": float(gain), "lo": float(gain - half), "hi": float(gain + half), "se": float(reps.std(ddof=1)),
            "p": float((1 + far) / (1 + len(reps))) if gain else 1.0, "resamples": len(reps)}


def bootstrap_gain(a, b, kind: str = "mean", resamples: int = RESAMPLES, seed: int = 0, level: float = LEVEL) -> dict:
    """Paired bootstrap of the gain of `b` over `a` on the same examples: gain, lo, hi, se, p, n, resamples."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    _check(a, b, kind)
    gain = float(statistic(b if kind == "mean" else b.sum(axis=0), kind)
                 - statistic(a if kind == "mean" else a.sum(axis=0), kind))
    return {**summarise(gain, replicates(a, b, kind, resamples, seed), level), "n": len(a)}


# Student's t -------------------------------------------------------------------------------------------------
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_sf2(t: float, df: int) -> float:
    """Two-sided tail probability P(|T| >= |t|) of Student's t with `df` degrees of freedom."""
    return incomplete_beta(df / 2, 0.5, df / (df + t * t))


def t_quantile(q: float, df: int) -> float:
    """The q-quantile (q > 0.5) of Student's t, by bisection on the tail probability."""
    lo, hi = 0.0, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_sf2(mid, df) / 2 > 1 - q else (lo, mid)
    return (lo + hi) / 2


def seed_test(gains, level: float = LEVEL) -> dict | None:
    """Student's t over seed-level gains (one per seed, each the gain of the same seed's runs): mean, lo, hi, se,
    p (two-sided, H0: mean gain 0) and seeds. None with fewer than two seeds."""
    g = np.asarray(list(gains), dtype=np.float64)
    k = len(g)
    if k < 2:
        return None
    m, se = float(g.mean()), float(g.std(ddof=1) / math.sqrt(k))
    half = t_quantile(1 - (1 - level) / 2, k - 1) * se
    p = (1.0 if m == 0 else 0.0) if se == 0 else t_sf2(m / se, k - 1)
    return {"gain": m, "lo": m - half, "hi": m + half, "se": se, "p": p, "seeds": k}


# many languages at once --------------------------------------------------------------------------------------
def holm(pvalues) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error), in the order given."""
    p = list(pvalues)
    order = sorted(range(len(p)), key=p.__getitem__)
    out, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        out[i] = running
    return out


def benjamini_hochberg(pvalues) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), in the order given."""
    p = list(pvalues)
    m = len(p)
    order = sorted(range(m), key=p.__getitem__, reverse=True)
    out, running = [0.0] * m, 1.0
    for k, i in enumerate(order):
        running = min(running, p[i] * m / (m - k))
        out[i] = running
    return out


def adjust(pvalues, method: str = "holm") -> list[float]:
    if method not in CORRECTIONS:
        raise ValueError(f"unknown correction {method!r}: choose {' or '.join(CORRECTIONS)}")
    return holm(pvalues) if method == "holm" else benjamini_hochberg(pvalues)


def crosses_zero(lo, hi) -> bool:
    """Whether an interval leaves the sign of a gain open (no interval: open too)."""
    return lo is None or hi is None or (lo <= 0 <= hi)
