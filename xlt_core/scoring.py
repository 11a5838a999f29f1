"""How XTREME scores combine (as google-research/xtreme's evaluate.py averages them).

- One language's score: its headline metric, (EM + F1) / 2 for QA (or F1 or EM alone, by choice), F1 for tagging
  and BUCC, accuracy otherwise (`headline_metrics`; results.store applies it at ingest, into the `cells` table).
- A task's score: the unweighted mean over its languages (results.queries.study, after the mean over seeds). A
  task without every language of its official list is partial and stays out of the group and overall means
  (analysis.xtreme_table).
- Groups and the overall score: unweighted means of complete task scores (`group_scores`).
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


def group_scores(complete: dict[str, float]) -> dict:
    """Group means and the overall score from complete task scores (None where a task of it is missing)."""
    groups = {g: (mean(complete[t] for t in members) if all(t in complete for t in members) else None)
              for g, members in GROUPS.items()}
    overall = (mean(complete[t] for m in GROUPS.values() for t in m)
               if all(v is not None for v in groups.values()) else None)
    return {"groups": groups, "overall": overall}
