"""The claims of xlt_core/reference/claims.csv, each judged by the rule its own row states. Pure functions over the
per-run task scores of results.queries.claim_runs; no SQL here.

Which runs a rule reads (`qualifying`)
- Runs of the rule's model only: a claim about XLM-R large is never judged on another model (the tiny one included).
- Runs on real data: the embedded sample data and synthetic rows never count.
- The rule's split for every target task; a target without that split is read on test (Tatoeba has no dev split).
- A run counts only with every language of its task on that split (its score is the mean over them, QA as
  (EM+F1)/2: the official averages the claims are stated on).
- Each intermediate task at its largest data size, multi-task sampling the default (proportional), checkpoint
  selection the default (en-dev) where the database records one; an MLM share is part of the variant.
- Seeds are paired: a seed is used when every required (variant, target task) has a run of it. Several runs of one
  variant, target and seed are averaged.

Verdicts (`judge`): 'not enough data' when a required run is missing (coverage below 100%), when fewer than
`min_seeds` seeds have every required run, or when the interval cannot decide; otherwise the effect's function
(EFFECTS, one per kind) says 'supported' or 'refuted' from a 95% interval over seeds (xlt_core.stats.seed_test):
- gain, best_gain: a size claim. Supported when the claimed gain lies in the interval, refuted when it does not.
- difference: a direction claim. Supported when the interval lies above the claimed value (0: 'beats'), refuted
  when below, not enough data when it includes it.
- share_gain: 'most intermediate tasks improve T'. Each intermediate task's gain has its own interval: positive when
  it lies above 0, open when it includes 0. Supported when the positive ones reach the claimed share, refuted when
  the positive and open ones together do not, not enough data otherwise.
- share_no_gain: 'T does not benefit'. An intermediate task shows no gain when its interval reaches 0 or below (a
  gain within seed noise counts as none). Supported when they reach the claimed share, refuted otherwise.
The rule's text shown to users comes from one function, `rule_text`, over the same columns.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

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
        if problems:
            raise ValueError(f"claim {self.claim_id}: {'; '.join(problems)}")

    def split_for(self, target: str) -> str:
        """The split a target is read on: the rule's, or test where the task has no such split."""
        return self.split if self.split in TASKS[target].source.splits else "test"

    def splits(self) -> set[str]:
        return {self.split_for(t) for t in self.targets}


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
    runs = (f"Runs: {rule.model} on real data, on {split}, with every language of each task; {inter} (largest "
            f"intermediate data size, default sampling and checkpoint selection) and {base}, on {targets}; at least "
            f"{rule.min_seeds} seeds, paired by seed. ")
    interval = "the 95% Student-t interval over seeds"
    n, share = len(rule.intermediate), rule.claimed
    need = math.ceil(share * n - 1e-9)
    if rule.effect == "gain":
        effect = (f"Measured: per seed, the mean over the target tasks of the score gain over {base}, and {interval}. "
                  f"Supported if the claimed {rule.claimed:+g} points lie in the interval, refuted if not.")
    elif rule.effect == "best_gain":
        effect = (f"Measured: for each target task the intermediate task with the best mean score over seeds; per "
                  f"seed, the mean over the target tasks of its gain over {base} (the XTREME score's gain), and "
                  f"{interval}. Supported if the claimed {rule.claimed:+g} points lie in the interval, refuted if not.")
    elif rule.effect == "difference":
        shares = " (each MLM share run compared on its own: all must hold)" if base.endswith("+mlm") else ""
        effect = (f"Measured: per seed, the mean over the target tasks of {inter}'s score minus {base}'s{shares}, "
                  f"and {interval}. Supported if the interval lies above {rule.claimed:g}, refuted if below, not "
                  f"enough data if it includes {rule.claimed:g}.")
    elif rule.effect == "share_gain":
        effect = (f"Measured: for each intermediate task, {interval} of its gain on {_each(rule.targets)}: "
                  f"positive if it lies above 0, open if it includes 0. Supported if at least {share:.0%} ({need} of "
                  f"{n}) are positive on {_each(rule.targets)}; refuted if the positive and open ones together fall "
                  f"short on one; not enough data otherwise.")
    else:  # share_no_gain
        effect = (f"Measured: for each intermediate task, {interval} of its gain on {_each(rule.targets)}; no gain "
                  f"shown if the interval reaches 0 or below (a gain within seed noise counts as none). Supported if "
                  f"at least {share:.0%} ({need} of {n}) show no gain, refuted otherwise.")
    return runs + effect


# the runs a rule reads ----------------------------------------------------------------------------------------
def variant_name(intermediate: str, mlm) -> str:
    """A variant's name in the claims: its intermediate label, with the MLM share where MLM was mixed in."""
    share = float(mlm) if mlm is not None and mlm == mlm else 0.0
    return f"{intermediate} (MLM {share:g})" if share else intermediate


def languages_on(target: str, split: str) -> int:
    return len(TASKS[target].languages) - len(lacking_split(TASKS[target], split))


def qualifying(frame, rule: Rule) -> tuple[dict, list[str]]:
    """The task scores a rule may read, (variant, target) -> {seed: score}, from results.queries.claim_runs' rows
    (run_id, model, intermediate_task, target_task, split, seed, languages, score, intermediate_size, sampling,
    mlm, data and, where recorded, selection); and notes on the runs of the rule's model left out, and why."""
    notes = []
    if frame is None or not len(frame):
        return {}, notes
    df = frame[(frame["model"] == rule.model) & frame["target_task"].isin(rule.targets)]
    df = df[df["split"] == df["target_task"].map(rule.split_for)]
    fake = df["data"].isin(NOT_REAL)
    if fake.any():
        notes.append(f"{int(fake.sum())} runs on {' or '.join(sorted(set(df.loc[fake, 'data'])))} data left out")
    df = df[~fake & (df["sampling"].isna() | (df["sampling"] == DEFAULT_SAMPLING))]
    if "selection" in df.columns:
        df = df[df["selection"].isna() | (df["selection"] == DEFAULT_SELECTION)]
    if not len(df):
        return {}, notes
    df = df.assign(variant=[variant_name(i, m) for i, m in zip(df["intermediate_task"], df["mlm"])],
                   size=df["intermediate_size"].astype("float64").fillna(float("inf")))
    df = df[df["size"] == df.groupby("variant")["size"].transform("max")]
    full = df["languages"] == [languages_on(t, s) for t, s in zip(df["target_task"], df["split"])]
    if not full.all():
        notes.append(f"{int((~full).sum())} runs without every language of their task left out")
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


def judge(rule: Rule, frame, models_here=()) -> dict:
    """One claim's verdict: claim_id, status, measured, lo, hi (the 95% interval), interval (as text), seeds (paired
    seeds used), coverage ('12 of 18 runs: missing ...'), reason and the rule's text."""
    table, notes = qualifying(frame, rule)
    intermediate = [v for name in rule.intermediate for v in expand(name, table)]
    compare = expand(rule.compare_with, table)
    cells = [(v, t) for v in dict.fromkeys(intermediate + compare) for t in rule.targets]
    have = {cell: set(table.get(cell, {})) for cell in cells}
    required = len(cells) * rule.min_seeds
    present = sum(min(len(s), rule.min_seeds) for s in have.values())
    missing = []
    for v in dict.fromkeys(v for v, _ in cells):
        short = [t for t in rule.targets if len(have[(v, t)]) < rule.min_seeds]
        if short == list(rule.targets) and not any(have[(v, t)] for t in short) and len(short) > 1:
            missing.append(f"every run of {v}")
        else:
            missing += [f"{v} on {t} ({len(have[(v, t)])} of {rule.min_seeds} seeds)" for t in short]
    coverage = f"{present} of {required} runs" + (f": missing {_missing_text(missing)}" if missing else "")
    seeds = sorted(set.intersection(*have.values())) if cells else []
    out = {"claim_id": rule.claim_id, "status": "not enough data", "measured": None, "lo": None, "hi": None,
           "interval": "", "seeds": len(seeds), "coverage": coverage, "reason": "", "rule": rule_text(rule)}
    if not any(table.get(cell) for cell in cells):
        others = [m for m in models_here if m != rule.model]
        why = (f"no qualifying run of {rule.model} on {rule.split}"
               + (f" (other models here: {', '.join(others)})" if others else ""))
        out["reason"] = "; ".join([why, *notes])
    elif present < required:
        out["reason"] = "; ".join([f"{required - present} required runs are missing", *notes])
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
    r = seed_test(values, LEVEL)
    inside = r["lo"] <= rule.claimed <= r["hi"]
    return {"status": "supported" if inside else "refuted", "measured": r["gain"], "lo": r["lo"], "hi": r["hi"],
            "reason": f"the claimed {rule.claimed:+g} {'lies' if inside else 'does not lie'} in the interval" + extra}


def gain(rule, table, seeds, intermediate, compare) -> dict:
    """Size claim: the mean gain over the target tasks of the one variant over the baseline."""
    [variant], [base] = intermediate, compare
    return _size(rule, _per_seed(table, seeds, [(variant, base, t) for t in rule.targets]))


def best_gain(rule, table, seeds, intermediate, compare) -> dict:
    """Size claim: the gain of the best variant per target task (best mean over seeds), averaged over targets."""
    [base] = compare
    best = {t: max(intermediate, key=lambda v: mean(table[(v, t)][k] for k in seeds)) for t in rule.targets}
    picked = "; best per target: " + ", ".join(f"{t} {v}" for t, v in best.items())
    return _size(rule, _per_seed(table, seeds, [(best[t], base, t) for t in rule.targets]), picked)


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


def share_gain(rule, table, seeds, intermediate, compare) -> dict:
    """Share claim: at least `claimed` of the intermediate tasks improve each target task (interval above 0)."""
    [base], n = compare, len(intermediate)
    rows = []
    for t in rule.targets:
        tests = _gain_tests(table, seeds, intermediate, base, t).values()
        positive = sum(r["lo"] > 0 for r in tests)
        open_ = sum(crosses_zero(r["lo"], r["hi"]) for r in tests)
        rows.append((t, positive, open_, sum(r["gain"] > 0 for r in tests)))
    lo, hi = min(r[1] for r in rows) / n, min(r[1] + r[2] for r in rows) / n
    point = min(r[3] for r in rows) / n
    status = ("supported" if lo >= rule.claimed - 1e-9 else "refuted" if hi < rule.claimed - 1e-9
              else "not enough data")
    reason = "; ".join(f"{t}: {p} of {n} positive, {o} open" for t, p, o, _ in rows)
    if status == "not enough data":
        reason += ": more seeds would decide"
    return {"status": status, "measured": point, "lo": lo, "hi": hi, "reason": reason}


def share_no_gain(rule, table, seeds, intermediate, compare) -> dict:
    """Share claim: at least `claimed` of the intermediate tasks show no gain (interval reaching 0 or below)."""
    [base], n = compare, len(intermediate)
    counts = [sum(r["lo"] <= 0 for r in _gain_tests(table, seeds, intermediate, base, t).values())
              for t in rule.targets]
    share = min(counts) / n
    status = "supported" if share >= rule.claimed - 1e-9 else "refuted"
    reason = "; ".join(f"{t}: {c} of {n} show no gain" for t, c in zip(rule.targets, counts))
    return {"status": status, "measured": share, "lo": share, "hi": share, "reason": reason}


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
