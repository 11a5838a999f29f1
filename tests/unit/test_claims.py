"""The claims judged by their stated rules (xlt_core.claims): hand-made databases giving each outcome, every
interval checked against a value computed by hand, and the demo's results giving 'not enough data' for every claim."""

import csv
import json
import math
from dataclasses import replace

import duckdb
import pandas as pd
import pytest

from xlt_core import claims, results
from xlt_core.claims import NINE_TARGETS, NO_GAIN_MARGIN, Rule, judge, rule_text
from xlt_core.config import TrainConfig
from xlt_core.results import store
from xlt_core.scoring import headline_metrics
from xlt_core.tasks import INTERMEDIATE_TASKS, TASKS, lacking_split

T975_2 = 4.302652729911275  # Student's t, 97.5% quantile, 2 degrees of freedom (three seeds)
CHAIN_COLUMNS = ["run_id", "intermediate_size", "sampling", "mlm", "chain_wall_s", "chain_flops", "device"]
LARGE = "xlm-roberta-large"


def by_hand(values):
    """Mean and 95% t interval of three seed-level values, by the textbook formula."""
    m = sum(values) / 3
    se = math.sqrt(sum((v - m) ** 2 for v in values) / 2) / math.sqrt(3)
    return m, m - T975_2 * se, m + T975_2 * se


class Runs:
    """Evaluate runs for a hand-made database: every language of the task on its split, each at one score (QA:
    EM and F1 both, so that (EM+F1)/2 is that score)."""

    def __init__(self):
        self.scores, self.chains, self.runs = [], [], []

    def add(self, model, inter, target, seed, score, split="dev", mlm=0.0, size=None, sampling="proportional",
            data=None, languages=None, selection=None, eval_size=None, **train):
        """`train`: the target stage's training options where they are not the preset's (train_size, lr, epochs),
        written with eval_size in the run's config."""
        split = split if split in TASKS[target].source.splits else "test"
        run_id = f"{model}/{inter}/{mlm}/{size}/{sampling}/{data}/{target}/{split}/{seed}/{len(self.chains)}"
        langs = [lang for lang in TASKS[target].languages if lang not in lacking_split(TASKS[target], split)]
        for lang in langs[:languages]:
            self.scores += [(run_id, model, "large", inter, target, lang, split, metric, float(score), 100, seed,
                             None, None, None) for metric in headline_metrics(target)]
        self.chains.append((run_id, size, None if inter == "none" else sampling, mlm, 1.0, 1.0, "cuda"))
        if data or selection or eval_size or train:
            target_stage = (None if TASKS[target].type == "retrieval" else
                            {"stage": "target", "train": {**vars(TrainConfig.defaults(model, target)), **train}})
            config = {"stage": "evaluate", "eval_size": eval_size, "parent": target_stage}
            self.runs.append((run_id, "evaluate", model, data, selection, json.dumps(config)))
        return self

    def write(self, path):
        con = duckdb.connect(str(path))
        con.execute(store.SCHEMA)
        if self.runs:
            con.executemany("INSERT INTO runs (run_id, stage, model, data, selection, config) "
                            "VALUES (?, ?, ?, ?, ?, ?)", self.runs)
        store.insert(con, "scores", pd.DataFrame(self.scores, columns=list(store.SCORE_COLUMNS)))
        store.insert(con, "chains", pd.DataFrame(self.chains, columns=CHAIN_COLUMNS))
        store.fill_derived(con)
        store.add_reference(con)
        con.close()
        return path


def base_score(target, seed):
    """A baseline score that differs by task and seed (the gains are what the claims are about)."""
    return 40.0 + NINE_TARGETS.index(target) * 3 + seed * 1.5


def chain(runs, model, inter, gains, targets=NINE_TARGETS, **kw):
    """`inter`'s runs at baseline + gains[seed] on every target (seeds 0, 1, 2, ...)."""
    for seed, g in enumerate(gains):
        for t in targets:
            runs.add(model, inter, t, seed, base_score(t, seed) + g, **kw)
    return runs


def status_of(db):
    return {r["claim_id"]: r for r in results.claims_status(db).to_dict("records")}


def frame(runs: Runs):
    """What results.queries.claim_runs gives, without a database: one row per run."""
    rows = {}
    for run_id, model, _, inter, target, lang, split, metric, score, _, seed, *_ in runs.scores:
        row = rows.setdefault(run_id, dict(run_id=run_id, model=model, intermediate_task=inter, target_task=target,
                                           split=split, seed=seed, langs=set(), score=score))
        row["langs"].add(lang)
    chains = {c[0]: c for c in runs.chains}
    extra = {r[0]: r for r in runs.runs}

    def from_config(rid):
        config = json.loads(extra[rid][5]) if rid in extra else {}
        train = (config.get("parent") or {}).get("train", {})
        return dict(eval_size=config.get("eval_size"), train_size=train.get("train_size"), lr=train.get("lr"),
                    epochs=train.get("epochs"))

    return pd.DataFrame([dict({k: v for k, v in row.items() if k != "langs"}, languages=len(row["langs"]),
                              intermediate_size=chains[rid][1], sampling=chains[rid][2], mlm=chains[rid][3],
                              data=extra.get(rid, [None] * 6)[3], selection=extra.get(rid, [None] * 6)[4] or "en-dev",
                              **from_config(rid))
                         for rid, row in rows.items()])


def rule(**kw):
    values = dict(claim_id="t", model=LARGE, split="dev", intermediate=("mnli",), compare_with="none",
                  targets=("xnli", "pawsx"), min_seeds=3, effect="gain", claimed=7.5)
    return Rule(**{**values, **kw})


# the reference table -----------------------------------------------------------------------------------------
def test_every_claim_has_a_rule_and_its_text_comes_from_its_columns():
    with open(claims.REFERENCE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["claim_id"] for r in rows] == [f"c{i}" for i in range(1, 11)]
    rules = claims.load_rules()
    assert all(r.model == LARGE and r.min_seeds == 3 for r in rules)  # the claims are about XLM-R large
    assert rules[1].intermediate == ("mnli",) and rules[1].targets == NINE_TARGETS and rules[1].claimed == 7.5
    assert rules[4].intermediate == (*INTERMEDIATE_TASKS, "all") and rules[4].split == "test"
    text = rule_text(rules[1])
    assert "xlm-roberta-large" in text and "at least 3 seeds" in text and "+7.5" in text and "tatoeba on test" in text
    with pytest.raises(ValueError, match="claim x: unknown effect"):
        Rule.from_row({**rows[0], "claim_id": "x", "effect": "bigger"})
    with pytest.raises(ValueError, match="min_seeds below 2"):
        Rule.from_row({**rows[0], "min_seeds": "1"})


# supported, refuted, not enough data on hand-made databases ---------------------------------------------------
def test_size_claims_supported_refuted_and_missing_runs(tmp_path):
    runs = Runs()
    chain(runs, LARGE, "none", [0, 0, 0])
    chain(runs, LARGE, "mnli", [6, 7, 8])       # c2 claims +7.5: inside 7 +- 4.303 * 0.577
    chain(runs, LARGE, "hellaswag", [2, 3, 4])  # c3 claims +7.0: above 3 +- 2.48
    chain(runs, LARGE, "squad", [9, 9], targets=NINE_TARGETS[:8])  # c1: two seeds, and no tatoeba run
    out = status_of(runs.write(tmp_path / "r.duckdb"))
    m, lo, hi = by_hand([6, 7, 8])
    assert (m, lo, hi) == pytest.approx((7.0, 7 - 2.48414, 7 + 2.48414), abs=1e-4)
    c2 = out["c2"]
    assert c2["status"] == "supported" and c2["seeds"] == 3 and c2["coverage"] == "54 of 54 runs"
    assert (c2["measured"], c2["lo"], c2["hi"]) == pytest.approx((m, lo, hi), abs=1e-9)
    assert c2["interval"] == "+7.0 [+4.5, +9.5]" and c2["rule"] == rule_text(claims.load_rules()[1])
    c3 = out["c3"]
    assert c3["status"] == "refuted" and (c3["lo"], c3["hi"]) == pytest.approx(by_hand([2, 3, 4])[1:], abs=1e-9)
    c1 = out["c1"]  # 27 baseline runs + 8 targets x 2 seeds of SQuAD, out of 54
    assert c1["status"] == "not enough data" and pd.isna(c1["measured"]) and c1["interval"] == ""
    assert c1["coverage"].startswith("43 of 54 runs: missing squad on pawsx (2 of 3 seeds), squad on xnli (2 of 3")
    assert c1["coverage"].endswith(" and 3 more") and c1["reason"] == "11 required runs are missing"
    assert out["c4"]["coverage"] == "27 of 54 runs: missing every run of all"
    assert list(out) == [f"c{i}" for i in range(1, 11)]


def test_a_claimed_gain_far_below_the_measured_one_is_refuted():
    """The old rule ('at most 1 point below the claim') called +12.4 measured for a claimed +5.4 supported."""
    runs = chain(chain(Runs(), LARGE, "none", [0, 0, 0]), LARGE, "mnli", [12.0, 12.4, 12.8])
    out = judge(rule(claimed=5.4), frame(runs))
    assert out["status"] == "refuted" and out["measured"] == pytest.approx(12.4)
    assert (out["lo"], out["hi"]) == pytest.approx(by_hand([12.0, 12.4, 12.8])[1:])


WIDE = [-1, 8, 17]  # 8 +- 4.303 * 9 / sqrt(3): [-14.4, +30.4]


@pytest.mark.parametrize("gains, claimed, status, reason", [
    ([6, 7, 8], 7.5, "supported", "the interval holds the claimed +7.5 and excludes 0"),
    ([2, 3, 4], 7.0, "refuted", "the interval excludes the claimed +7"),
    ([-1, 0, 1], 7.5, "refuted", "the interval excludes the claimed +7.5"),  # no effect, measured precisely
    (WIDE, 40, "refuted", "the interval excludes the claimed +40"),
    (WIDE, 8.2, "not enough data", "the interval [-14.4, +30.4] holds both 0 and the claimed +8.2: more seeds or "
                                   "examples needed"),
    (WIDE, 0, "not enough data", "the interval [-14.4, +30.4] holds both 0 and the claimed +0: more seeds or "
                                 "examples needed"),
    (WIDE, 20, "not enough data", "the interval [-14.4, +30.4] holds both 0 and the claimed +20: more seeds or "
                                  "examples needed")])
def test_a_size_claim_needs_an_interval_that_holds_it_and_excludes_no_effect(gains, claimed, status, reason):
    """A wide interval holds any claim: it supports none of them, since it holds no effect (0) as well."""
    runs = chain(chain(Runs(), LARGE, "none", [0, 0, 0]), LARGE, "mnli", gains)
    out = judge(rule(claimed=claimed), frame(runs))
    assert (out["status"], out["reason"]) == (status, reason)
    assert (out["measured"], out["lo"], out["hi"]) == pytest.approx(by_hand(gains))
    if gains == WIDE:
        assert out["interval"] == "+8.0 [-14.4, +30.4]"


def test_too_few_seeds_unpaired_seeds_and_partial_runs_are_not_enough_data():
    runs = chain(chain(Runs(), LARGE, "none", [0, 0]), LARGE, "mnli", [7, 7])
    out = judge(rule(), frame(runs))
    assert out["status"] == "not enough data" and out["coverage"].startswith("8 of 12 runs: missing mnli on xnli")
    # three seeds each, but only seeds 1 and 2 are shared: not paired
    runs = chain(Runs(), LARGE, "none", [0, 0, 0])
    for t in ("xnli", "pawsx"):
        for seed in (1, 2, 3):
            runs.add(LARGE, "mnli", t, seed, base_score(t, seed % 3) + 7)
    out = judge(rule(), frame(runs))
    assert out["status"] == "not enough data" and out["coverage"] == "12 of 12 runs" and out["seeds"] == 2
    assert out["reason"] == "only 2 seeds have every required run; the rule needs 3"
    # a run without every language of its task does not count
    runs = chain(Runs(), LARGE, "none", [0, 0, 0])
    chain(runs, LARGE, "mnli", [7, 7, 7], targets=("pawsx",))
    for seed in range(3):
        runs.add(LARGE, "mnli", "xnli", seed, 50, languages=3)
    out = judge(rule(), frame(runs))
    assert out["status"] == "not enough data" and out["reason"] == "3 required runs are missing"
    assert out["coverage"] == ("9 of 12 runs: missing mnli on xnli (0 of 3 seeds); left out: 3 runs without every "
                               "language of their task")


def test_the_tiny_model_and_sample_data_never_judge_a_claim_about_xlmr_large(tmp_path):
    runs = chain(chain(Runs(), "tiny", "none", [0, 0, 0]), "tiny", "mnli", [6, 7, 8])  # c2's runs, tiny model
    out = status_of(runs.write(tmp_path / "tiny.duckdb"))
    assert {r["status"] for r in out.values()} == {"not enough data"}
    assert out["c2"]["reason"] == "no qualifying run of xlm-roberta-large on dev (other models here: tiny)"
    assert out["c2"]["coverage"] == "0 of 54 runs: missing every run of mnli, every run of none"
    runs = chain(chain(Runs(), LARGE, "none", [0, 0, 0], data="sample"), LARGE, "mnli", [6, 7, 8], data="sample")
    out = judge(rule(), frame(runs))
    assert out["status"] == "not enough data" and out["coverage"].endswith("; left out: 12 runs on sample data")
    c2 = status_of(runs.write(tmp_path / "sample.duckdb"))["c2"]  # the same, read from the database
    assert c2["status"] == "not enough data" and c2["reason"] == "no qualifying run of xlm-roberta-large on dev"
    assert c2["coverage"] == ("0 of 54 runs: missing every run of mnli, every run of none; left out: 54 runs on "
                              "sample data")


def test_largest_data_size_default_sampling_and_selection_are_the_variant(tmp_path):
    runs = chain(Runs(), LARGE, "none", [0, 0, 0])
    chain(runs, LARGE, "mnli", [6, 7, 8])
    chain(runs, LARGE, "mnli", [-5, -5, -5], size=1000)  # a scaling run: smaller data, left out
    chain(runs, LARGE, "mnli", [-5, -5, -5], sampling="temperature")  # not the default sampling
    chain(runs, LARGE, "mnli", [-5, -5, -5], selection="last")  # not the default checkpoint selection
    out = judge(rule(), frame(runs))
    assert out["status"] == "supported" and out["measured"] == pytest.approx(7.0)
    c2 = status_of(runs.write(tmp_path / "r.duckdb"))["c2"]
    assert c2["status"] == "supported" and c2["measured"] == pytest.approx(7.0)


def test_only_the_full_evaluation_and_the_default_target_training_count(tmp_path):
    preset = TrainConfig.defaults(LARGE, "xnli")
    runs = chain(Runs(), LARGE, "none", [0, 0, 0])
    chain(runs, LARGE, "mnli", [6, 7, 8], lr=preset.lr)  # the preset's lr, given explicitly: counts
    chain(runs, LARGE, "mnli", [-5, -5, -5], eval_size=100)  # evaluated on 100 examples per language
    chain(runs, LARGE, "mnli", [-5, -5, -5], train_size=1000)  # its target stage trained on 1,000 examples
    chain(runs, LARGE, "mnli", [-5, -5, -5], lr=3 * preset.lr)
    chain(runs, LARGE, "mnli", [-5, -5, -5], epochs=preset.epochs / 2)
    out = judge(rule(targets=("xnli",)), frame(runs))
    assert out["status"] == "supported" and out["measured"] == pytest.approx(7.0)
    assert out["coverage"] == ("6 of 6 runs; left out: 3 runs evaluated on part of the data (eval_size), 9 runs whose "
                               "target stage was trained on part of its data (train_size) or with another lr or "
                               "number of epochs")
    runs = chain(Runs(), LARGE, "none", [0, 0, 0])  # c2 read from the database (retrieval targets: no target stage)
    chain(runs, LARGE, "mnli", [6, 7, 8])
    chain(runs, LARGE, "mnli", [-5, -5, -5], eval_size=100)
    chain(runs, LARGE, "mnli", [-5, -5, -5], targets=NINE_TARGETS[:7], train_size=1000)
    c2 = status_of(runs.write(tmp_path / "r.duckdb"))["c2"]
    assert c2["status"] == "supported" and c2["measured"] == pytest.approx(7.0)
    assert c2["coverage"] == ("54 of 54 runs; left out: 27 runs evaluated on part of the data (eval_size), 21 runs "
                              "whose target stage was trained on part of its data (train_size) or with another lr "
                              "or number of epochs")
    runs = chain(Runs(), LARGE, "none", [0, 0, 0], eval_size=100)  # no baseline on the full evaluation data
    chain(runs, LARGE, "mnli", [6, 7, 8])
    out = judge(rule(), frame(runs))
    assert out["status"] == "not enough data" and out["reason"] == "6 required runs are missing"


def best_runs(tatoeba_squad=(10, 11, 12), dev=True):
    """The baseline on test; mnli and squad on xnli (dev and test) and tatoeba (test only: it has no dev split).
    On xnli's dev split mnli is best (+5 against +3); on its test split squad would be (+9)."""
    runs = chain(Runs(), LARGE, "none", [0, 0, 0], targets=("xnli", "tatoeba"), split="test")
    chain(runs, LARGE, "mnli", [4, 5, 6], targets=("xnli",), split="test")
    chain(runs, LARGE, "squad", [9, 9, 9], targets=("xnli",), split="test")
    chain(runs, LARGE, "mnli", [1, 1, 1], targets=("tatoeba",), split="test")
    chain(runs, LARGE, "squad", tatoeba_squad, targets=("tatoeba",), split="test")
    chain(runs, LARGE, "mnli", [5, 5, 5], targets=("xnli",), split="dev")
    if dev:
        chain(runs, LARGE, "squad", [3, 3, 3], targets=("xnli",), split="dev")
    return frame(runs)


def test_the_best_intermediate_task_per_target_is_picked_on_dev_and_measured_on_test():
    c5 = rule(split="test", intermediate=("mnli", "squad"), targets=("xnli", "tatoeba"), effect="best_gain")
    per_seed = [(4 + 10) / 2, (5 + 11) / 2, (6 + 12) / 2]  # mnli on xnli (picked on dev), squad on tatoeba
    assert by_hand(per_seed) == pytest.approx((8.0, 8 - 2.48414, 8 + 2.48414), abs=1e-4)
    out = judge(replace(c5, claimed=8.0), best_runs())
    assert out["status"] == "supported" and out["coverage"] == "12 of 12 runs"
    assert (out["measured"], out["lo"], out["hi"]) == pytest.approx(by_hand(per_seed))  # picked on test: +10
    assert out["reason"].endswith("; picked on dev: mnli for xnli, squad for tatoeba (on test)")
    out = judge(replace(c5, claimed=5.4), best_runs())
    assert out["status"] == "refuted" and out["reason"].startswith("the interval excludes the claimed +5.4")
    wide = [(4 - 1) / 2, (5 + 8) / 2, (6 + 17) / 2]  # 6.5 +- 12.4
    out = judge(replace(c5, claimed=5.4), best_runs(tatoeba_squad=WIDE))
    assert out["status"] == "not enough data" and (out["lo"], out["hi"]) == pytest.approx(by_hand(wide)[1:])
    assert out["reason"].startswith("the interval [-5.9, +18.9] holds both 0 and the claimed +5.4")
    out = judge(c5, best_runs(dev=False))  # no dev run of squad on xnli: no pick
    assert out["status"] == "not enough data" and out["measured"] is None and out["coverage"] == "18 of 18 runs"
    assert out["reason"] == "the best variant per target is picked on dev, which lacks squad on xnli"
    c5 = claims.load_rules()[4]
    assert c5.effect == "best_gain" and c5.splits() == {"dev", "test"} and "picked on dev" not in rule_text(c5)
    assert "best mean dev score" in rule_text(c5) and "tatoeba: on test" in rule_text(c5)
    with pytest.raises(ValueError, match="best_gain is measured on test"):
        replace(c5, split="dev").check()


def shares(gains_by_task, target="tydiqa"):
    """The baseline and one intermediate task per entry, with those per-seed gains on `target`."""
    runs = chain(Runs(), LARGE, "none", [0, 0, 0], targets=(target,))
    for inter, gains in gains_by_task.items():
        chain(runs, LARGE, inter, gains, targets=(target,))
    return frame(runs)


CLEAR, OPEN, NEGATIVE = [2, 3, 4], [-1, 1, 3], [-4, -3, -2]  # intervals 3 +- 2.5, 1 +- 5.0, -3 +- 2.5


def test_share_of_intermediate_tasks_with_a_gain():
    nine = INTERMEDIATE_TASKS
    c7 = rule(intermediate=nine, targets=("tydiqa",), effect="share_gain", claimed=0.5)
    assert by_hand(OPEN)[1] < 0 < by_hand(OPEN)[2] and by_hand(CLEAR)[1] > 0 > by_hand(NEGATIVE)[2]
    out = judge(c7, shares(dict(zip(nine, [CLEAR] * 5 + [OPEN] * 2 + [NEGATIVE] * 2))))
    assert out["status"] == "supported" and (out["lo"], out["hi"]) == pytest.approx((5 / 9, 7 / 9))
    assert out["reason"] == "tydiqa: 5 of 9 positive, 2 open" and out["interval"] == "78% [56%, 78%]"
    out = judge(c7, shares(dict(zip(nine, [CLEAR] * 3 + [OPEN] * 3 + [NEGATIVE] * 3))))
    assert out["status"] == "not enough data" and (out["lo"], out["hi"]) == pytest.approx((3 / 9, 6 / 9))
    out = judge(c7, shares(dict(zip(nine, [CLEAR] * 2 + [OPEN] * 2 + [NEGATIVE] * 5))))
    assert out["status"] == "refuted" and out["hi"] == pytest.approx(4 / 9)
    out = judge(c7, shares(dict(zip(nine, [OPEN] * 9))))  # noise alone supports nothing
    assert out["status"] == "not enough data"
    assert out["reason"] == "tydiqa: 0 of 9 positive, 9 open: more seeds would decide"
    out = judge(c7, shares(dict(zip(nine[:8], [CLEAR] * 8))))  # one intermediate task never run
    assert out["status"] == "not enough data"
    assert out["coverage"] == "27 of 30 runs: missing ccg on tydiqa (0 of 3 seeds)"


NONE, SMALL, WIDE_OPEN = [-0.3, 0, 0.3], [0.4, 0.5, 0.6], [-2, 2, 6]  # 0 +- 0.75, 0.5 +- 0.25, 2 +- 9.9


def test_share_of_intermediate_tasks_without_a_gain():
    nine = INTERMEDIATE_TASKS
    assert NO_GAIN_MARGIN == 1.0 and by_hand(NONE)[2] < 1 and 0 < by_hand(SMALL)[1] < by_hand(SMALL)[2] < 1
    assert by_hand(WIDE_OPEN)[1] < 0 and by_hand(WIDE_OPEN)[2] > 1 and by_hand(CLEAR)[2] > 1
    c8 = rule(intermediate=nine, targets=("xnli",), effect="share_no_gain", claimed=0.5)
    assert "at or below +1 point" in rule_text(c8) and "more than 4 show a gain" in rule_text(c8)
    # no gain: NONE, NEGATIVE and SMALL (a certain gain below one point); a gain: CLEAR; open: WIDE_OPEN
    out = judge(c8, shares(dict(zip(nine, [NONE] * 3 + [NEGATIVE, SMALL] + [WIDE_OPEN] * 2 + [CLEAR] * 2)), "xnli"))
    assert out["status"] == "supported" and (out["lo"], out["hi"]) == pytest.approx((5 / 9, 7 / 9))
    assert out["measured"] == pytest.approx(5 / 9) and out["reason"] == "xnli: 5 of 9 show no gain, 2 open"
    out = judge(c8, shares(dict(zip(nine, [NONE] * 4 + [CLEAR] * 5)), target="xnli"))
    assert out["status"] == "refuted" and out["reason"] == "xnli: 4 of 9 show no gain, 0 open"
    out = judge(c8, shares(dict(zip(nine, [NONE] * 3 + [WIDE_OPEN] * 3 + [CLEAR] * 3)), target="xnli"))
    assert out["status"] == "not enough data" and (out["lo"], out["hi"]) == pytest.approx((3 / 9, 6 / 9))
    # noise alone: intervals wide around a gain of 2 reach 0 but support nothing
    out = judge(c8, shares(dict(zip(nine, [WIDE_OPEN] * 9)), target="xnli"))
    assert out["status"] == "not enough data"
    assert out["reason"] == "xnli: 0 of 9 show no gain, 9 open: more seeds would decide"
    out = judge(c8, shares(dict(zip(nine, [OPEN] * 9)), target="xnli"))
    assert out["status"] == "not enough data"


def test_difference_between_two_variants_and_each_mlm_share():
    runs = chain(Runs(), LARGE, "mnli", [10, 10, 10])
    chain(runs, LARGE, "mnli+mlm", [8, 8.5, 7.5], mlm=0.1)  # mnli minus this: 2, 1.5, 2.5 -> 2 +- 1.24: above 0
    chain(runs, LARGE, "mnli+mlm", [9, 9.2, 8.8], mlm=0.3)  # 1, 0.8, 1.2 -> 1 +- 0.50: above 0
    c9 = rule(compare_with="mnli+mlm", effect="difference", claimed=0)
    out = judge(c9, frame(runs))
    assert out["status"] == "supported" and out["coverage"] == "18 of 18 runs"
    assert (out["measured"], out["lo"], out["hi"]) == pytest.approx(by_hand([1, 0.8, 1.2]))  # the weakest
    chain(runs, LARGE, "mnli+mlm", [12, 13, 14], mlm=0.5)  # clearly better than English-only: refuted
    out = judge(c9, frame(runs))
    assert out["status"] == "refuted" and out["measured"] == pytest.approx(-3.0)
    assert "mnli minus mnli+mlm (MLM 0.5) lies below 0" in out["reason"]
    runs = chain(Runs(), LARGE, "mnli", [10, 10, 10])
    chain(runs, LARGE, "xnli_mt", [9, 11, 10.5])  # 1, -1, -0.5: the interval includes 0
    out = judge(rule(compare_with="xnli_mt", effect="difference", claimed=0), frame(runs))
    assert out["status"] == "not enough data" and "more seeds would decide" in out["reason"]


# the demo --------------------------------------------------------------------------------------------------
def test_the_demo_gives_not_enough_data_for_every_claim(demo_db):
    df = results.claims_status(demo_db)
    assert list(df["claim_id"]) == [f"c{i}" for i in range(1, 11)]
    assert set(df["status"]) == {"not enough data"}
    assert df["measured"].isna().all() and (df["seeds"] == 0).all()
    assert all(r.startswith("no qualifying run of xlm-roberta-large") and "other models here: tiny" in r
               for r in df["reason"])
    assert all(c.startswith("0 of ") for c in df["coverage"])
