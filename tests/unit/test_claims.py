"""The claims' verdicts from per-language cells (what results.claim_cells returns: the mean and the population
spread over seeds of each language's score; the SQL of that is tested in test_queries)."""

import pytest

from xlt_core.claims import TOLERANCE, gains_from_cells, verdicts
from xlt_core.tasks import TASKS


def cells(model, inter, target, value, spread=0.0):
    """Every official language of `target` at `value` (mean over seeds) with `spread` (std over seeds)."""
    return {(model, inter, target): {lang: (value, spread) for lang in TASKS[target].languages}}


def merged(parts):
    return {key: langs for part in parts for key, langs in part.items()}


def evaluate(*parts, split="dev"):
    return {r["claim_id"]: r for r in verdicts(gains_from_cells(merged(parts)), split)}


def test_gain_claims_by_hand():
    data = [cells("L", "none", "xnli", 70), cells("L", "none", "xquad", 60)]
    data += [cells("L", "mnli", "xnli", 78), cells("L", "mnli", "xquad", 67)]  # gains 8 and 7 -> mean 7.5 = claim
    data += [cells("L", "squad", "xnli", 71), cells("L", "squad", "xquad", 63)]  # mean 2 vs claimed 8.2
    out = evaluate(*data)
    assert out["c2"]["status"] == "supported" and out["c2"]["measured"] == pytest.approx(7.5)
    assert out["c1"]["status"] == "refuted" and out["c1"]["measured"] == pytest.approx(2.0)
    assert out["c3"]["status"] == "not enough data" and out["c5"]["status"] == "not enough data"
    assert "dev split" in out["c2"]["detail"] and TOLERANCE == 1.0


def test_share_claims_and_seed_noise():
    data = [cells("L", "none", "xnli", 71, spread=1.0)]  # seeds at 70 and 72: mean 71, population std 1
    data += [cells("L", "mnli", "xnli", 71.5), cells("L", "qqp", "xnli", 75), cells("L", "squad", "xnli", 70)]
    # gains 0.5 (within noise 1), 4, -1: two of three within noise or below -> XNLI does not benefit: supported
    out = evaluate(*data)
    assert out["c8"]["status"] == "supported" and out["c8"]["measured"] == pytest.approx(2 / 3)
    assert gains_from_cells(merged(data))[("L", "qqp")]["xnli"] == (pytest.approx(4.0), pytest.approx(1.0))


def test_mlm_and_translated_comparisons():
    data = [cells("L", "none", "xnli", 70), cells("L", "mnli", "xnli", 75), cells("L", "mnli+mlm", "xnli", 74),
            cells("L", "xnli_mt", "xnli", 77)]
    out = evaluate(*data)
    assert out["c9"]["status"] == "supported" and out["c9"]["measured"] == pytest.approx(1.0)
    assert out["c10"]["status"] == "refuted" and out["c10"]["measured"] == pytest.approx(-2.0)
