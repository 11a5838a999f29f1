"""What `xlt compare` and `xlt report` print: paired comparisons and the XTREME-style study table with gains over
the baseline and significance marks, as text, Markdown, LaTeX or CSV (xlt_core.tables)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .analysis import FEW_EXAMPLES, with_labels, xtreme_table
from .tables import p_value, render
from .tasks import GROUPS, TASKS

MARK = "*"  # the 95% interval of the gain excludes zero
SMALL = FEW_EXAMPLES  # examples per language below which a view says its intervals rest on few examples


def _signed(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.1f}"


def comparison(results: list[dict], fmt: str = "text", side_a: str = "A", side_b: str = "B") -> str:
    """compare.compare's results as one document: per (model,) task a header (runs, seeds, examples, correction),
    the per-language table, the task mean, the test over seeds and the config fields that differ."""
    if fmt == "csv":
        frames = [r["languages"].assign(model=r["model"], target_task=r["target_task"], split=r["split"],
                                         correction=r["correction"], not_zero_shot=r["not_zero_shot"])
                  for r in results]
        frames += [pd.DataFrame([{**r["task"], "p_adjusted": None, "model": r["model"],
                                  "target_task": r["target_task"], "split": r["split"], "correction": None,
                                  "not_zero_shot": r["not_zero_shot"]}]) for r in results]
        table = pd.concat(frames, ignore_index=True)
        first = ["model", "target_task", "split", "language", "a", "b", "gain", "lo", "hi", "se", "p", "p_adjusted",
                 "correction", "n", "seeds", "not_zero_shot"]
        return render(table[first].rename(columns={"a": side_a, "b": side_b}), "csv")
    parts = []
    for r in results:
        langs = r["languages"]
        table = pd.DataFrame({
            "language": [*langs["language"], "avg"], side_a: [*langs["a"], r["task"]["a"]],
            side_b: [*langs["b"], r["task"]["b"]], "gain": [_signed(g) for g in [*langs["gain"], r["task"]["gain"]]],
            "95% interval": [f"[{lo:+.1f}, {hi:+.1f}]" for lo, hi in zip([*langs["lo"], r["task"]["lo"]],
                                                                            [*langs["hi"], r["task"]["hi"]])],
            "p": [p_value(p) for p in [*langs["p"], r["task"]["p"]]],
            f"p ({r['correction']})": [*(p_value(p) for p in langs["p_adjusted"]), "–"],
            "examples": [*langs["n"], r["task"]["n"]]})
        seeds = r["seeds"]
        seed_line = (f"over {seeds['seeds']} seeds (t test on seed-level task gains): {seeds['gain']:+.1f} "
                     f"[{seeds['lo']:+.1f}, {seeds['hi']:+.1f}], p {p_value(seeds['p'])}" if seeds else
                     f"one seed ({', '.join(map(str, r['seed_list']))}): no test over seeds; the interval covers the "
                     "evaluation examples only")
        caution = [] if min(langs["n"]) >= SMALL and seeds else \
            ["caution: " + "; ".join(x for x in (
                f"fewer than {SMALL} examples in some language" if min(langs["n"]) < SMALL else "",
                "a single seed" if not seeds else "") if x)]
        head = (f"{r['target_task']} · {r['model']} · {r['split']} split · B minus A, paired bootstrap over "
                f"examples ({r['resamples']} resamples), p adjusted for {len(langs)} languages by "
                f"{r['correction']}" + (" · NOT ZERO-SHOT (target-dev selection)" if r["not_zero_shot"] else ""))
        diff = pd.DataFrame([(k, _text(va), _text(vb)) for k, va, vb in r["diff"]],
                            columns=["config", side_a, side_b])
        runs = f"runs A: {', '.join(r['runs_a'])}; runs B: {', '.join(r['runs_b'])}"
        if fmt == "text":
            parts.append("\n".join([head, runs, render(table, "text"), seed_line, *caution,
                                    render(diff, "text") if len(diff) else "configs do not differ"]))
        else:
            notes = [runs, seed_line, *caution]
            if fmt == "markdown":
                parts.append("\n".join([f"### {head}", "", *(f"- {n}" for n in notes), "", render(table, fmt),
                                        render(diff, fmt) if len(diff) else ""]))
            else:
                parts.append("\n".join([f"% {n}" for n in notes] + [render(table, fmt, caption=head),
                                                                     render(diff, fmt) if len(diff) else ""]))
    return "\n".join(parts)


def _text(value) -> str:
    return "–" if value is None else str(value)


# the study table ----------------------------------------------------------------------------------------------------
def study_table(study: pd.DataFrame, tests: pd.DataFrame) -> pd.DataFrame:
    """Long form, one row per variant and column (task, group, xtreme): the score, and for variants other than the
    baseline the gain with its interval and what it rests on, from `tests` (analysis.gain_intervals of
    results.queries.paired_gains: the dashboard's numbers). Groups and the overall score only where every task of
    them is complete (all official languages), as analysis.xtreme_table."""
    wide = xtreme_table(study)
    named = with_labels(study)
    seeds = {(v, m, t): s for v, m, t, s in zip(named["variant"], named["model"], named["target_task"], named["seeds"])}
    tests = with_labels(tests) if len(tests) else tests
    rows = []
    columns = [t for t in TASKS if t in wide.columns] + [c for c in wide.columns if c.startswith("group:")] + ["xtreme"]
    for _, row in wide.iterrows():
        mine = tests[(tests["variant"] == row["variant"]) & (tests["model"] == row["model"])] if len(tests) else tests
        by_task = {t.target_task: t for t in mine.itertuples(index=False) if not pd.isna(t.lo)} if len(mine) else {}
        for column in columns:
            score = row.get(column)
            rec = {"variant": row["variant"], "model": row["model"], "intermediate_task": row["intermediate_task"],
                   "column": column.removeprefix("group:"), "score": None if pd.isna(score) else float(score),
                   "gain": None, "lo": None, "hi": None, "seeds": seeds.get((row["variant"], row["model"], column)),
                   "examples": None, "fewest_per_language": None, "significant": None, "interval": None}
            if column in by_task:
                t = by_task[column]
                rec.update(gain=t.gain, lo=t.lo, hi=t.hi, seeds=t.seeds, examples=t.examples,
                           fewest_per_language=t.min_examples, significant=not t.crosses_zero, interval=t.interval)
            elif row["intermediate_task"] != "none" and by_task:
                rec.update(_summary_gain(column.removeprefix("group:"), by_task))
            rows.append(rec)
    return pd.DataFrame(rows)


def _summary_gain(column: str, by_task: dict) -> dict:
    """A group's or the overall gain: the mean of its tasks' gains when every task of it has one. No interval: its
    tasks share each seed's intermediate checkpoint, so their errors are not independent, and a test would need
    the seed-level gains of every task together."""
    members = GROUPS.get(column) or [t for m in GROUPS.values() for t in m]
    if not all(t in by_task for t in members):
        return {}
    return {"gain": float(np.mean([by_task[t].gain for t in members])),
            "seeds": min(by_task[t].seeds for t in members), "interval": "mean of task gains (no test)"}


def study_report(long: pd.DataFrame, fmt: str = "text", split: str = "test") -> str:
    """study_table as a paper's table: a row per variant, a column per task, group and the XTREME score; each cell
    the score and, beside it, the gain over the baseline with MARK where its 95% interval excludes zero."""
    if fmt == "csv":
        return render(long, "csv")
    if long.empty:
        return "no scores: run a study and ingest it first\n"
    cell = [("–" if pd.isna(r.score) else f"{r.score:.1f}") +
            ("" if r.gain is None or pd.isna(r.gain) else f" ({_signed(r.gain)}{MARK if r.significant else ''})")
            for r in long.itertuples(index=False)]
    wide = long.assign(cell=cell).pivot_table(index=["model", "variant"], columns="column", values="cell",
                                              aggfunc="first", sort=False)
    order = [c for c in dict.fromkeys(long["column"]) if c in wide.columns]
    wide = wide[order].reset_index().fillna("–")
    seeds = long.groupby(["model", "variant"], sort=False)["seeds"].max()
    note = (f"{split} split; each cell: score (gain over the baseline of the same model and selection rule; {MARK}: "
            "its 95% interval excludes 0: t over seeds with two or more seeds, else a paired bootstrap over the "
            "evaluation examples; groups and XTREME: the mean of their tasks' gains, untested). Scores are means over "
            "all of a variant's seeds, gains over the seeds it shares with its baseline. Seeds per variant: "
            + ", ".join(f"{v} {int(s) if not pd.isna(s) else 1}" for (m, v), s in seeds.items()))
    one = sorted({v for v, s in zip(long["variant"], long["seeds"]) if s == 1})
    small = long["fewest_per_language"].dropna()
    caution = "; ".join(x for x in (
        f"one seed only: {', '.join(one)}" if one else "",
        f"as few as {int(small.min())} examples in a language (intervals are wide below a few hundred)"
        if len(small) and small.min() < SMALL else "") if x)
    return render(wide, fmt, caption=note + (f". Caution: {caution}" if caution else ""))
