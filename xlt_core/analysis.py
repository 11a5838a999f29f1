"""Tables for the analysis notebooks, from score rows (results.chain_rows): pure pandas, one place for the
statistics (means over seeds, bootstrap confidence intervals, English-vs-other-languages gaps)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scoring import language_score, xtreme_summary
from .tasks import TASKS


def language_scores(rows: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """One headline score per (model, intermediate, target, language, seed, *by): (EM+F1)/2 for QA, F1 for tagging
    and BUCC, accuracy otherwise."""
    keys = ["model", "model_size", "intermediate_task", "target_task", "language", "split", "seed", *by]
    out = []
    for key, group in rows.groupby(keys, dropna=False):
        metrics = dict(zip(group["metric"], group["score"]))
        out.append({**dict(zip(keys, key)), "score": language_score(key[3], metrics)})
    return pd.DataFrame(out)


def bootstrap_ci(values, n: int = 2000, level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (over seeds); a single value gives (value, value)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float(values.mean()), float(values.mean())
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(n, len(values)), replace=True).mean(axis=1)
    return tuple(float(q) for q in np.quantile(means, [(1 - level) / 2, (1 + level) / 2]))


def task_gains(rows: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per (model, intermediate, *by, target): task score (mean over the languages shared with the baseline),
    the baseline's, the gain, its spread over seeds and a 95% bootstrap interval."""
    ls = language_scores(rows, by)
    task = ls.groupby(["model", "model_size", "intermediate_task", "target_task", "seed", *by], dropna=False)["score"]\
        .mean().reset_index()
    base = task[task["intermediate_task"] == "none"].groupby(["model", "target_task"])["score"].mean()
    out = []
    for key, group in task[task["intermediate_task"] != "none"].groupby(
            ["model", "model_size", "intermediate_task", "target_task", *by], dropna=False):
        if (key[0], key[3]) not in base:
            continue
        gains = group["score"].to_numpy() - base[(key[0], key[3])]
        low, high = bootstrap_ci(gains)
        out.append({**dict(zip(["model", "model_size", "intermediate_task", "target_task", *by], key)),
                    "score": group["score"].mean(), "baseline": base[(key[0], key[3])], "gain": gains.mean(),
                    "seeds": len(gains), "spread": gains.std(ddof=1) if len(gains) > 1 else 0.0,
                    "ci_low": low, "ci_high": high, "ci_half": (high - low) / 2})
    return pd.DataFrame(out)


def regime(intermediate: str) -> str:
    """How an intermediate label was trained: single, multi-task, sequential, +MLM, translated, or none."""
    if intermediate == "none":
        return "none"
    if ">" in intermediate:
        return "sequential"
    if intermediate.endswith("+mlm"):
        return "mlm co-training"
    if "xnli_mt" in intermediate:
        return "translated"
    return "multi-task" if "+" in intermediate or intermediate == "all" else "single"


def gains_with_cost(rows: pd.DataFrame) -> pd.DataFrame:
    """task_gains with each variant's regime and the compute of its whole chain (device-hours, mean over seeds
    and target runs)."""
    gains = task_gains(rows)
    hours = rows.groupby(["model", "intermediate_task", "target_task"])["chain_wall_s"].mean() / 3600
    gains["hours"] = [hours.get((m, i, t)) for m, i, t in zip(gains["model"], gains["intermediate_task"],
                                                             gains["target_task"])]
    gains["regime"] = gains["intermediate_task"].map(regime)
    return gains


def study_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The study's table: one row per (model, intermediate task), one column per target task (its XTREME task
    score, mean over seeds), group means and the XTREME average (None while a task is missing or partial)."""
    table = []
    for (model, inter), group in rows.groupby(["model", "intermediate_task"]):
        means = group.groupby(["target_task", "language", "metric"])["score"].mean().reset_index()
        summary = xtreme_summary(means.to_dict("records"))
        table.append({"model": model, "intermediate_task": inter,
                      **{t: v["score"] for t, v in summary["tasks"].items()},
                      **{f"group:{g}": v for g, v in summary["groups"].items()}, "xtreme": summary["overall"]})
    return pd.DataFrame(table)


def english_gap(rows: pd.DataFrame) -> pd.DataFrame:
    """Per (model, intermediate, target): English score minus the mean of the other languages (zero-shot gap)."""
    ls = language_scores(rows).groupby(["model", "model_size", "intermediate_task", "target_task", "language"])["score"]\
        .mean().reset_index()
    out = []
    for key, group in ls.groupby(["model", "model_size", "intermediate_task", "target_task"]):
        en = group[group["language"] == "en"]["score"]
        others = group[group["language"] != "en"]["score"]
        if len(en) and len(others) and "en" in TASKS[key[3]].languages:
            out.append({**dict(zip(["model", "model_size", "intermediate_task", "target_task"], key)),
                        "english": float(en.iloc[0]), "others": float(others.mean()),
                        "gap": float(en.iloc[0] - others.mean())})
    return pd.DataFrame(out)
