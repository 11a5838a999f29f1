import pytest

from xlt_core.claims import TOLERANCE, evaluate, task_gains
from xlt_core.tasks import TASKS


def rows(model, inter, target, value, seed=0, split="dev"):
    spec = TASKS[target]
    metrics = ({"exact_match": value - 2, "f1": value + 2} if spec.type == "span_qa"
               else {"f1": value} if spec.metric in ("seqeval", "bucc") else {"accuracy": value})
    return [{"model": model, "intermediate_task": inter, "target_task": target, "language": lang, "split": split,
             "metric": m, "score": v, "seed": seed} for lang in spec.languages for m, v in metrics.items()]


def by_id(results):
    return {r["claim_id"]: r for r in results}


def test_gain_claims_by_hand():
    data = rows("L", "none", "xnli", 70) + rows("L", "none", "xquad", 60)
    data += rows("L", "mnli", "xnli", 78) + rows("L", "mnli", "xquad", 67)  # gains 8 and 7 -> mean 7.5 = claim
    data += rows("L", "squad", "xnli", 71) + rows("L", "squad", "xquad", 63)  # mean 2 vs claimed 8.2
    out = by_id(evaluate(data))
    assert out["c2"]["status"] == "supported" and out["c2"]["measured"] == pytest.approx(7.5)
    assert out["c1"]["status"] == "refuted" and out["c1"]["measured"] == pytest.approx(2.0)
    assert out["c3"]["status"] == "not enough data" and out["c5"]["status"] == "not enough data"
    assert "dev split" in out["c2"]["detail"] and TOLERANCE == 1.0


def test_share_claims_and_seed_noise():
    data = rows("L", "none", "xnli", 70, seed=0) + rows("L", "none", "xnli", 72, seed=1)  # mean 71, std 1
    data += rows("L", "mnli", "xnli", 71.5) + rows("L", "qqp", "xnli", 75) + rows("L", "squad", "xnli", 70)
    # gains 0.5 (within noise 1), 4, -1: two of three within noise or below -> XNLI does not benefit: supported
    out = by_id(evaluate(data))
    assert out["c8"]["status"] == "supported" and out["c8"]["measured"] == pytest.approx(2 / 3)
    assert task_gains(data)[("L", "qqp")]["xnli"] == (pytest.approx(4.0), pytest.approx(1.0))


def test_mlm_and_translated_comparisons():
    data = rows("L", "none", "xnli", 70) + rows("L", "mnli", "xnli", 75) + rows("L", "mnli+mlm", "xnli", 74)
    data += rows("L", "xnli_mt", "xnli", 77)
    out = by_id(evaluate(data))
    assert out["c9"]["status"] == "supported" and out["c9"]["measured"] == pytest.approx(1.0)
    assert out["c10"]["status"] == "refuted" and out["c10"]["measured"] == pytest.approx(-2.0)
