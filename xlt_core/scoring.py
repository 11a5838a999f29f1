"""Task averages, group averages and the overall XTREME score, computed here and nowhere else
(google-research/xtreme evaluate.py; shared/docs/xtreme-reference.md 5.8).

Per task: the unweighted mean over the task's official language list of its headline score: (EM + F1) / 2 for
QA, F1 for tagging and BUCC, accuracy otherwise; QA's F1-only mean is reported beside it. A task whose list is
not complete is reported with the languages it has and marked partial, and stays out of group and overall means.
Groups and the overall score are unweighted means of task scores.
"""

from __future__ import annotations

from statistics import mean

from .tasks import GROUPS, TASKS


METRIC_CHOICES = {"headline": "(EM+F1)/2", "f1": "F1", "em": "EM"}  # what a QA score means; others keep theirs


def headline_metrics(task: str, choice: str = "headline") -> tuple[str, ...]:
    """The stored metrics whose mean is one language's score: (EM + F1) / 2 for QA (or F1 or EM alone, by
    `choice`), F1 for tagging and BUCC, accuracy otherwise."""
    spec = TASKS[task]
    if spec.type == "span_qa":
        return {"headline": ("exact_match", "f1"), "f1": ("f1",), "em": ("exact_match",)}[choice]
    return ("f1",) if spec.metric in ("seqeval", "bucc") else ("accuracy",)


def language_score(task: str, metrics: dict[str, float], choice: str = "headline") -> float:
    """The score of one language, from its metric -> score mapping."""
    names = headline_metrics(task, choice)
    return sum(metrics[m] for m in names) / len(names)


def task_scores(rows: list[dict]) -> dict[str, dict]:
    """rows: dicts with target_task, language, metric, score (one run or one mean over seeds) ->
    {task: {"score", "f1" (QA), "languages", "missing", "partial"}}."""
    by_task: dict[str, dict[str, dict[str, float]]] = {}
    for r in rows:
        by_task.setdefault(r["target_task"], {}).setdefault(r["language"], {})[r["metric"]] = r["score"]
    out = {}
    for task, langs in by_task.items():
        official = TASKS[task].languages
        have = [lang for lang in official if lang in langs]
        if not have:
            continue
        entry = {"score": mean(language_score(task, langs[lang]) for lang in have), "languages": len(have),
                 "missing": [lang for lang in official if lang not in langs], "partial": len(have) < len(official)}
        if TASKS[task].type == "span_qa":
            entry["f1"] = mean(langs[lang]["f1"] for lang in have)
        out[task] = entry
    return out


def xtreme_summary(rows: list[dict]) -> dict:
    """Task scores, group means and the overall XTREME score (None where a task of it is missing or partial)."""
    tasks = task_scores(rows)
    return {"tasks": tasks, **group_scores({t: v["score"] for t, v in tasks.items() if not v["partial"]})}


def group_scores(complete: dict[str, float]) -> dict:
    """Group means and the overall score from complete task scores (None where a task of it is missing)."""
    groups = {g: (mean(complete[t] for t in members) if all(t in complete for t in members) else None)
              for g, members in GROUPS.items()}
    overall = mean(complete[t] for m in GROUPS.values() for t in m) if all(v is not None for v in groups.values()) else None
    return {"groups": groups, "overall": overall}
