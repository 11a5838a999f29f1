"""Tables for the dashboard and the analysis notebooks, from the aggregated queries of xlt_core.results: pure
pandas, one place for the statistics over seeds (means, bootstrap intervals), for what each gain rests on (its
paired test's interval, seeds and examples: the noise floor, with xlt_core.stats) and for how variants are named."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from . import stats
from .scoring import group_scores
from .tasks import APPROX_SIZES, LANGUAGES, TASKS


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


NOT_ZERO_SHOT = "target-dev"  # the selection rule that reads target-language dev data


def variant_label(intermediate: str, size=None, sampling=None, model: str | None = None, selection=None) -> str:
    """'mnli', 'mnli · 5,000 ex.', 'mnli+squad [temperature]', 'mnli (last)', 'mnli (target-dev, not zero-shot)',
    optionally prefixed with the model."""
    label = intermediate
    if sampling and sampling != "proportional" and regime(intermediate) in ("multi-task", "mlm co-training"):
        label += f" [{sampling}]"
    if size is not None and not pd.isna(size):
        label += f" · {int(size):,} ex."
    if isinstance(selection, str) and selection != "en-dev":
        label += f" ({selection}, not zero-shot)" if selection == NOT_ZERO_SHOT else f" ({selection})"
    return f"{model} · {label}" if model else label


def with_labels(df: pd.DataFrame, model: bool = True) -> pd.DataFrame:
    """Adds `variant` (variant_label, with the model when several are shown) and `regime` columns."""
    several = model and df["model"].nunique() > 1 if len(df) else False
    df = df.copy()
    selections = df["selection"] if "selection" in df else [None] * len(df)
    df["variant"] = [variant_label(i, n, s, m if several else None, sel) for i, n, s, m, sel in
                     zip(df["intermediate_task"], df["intermediate_size"], df["sampling"], df["model"], selections)]
    df["regime"] = df["intermediate_task"].map(regime)
    return df


def gain_summary(per_seed: pd.DataFrame, by: tuple[str, ...] = ("target_task",), n: int = 2000,
                 seed: int = 0) -> pd.DataFrame:
    """results.task_gains (one row per seed) -> one row per variant and `by`: mean gain, seeds, a 95% percentile
    bootstrap interval of the mean over seeds (vectorised: every group with k seeds shares the same n resamples,
    drawn as multinomial counts; one seed gives the gain itself), the baseline and the chain's device-hours."""
    keys = ["model", "model_size", "intermediate_task", "intermediate_size", "sampling", "selection", *by]
    per_seed = per_seed.sort_values("seed", kind="stable")  # the same intervals whatever order the rows came in
    groups = per_seed.groupby(keys, dropna=False, sort=False)
    out = groups.agg(gain=("gain", "mean"), score=("score", "mean"), baseline=("baseline", "mean"),
                     seeds=("gain", "size"), hours=("chain_wall_s", "mean")).reset_index()
    out["hours"] = out["hours"] / 3600
    out["ci_low"], out["ci_high"] = out["gain"], out["gain"]
    rng = np.random.default_rng(seed)
    code = groups.ngroup().to_numpy()
    order = np.argsort(code, kind="stable")
    gains = per_seed["gain"].to_numpy(dtype=float)[order]  # grouped: group g is gains[start[g]:start[g] + seeds]
    start = np.searchsorted(code[order], np.arange(len(out)))
    for k in sorted(set(out["seeds"]) - {1}):
        members = np.flatnonzero(out["seeds"].to_numpy() == k)
        matrix = gains[start[members, None] + np.arange(k)]  # groups x k
        counts = rng.multinomial(k, [1 / k] * k, size=n)  # n resamples x k
        means = matrix @ counts.T / k  # groups x n
        low, high = np.quantile(means, [0.025, 0.975], axis=1)
        out.loc[members, "ci_low"], out.loc[members, "ci_high"] = low, high
    out["ci_half"] = (out["ci_high"] - out["ci_low"]) / 2
    out = out[[*keys, "gain", "score", "baseline", "seeds", "ci_low", "ci_high", "ci_half", "hours"]]
    return with_labels(out.sort_values(keys, na_position="first", ignore_index=True))  # full data before subsamples


# noise floors: what each gain rests on ------------------------------------------------------------------------------
VARIANT = ("model", "model_size", "intermediate_task", "intermediate_size", "sampling", "selection")  # as results'
FEW_EXAMPLES = 300  # fewer evaluation examples per language than this: a view says so
RULES = {"t": "seeds (t)", "bootstrap": "examples (bootstrap)", "normal": "examples (normal)",
         "seed bootstrap": "seeds (bootstrap)", "none": "none"}
_T_QUANTILES: dict[tuple[float, int], float] = {}


def _t_quantile(level: float, seeds: int) -> float:
    """stats.t_quantile for a two-sided interval over `seeds` seed-level gains (cached: one bisection per count)."""
    key = (level, seeds)
    if key not in _T_QUANTILES:
        _T_QUANTILES[key] = stats.t_quantile(1 - (1 - level) / 2, seeds - 1)
    return _T_QUANTILES[key]


def gain_intervals(df: pd.DataFrame, level: float = stats.LEVEL) -> pd.DataFrame:
    """results.paired_gains or paired_language_gains (per row: `gain`, the mean over seeds; `sd` over seeds; `seeds`;
    with one seed its `se` and, where there is one, its bootstrap `lo`/`hi`) -> the same rows with the gain's 95%
    interval `lo`/`hi`, the rule that made it (`interval`) and `crosses_zero`:
    - two seeds or more: Student's t over the seeds' gains, as stats.seed_test (it covers the spread between training
      runs as well as the evaluation examples);
    - one seed: its paired bootstrap interval over the evaluation examples, or where languages were combined for
      the view (a language filter) the normal interval of its standard error (sqrt(sum se^2) / L)."""
    out = df.copy()
    if out.empty:
        return out.assign(lo=pd.Series(dtype=float), hi=pd.Series(dtype=float), interval=pd.Series(dtype=object),
                          crosses_zero=pd.Series(dtype=bool))
    k = out["seeds"].to_numpy(dtype=int)
    gain = out["gain"].to_numpy(dtype=float)
    quantile = np.array([_t_quantile(level, s) if s >= 2 else np.nan for s in k])
    several = k >= 2
    half_t = quantile * out["sd"].to_numpy(dtype=float) / np.sqrt(k)
    lo, hi = out["lo"].to_numpy(dtype=float), out["hi"].to_numpy(dtype=float)
    boot = ~several & np.isfinite(lo) & np.isfinite(hi)
    se = out["se"].to_numpy(dtype=float)
    normal = ~several & ~boot & np.isfinite(se)
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    out["lo"] = np.select([several, boot, normal], [gain - half_t, lo, gain - z * se], np.nan)
    out["hi"] = np.select([several, boot, normal], [gain + half_t, hi, gain + z * se], np.nan)
    out["interval"] = np.select([several, boot, normal], [RULES["t"], RULES["bootstrap"], RULES["normal"]],
                                RULES["none"])
    out["crosses_zero"] = [stats.crosses_zero(None if np.isnan(a) else a, None if np.isnan(b) else b)
                           for a, b in zip(out["lo"], out["hi"])]
    return out


def _match(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """`right` rows in the order of `left`'s keys (a left merge), keys cast to `left`'s types first (an all-missing
    data size may come as objects)."""
    right = right.astype({k: left[k].dtype for k in keys if right[k].dtype != left[k].dtype})
    return left[keys].merge(right, on=keys, how="left")


def noise_floor(summary: pd.DataFrame, tests: pd.DataFrame | None = None,
                by: tuple[str, ...] = ("target_task",)) -> pd.DataFrame:
    """gain_summary's rows with what each gain rests on, from the paired tests (gain_intervals of
    results.paired_gains, same filters) where there are some: per variant and target task the tested `gain`, its
    95% interval (`ci_low`, `ci_high`, `ci_half`) and rule (`interval`), `seeds`, `examples` (per seed, summed over
    languages), `min_examples` (per language) and `crosses_zero`. A row without a paired test (runs evaluated
    without per-example files) keeps gain_summary's gain and bootstrap over seeds ('seeds (bootstrap)'), or no
    interval with one seed. Summaries over target tasks (`by` without target_task) get the fewest seeds and
    examples of their targets' tests."""
    out = summary.copy()
    keys = [*VARIANT, *by]
    out["interval"] = np.where(out["seeds"] > 1, RULES["seed bootstrap"], RULES["none"])
    out.loc[out["seeds"] <= 1, ["ci_low", "ci_high", "ci_half"]] = np.nan
    out["examples"], out["min_examples"] = np.nan, np.nan
    if tests is not None and len(tests) and "target_task" in by:
        found = _match(out, tests, keys)
        tested = found["gain"].notna().to_numpy()
        for mine, theirs in (("gain", "gain"), ("ci_low", "lo"), ("ci_high", "hi"), ("interval", "interval"),
                             ("seeds", "seeds"), ("examples", "examples"), ("min_examples", "min_examples")):
            out.loc[tested, mine] = found.loc[tested, theirs].to_numpy()
        out["ci_half"] = (out["ci_high"] - out["ci_low"]) / 2
    elif tests is not None and len(tests):
        fewest = tests.groupby(list(VARIANT), dropna=False, as_index=False).agg(
            tested_seeds=("seeds", "min"), tested_examples=("min_examples", "min"))
        found = _match(out, fewest, list(VARIANT))
        out["min_examples"] = found["tested_examples"].to_numpy()
        out["seeds"] = np.fmin(out["seeds"].to_numpy(dtype=float), found["tested_seeds"].to_numpy(dtype=float))
    out["seeds"] = out["seeds"].astype(int)
    out["crosses_zero"] = [stats.crosses_zero(None if pd.isna(a) else a, None if pd.isna(b) else b)
                           for a, b in zip(out["ci_low"], out["ci_high"])]
    return out


def with_language_tests(rows: pd.DataFrame, tests: pd.DataFrame | None) -> pd.DataFrame:
    """results.language_gains rows with their paired tests (gain_intervals of results.paired_language_gains): the
    tested gain, `lo`/`hi`, `interval`, `seeds` and `examples` where a language has a test; `crosses_zero` (true
    where there is no interval)."""
    keys = [*VARIANT, "target_task", "language"]
    out = rows.copy()
    out["lo"], out["hi"], out["interval"], out["examples"] = np.nan, np.nan, RULES["none"], np.nan
    if tests is not None and len(tests):
        found = _match(out, tests, keys)
        tested = found["gain"].notna().to_numpy()
        for column in ("gain", "lo", "hi", "interval", "seeds", "examples"):
            out.loc[tested, column] = found.loc[tested, column].to_numpy()
    out["crosses_zero"] = [stats.crosses_zero(None if pd.isna(a) else a, None if pd.isna(b) else b)
                           for a, b in zip(out["lo"], out["hi"])]
    return out


def caution(rows: pd.DataFrame) -> str | None:
    """The caution line of a view whose gains rest on a single seed or on few examples (fewer than FEW_EXAMPLES
    per language: `min_examples`, or `examples` for per-language rows); None when there is nothing to say."""
    if rows is None or rows.empty:
        return None
    parts = []
    one = int((rows["seeds"] == 1).sum()) if "seeds" in rows else 0
    if one:
        parts.append(("every gain here rests on a single seed" if one == len(rows) else
                      f"{one} of the {len(rows)} gains here rest on a single seed") +
                     ": an interval there covers the evaluation examples only, not the spread between training runs")
    column = "min_examples" if "min_examples" in rows else "examples" if "examples" in rows else None
    fewest = pd.to_numeric(rows[column], errors="coerce").min() if column else np.nan
    if not pd.isna(fewest) and fewest < FEW_EXAMPLES:
        parts.append(f"some languages have fewer than {FEW_EXAMPLES} evaluation examples (as few as {int(fewest)}): "
                     "a gain of a point or two can be noise")
    return ("Caution: " + "; ".join(parts) + ".") if parts else None


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
    our 'dev' -- and language; 'avg' is our mean over the task's official languages, with how many we have).
    The same number (model, intermediate task, target task, language, metric, split) from another source is named
    in `also_in` where it is equal, in `disagrees` (its value and source) where it is not; several are separated
    by ' | '. Ours are baselines: a published system trained with an intermediate task (X-STILTs) has no
    reproduction here."""
    def same(p):
        return p.model, p.intermediate_task, p.target_task, p.language, p.metric, p.split

    reported = {}
    for p in published.itertuples(index=False):
        reported.setdefault(same(p), []).append(p)
    rows = []
    for p in published.itertuples(index=False):
        others = [o for o in reported[same(p)] if o.source != p.source]
        split = "dev" if p.split == "validation" else p.split
        mine = ours[(ours["model"] == p.model) & (ours["target_task"] == p.target_task) &
                    (ours["metric"] == p.metric) & (ours["split"] == split)]
        if p.intermediate_task != "none":
            mine = mine.iloc[:0]
        if p.language != "avg":
            mine = mine[mine["language"] == p.language]
        elif p.target_task in TASKS:
            mine = mine[mine["language"].isin(TASKS[p.target_task].languages)]
        value = float(mine["score"].mean()) if len(mine) else None
        rows.append({"system": p.system, "model": p.model, "target_task": p.target_task, "language": p.language,
                     "metric": p.metric, "split": p.split, "published": float(p.score), "reproduced": value,
                     "difference": None if value is None else value - float(p.score),
                     "our_languages": int(mine["language"].nunique()), "source": p.source,
                     "also_in": " | ".join(o.source for o in others if float(o.score) == float(p.score)),
                     "disagrees": " | ".join(f"{float(o.score)} in {o.source}" for o in others
                                            if float(o.score) != float(p.score))})
    return pd.DataFrame(rows)


# published vs reproduced: the shown table, the scatter's points -----------------------------------------------
def reproduced_only(table: pd.DataFrame) -> pd.DataFrame:
    """published_vs_reproduced's rows of the systems with at least one reproduced number here (every row of
    such a system, its unmatched numbers too)."""
    systems = set(table.loc[table["reproduced"].notna(), "system"])
    return table[table["system"].isin(systems)].reset_index(drop=True)


def published_shown(table: pd.DataFrame) -> pd.DataFrame:
    """published_vs_reproduced's rows as the page lists them: `note` in place of `disagrees`: where another source
    reports the same number differently, 'disagrees: <its value> in <its source>' (empty otherwise). Sources are
    the reference table's full citations (repository and file, or paper and table), shown as text."""
    out = table.drop(columns=["disagrees"])
    out["note"] = ["" if not d else f"disagrees: {d}" for d in table["disagrees"].fillna("")]
    return out


def published_points(table: pd.DataFrame) -> pd.DataFrame:
    """The published-vs-ours scatter's points: one per system, source, target task, metric and split that has a
    reproduction here. A source's own average ('avg') where it gives one; else the mean over the languages that
    have both a published and a reproduced number (`languages` says how many; 'avg' rows: our languages)."""
    rows = table.dropna(subset=["reproduced"])
    keys = ["system", "source", "target_task", "metric", "split"]
    out = []
    for key, g in rows.groupby(keys, sort=False):
        avg = g[g["language"] == "avg"]
        if len(avg):
            r = avg.iloc[0]
            out.append({**dict(zip(keys, key)), "language": "avg", "languages": int(r["our_languages"]),
                        "published": float(r["published"]), "reproduced": float(r["reproduced"])})
        else:
            out.append({**dict(zip(keys, key)), "language": "mean of " + ", ".join(g["language"]),
                        "languages": len(g), "published": float(g["published"].mean()),
                        "reproduced": float(g["reproduced"].mean())})
    points = pd.DataFrame(out, columns=[*keys, "language", "languages", "published", "reproduced"])
    return points.assign(difference=points["reproduced"] - points["published"])


# model size: base against large --------------------------------------------------------------------------------
def size_pairs(summary: pd.DataFrame, small: str = "base", large: str = "large") -> pd.DataFrame:
    """Gains of the same variant (with_labels(model=False)) and target task with two model sizes side by side: one
    row per variant and target task that has both, with gain_<size>, lo_<size>, hi_<size> (its 95% interval,
    ci_low/ci_high; empty where there is none) and seeds_<size>. A size with several models: their mean gain, no
    interval."""
    parts = []
    for size in (small, large):
        rows = summary[summary["model_size"] == size]
        g = rows.groupby(["variant", "target_task"], sort=False)
        part = g.agg(gain=("gain", "mean"), lo=("ci_low", "first"), hi=("ci_high", "first"),
                     seeds=("seeds", "min"), models=("model", "nunique"))
        several = part["models"] > 1
        part.loc[several, ["lo", "hi"]] = np.nan
        parts.append(part.drop(columns="models").add_suffix(f"_{size}"))
    both = parts[0].join(parts[1], how="inner").reset_index()
    return both.sort_values(["variant", "target_task"], kind="stable").reset_index(drop=True)


# Languages, Scaling and Cost pages: the variants ranked, the English gap of the chosen ones, the scaling points ----
def variant_ranking(rows: pd.DataFrame) -> pd.DataFrame:
    """Per-language gains of one target task (labelled: `variant`) -> one row per variant: `variant`, `model_size`,
    `gain` (the mean over its languages, points) and `languages`, best first (ties by name)."""
    if rows.empty:
        return pd.DataFrame(columns=["variant", "model_size", "gain", "languages"])
    out = rows.groupby(["variant", "model_size"], as_index=False, dropna=False).agg(
        gain=("gain", "mean"), languages=("language", "nunique"))
    return out.sort_values(["gain", "variant"], ascending=[False, True], ignore_index=True)


def english_gap_view(gap: pd.DataFrame, chosen) -> pd.DataFrame:
    """results.english_gap (labelled: `variant`) -> the rows of the `chosen` variants and of the baselines (no
    intermediate training) of their model sizes and checkpoint rules (`selection`), with `baseline` (bool): one row
    per variant, sorted by model size and then gap (the English score minus the mean of the other languages',
    points)."""
    chosen = set(chosen)
    baseline = gap["intermediate_task"] == "none"
    picked = gap["variant"].isin(chosen) & ~baseline
    pairs = set(zip(gap.loc[picked, "model_size"], gap.loc[picked, "selection"]))
    keep = picked | (baseline & pd.Series([p in pairs for p in zip(gap["model_size"], gap["selection"])],
                                          index=gap.index))
    out = gap[keep].assign(baseline=baseline[keep])
    columns = ["variant", "model", "model_size", "intermediate_task", "intermediate_size", "selection", "target_task",
               "baseline", "english", "others", "gap"]
    return out[[c for c in columns if c in out]].sort_values(["model_size", "gap"], ignore_index=True)


def scaling_points(summary: pd.DataFrame) -> pd.DataFrame:
    """analysis.gain_summary/noise_floor rows of single intermediate tasks -> the same rows with `examples` (the
    data size, or the task's full training set: data_size) and `full` (true for the full training set), those
    without a known size dropped."""
    out = summary.copy()
    out["examples"] = [data_size(i, n) for i, n in zip(out["intermediate_task"], out["intermediate_size"])]
    out["full"] = out["intermediate_size"].isna()
    return out.dropna(subset=["examples"])


def as_text(df: pd.DataFrame, columns, signed=()) -> pd.DataFrame:
    """`df` with `columns` as shown text: one decimal ('+1.5' for those in `signed`), an empty cell where there is
    no number (None, NaN) -- a table widget would print 'None' there."""
    out = df.copy()
    for column in columns:
        spec = "{:+.1f}" if column in signed else "{:.1f}"
        out[column] = ["" if v is None or pd.isna(v) else spec.format(float(v)) for v in df[column]]
    return out
