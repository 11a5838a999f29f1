import pytest

from xlt_core.scoring import language_score, task_scores, xtreme_summary
from xlt_core.tasks import GROUPS, TASKS


def rows_for(task, metrics_by_lang):
    return [{"target_task": task, "language": lang, "metric": m, "score": v}
            for lang, metrics in metrics_by_lang.items() for m, v in metrics.items()]


def test_language_headlines():
    assert language_score("xquad", {"exact_match": 60.0, "f1": 70.0}) == 65.0  # (EM + F1) / 2
    assert language_score("panx", {"f1": 50.0, "precision": 40.0, "recall": 66.7}) == 50.0
    assert language_score("bucc2018", {"f1": 80.0, "precision": 1.0, "recall": 1.0}) == 80.0
    assert language_score("xnli", {"accuracy": 75.0}) == 75.0


def test_task_mean_over_the_official_list_and_partial_marking():
    pawsx = {lang: {"accuracy": 80.0 + i} for i, lang in enumerate(TASKS["pawsx"].languages)}  # 80..86
    out = task_scores(rows_for("pawsx", pawsx))["pawsx"]
    assert out["score"] == pytest.approx(83.0) and not out["partial"]
    partial = task_scores(rows_for("xquad", {"en": {"exact_match": 70.0, "f1": 80.0},
                                             "de": {"exact_match": 50.0, "f1": 60.0}}))["xquad"]
    # (75 + 55) / 2 = 65; F1 only: (80 + 60) / 2 = 70
    assert partial["score"] == 65.0 and partial["f1"] == 70.0
    assert partial["partial"] and len(partial["missing"]) == 9


def test_groups_and_overall():
    rows = []
    value = {"xnli": 70, "pawsx": 80, "udpos": 60, "panx": 50, "xquad": 40, "mlqa": 30, "tydiqa": 20,
             "bucc2018": 90, "tatoeba": 10}
    for task, v in value.items():
        spec = TASKS[task]
        metrics = ({"exact_match": v - 5, "f1": v + 5} if spec.type == "span_qa"
                   else {"f1": v} if spec.metric in ("seqeval", "bucc") else {"accuracy": v})
        rows += rows_for(task, {lang: metrics for lang in spec.languages})
    out = xtreme_summary(rows)
    assert out["groups"] == {"classification": 75, "tagging": 55, "qa": 30, "retrieval": 50}
    assert out["overall"] == pytest.approx(sum(value.values()) / 9)  # unweighted over the nine tasks
    assert out["tasks"]["xquad"]["f1"] == 45
    # one language missing: that task is partial, its group and the overall score are not computed
    out = xtreme_summary([r for r in rows if not (r["target_task"] == "mlqa" and r["language"] == "zh")])
    assert out["groups"]["qa"] is None and out["overall"] is None and out["groups"]["tagging"] == 55
    assert set(GROUPS) == set(out["groups"])
