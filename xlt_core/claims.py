"""The claims of xlt_core/reference/claims.csv, each judged by the rule its own row states. Pure functions over the
per-run task scores of results.queries.claim_runs; no SQL here.

Which runs a rule reads (`qualifying`)
- Runs of the rule's model only: a claim about XLM-R large is never judged on another model (the tiny one included).
- Runs on real data: the embedded sample data and synthetic rows never count.
- The full evaluation and the default target training only: a run evaluated on part of the data (eval_size), or
  whose target stage was trained on part of its data (train_size) or with another lr or number of epochs than the
  model's preset, is left out, and the coverage says how many were.
- The rule's split for every target task; a target without that split is read on test (Tatoeba has no dev split).
- A run counts only with every language of its task on that split (its score is the mean over them, QA as
  (EM+F1)/2: the official averages the claims are stated on).
- Each intermediate task at its largest data size, multi-task sampling the default (proportional), checkpoint
  selection the default (en-dev) where the database records one; an MLM share is part of the variant.
- Seeds are paired: a seed is used when every required (variant, target task) has a run of it. Several runs of one
  variant, target and seed are averaged.

Verdicts (`judge`): 'not enough data' when a required run is missing (coverage below 100%), when fewer than
`min_seeds` seeds have every required run, or when the interval cannot decide; otherwise the effect's function
(EFFECTS, one per kind) decides from a 95% interval over seeds (xlt_core.stats.seed_test). Noise alone (a wide
interval) never supports a claim:
- gain, best_gain: a size claim. Supported when the interval holds the claimed gain and excludes 0 (the data tell
  the claimed effect from no effect), refuted when it excludes the claimed gain, not enough data when it holds both.
  best_gain is measured on test with the best variant per target task picked on dev (a target without a dev split,
  Tatoeba, is picked on test); without the dev runs for the pick, not enough data.
- difference: a direction claim. Supported when the interval lies above the claimed value (0: 'beats'), refuted
  when below, not enough data when it includes it.
- share_gain: 'most intermediate tasks improve T'. Each intermediate task's gain has its own interval: positive when
  it lies above 0, negative below 0, open when it includes 0. Supported when the positive ones reach the claimed
  share on every target, refuted when the negative ones leave too few on one, not enough data otherwise.
- share_no_gain: 'T does not benefit'. Each intermediate task shows no gain when its interval lies at or below
  NO_GAIN_MARGIN, a gain when it lies above 0 and reaches above the margin, open otherwise. Supported when the
  no-gain ones reach the claimed share on every target, refuted when the gains exceed the rest on one (more than
  1 - claimed), not enough data otherwise.
The rule's text shown to users comes from one function, `rule_text`, over the same columns.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import mean

import numpy as np
import pandas as pd

from .config import TrainConfig
from .stats import crosses_zero, seed_test
from .tasks import GROUPS, INTERMEDIATE_TASKS, TASKS, lacking_split

REFERENCE = Path(__file__).parent / "reference" / "claims.csv"
NINE_TARGETS = tuple(t for members in GROUPS.values() for t in members)
SHORTHANDS = {"intermediate": {"nine": INTERMEDIATE_TASKS}, "targets": {"nine": NINE_TARGETS}}
RULE_COLUMNS = ("model", "split", "intermediate", "compare_with", "targets", "min_seeds", "effect", "claimed")
STATUSES = ("supported", "refuted", "not enough data")
NOT_REAL = ("sample", "synthetic")  # the embedded sample data and synthetic load-test rows
DEFAULT_SAMPLING, DEFAULT_SELECTION = "proportional", "en-dev"
LEVEL = 0.95
# share_no_gain: a task whose gain is at most this many points (upper end of its 95% interval) shows no gain; a
# certain gain below one point is too small to call a benefit
NO_GAIN_MARGIN = 1.0


@dataclass(frozen=True)
class Rule:
    """A claim's rule: the runs it needs and the effect it claims (one row of claims.csv)."""

    claim_id: str
    model: str
    split: str
    intermediate: tuple[str, ...]
    compare_with: str  # 'none' (the baseline) or the variant a difference is taken against
    targets: tuple[str, ...]
    min_seeds: int
    effect: str
    claimed: float

    @classmethod
    def from_row(cls, row: dict) -> "Rule":
        """A rule from a row of claims.csv (or of the database's claims table): ';'-separated lists, 'nine' for the
        nine intermediate tasks or the nine XTREME targets. A malformed row is a ValueError naming it."""
        cid = row.get("claim_id")
        missing = [c for c in RULE_COLUMNS if row.get(c) in (None, "") or row.get(c) != row.get(c)]
        if missing:
            raise ValueError(f"claim {cid}: no {', '.join(missing)}")

        def listed(column):
            out = []
            for name in str(row[column]).split(";"):
                name = name.strip()
                out += SHORTHANDS[column].get(name, (name,)) if name else ()
            return tuple(dict.fromkeys(out))

        rule = cls(str(cid), str(row["model"]), str(row["split"]), listed("intermediate"),
                   str(row["compare_with"]).strip(), listed("targets"), int(row["min_seeds"]), str(row["effect"]),
                   float(row["claimed"]))
        rule.check()
        return rule

    def check(self) -> None:
        bad = [t for t in self.targets if t not in TASKS or TASKS[t].role != "target"]
        problems = ([f"unknown effect {self.effect!r} (one of {', '.join(EFFECTS)})"] if self.effect not in EFFECTS
                    else []) + ([f"unknown target task {bad[0]!r}"] if bad else [])
        if self.min_seeds < 2:
            problems.append("min_seeds below 2 gives no interval")
        if self.split not in ("dev", "test"):
            problems.append(f"split {self.split!r} is not dev or test")
        if self.effect in ("gain", "difference") and len(self.intermediate) != 1:
            problems.append(f"effect {self.effect} compares one intermediate variant")
        if self.effect != "difference" and self.compare_with != "none":
            problems.append(f"effect {self.effect} compares with no intermediate task ('none')")
        if self.effect.startswith("share") and not 0 < self.claimed <= 1:
            problems.append("a share is claimed as a fraction in (0, 1]")
        if self.effect == "best_gain" and self.split != "test":
            problems.append("effect best_gain is measured on test (the best variant is picked on dev)")
        if problems:
            raise ValueError(f"claim {self.claim_id}: {'; '.join(problems)}")

    def split_for(self, target: str) -> str:
        """The split a target is read on: the rule's, or test where the task has no such split."""
        return self.split if self.split in TASKS[target].source.splits else "test"

    def splits(self) -> set[str]:
        """The splits a rule reads: its own, and dev where best_gain picks its variants."""
        picks = [replace(self, split="dev")] if self.effect == "best_gain" else []
        return {r.split_for(t) for r in (self, *picks) for t in self.targets}


def load_rules(path=REFERENCE) -> list[Rule]:
    with open(path, newline="", encoding="utf-8") as f:
        return [Rule.from_row(row) for row in csv.DictReader(f)]


# the rule's text ----------------------------------------------------------------------------------------------
def _names(items, nine, what) -> str:
    """A list of tasks in words: 'the nine ... (a, b, ...)' for the nine, and what follows them."""
    items, nine = tuple(items), tuple(nine)
    start = len(nine) if items[:len(nine)] == nine else 0
    named = [f"the nine {what} ({', '.join(nine)})"] if start else []
    named += ["all nine trained together ('all')" if i == "all" else i for i in items[start:]]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def _variant(name: str) -> str:
    return "no intermediate task ('none')" if name == "none" else name


def _each(targets) -> str:
    return targets[0] if len(targets) == 1 else "each of " + " and ".join(targets)


def rule_text(rule: Rule) -> str:
    """What a rule says, in words: the runs it needs and when the claim is supported or refuted."""
    others = [t for t in rule.targets if rule.split_for(t) != rule.split]
    split = f"the {rule.split} split" + (f" ({', '.join(others)} on test: it has no {rule.split} split)"
                                          if others else "")
    targets = _names(rule.targets, NINE_TARGETS, "XTREME target tasks")
    inter = _names(rule.intermediate, INTERMEDIATE_TASKS, "intermediate tasks")
    base = _variant(rule.compare_with)
    runs = (f"Runs: {rule.model} on real data, on {split}, with every language of each task and the full "
            f"evaluation data; {inter} (largest intermediate data size, default sampling and checkpoint selection) "
            f"and {base}, on {targets}, target stages trained on all their data with the preset's lr and epochs; "
            f"at least {rule.min_seeds} seeds, paired by seed. ")
    interval = "the 95% Student-t interval over seeds"
    n, share = len(rule.intermediate), rule.claimed
    need = math.ceil(share * n - 1e-9)
    size = (f"Supported if the interval holds the claimed {rule.claimed:+g} points and excludes 0, refuted if it "
            f"excludes {rule.claimed:+g}, not enough data if it holds both.")
    if rule.effect == "gain":
        effect = (f"Measured: per seed, the mean over the target tasks of the score gain over {base}, and {interval}. "
                  + size)
    elif rule.effect == "best_gain":
        no_dev = [t for t in rule.targets if "dev" not in TASKS[t].source.splits]
        effect = ("Measured: for each target task the intermediate task with the best mean dev score over the seeds "
                  "every one of them has on dev"
                  + (f" ({', '.join(no_dev)}: on test, it has no dev split)" if no_dev else "")
                  + f"; per seed, the mean over the target tasks of its test gain over {base} (the XTREME score's "
                  f"gain), and {interval}. Not enough data without a dev run of every intermediate task on each "
                  "target. " + size)
    elif rule.effect == "difference":
        shares = " (each MLM share run compared on its own: all must hold)" if base.endswith("+mlm") else ""
        effect = (f"Measured: per seed, the mean over the target tasks of {inter}'s score minus {base}'s{shares}, "
                  f"and {interval}. Supported if the interval lies above {rule.claimed:g}, refuted if below, not "
                  f"enough data if it includes {rule.claimed:g}.")
    elif rule.effect == "share_gain":
        effect = (f"Measured: for each intermediate task, {interval} of its gain on {_each(rule.targets)}: "
                  f"positive if it lies above 0, negative if below 0, open if it includes 0. Supported if at least "
                  f"{share:.0%} ({need} of {n}) are positive on {_each(rule.targets)}; refuted if the negative ones "
                  f"leave fewer than {need} on one; not enough data otherwise.")
    else:  # share_no_gain
        effect = (f"Measured: for each intermediate task, {interval} of its gain on {_each(rule.targets)}: no gain "
                  f"if it lies at or below +{NO_GAIN_MARGIN:g} point (at most {NO_GAIN_MARGIN:g} point with 95% "
                  f"confidence), a gain if it lies above 0 and reaches above +{NO_GAIN_MARGIN:g}, open otherwise. "
                  f"Supported if at least {share:.0%} ({need} of {n}) show no gain on {_each(rule.targets)}; refuted "
                  f"if more than {n - need} show a gain on one; not enough data otherwise.")
    return runs + effect


# the runs a rule reads ----------------------------------------------------------------------------------------
def variant_name(intermediate: str, mlm) -> str:
    """A variant's name in the claims: its intermediate label, with the MLM share where MLM was mixed in."""
    share = float(mlm) if mlm is not None and mlm == mlm else 0.0
    return f"{intermediate} (MLM {share:g})" if share else intermediate


def languages_on(target: str, split: str) -> int:
    return len(TASKS[target].languages) - len(lacking_split(TASKS[target], split))


def _default_training(df, model: str):
    """Which runs evaluated all their data and trained their target stage (if any) on all its data with the model
    preset's lr and epochs (columns eval_size, train_size, lr, epochs; missing ones are taken as the default)."""
    def col(name):
        return df[name] if name in df.columns else pd.Series(None, index=df.index, dtype="float64")

    preset = {t: TrainConfig.defaults(model, t) for t in set(df["target_task"])}
    lr = [p.lr for p in df["target_task"].map(preset)]
    epochs = [p.epochs for p in df["target_task"].map(preset)]
    trained = (col("train_size").isna() & (col("lr").isna() | np.isclose(col("lr").astype("float64"), lr, atol=0))
               & (col("epochs").isna() | np.isclose(col("epochs").astype("float64"), epochs, atol=0)))
    return col("eval_size").isna(), trained


def qualifying(frame, rule: Rule) -> tuple[dict, list[str]]:
    """The task scores a rule may read, (variant, target) -> {seed: score}, from results.queries.claim_runs' rows
    (run_id, model, intermediate_task, target_task, split, seed, languages, score, intermediate_size, sampling,
    mlm, data, eval_size, the target stage's train_size, lr and epochs and, where recorded, selection); and notes
    on the runs of the rule's model left out, and why."""
    notes = []
    if frame is None or not len(frame):
        return {}, notes
    df = frame[(frame["model"] == rule.model) & frame["target_task"].isin(rule.targets)]
    df = df[df["split"] == df["target_task"].map(rule.split_for)]
    fake = df["data"].isin(NOT_REAL)
    if fake.any():
        notes.append(f"{int(fake.sum())} runs on {' or '.join(sorted(set(df.loc[fake, 'data'])))} data")
    df = df[~fake]
    if not len(df):
        return {}, notes
    full_eval, trained = _default_training(df, rule.model)
    if not full_eval.all():
        notes.append(f"{int((~full_eval).sum())} runs evaluated on part of the data (eval_size)")
    if not trained[full_eval].all():
        notes.append(f"{int((full_eval & ~trained).sum())} runs whose target stage was trained on part of its data "
                     "(train_size) or with another lr or number of epochs")
    df = df[full_eval & trained & (df["sampling"].isna() | (df["sampling"] == DEFAULT_SAMPLING))]
    if "selection" in df.columns:
        df = df[df["selection"].isna() | (df["selection"] == DEFAULT_SELECTION)]
    if not len(df):
        return {}, notes
    df = df.assign(variant=[variant_name(i, m) for i, m in zip(df["intermediate_task"], df["mlm"])],
                   size=df["intermediate_size"].astype("float64").fillna(float("inf")))
    df = df[df["size"] == df.groupby("variant")["size"].transform("max")]
    full = df["languages"] == [languages_on(t, s) for t, s in zip(df["target_task"], df["split"])]
    if not full.all():
        notes.append(f"{int((~full).sum())} runs without every language of their task")
    table = defaultdict(dict)
    for (variant, target, seed), score in df[full].groupby(["variant", "target_task", "seed"])["score"].mean().items():
        table[(variant, target)][int(seed)] = float(score)
    return dict(table), notes


def expand(name: str, table: dict) -> list[str]:
    """The variants a rule's name stands for: an '+mlm' label stands for every MLM share run (each on its own)."""
    if not name.endswith("+mlm"):
        return [name]
    found = sorted({v for v, _ in table if v.startswith(f"{name} (MLM ")})
    return found or [name]


def _missing_text(missing: list[str], limit: int = 6) -> str:
    more = len(missing) - limit
    return ", ".join(missing[:limit]) + (f" and {more} more" if more > 0 else "")


def pick_on_dev(rule: Rule, frame, variants: list[str]) -> tuple[dict, list[str]]:
    """best_gain's pick: for each target task, the variant with the best mean dev score over the seeds that every
    variant has on dev (a target without a dev split: on test); and what the pick lacks, if anything."""
    dev, _ = qualifying(frame, replace(rule, split="dev"))
    best, lacking = {}, []
    for t in rule.targets:
        runs = [dev.get((v, t), {}) for v in variants]
        lacking += [f"{v} on {t}" for v, r in zip(variants, runs) if not r]
        shared = set.intersection(*(set(r) for r in runs)) if runs else set()
        if shared:
            best[t] = max(variants, key=lambda v: mean(dev[(v, t)][k] for k in shared))
        elif all(runs):
            lacking.append(f"a seed shared by every variant on {t}")
    return best, lacking


def judge(rule: Rule, frame, models_here=()) -> dict:
    """One claim's verdict: claim_id, status, measured, lo, hi (the 95% interval), interval (as text), seeds (paired
    seeds used), coverage ('12 of 18 runs: missing ...; left out: ...'), seed_coverage (the same by variant, in
    seeds: seed_coverage), reason and the rule's text."""
    table, notes = qualifying(frame, rule)
    intermediate = [v for name in rule.intermediate for v in expand(name, table)]
    compare = expand(rule.compare_with, table)
    best, lacking = pick_on_dev(rule, frame, intermediate) if rule.effect == "best_gain" else ({}, [])
    if best and not lacking:  # best_gain needs on test only the variant picked for each target
        intermediate = [best[t] for t in rule.targets]
        cells = [(v, t) for t, v in best.items()]
    else:
        cells = [(v, t) for v in dict.fromkeys(intermediate) for t in rule.targets]
    cells = list(dict.fromkeys(cells + [(v, t) for v in compare for t in rule.targets]))
    have = {cell: set(table.get(cell, {})) for cell in cells}
    required = len(cells) * rule.min_seeds
    present = sum(min(len(s), rule.min_seeds) for s in have.values())
    missing = []
    for v in dict.fromkeys(v for v, _ in cells):
        targets = [t for w, t in cells if w == v]
        short = [t for t in targets if len(have[(v, t)]) < rule.min_seeds]
        if len(short) == len(targets) > 1 and not any(have[(v, t)] for t in short):
            missing.append(f"every run of {v}")
        else:
            missing += [f"{v} on {t} ({len(have[(v, t)])} of {rule.min_seeds} seeds)" for t in short]
    coverage = (f"{present} of {required} runs" + (f": missing {_missing_text(missing)}" if missing else "")
                + (f"; left out: {', '.join(notes)}" if notes else ""))
    seeds = sorted(set.intersection(*have.values())) if cells else []
    out = {"claim_id": rule.claim_id, "status": "not enough data", "measured": None, "lo": None, "hi": None,
           "interval": "", "seeds": len(seeds), "coverage": coverage, "seed_coverage": seed_coverage(rule, have),
           "reason": "", "rule": rule_text(rule)}
    if not any(table.get(cell) for cell in cells):
        others = [m for m in models_here if m != rule.model]
        out["reason"] = (f"no qualifying run of {rule.model} on {rule.split}"
                         + (f" (other models here: {', '.join(others)})" if others else ""))
    elif lacking:
        out["reason"] = f"the best variant per target is picked on dev, which lacks {_missing_text(lacking)}"
    elif present < required:
        out["reason"] = f"{required - present} required runs are missing"
    elif len(seeds) < rule.min_seeds:
        out["reason"] = (f"only {len(seeds)} seeds have every required run; the rule needs {rule.min_seeds}")
    else:
        out.update(EFFECTS[rule.effect](rule, table, seeds, intermediate, compare))
        out["interval"] = interval_text(rule, out)
    return out


# one function per effect kind: (rule, table, seeds, variants, compared-with) -> status, measured, lo, hi, reason ---
def _per_seed(table, seeds, pairs) -> list[float]:
    """Per seed, the mean over (variant, other, target) of variant's score minus other's."""
    return [mean(table[(v, t)][k] - table[(o, t)][k] for v, o, t in pairs) for k in seeds]


def _size(rule: Rule, values: list[float], extra: str = "") -> dict:
    """A size claim's verdict: supported when the interval holds the claimed gain and excludes 0, refuted when it
    excludes the claimed gain, not enough data when it holds both."""
    r = seed_test(values, LEVEL)
    lo, hi, claimed = r["lo"], r["hi"], rule.claimed
    if not lo <= claimed <= hi:
        status, reason = "refuted", f"the interval excludes the claimed {claimed:+g}"
    elif lo > 0 or hi < 0:
        status, reason = "supported", f"the interval holds the claimed {claimed:+g} and excludes 0"
    else:
        status, reason = "not enough data", (f"the interval [{lo:+.1f}, {hi:+.1f}] holds both 0 and the claimed "
                                             f"{claimed:+g}: more seeds or examples needed")
    return {"status": status, "measured": r["gain"], "lo": lo, "hi": hi, "reason": reason + extra}


def gain(rule, table, seeds, intermediate, compare) -> dict:
    """Size claim: the mean gain over the target tasks of the one variant over the baseline."""
    [variant], [base] = intermediate, compare
    return _size(rule, _per_seed(table, seeds, [(variant, base, t) for t in rule.targets]))


def best_gain(rule, table, seeds, intermediate, compare) -> dict:
    """Size claim: the gain of the variant picked for each target task on dev (`intermediate`, in the targets'
    order: judge and pick_on_dev), averaged over the targets."""
    [base] = compare
    picked = "; picked on dev: " + ", ".join(
        f"{v} for {t}" + ("" if "dev" in TASKS[t].source.splits else " (on test)")
        for v, t in zip(intermediate, rule.targets))
    return _size(rule, _per_seed(table, seeds, [(v, base, t) for v, t in zip(intermediate, rule.targets)]), picked)


def difference(rule, table, seeds, intermediate, compare) -> dict:
    """Direction claim: the variant's score minus each compared variant's lies above `claimed`. Against several (MLM
    shares), every comparison must hold; the one reported is the one that decides (or the weakest)."""
    [variant] = intermediate
    found = []
    for other in compare:
        r = seed_test(_per_seed(table, seeds, [(variant, other, t) for t in rule.targets]), LEVEL)
        status = ("supported" if r["lo"] > rule.claimed else "refuted" if r["hi"] < rule.claimed
                  else "not enough data")
        found.append((other, status, r))
    refuted = [f for f in found if f[1] == "refuted"]
    other, _, r = refuted[0] if refuted else min(found, key=lambda f: f[2]["gain"])
    status = ("refuted" if refuted else "supported" if all(f[1] == "supported" for f in found)
              else "not enough data")
    side = {"supported": "lies above", "refuted": "lies below", "not enough data": "includes"}[status]
    reason = (f"the interval of {variant} minus {other} {side} {rule.claimed:g}"
              + (": more seeds would decide" if status == "not enough data" else ""))
    return {"status": status, "measured": r["gain"], "lo": r["lo"], "hi": r["hi"], "reason": reason}


def _gain_tests(table, seeds, intermediate, base, target) -> dict:
    """Each variant's gain on one target task over the baseline, with its interval over seeds."""
    return {v: seed_test(_per_seed(table, seeds, [(v, base, target)]), LEVEL) for v in intermediate}


def _shares(rule, table, seeds, intermediate, compare, classify, words: str) -> dict:
    """A share claim's verdict. `classify` puts each intermediate task's gain interval on a target task 'for' the
    claim, 'against' it or 'open', and says whether its mean gain is for it. Supported when the ones for reach the
    claimed share on every target, refuted when the ones against leave too few on one, not enough data otherwise.
    measured is the share whose mean gain is for the claim; lo the share for, hi the share for or open (the
    smallest over the targets)."""
    [base], n = compare, len(intermediate)
    rows = []
    for t in rule.targets:
        found = [classify(r) for r in _gain_tests(table, seeds, intermediate, base, t).values()]
        kinds = [kind for kind, _ in found]
        rows.append((t, kinds.count("for"), kinds.count("open"), sum(point for _, point in found)))
    lo, hi = min(r[1] for r in rows) / n, min(r[1] + r[2] for r in rows) / n
    status = ("supported" if lo >= rule.claimed - 1e-9 else "refuted" if hi < rule.claimed - 1e-9
              else "not enough data")
    reason = "; ".join(f"{t}: {f} of {n} {words}, {o} open" for t, f, o, _ in rows)
    if status == "not enough data":
        reason += ": more seeds would decide"
    return {"status": status, "measured": min(r[3] for r in rows) / n, "lo": lo, "hi": hi, "reason": reason}


def share_gain(rule, table, seeds, intermediate, compare) -> dict:
    """Share claim: at least `claimed` of the intermediate tasks improve each target task (interval above 0);
    against it: an interval below 0."""
    def classify(r):
        kind = "for" if r["lo"] > 0 else "open" if crosses_zero(r["lo"], r["hi"]) else "against"
        return kind, r["gain"] > 0

    return _shares(rule, table, seeds, intermediate, compare, classify, "positive")


def share_no_gain(rule, table, seeds, intermediate, compare) -> dict:
    """Share claim: at least `claimed` of the intermediate tasks show no gain on each target task (interval at or
    below NO_GAIN_MARGIN); against it: an interval above 0 that reaches above the margin."""
    def classify(r):
        kind = "for" if r["hi"] <= NO_GAIN_MARGIN else "against" if r["lo"] > 0 else "open"
        return kind, r["gain"] <= NO_GAIN_MARGIN

    return _shares(rule, table, seeds, intermediate, compare, classify, "show no gain")


EFFECTS = {"gain": gain, "best_gain": best_gain, "difference": difference, "share_gain": share_gain,
           "share_no_gain": share_no_gain}


def interval_text(rule: Rule, verdict: dict) -> str:
    """'+7.0 [+2.7, +11.3]' for points; '89% [78%, 100%]' for shares."""
    if verdict.get("measured") is None:
        return ""
    if rule.effect.startswith("share"):
        return f"{verdict['measured']:.0%} [{verdict['lo']:.0%}, {verdict['hi']:.0%}]"
    return f"{verdict['measured']:+.1f} [{verdict['lo']:+.1f}, {verdict['hi']:+.1f}]"


def verdicts(rules, frame, models_here=()) -> list[dict]:
    """Every rule's verdict (judge), in the rules' order."""
    return [judge(rule, frame, models_here) for rule in rules]


# the rule and its coverage in short, for the Claims page ---------------------------------------------------------
def _short(items, nine, what) -> str:
    """A list of tasks in a few words: 'the nine <what>' for the nine, and the names of any others."""
    items, nine = tuple(items), tuple(nine)
    start = len(nine) if items[:len(nine)] == nine else 0
    named = [f"the nine {what}"] * bool(start) + list(items[start:])
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def qualifying_text(rule: Rule) -> str:
    """Which runs a rule counts, in one line: 'xlm-roberta-large, dev split; squad vs none; on the nine XTREME
    target tasks; at least 3 seeds'."""
    inter = _short(rule.intermediate, INTERMEDIATE_TASKS, "intermediate tasks")
    if rule.effect == "best_gain" and len(rule.intermediate) > 1:
        inter = f"the best of {inter} per target task (picked on dev)"
    return (f"{rule.model}, {rule.split} split; {inter} vs {rule.compare_with}; on "
            f"{_short(rule.targets, NINE_TARGETS, 'XTREME target tasks')}; at least {rule.min_seeds} seeds")


def effect_text(rule: Rule) -> str:
    """The effect a rule claims, in one line ('mean gain of +8.2 points over none across the target tasks')."""
    n, base = len(rule.intermediate), rule.compare_with
    where = "each target task" if len(rule.targets) > 1 else rule.targets[0]
    return {
        "gain": f"mean gain of {rule.claimed:+g} points over {base} across the target tasks",
        "best_gain": f"mean gain of {rule.claimed:+g} points over {base} with the best intermediate task per target",
        "difference": f"{', '.join(rule.intermediate)} scores more than {rule.claimed:g} points above {base}",
        "share_gain": f"at least {rule.claimed:.0%} of the {n} intermediate tasks improve {where}",
        "share_no_gain": f"at least {rule.claimed:.0%} of the {n} intermediate tasks show no gain (at most "
                         f"+{NO_GAIN_MARGIN:g} point) on {where}",
    }[rule.effect]


def seed_coverage(rule: Rule, have: dict) -> str:
    """Which of the required runs exist, in seeds, by variant (variants alike said together): have maps (variant,
    target) -> the seeds found. 'squad, none: 0 of 3 seeds of xlm-roberta-large on each of 9 target tasks', or
    where the targets differ, 'squad: 3 of 3 seeds of xlm-roberta-large on 4 of 9 target tasks (fewest: 1)'."""
    found = {}
    for variant in dict.fromkeys(v for v, _ in have):
        targets = [t for v, t in have if v == variant]
        counts = [min(len(have[(variant, t)]), rule.min_seeds) for t in targets]
        of = f" of {rule.min_seeds} seeds of {rule.model}"
        if len(set(counts)) == 1:
            text = f"{counts[0]}{of}" + (f" on each of {len(targets)} target tasks" if len(targets) > 1
                                         else f" on {targets[0]}")
        else:
            full = sum(c == rule.min_seeds for c in counts)
            text = f"{rule.min_seeds}{of} on {full} of {len(targets)} target tasks (fewest: {min(counts)})"
        found.setdefault(text, []).append(variant)
    return "; ".join(f"{', '.join(variants)}: {text}" for text, variants in found.items())


def rule_columns(table: pd.DataFrame) -> pd.DataFrame:
    """A claims table (the database's claims, with their rule columns) with `qualifying` (qualifying_text) and
    `effect_claimed` (effect_text) of each row's rule."""
    rules = [Rule.from_row(row) for row in table.to_dict("records")]
    return table.assign(qualifying=[qualifying_text(r) for r in rules],
                        effect_claimed=[effect_text(r) for r in rules])
