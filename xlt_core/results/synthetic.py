"""A synthetic results database in the real schema, for load tests of the dashboard (`benchmarks/dashboard_latency.py`,
tests/dashboard). Every row says it is synthetic (data = 'synthetic'); nothing here is a result.

Shape: XLM-R base and large; the baseline, the nine intermediate tasks, all nine at once, MNLI>SQuAD, MNLI+MLM,
translated XNLI, MNLI+SQuAD with temperature sampling, and each single task at up to six data sizes (those
below its training set's size: CommonsenseQA's 9,741 examples allow three); every target task in
every language on dev and test; as many seeds as it takes to reach the requested number of score rows. Besides the
default checkpoint selection (en-dev), the baseline and MNLI with the `last` and `target-dev` rules (not zero-shot)
on XNLI and PAN-X, as sweeps/selection.yaml runs them. Scores follow a simple additive model (task level, language
distance, model size, a gain per intermediate and target task that grows with data size, seed noise), so every
chart has something to show. The paired tests of every evaluate run against its baseline (table `paired`, made at
ingest from per-example files in a real database) are drawn from the scores: the gain of the same seed, split and
language, a standard error as for 1,000 examples (about 1-2 points), its normal 95% interval and p-value.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np

from ..scoring import METRIC_CHOICES, headline_metrics
from ..tasks import APPROX_SIZES, TASKS
from .store import COST_COLUMNS, RUN_COLUMNS, SCHEMA, SCORE_COLUMNS, add_reference, connect, fill_derived, insert

MODELS = (("xlm-roberta-base", "base"), ("xlm-roberta-large", "large"))
PARAMS = {"base": 277_453_056, "large": 558_840_832}  # XLM-R's encoders (xlt_core.modelinfo.parameter_count)
SINGLE = [n for n, t in TASKS.items() if t.role == "intermediate"]
SIZES = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
VARIANTS = ([("none", None, None, 0.0), *[(t, None, "proportional", 0.0) for t in SINGLE],
             ("all", None, "proportional", 0.0), ("mnli>squad", None, "proportional", 0.0),
             ("mnli+mlm", None, "proportional", 0.2), ("xnli_mt", None, "proportional", 0.0),
             ("mnli+squad", None, "temperature", 0.0)]
            + [(t, n, "proportional", 0.0) for t in SINGLE for n in SIZES if n < APPROX_SIZES[t][0]])
TARGETS = [n for n, t in TASKS.items() if t.role == "target"]
# checkpoint selection rules other than en-dev: (rule, baseline level shift, extra gain), on these targets only
SELECTIONS = (("last", -0.3, -0.5), ("target-dev", 0.8, 1.0))
SELECTION_TARGETS = ("xnli", "panx")


def _metrics(task: str) -> tuple[str, ...]:
    """The metrics a run of `task` stores: its headline ones, with precision and recall beside an F1."""
    names = headline_metrics(task)
    return names + ("precision", "recall") if names == ("f1",) else names


def _unit(*key) -> float:
    """A stable number in [0, 1) for a key (the same on every machine and run)."""
    return zlib.crc32(repr(key).encode()) / 2**32


def make(db, n_scores: int = 1_000_000, seed: int = 0) -> dict:
    """Write a fresh synthetic database of about `n_scores` score rows to `db`; returns the row counts."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = {t: len(TASKS[t].languages) * len(_metrics(t)) for t in TARGETS}
    per_seed = (sum(rows.values()) * len(VARIANTS) + sum(rows[t] for t in SELECTION_TARGETS) * 2 * len(SELECTIONS)
                ) * len(MODELS) * 2
    seeds = max(1, round(n_scores / per_seed))
    runs, costs, chains, evals = [], [], [], []
    provenance = dict(git_commit="synthetic", git_dirty=False, xlt_version="synthetic", packages="{}",
                      hardware=json.dumps({"device": "synthetic"}), data="synthetic", data_revision="synthetic-v1")

    def add_run(run_id, stage, parent, model, size, inter, target, s, wall, selection="en-dev"):
        runs.append(dict(run_id=run_id, stage=stage, parent_id=parent, model=model, model_size=size,
                         intermediate_task=inter, target_task=target, task=target or inter, seed=s, dev_metric=None,
                         dev_score=None, config=json.dumps({"stage": stage, "seed": s}),
                         cost=json.dumps({"wall_s": wall}), wall_s=wall, device="cuda", started_at=None,
                         finished_at=f"2026-01-01T{len(runs) // 3600 % 24:02d}:{len(runs) // 60 % 60:02d}:"
                                     f"{len(runs) % 60:02d}+00:00", run_dir=None, notebook=None,
                         model_params=PARAMS[size], selection=selection, pair_key=None, **provenance))
        costs.append(dict(run_id=run_id, stage=stage, model=model, model_size=size, intermediate_task=inter,
                          target_task=target, seed=s, wall_s=wall, device="cuda", device_name="synthetic",
                          real_tokens=None, padded_tokens=None, est_train_flops=wall * 4e14, peak_memory_mb=None,
                          steps=None))

    for model, size in MODELS:
        scale = 3.0 if size == "large" else 1.0
        for vi, (inter, n, sampling, mlm) in enumerate(VARIANTS):
            data_factor = 1.0 if n is None else np.log1p(n) / np.log1p(100_000)
            inter_s = 0.0 if inter == "none" else 3600 * scale * (4.0 if n is None else 4.0 * n / 100_000)
            for s in range(seeds):
                parent = None
                if inter != "none":
                    parent = f"syn-i-{model}-{vi}-{s}"
                    add_run(parent, "intermediate", None, model, size, inter, None, s, inter_s)
                for target in TARGETS:
                    retrieval = TASKS[target].type == "retrieval"
                    level = 40 + 40 * _unit(target) + (4 if size == "large" else 0)
                    gain = 0.0 if inter == "none" else (10 * _unit(inter, target) - 3) * data_factor
                    gain = abs(gain) + 5 if retrieval and inter != "none" else gain
                    link = parent
                    if not retrieval:
                        link = f"syn-t-{model}-{vi}-{target}-{s}"
                        add_run(link, "target", parent, model, size, inter, target, s, scale * 1800)
                    for split in ("dev", "test"):
                        run_id = f"syn-e-{model}-{vi}-{target}-{split}-{s}"
                        add_run(run_id, "evaluate", link, model, size, inter, target, s, 60.0)
                        chain_s = inter_s + (0 if retrieval else scale * 1800) + 60
                        chains.append((run_id, n, None if inter == "none" else sampling, mlm, chain_s,
                                       chain_s * 4e14, "cuda"))
                        evals.append((run_id, model, size, inter, target, split, s,
                                       level + (1.0 if split == "dev" else 0.0), gain))
                    if n is not None or inter not in ("none", "mnli") or target not in SELECTION_TARGETS:
                        continue
                    for rule, shift, extra in SELECTIONS:  # the same chain, another checkpoint of the target stage
                        link = f"syn-t-{model}-{vi}-{target}-{rule}-{s}"
                        add_run(link, "target", parent, model, size, inter, target, s, scale * 1800, rule)
                        for split in ("dev", "test"):
                            run_id = f"syn-e-{model}-{vi}-{target}-{rule}-{split}-{s}"
                            add_run(run_id, "evaluate", link, model, size, inter, target, s, 60.0, rule)
                            chain_s = inter_s + scale * 1800 + 60
                            chains.append((run_id, n, None if inter == "none" else sampling, mlm, chain_s,
                                           chain_s * 4e14, "cuda"))
                            evals.append((run_id, model, size, inter, target, split, s,
                                          level + shift + (1.0 if split == "dev" else 0.0),
                                          0.0 if inter == "none" else gain + extra))
    scores = pd.concat([_scores(target, [e for e in evals if e[4] == target], rng) for target in TARGETS],
                       ignore_index=True)
    for path in (Path(db), Path(f"{db}.wal")):
        path.unlink(missing_ok=True)
    con = connect(db)
    try:
        con.execute(SCHEMA).fetchall()
        insert(con, "runs", pd.DataFrame(runs)[list(RUN_COLUMNS)])
        insert(con, "costs", pd.DataFrame(costs)[list(COST_COLUMNS)])
        insert(con, "chains", pd.DataFrame(chains, columns=["run_id", "intermediate_size", "sampling", "mlm",
                                                            "chain_wall_s", "chain_flops", "device"]))
        insert(con, "scores", scores)
        fill_derived(con)
        con.execute(FILL_PAIRED).fetchall()
        add_reference(con)
        con.execute("CHECKPOINT").fetchall()
    finally:
        con.close()
    return {"runs": len(runs), "scores": len(scores), "seeds": seeds}


# erfc(x) for x >= 0 (Abramowitz and Stegun 7.1.26, error below 1.5e-7): the normal p-values of the paired tests
_ERFC = ("(({t}) * (0.254829592 + ({t}) * (-0.284496736 + ({t}) * (1.421413741 + ({t}) * (-1.453152027 + ({t}) * "
         "1.061405429)))) * exp(-({x}) * ({x})))")


def _p(z: str) -> str:
    """SQL: the two-sided normal p-value of z (no smaller than a 1,000-resample bootstrap's 1/1001)."""
    x = f"(abs({z}) / sqrt(2))"
    return f"greatest(1.0 / 1001, {_ERFC.format(t=f'1 / (1 + 0.3275911 * {x})', x=x)})"


def _languages() -> str:
    """SQL: how many languages the row's target task has (every synthetic run has them all)."""
    return "CASE target_task " + " ".join(f"WHEN '{t}' THEN {len(TASKS[t].languages)}" for t in TARGETS) + " END"


# each evaluate run against the baseline of its model, selection rule, target, split and seed, language by language
# (each metric choice: QA's three, the same value three times for other tasks) and for the mean over its languages
# ('avg': se from the languages' as if independent, examples summed); p adjusted over the task's languages by
# Bonferroni (a bound on the Holm adjustment that real ingest makes: cheaper here, and no page reads it). Sorted,
# task means first, so that a query of the task means, or of one split, metric and target, skips whole blocks.
FILL_PAIRED = f"""
INSERT INTO paired BY NAME
WITH pair AS (
    SELECT c.run_id, b.run_id AS baseline_id, c.target_task, c.split, c.seed, c.language, c.n,
           {", ".join(f"b.{m} AS a_{m}, c.{m} AS b_{m}" for m in METRIC_CHOICES)},
           0.9 + 0.2 * (hash(c.run_id, c.language) % 1000) / 1000.0 AS jitter
    FROM cells c JOIN cells b ON b.intermediate_task = 'none' AND b.model = c.model AND b.selection = c.selection
        AND b.target_task = c.target_task AND b.split = c.split AND b.seed = c.seed AND b.language = c.language
    WHERE c.intermediate_task <> 'none'),
lang AS ({" UNION ALL ".join(
    f"SELECT run_id, baseline_id, target_task, split, seed, language, n, '{m}' AS metric, a_{m} AS a, b_{m} AS b, "
    f"b_{m} - a_{m} AS gain, jitter * 100 * sqrt(0.6 * (a_{m} / 100 * (1 - a_{m} / 100) + b_{m} / 100 * "
    f"(1 - b_{m} / 100)) / n) + 0.3 AS se FROM pair" for m in METRIC_CHOICES)}),
held AS (SELECT *, {_p("gain / se")} AS p, least(1.0, {_languages()} * {_p("gain / se")}) AS p_adjusted FROM lang),
task AS (SELECT run_id, any_value(baseline_id) AS baseline_id, any_value(target_task) AS target_task,
                any_value(split) AS split, any_value(seed) AS seed, 'avg' AS language, metric, avg(a) AS a,
                avg(b) AS b, avg(gain) AS gain, sqrt(sum(se * se)) / count(*) AS se, sum(n) AS n
         FROM lang GROUP BY run_id, metric)
SELECT * FROM (
    SELECT run_id, baseline_id, target_task, split, seed, language, metric, a, b, gain, gain - 1.96 * se AS lo,
           gain + 1.96 * se AS hi, se, p, p_adjusted, n FROM held
    UNION ALL
    SELECT run_id, baseline_id, target_task, split, seed, language, metric, a, b, gain, gain - 1.96 * se AS lo,
           gain + 1.96 * se AS hi, se, {_p("gain / se")} AS p, {_p("gain / se")} AS p_adjusted, n FROM task)
ORDER BY language <> 'avg', split, metric, target_task, run_id, language
"""


def _scores(target: str, evals: list[tuple], rng):
    """Score rows of one target task's evaluate runs, all languages and metrics at once."""
    import pandas as pd

    langs = TASKS[target].languages
    distance = np.array([0.0 if lang == "en" else 5 + 15 * _unit(lang) for lang in langs])
    level = np.array([e[7] for e in evals])[:, None]
    gain = np.array([e[8] for e in evals])[:, None]
    f1 = level + gain * (1 + distance / 20) - distance + rng.normal(0, 0.7, (len(evals), len(langs)))
    columns = {name: np.repeat([e[i] for e in evals], len(langs))
               for i, name in enumerate(("run_id", "model", "model_size", "intermediate_task", "target_task", "split",
                                         "seed"))}
    parts = []
    for metric in _metrics(target):
        # EM a little below F1, and gaining a little more from intermediate training
        shift = {"exact_match": -12.0 + 0.3 * gain, "precision": 1.0, "recall": -1.0}.get(metric, 0.0)
        parts.append(pd.DataFrame({**columns, "language": np.tile(langs, len(evals)), "metric": metric,
                                   "score": np.clip(f1 + shift, 0, 100).ravel(), "n": 1000, "layer": None,
                                   "pooling": None, "variant": None}))
    return pd.concat(parts, ignore_index=True)[list(SCORE_COLUMNS)]
