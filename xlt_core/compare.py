"""Paired comparison of two variants (or two runs) from their per-example values: per language the gain of B over
A with its paired-bootstrap interval and p-value (xlt_core.stats), the p-values adjusted for the task's many
languages, the task mean with its interval, and a test over seed-level gains where there are two seeds or more.

A and B are compared on what they share: the same task, split, seed and evaluation examples (the ids of the
per-example files must agree, else the runs scored different examples and no paired test exists), and the languages
both have. Several seeds: each seed is resampled on its own; a language's gain and its resamples are the means
over seeds, so the interval describes the evaluation examples with the seeds held fixed, and `seed_test` the
spread between seeds."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from . import stats
from .errors import XltError
from .tasks import TASKS

CHOICES = ("headline", "f1", "em")  # scoring.METRIC_CHOICES: QA as (EM+F1)/2, F1 or EM


def item_values(df: pd.DataFrame, task: str, choice: str = "headline") -> tuple[np.ndarray, str]:
    """The per-example values of one language's rows that make its score, and their kind (stats.KINDS): F1
    counts (tp, predicted, gold) for seqeval and BUCC, else one value per example: accuracy, or for QA (EM+F1)/2,
    F1 or EM by `choice`."""
    if "tp" in df.columns and df["tp"].notna().any():
        return df[["tp", "n_pred", "n_gold"]].to_numpy(dtype=np.float64), "f1"
    if TASKS[task].type == "span_qa":
        em, f1 = df["exact_match"].to_numpy(np.float64), df["f1"].to_numpy(np.float64)
        return {"headline": (em + f1) / 2, "f1": f1, "em": em}[choice], "mean"
    return df["accuracy"].to_numpy(np.float64), "mean"


def _resample_seed(language: str, seed: int) -> int:
    """The bootstrap's own seed for one language and run seed: fixed, so every comparison is reproducible."""
    return zlib.crc32(f"{language}/{seed}".encode())


def paired_language(a: pd.DataFrame, b: pd.DataFrame, task: str, choice: str, seed: int,
                    resamples: int = stats.RESAMPLES) -> tuple[dict, np.ndarray]:
    """One language and seed: scores of A and B, the gain with its bootstrap summary, and the resampled gains."""
    language = a["language"].iloc[0]
    if len(a) != len(b) or (a["id"].to_numpy() != b["id"].to_numpy()).any():
        raise XltError(f"{task} {language} seed {seed}: the two runs scored different examples ({len(a)} and "
                       f"{len(b)}; ids differ): compare runs with the same data, eval_size and seed")
    va, kind = item_values(a, task, choice)
    vb, _ = item_values(b, task, choice)
    reps = stats.replicates(va, vb, kind, resamples, _resample_seed(language, seed))
    score = (lambda v: float(stats.statistic(v if kind == "mean" else v.sum(axis=0), kind)))
    return {"a": score(va), "b": score(vb), "gain": score(vb) - score(va), "n": len(a)}, reps


def compare_pairs(pairs: list[tuple[int, pd.DataFrame, pd.DataFrame]], task: str, choice: str = "headline",
                  correction: str = "holm", resamples: int = stats.RESAMPLES) -> dict:
    """`pairs`: (seed, A's per-example rows, B's) of one task and split. Returns {"languages": DataFrame with a row
    per shared language (a, b, gain, lo, hi, p, p_adjusted, n examples per seed, seeds), "task": the same for the
    mean over languages (p unadjusted), "seeds": stats.seed_test over seed-level task gains (or None),
    "correction": its name, "resamples"}."""
    if choice not in CHOICES:
        raise XltError(f"unknown metric {choice!r}: choose {', '.join(CHOICES)}")
    per_lang: dict[str, list] = {}
    for seed, a, b in pairs:
        shared = sorted(set(a["language"]) & set(b["language"]))
        for lang in shared:
            row, reps = paired_language(a[a["language"] == lang], b[b["language"] == lang], task, choice, seed,
                                        resamples)
            per_lang.setdefault(lang, []).append((seed, row, reps))
    if not per_lang:
        raise XltError(f"{task}: the two sides share no language with per-example values")
    rows, all_reps, seed_gains = [], [], {}
    for lang, found in per_lang.items():
        reps = np.mean([r for _, _, r in found], axis=0)
        mean = {k: float(np.mean([row[k] for _, row, _ in found])) for k in ("a", "b", "gain")}
        rows.append({"language": lang, **mean, **_interval(mean["gain"], reps), "n": found[0][1]["n"],
                     "seeds": len(found)})
        all_reps.append(reps)
        for seed, row, _ in found:
            seed_gains.setdefault(seed, []).append(row["gain"])
    table = pd.DataFrame(rows)
    table["p_adjusted"] = stats.adjust(table["p"].tolist(), correction)
    task_gain = float(table["gain"].mean())
    task_row = {"language": "avg", "a": float(table["a"].mean()), "b": float(table["b"].mean()), "gain": task_gain,
                **_interval(task_gain, np.mean(all_reps, axis=0)), "n": int(table["n"].sum()),
                "n_min": int(table["n"].min()), "seeds": int(table["seeds"].max())}
    complete = [np.mean(g) for g in seed_gains.values() if len(g) == len(per_lang)]
    return {"languages": table, "task": task_row, "seeds": stats.seed_test(complete),
            "correction": stats.CORRECTIONS[correction], "resamples": resamples}


def _interval(gain: float, reps: np.ndarray) -> dict:
    s = stats.summarise(gain, reps)
    return {"lo": s["lo"], "hi": s["hi"], "se": s["se"], "p": s["p"]}


# what differs between two chains' configs -----------------------------------------------------------------------
def flatten_chain(config: dict) -> dict:
    """An evaluate stage's config (parents embedded) as {'evaluate.split': ..., 'target.train.lr': ...,
    'intermediate.task': ...} (sequential chains: 'intermediate1.', 'intermediate2.', in training order)."""
    stages, node = [], config
    while node:
        stages.append(node)
        node = node.get("parent")
    stages.reverse()
    inter = [s for s in stages if s["stage"] == "intermediate"]
    out = {}
    for s in stages:
        name = s["stage"] if s["stage"] != "intermediate" or len(inter) == 1 else f"intermediate{inter.index(s) + 1}"
        for key, value in s.items():
            if key in ("parent", "stage"):
                continue
            if isinstance(value, dict):
                out.update({f"{name}.{key}.{k}": v for k, v in value.items()})
            else:
                out[f"{name}.{key}"] = value
    return out


def config_diff(a: dict, b: dict) -> list[tuple[str, object, object]]:
    """(key, A's value, B's value) for every key whose value differs (None where one side has no such key); a stage
    that only one side has is one row, its task."""
    fa, fb = flatten_chain(a), flatten_chain(b)
    stages = (lambda f: {k.split(".")[0] for k in f})
    only = stages(fa) ^ stages(fb)
    rows = [(f"{s}.task", fa.get(f"{s}.task"), fb.get(f"{s}.task")) for s in sorted(only)]
    return rows + [(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb))
                   if k.split(".")[0] not in only and fa.get(k) != fb.get(k)]


# picking the runs of each side ----------------------------------------------------------------------------------
SPEC_KEYS = {"model": "model", "size": "model_size", "intermediate": "intermediate_task",
             "intermediate_size": "intermediate_size", "sampling": "sampling", "select": "selection",
             "target": "target_task", "split": "split", "seed": "seed"}
# what a side that does not say means, where it matches several runs of one task and seed: all the data, en-dev
DEFAULTS = {"selection": "en-dev", "intermediate_size": None}


def parse_side(text: str) -> dict:
    """'mnli' | 'mnli,select=last,size=large' | 'intermediate=mnli>squad,intermediate_size=1000' | a run id
    ('evaluate-...', or the start of one) -> {column: value}."""
    if not isinstance(text, str) or not text.strip():
        raise XltError(f"empty variant {text!r}: give an intermediate task (e.g. mnli), key=value pairs or a run id")
    if text.startswith("evaluate-"):
        return {"run_id": text}
    out = {}
    for part in (p.strip() for p in text.split(",")):
        key, sep, value = part.partition("=")
        if not sep:
            key, value = "intermediate", part
        if key not in SPEC_KEYS:
            raise XltError(f"unknown key {key!r} in variant {text!r}: allowed {', '.join(SPEC_KEYS)}")
        column = SPEC_KEYS[key]
        if column in ("intermediate_size", "seed"):
            if column == "intermediate_size" and value == "all":
                value = None
            elif not value.isdigit():
                raise XltError(f"{key} {value!r} in variant {text!r} is not a whole number"
                               + (" or all" if column == "intermediate_size" else ""))
            else:
                value = int(value)
        out[column] = value
    return out


def _matches(runs: pd.DataFrame, side: dict) -> pd.Series:
    keep = pd.Series(True, index=runs.index)
    if "run_id" in side:
        return runs["run_id"].str.startswith(side["run_id"])
    for column, value in side.items():
        keep &= runs[column].isna() if value is None else (runs[column].astype(str) == str(value))
    return keep


def pick(runs: pd.DataFrame, text: str, split: str, target: str | None) -> pd.DataFrame:
    """The evaluate runs of one side (results.queries.evaluate_runs rows), on `split` and `target` unless the side
    names its own. None found is an XltError naming what exists."""
    side = parse_side(text)
    rows = runs[_matches(runs, side)]
    if "run_id" not in side:
        rows = rows[rows["split"] == side.get("split", split)]
        if target and "target_task" not in side:
            rows = rows[rows["target_task"] == target]
        if rows.duplicated(["model", "target_task", "split", "seed", "eval_size"]).any():  # defaults settle it
            defaults = {k: v for k, v in DEFAULTS.items() if k not in side}
            settled = rows[_matches(rows, defaults)]
            rows = settled if not settled.empty else rows
    if rows.empty:
        known = sorted(set(runs["intermediate_task"]))
        raise XltError(f"no evaluate run matches {text!r} (split {split}{', target ' + target if target else ''}): "
                       f"intermediate tasks in the database: {', '.join(known) or 'none'}")
    return rows


def evaluation_key(config: str, by_model: bool, by_selection: bool = True) -> str:
    """What two evaluate runs must share to be paired: the evaluation itself (task, split, seed, data and its
    revision, evaluation size, retrieval options), the model unless the sides name their models, and the checkpoint
    selection rule unless the sides name theirs (a side that says `select=` compares rules)."""
    import json

    cfg = json.loads(config)
    parent = cfg.get("parent") or {}
    rule = (parent.get("train") or {}).get("select", "en-dev") if parent.get("stage") == "target" else "en-dev"
    for key in ("parent", "languages", *(() if by_model else ("model",))):
        cfg.pop(key, None)
    if by_selection:
        cfg["selection"] = rule
    return json.dumps(cfg, sort_keys=True)


def pair_up(a: pd.DataFrame, b: pd.DataFrame, by_model: bool,
            by_selection: bool = True) -> list[tuple[tuple, pd.Series, pd.Series]]:
    """(key, A's run, B's run) for every evaluation both sides have (evaluation_key: the same task, split, seed,
    data and evaluation size, and the same model and selection rule unless the sides name theirs); a side with two
    runs for one evaluation is ambiguous: an XltError names the columns they differ in."""
    a, b = (side.assign(key=[evaluation_key(c, by_model, by_selection) for c in side["config"]]) for side in (a, b))
    for side, name in ((a, "A"), (b, "B")):
        twice = side[side.duplicated("key", keep=False)]
        if len(twice):
            first = twice[twice["key"] == twice["key"].iloc[0]]
            differ = [c for c in ("model", "intermediate_task", "intermediate_size", "sampling", "selection")
                      if first[c].astype(str).nunique() > 1]
            raise XltError(f"side {name} matches {len(first)} runs of one evaluation ({first['target_task'].iloc[0]}, "
                           f"seed {first['seed'].iloc[0]}); they differ in {', '.join(differ) or 'their config'}: "
                           f"add key=value pairs (e.g. {differ[0] if differ else 'select'}=...) or give run ids")
    merged = a.merge(b, on="key", suffixes=("_a", "_b"))
    if merged.empty:
        raise XltError("the two sides share no evaluation (the same target task, split, seed, data and evaluation "
                       "size): nothing to pair")
    out = []
    for _, row in merged.iterrows():
        ra = pd.Series({c[:-2]: row[c] for c in row.index if c.endswith("_a")})
        rb = pd.Series({c[:-2]: row[c] for c in row.index if c.endswith("_b")})
        group = ((ra["model"],) if by_model else ()) + (ra["target_task"], ra["split"], row["key"])
        out.append((group, ra, rb))
    return out


def compare(db, side_a: str, side_b: str, split: str = "test", target: str | None = None,
            choice: str = "headline", correction: str = "holm") -> list[dict]:
    """`xlt compare`: one result per (model,) target task: compare_pairs' output with `model`, `target_task`,
    `split`, the run ids of each side and the config fields that differ (first pair)."""
    import json

    from .results import queries
    from .results.examples import example_values

    if correction not in stats.CORRECTIONS:
        raise XltError(f"unknown correction {correction!r}: choose {', '.join(stats.CORRECTIONS)}")
    runs = queries.evaluate_runs(db)
    if runs is None or runs.empty:
        raise XltError(f"{db} has no evaluate runs: run a study (xlt run, xlt sweep run) and ingest it first")
    a, b = pick(runs, side_a, split, target), pick(runs, side_b, split, target)
    named = {**parse_side(side_a), **parse_side(side_b)}
    by_model = "model" not in named and "model_size" not in named
    groups: dict[tuple, list] = {}
    for key, ra, rb in pair_up(a, b, by_model, "selection" not in named):  # seeds of one setting together
        setting = json.loads(key[-1])
        setting.pop("seed", None)
        groups.setdefault((*key[:-1], json.dumps(setting, sort_keys=True)), []).append((ra, rb))
    results = []
    for key, pairs in sorted(groups.items(), key=lambda kv: str(kv[0])):
        task = pairs[0][0]["target_task"]
        found = compare_pairs([(int(ra["seed"]), example_values(ra["run_dir"]), example_values(rb["run_dir"]))
                               for ra, rb in pairs], task, choice, correction)
        first_a, first_b = pairs[0]
        results.append({**found, "model": first_a["model"] if by_model else
                        f"{first_a['model']} vs {first_b['model']}", "target_task": task, "split": first_a["split"],
                        "runs_a": [ra["run_id"] for ra, _ in pairs], "runs_b": [rb["run_id"] for _, rb in pairs],
                        "seed_list": [int(ra["seed"]) for ra, _ in pairs],
                        "diff": config_diff(json.loads(first_a["config"]), json.loads(first_b["config"])),
                        "not_zero_shot": "target-dev" in (first_a["selection"], first_b["selection"])})
    return results
