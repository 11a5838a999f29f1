import pytest

from xlt_core.scoring import group_scores, headline_metrics
from xlt_core.tasks import GROUPS


def test_language_headlines():
    assert headline_metrics("xquad") == ("exact_match", "f1")  # (EM + F1) / 2
    assert headline_metrics("xquad", "f1") == ("f1",) and headline_metrics("mlqa", "em") == ("exact_match",)
    assert headline_metrics("panx") == ("f1",) and headline_metrics("bucc2018") == ("f1",)
    assert headline_metrics("xnli") == ("accuracy",) and headline_metrics("xnli", "em") == ("accuracy",)


def test_groups_and_overall():
    value = {"xnli": 70, "pawsx": 80, "udpos": 60, "panx": 50, "xquad": 40, "mlqa": 30, "tydiqa": 20,
             "bucc2018": 90, "tatoeba": 10}
    out = group_scores(value)
    assert out["groups"] == {"classification": 75, "tagging": 55, "qa": 30, "retrieval": 50}
    assert out["overall"] == pytest.approx(sum(value.values()) / 9)  # unweighted over the nine tasks
    # one task missing (partial tasks are left out by the caller): its group and the overall score are not computed
    out = group_scores({t: v for t, v in value.items() if t != "mlqa"})
    assert out["groups"]["qa"] is None and out["overall"] is None and out["groups"]["tagging"] == 55
    assert set(GROUPS) == set(out["groups"])
