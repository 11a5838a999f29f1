"""The claims judged by their stated rules (xlt_core.claims): hand-made databases giving each outcome, every
interval checked against a value computed by hand, and the demo's results giving 'not enough data' for every claim."""

import csv
import math

import duckdb
import pandas as pd
import pytest

from xlt_core import claims, results
from xlt_core.claims import NINE_TARGETS, Rule, judge, rule_text
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
            data=None, languages=None, selection=None):
        split = split if split in TASKS[target].source.splits else "test"
        run_id = f"{model}/{inter}/{mlm}/{size}/{sampling}/{data}/{target}/{split}/{seed}/{len(self.chains)}"
        langs = [lang for lang in TASKS[target].languages if lang not in lacking_split(TASKS[target], split)]
        for lang in langs[:languages]:
            self.scores += [(run_id, model, "large", inter, target, lang, split, metric, float(score), 100, seed,
                             None, None, None) for metric in headline_metrics(target)]
        self.chains.append((run_id, size, None if inter == "none" else sampling, mlm, 1.0, 1.0, "cuda"))
        if data or selection:
            self.runs.append((run_id, "evaluate", model, data, selection))
        return self

    def write(self, path):
        con = duckdb.connect(str(path))
        con.execute(store.SCHEMA)
        if self.runs:
            con.executemany("INSERT INTO runs (run_id, stage, model, data, selection) VALUES (?, ?, ?, ?, ?)",
                            self.runs)
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
    return pd.DataFrame([dict({k: v for k, v in row.items() if k != "langs"}, languages=len(row["langs"]),
                              intermediate_size=chains[rid][1], sampling=chains[rid][2], mlm=chains[rid][3],
                              data=extra.get(rid, [None] * 5)[3], selection=extra.get(rid, [None] * 5)[4] or "en-dev")
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
    assert out["status"] == "not enough data" and "3 runs without every language of their task" in out["reason"]


def test_the_tiny_model_and_sample_data_never_judge_a_claim_about_xlmr_large(tmp_path):
    runs = chain(chain(Runs(), "tiny", "none", [0, 0, 0]), "tiny", "mnli", [6, 7, 8])  # c2's runs, tiny model
    out = status_of(runs.write(tmp_path / "tiny.duckdb"))
    assert {r["status"] for r in out.values()} == {"not enough data"}
    assert out["c2"]["reason"] == "no qualifying run of xlm-roberta-large on dev (other models here: tiny)"
    assert out["c2"]["coverage"] == "0 of 54 runs: missing every run of mnli, every run of none"
    runs = chain(chain(Runs(), LARGE, "none", [0, 0, 0], data="sample"), LARGE, "mnli", [6, 7, 8], data="sample")
    out = judge(rule(), frame(runs))
    assert out["status"] == "not enough data" and "12 runs on sample data left out" in out["reason"]
    c2 = status_of(runs.write(tmp_path / "sample.duckdb"))["c2"]  # the same, read from the database
    assert c2["status"] == "not enough data" and c2["reason"] == (
        "no qualifying run of xlm-roberta-large on dev; 54 runs on sample data left out")


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


def test_best_intermediate_per_target():
    runs = chain(Runs(), LARGE, "none", [0, 0, 0], targets=("xnli", "pawsx"))
    for seed, (a, b) in enumerate([(4, 1), (5, 2), (6, 3)]):  # a is best on xnli, b on pawsx
        runs.add(LARGE, "mnli", "xnli", seed, base_score("xnli", seed) + a)
        runs.add(LARGE, "mnli", "pawsx", seed, base_score("pawsx", seed) + 0)
        runs.add(LARGE, "squad", "xnli", seed, base_score("xnli", seed) + b)
        runs.add(LARGE, "squad", "pawsx", seed, base_score("pawsx", seed) + 2 * a)
    out = judge(rule(intermediate=("mnli", "squad"), effect="best_gain", claimed=7.5), frame(runs))
    per_seed = [(4 + 8) / 2, (5 + 10) / 2, (6 + 12) / 2]  # mnli on xnli, squad on pawsx
    assert out["status"] == "supported" and "xnli mnli, pawsx squad" in out["reason"]
    assert (out["measured"], out["lo"], out["hi"]) == pytest.approx(by_hand(per_seed))


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
    out = judge(c7, shares(dict(zip(nine[:8], [CLEAR] * 8))))  # one intermediate task never run
    assert out["status"] == "not enough data"
    assert out["coverage"] == "27 of 30 runs: missing ccg on tydiqa (0 of 3 seeds)"


def test_share_of_intermediate_tasks_without_a_gain():
    nine = INTERMEDIATE_TASKS
    c8 = rule(intermediate=nine, targets=("xnli",), effect="share_no_gain", claimed=0.5)
    out = judge(c8, shares(dict(zip(nine, [OPEN] * 4 + [NEGATIVE] + [CLEAR] * 4)), target="xnli"))
    assert out["status"] == "supported" and out["measured"] == pytest.approx(5 / 9)
    out = judge(c8, shares(dict(zip(nine, [OPEN] * 4 + [CLEAR] * 5)), target="xnli"))
    assert out["status"] == "refuted" and out["reason"] == "xnli: 4 of 9 show no gain"


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
