"""Tables for the analysis notebooks, from score rows (results.chain_rows): pure pandas, one place for the
statistics (means over seeds, bootstrap confidence intervals, English-vs-other-languages gaps)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scoring import group_scores, language_score, xtreme_summary
from .tasks import APPROX_SIZES, LANGUAGES, TASKS


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


# the dashboard's tables, from the aggregated queries of xlt_core.results ----------------------------------------
def variant_label(intermediate: str, size=None, sampling=None, model: str | None = None) -> str:
    """'mnli', 'mnli · 5,000 ex.', 'mnli+squad [temperature]', optionally prefixed with the model."""
    label = intermediate
    if sampling and sampling != "proportional" and regime(intermediate) in ("multi-task", "mlm co-training"):
        label += f" [{sampling}]"
    if size is not None and not pd.isna(size):
        label += f" · {int(size):,} ex."
    return f"{model} · {label}" if model else label


def with_labels(df: pd.DataFrame, model: bool = True) -> pd.DataFrame:
    """Adds `variant` (variant_label, with the model when several are shown) and `regime` columns."""
    several = model and df["model"].nunique() > 1 if len(df) else False
    df = df.copy()
    df["variant"] = [variant_label(i, n, s, m if several else None) for i, n, s, m in
                     zip(df["intermediate_task"], df["intermediate_size"], df["sampling"], df["model"])]
    df["regime"] = df["intermediate_task"].map(regime)
    return df


def gain_summary(per_seed: pd.DataFrame, by: tuple[str, ...] = ("target_task",), n: int = 2000,
                 seed: int = 0) -> pd.DataFrame:
    """results.task_gains (one row per seed) -> one row per variant and `by`: mean gain, seeds, a 95% percentile
    bootstrap interval of the mean over seeds (as bootstrap_ci, vectorised: every group with k seeds shares the
    same n resamples, drawn as multinomial counts), the baseline and the chain's device-hours."""
    keys = ["model", "model_size", "intermediate_task", "intermediate_size", "sampling", *by]
    groups = per_seed.groupby(keys, dropna=False, sort=False)
    out = groups.agg(gain=("gain", "mean"), score=("score", "mean"), baseline=("baseline", "mean"),
                     seeds=("gain", "size"), hours=("chain_wall_s", "mean")).reset_index()
    out["hours"] = out["hours"] / 3600
    out["ci_low"], out["ci_high"] = out["gain"], out["gain"]
    rng = np.random.default_rng(seed)
    code = groups.ngroup().to_numpy()
    gains = per_seed["gain"].to_numpy(dtype=float)
    for k in sorted(set(out["seeds"]) - {1}):
        members = np.flatnonzero(out["seeds"].to_numpy() == k)
        matrix = np.stack([gains[code == g] for g in members])  # groups x k
        counts = rng.multinomial(k, [1 / k] * k, size=n)  # n resamples x k
        means = matrix @ counts.T / k  # groups x n
        low, high = np.quantile(means, [0.025, 0.975], axis=1)
        out.loc[members, "ci_low"], out.loc[members, "ci_high"] = low, high
    out["ci_half"] = (out["ci_high"] - out["ci_low"]) / 2
    out = out[[*keys, "gain", "score", "baseline", "seeds", "ci_low", "ci_high", "ci_half", "hours"]]
    return with_labels(out.sort_values(keys, na_position="first", ignore_index=True))  # full data before subsamples


def xtreme_table(study: pd.DataFrame) -> pd.DataFrame:
    """results.study -> the XTREME-style table: one row per variant, a column per target task (its score; an
    asterisk-free number only when every official language is there), group means and the overall score."""
    if study.empty:
        return study
    study = with_labels(study)
    out = []
    for (variant, model), g in study.groupby(["variant", "model"], sort=False):
        tasks = dict(zip(g["target_task"], g["score"]))
        complete = {t: s for t, s, n in zip(g["target_task"], g["score"], g["languages"])
                    if n == len(TASKS[t].languages)}
        summary = group_scores(complete)
        out.append({"variant": variant, "model": model, "intermediate_task": g["intermediate_task"].iloc[0],
                    "intermediate_size": g["intermediate_size"].iloc[0],
                    **{t: tasks.get(t) for t in TASKS if t in tasks},
                    **{f"group:{k}": v for k, v in summary["groups"].items()}, "xtreme": summary["overall"],
                    "partial": sorted(set(tasks) - set(complete))})
    table = pd.DataFrame(out)  # the baseline first, then by task; all data before subsamples
    table["order"] = table["intermediate_task"].where(table["intermediate_task"] != "none", "")
    table = table.sort_values(["model", "order", "intermediate_size"], na_position="first", ignore_index=True)
    return table.drop(columns=["order", "intermediate_size"])


def by_language(lang_gains: pd.DataFrame) -> pd.DataFrame:
    """results.language_gains with each language's name, script and family (from the task table)."""
    df = lang_gains.copy()
    info = [LANGUAGES.get(lang, (lang, "?", "?")) for lang in df["language"]]
    df["name"], df["script"], df["family"] = zip(*info) if info else ([], [], [])
    return df.sort_values(["family", "language"])


def pareto_front(df: pd.DataFrame, cost: str = "hours", value: str = "gain") -> pd.DataFrame:
    """The rows no other row beats on both counts (less or equal cost and more gain), sorted by cost."""
    ranked = df.dropna(subset=[cost, value]).sort_values([cost, value], ascending=[True, False])
    best, keep = float("-inf"), []
    for idx, v in zip(ranked.index, ranked[value]):
        if v > best:
            keep.append(idx)
            best = v
    return ranked.loc[keep]


def data_size(intermediate: str, size) -> float | None:
    """The intermediate data size of a run: its subsample, or the task's full training set (tasks.APPROX_SIZES)."""
    if size is not None and not pd.isna(size):
        return float(size)
    full = APPROX_SIZES.get(intermediate)
    return float(full[0]) if full else None


def published_vs_reproduced(published: pd.DataFrame, ours: pd.DataFrame) -> pd.DataFrame:
    """Each published number beside ours (results.baselines: same model, task, metric and split -- 'validation' is
    our 'dev' -- and language; 'avg' is our mean over the task's official languages, with how many we have)."""
    rows = []
    for p in published.itertuples(index=False):
        split = "dev" if p.split == "validation" else p.split
        mine = ours[(ours["model"] == p.model) & (ours["target_task"] == p.target_task) &
                    (ours["metric"] == p.metric) & (ours["split"] == split)]
        if p.language != "avg":
            mine = mine[mine["language"] == p.language]
        elif p.target_task in TASKS:
            mine = mine[mine["language"].isin(TASKS[p.target_task].languages)]
        value = float(mine["score"].mean()) if len(mine) else None
        rows.append({"system": p.system, "model": p.model, "target_task": p.target_task, "language": p.language,
                     "metric": p.metric, "split": p.split, "published": float(p.score), "reproduced": value,
                     "difference": None if value is None else value - float(p.score),
                     "our_languages": int(mine["language"].nunique()), "source": p.source})
    return pd.DataFrame(rows)
