"""The pure tables and figure builders behind the dashboard pages: DataFrames in, DataFrames or figures out, each
expected value worked out by hand."""

import pandas as pd
import pytest

from xlt_core import analysis, charts, language_charts


def per_seed(rows):
    """(model, size, intermediate, data size, target, seed, gain, hours) -> a results.task_gains frame."""
    return pd.DataFrame([dict(model=m, model_size=s, intermediate_task=i, intermediate_size=n, sampling="proportional",
                              selection="en-dev", target_task=t, seed=seed, score=50 + g, baseline=50.0, gain=g,
                              languages=15, chain_wall_s=h * 3600, chain_flops=None)
                         for m, s, i, n, t, seed, g, h in rows])


def paired_of(rows):
    """(intermediate, target, gain, sd, seeds, se, lo, hi, examples, min_examples) -> results.paired_gains rows of
    model L (large), full data."""
    return pd.DataFrame([dict(model="L", model_size="large", intermediate_task=i, intermediate_size=None,
                              sampling="proportional", selection="en-dev", target_task=t, gain=g, sd=sd, seeds=k,
                              se=se, lo=lo, hi=hi, languages=15, examples=n, min_examples=m)
                         for i, t, g, sd, k, se, lo, hi, n, m in rows])


def test_gain_summary_means_and_bootstrap_intervals():
    df = per_seed([("L", "large", "mnli", None, "xnli", 0, 1.0, 2.0), ("L", "large", "mnli", None, "xnli", 1, 3.0, 4.0),
                   ("L", "large", "squad", None, "xnli", 0, -2.0, 1.0),
                   ("L", "large", "squad", 1000, "xnli", 0, 0.5, 0.1)])
    out = analysis.gain_summary(df).set_index("variant")
    mnli = out.loc["mnli"]
    assert (mnli["gain"], mnli["seeds"], mnli["hours"]) == (2.0, 2, 3.0)
    # two seeds: a resampled mean is 1, 2 or 3 with chances 1/4, 1/2, 1/4: the 2.5% and 97.5% quantiles are 1 and 3
    assert (mnli["ci_low"], mnli["ci_high"], mnli["ci_half"]) == (1.0, 3.0, 1.0)
    assert (out.loc["squad", "ci_low"], out.loc["squad", "ci_high"]) == (-2.0, -2.0)  # one seed: no interval
    assert list(out.index) == ["mnli", "squad", "squad · 1,000 ex."]  # all data before the subsample


def test_variant_labels_and_regimes():
    assert analysis.variant_label("mnli+squad", None, "temperature") == "mnli+squad [temperature]"
    assert analysis.variant_label("mnli", 5000, "temperature") == "mnli · 5,000 ex."  # one task: no sampling
    assert analysis.variant_label("mnli>squad", None, None, model="xlm-roberta-large") == "xlm-roberta-large · mnli>squad"
    assert [analysis.regime(i) for i in ("mnli", "all", "mnli>squad", "mnli+mlm", "xnli_mt", "none")] == [
        "single", "multi-task", "sequential", "mlm co-training", "translated", "none"]


def test_pareto_front_keeps_what_nothing_beats():
    df = pd.DataFrame({"variant": list("abcde"), "hours": [1, 2, 2, 3, 4], "gain": [1.0, 0.5, 3.0, 2.0, 4.0]})
    # b costs more than a and gains less; d costs more than c and gains less
    assert list(analysis.pareto_front(df)["variant"]) == ["a", "c", "e"]


def test_xtreme_table_keeps_partial_tasks_out_of_the_averages():
    from xlt_core.tasks import GROUPS, TASKS

    rows = [dict(model="m", model_size="base", intermediate_task="none", intermediate_size=None, sampling=None,
                 target_task=t, score=float(i), languages=len(TASKS[t].languages), seeds=1)
            for i, t in enumerate(t for members in GROUPS.values() for t in members)]
    study = pd.DataFrame(rows + [{**rows[0], "intermediate_task": "mnli", "languages": 3}])
    table = analysis.xtreme_table(study).set_index("variant")
    # the nine tasks scored 0..8 in group order: classification (0, 1), tagging (2, 3), QA (4, 5, 6), retrieval (7, 8)
    assert table.loc["none", "group:qa"] == 5.0 and table.loc["none", "xtreme"] == pytest.approx(4.0)
    assert table.loc["mnli", "partial"] == ["pawsx"] and pd.isna(table.loc["mnli", "xtreme"])
    assert list(table.index) == ["none", "mnli"]


def test_published_numbers_meet_ours_on_model_task_metric_split_and_language():
    published = pd.DataFrame([
        dict(system="XLM-R", model="xlm-roberta-large", intermediate_task="none", target_task="pawsx", language="avg",
             metric="accuracy", split="test", score=86.4, source="paper"),
        dict(system="XLM-R", model="xlm-roberta-large", intermediate_task="none", target_task="tatoeba", language="de",
             metric="accuracy", split="validation", score=95.0, source="jiant")])
    ours = pd.DataFrame([
        dict(model="xlm-roberta-large", target_task="pawsx", split="test", metric="accuracy", language="en", score=94.0),
        dict(model="xlm-roberta-large", target_task="pawsx", split="test", metric="accuracy", language="de", score=88.0),
        dict(model="xlm-roberta-large", target_task="tatoeba", split="dev", metric="accuracy", language="de", score=96.5),
        dict(model="tiny", target_task="pawsx", split="test", metric="accuracy", language="de", score=10.0)])
    out = analysis.published_vs_reproduced(published, ours)
    assert out["reproduced"].tolist() == [91.0, 96.5] and out["difference"].tolist() == pytest.approx([4.6, 1.5])
    assert out["our_languages"].tolist() == [2, 1] and out["source"].tolist() == ["paper", "jiant"]
    fig = charts.published_bars(out)  # ours first, black and hatched; the published systems in the palette
    assert [t.name for t in fig.data] == ["ours (xlt): xlm-roberta-large", "XLM-R"] and list(fig.data[0].y) == [91.0]
    assert fig.data[0].marker.pattern.shape == "/" and fig.data[1].marker.color == charts.PALETTE[0]
    assert list(fig.layout.xaxis.categoryarray) == ["pawsx accuracy"]


def published_table():
    """Three systems: XLM-R reproduced on PAWS-X (avg) and per language on MLQA (de, es: ours for de only), the
    same PAWS-X number from a second source, disagreeing, and mBERT without a reproduction."""
    row = dict(model="xlm-roberta-large", intermediate_task="none", split="test")
    published = pd.DataFrame([
        dict(row, system="XLM-R", target_task="pawsx", language="avg", metric="accuracy", score=86.4,
             source="github google-research/multilingual-t5 README.md, Results table"),
        dict(row, system="XLM-R (B)", target_task="pawsx", language="avg", metric="accuracy", score=86.0,
             source="Chung et al. 2021, Table 7"),
        dict(row, system="XLM-R", target_task="mlqa", language="de", metric="f1", score=60.0,
             source="github facebookresearch/fairseq examples/xlmr/README.md (MLQA)"),
        dict(row, system="XLM-R", target_task="mlqa", language="es", metric="f1", score=70.0,
             source="github facebookresearch/fairseq examples/xlmr/README.md (MLQA)"),
        dict(row, system="XLM-R", target_task="mlqa", language="en", metric="f1", score=80.0,
             source="github facebookresearch/fairseq examples/xlmr/README.md (MLQA)"),
        dict(row, system="mBERT", model="bert-base-multilingual-cased", target_task="pawsx", language="avg",
             metric="accuracy", score=81.9, source="a book")])
    ours = pd.DataFrame([
        dict(model="xlm-roberta-large", target_task="pawsx", split="test", metric="accuracy", language="en", score=90.0),
        dict(model="xlm-roberta-large", target_task="pawsx", split="test", metric="accuracy", language="de", score=84.0),
        dict(model="xlm-roberta-large", target_task="mlqa", split="test", metric="f1", language="de", score=62.0),
        dict(model="xlm-roberta-large", target_task="mlqa", split="test", metric="f1", language="es", score=67.0)])
    return analysis.published_vs_reproduced(published, ours)


def test_only_reproduced_systems_and_the_shown_table():
    table = published_table()
    assert table["reproduced"].tolist()[:4] == [87.0, 87.0, 62.0, 67.0] and table["reproduced"][4:].isna().all()
    kept = analysis.reproduced_only(table)
    # XLM-R keeps its unmatched English MLQA number; mBERT (nothing reproduced) goes
    assert list(dict.fromkeys(kept["system"])) == ["XLM-R", "XLM-R (B)"] and len(kept) == 5
    shown = analysis.published_shown(table)
    assert "link" not in shown.columns and shown["source"].tolist() == table["source"].tolist()
    assert shown["note"].tolist()[0] == "disagrees: 86.0 in Chung et al. 2021, Table 7"
    assert shown["note"].tolist()[1].startswith("disagrees: 86.4 in github") and shown["note"].tolist()[2] == ""
    assert "disagrees" not in shown.columns
    text = analysis.as_text(shown, ["published", "reproduced", "difference"], signed=["difference"])
    assert text["reproduced"].tolist() == ["87.0", "87.0", "62.0", "67.0", "", ""]
    assert text["difference"].tolist()[:3] == ["+0.6", "+1.0", "+2.0"] and text["published"][5] == "81.9"


def test_published_points_one_per_system_task_and_metric():
    points = analysis.published_points(published_table()).set_index(["system", "target_task"])
    assert len(points) == 3  # XLM-R pawsx, XLM-R (B) pawsx, XLM-R mlqa; mBERT has no reproduction
    assert points.loc[("XLM-R", "pawsx"), ["published", "reproduced", "languages"]].tolist() == [86.4, 87.0, 2]
    # MLQA per language only: the mean over de and es (both numbers there), not en (no reproduction)
    mlqa = points.loc[("XLM-R", "mlqa")]
    assert (mlqa["published"], mlqa["reproduced"], mlqa["languages"]) == (65.0, 64.5, 2)
    assert mlqa["language"] == "mean of de, es" and mlqa["difference"] == pytest.approx(-0.5)
    fig = charts.published_scatter(points.reset_index())
    assert [t.name for t in fig.data] == ["mlqa", "pawsx", "y = x"]
    assert list(fig.data[1].x) == [86.4, 86.0] and list(fig.data[1].y) == [87.0, 87.0]
    assert fig.data[0].marker.color == charts.PALETTE[0] and fig.data[1].marker.color == charts.PALETTE[1]
    diagonal = fig.data[2]
    assert list(diagonal.x) == list(diagonal.y) and diagonal.x[0] < 64.5 and diagonal.x[1] > 87.0
    assert fig.data[1].customdata[0][:4].tolist() == ["XLM-R", points.loc[("XLM-R", "pawsx"), "source"], "pawsx",
                                                      "accuracy"]


def test_size_pairs_put_base_against_large():
    summary = analysis.with_labels(analysis.gain_summary(per_seed([
        ("B", "base", "mnli", None, "xnli", 0, 1.0, 1.0), ("B", "base", "mnli", None, "xnli", 1, 3.0, 1.0),
        ("L", "large", "mnli", None, "xnli", 0, 4.0, 1.0), ("L", "large", "mnli", None, "xnli", 1, 6.0, 1.0),
        ("L", "large", "squad", None, "xnli", 0, 2.0, 1.0),  # large only: no pair
        ("B", "base", "mnli", None, "pawsx", 0, -1.0, 1.0), ("L", "large", "mnli", None, "pawsx", 0, 0.5, 1.0)])),
        model=False)
    pairs = analysis.size_pairs(summary)
    assert pairs[["variant", "target_task"]].values.tolist() == [["mnli", "pawsx"], ["mnli", "xnli"]]
    assert pairs["gain_base"].tolist() == [-1.0, 2.0] and pairs["gain_large"].tolist() == [0.5, 5.0]
    assert pairs["seeds_base"].tolist() == [1, 2]
    # two seeds: the bootstrap interval of the mean of (1, 3) is within [1, 3]; one seed: the gain itself
    assert 1.0 <= pairs["lo_base"][1] <= 2.0 <= pairs["hi_base"][1] <= 3.0 and pairs["lo_large"][0] == 0.5
    fig = charts.size_scatter(pairs)
    assert [t.name for t in fig.data] == ["pawsx", "xnli", "y = x"]
    xnli = fig.data[1]
    assert list(xnli.x) == [2.0] and list(xnli.y) == [5.0]
    assert xnli.error_x.array[0] == pytest.approx(pairs["hi_base"][1] - 2.0)
    assert xnli.error_y.arrayminus[0] == pytest.approx(5.0 - pairs["lo_large"][1])


def test_claims_say_their_rule_effect_and_coverage_in_short():
    from xlt_core import claims

    rules = {r.claim_id: r for r in claims.load_rules()}
    assert claims.qualifying_text(rules["c1"]) == (
        "xlm-roberta-large, dev split; squad vs none; on the nine XTREME target tasks; at least 3 seeds")
    assert claims.qualifying_text(rules["c7"]) == (
        "xlm-roberta-large, dev split; the nine intermediate tasks vs none; on tydiqa; at least 3 seeds")
    assert claims.effect_text(rules["c1"]) == "mean gain of +8.2 points over none across the target tasks"
    assert claims.effect_text(rules["c6"]) == "at least 80% of the 9 intermediate tasks improve each target task"
    assert claims.effect_text(rules["c10"]) == "mnli scores more than 0 points above xnli_mt"
    have = {("squad", "xnli"): {1, 2, 3, 4}, ("squad", "pawsx"): {1}, ("none", "xnli"): set(),
            ("none", "pawsx"): set()}
    assert claims.seed_coverage(rules["c1"], have) == (
        "squad: 3 of 3 seeds of xlm-roberta-large on 1 of 2 target tasks (fewest: 1); "
        "none: 0 of 3 seeds of xlm-roberta-large on each of 2 target tasks")
    assert claims.seed_coverage(rules["c7"], {("mnli", "tydiqa"): set(), ("none", "tydiqa"): set()}) == (
        "mnli, none: 0 of 3 seeds of xlm-roberta-large on tydiqa")


def test_gain_table_cells_say_gain_and_interval_in_colour(html_cells):
    summary = analysis.gain_summary(per_seed([
        ("L", "large", "mnli", None, "xnli", 0, 1.0, 2.0), ("L", "large", "mnli", None, "xnli", 1, 3.0, 4.0),
        ("L", "large", "mnli", None, "xquad", 0, -1.0, 2.0), ("L", "large", "squad", None, "xquad", 0, 4.0, 1.0)]))
    header, rows = html_cells(charts.gain_table(summary))
    assert header[1:] == ["xnli", "xquad"] and [r[0][0] for r in rows] == ["mnli", "squad"]
    # a plain gain_summary: the bootstrap over seeds where there are two, no interval with one seed
    assert [t for t, _ in rows[0][1:]] == ["+2.0 ±1.0", "-1.0"] and [t for t, _ in rows[1][1:]] == ["", "+4.0"]
    # RdBu centred on zero, +-4 (the largest gain) at the ends: +2 half-way to the darkest blue (the scale's 0.75
    # stop); a cell without an interval is grey; an empty cell and the row label have no colour
    half_way = [float(v) for v in rows[0][1][1].split("rgb(")[1].split(")")[0].split(",")]
    assert half_way == pytest.approx([(146 + 67) / 2, (197 + 147) / 2, (222 + 195) / 2], abs=0.5)  # stops .7, .8
    assert rows[0][2][1] == rows[1][2][1] == charts.GREY and rows[1][1][1] == "" and rows[0][0][1] == ""
    assert "darkest colours at ±4.0 points" in charts.gain_table(summary)
    # with the paired tests (analysis.noise_floor): squad's one seed has its examples' bootstrap interval, [+2, +6]:
    # darkest blue with white text and the one-seed mark; mnli on xquad's interval crosses zero: grey
    tests = analysis.gain_intervals(paired_of([
        ("mnli", "xnli", 2.0, 2 ** 0.5, 2, None, None, None, 30_000, 1000),
        ("mnli", "xquad", -1.0, None, 1, 1.5, -3.0, 1.0, 11_000, 1000),
        ("squad", "xquad", 4.0, None, 1, 1.0, 2.0, 6.0, 2_200, 200)]))
    floored = analysis.noise_floor(summary, tests)
    text = charts.gain_table(floored)
    header, rows = html_cells(text)
    assert [t for t, _ in rows[0][1:]] == ["+2.0 ±12.7", "-1.0 ±2.0†"] and [t for t, _ in rows[1][1:]] == ["", "+4.0 ±2.0†"]
    assert rows[1][2][1] == "background-color: rgb(5, 48, 97); color: white"
    assert rows[0][1][1] == rows[0][2][1] == charts.GREY  # t over two seeds: +2 +-12.7 crosses zero too
    assert "1 to 2 seeds a cell, at least 200 evaluation examples a language" in text
    front = analysis.pareto_front(summary)
    fig = charts.gain_vs_cost(summary, front)
    assert fig.data[-1].name == "Pareto front" and list(fig.data[-1].x) == list(front["hours"])


def test_gain_intervals_t_over_seeds_else_the_examples():
    from statistics import NormalDist

    from xlt_core import stats

    gains = [2.0, 2.5, 3.5]
    df = paired_of([("mnli", "xnli", sum(gains) / 3, pd.Series(gains).std(), 3, None, None, None, 45_000, 1000),
                   ("qqp", "xnli", 1.0, None, 1, 0.4, 0.3, 1.9, 15_000, 1000),  # one seed, its bootstrap interval
                   ("anli", "xnli", 1.0, None, 1, 0.6, None, None, 2_000, 1000),  # a language filter: se alone
                   ("squad", "xnli", 0.5, 0.0, 2, None, None, None, 2_000, 1000)])  # two equal seeds: no spread
    out = analysis.gain_intervals(df).set_index("intermediate_task")
    test = stats.seed_test(gains)
    assert (out.loc["mnli", "lo"], out.loc["mnli", "hi"]) == (pytest.approx(test["lo"]), pytest.approx(test["hi"]))
    assert out.loc["mnli", "interval"] == "seeds (t)" and not out.loc["mnli", "crosses_zero"]
    assert (out.loc["qqp", "lo"], out.loc["qqp", "hi"], out.loc["qqp", "interval"]) == (0.3, 1.9, "examples (bootstrap)")
    z = NormalDist().inv_cdf(0.975)  # 1.95996...
    assert (out.loc["anli", "lo"], out.loc["anli", "hi"]) == (pytest.approx(1 - 0.6 * z), pytest.approx(1 + 0.6 * z))
    assert out.loc["anli", "interval"] == "examples (normal)" and out.loc["anli", "crosses_zero"]
    assert (out.loc["squad", "lo"], out.loc["squad", "hi"]) == (0.5, 0.5) and not out.loc["squad", "crosses_zero"]
    assert analysis.gain_intervals(df.iloc[:0]).columns[-2:].tolist() == ["interval", "crosses_zero"]


def test_noise_floor_and_the_caution_line():
    summary = analysis.gain_summary(per_seed([
        ("L", "large", "mnli", None, "xnli", 0, 1.0, 2.0), ("L", "large", "mnli", None, "xnli", 1, 3.0, 4.0),
        ("L", "large", "mnli", None, "xquad", 0, 2.0, 2.0), ("L", "large", "squad", None, "xquad", 0, 0.5, 1.0)]))
    tests = analysis.gain_intervals(paired_of([("mnli", "xnli", 2.5, 1.0, 2, None, None, None, 15_000, 1000),
                                              ("mnli", "xquad", 2.0, None, 1, 0.5, 1.0, 3.0, 1_100, 100)]))
    out = analysis.noise_floor(summary, tests).set_index(["intermediate_task", "target_task"])
    mnli = out.loc[("mnli", "xnli")]  # the tested gain (its own seeds' baselines) replaces the summary's
    assert (mnli["gain"], mnli["seeds"], mnli["examples"], mnli["interval"]) == (2.5, 2, 15_000, "seeds (t)")
    assert mnli["ci_half"] == pytest.approx(analysis._t_quantile(0.95, 2) * 1.0 / 2 ** 0.5)
    xquad = out.loc[("mnli", "xquad")]
    assert (xquad["ci_low"], xquad["ci_high"], xquad["min_examples"], xquad["crosses_zero"]) == (1.0, 3.0, 100, False)
    squad = out.loc[("squad", "xquad")]  # no paired test, one seed: no interval
    assert squad["interval"] == "none" and pd.isna(squad["ci_low"]) and squad["crosses_zero"]
    text = analysis.caution(out.reset_index())
    assert text.startswith("Caution: 2 of the 3 gains here rest on a single seed")
    assert "fewer than 300 evaluation examples (as few as 100)" in text
    assert analysis.caution(out.reset_index().iloc[:1]) is None  # two seeds, 1,000 examples a language
    across = analysis.noise_floor(analysis.gain_summary(per_seed([("L", "large", "mnli", None, "xnli", s, 1.0, 1.0)
                                                                  for s in (0, 1)]), by=()), tests, by=())
    assert (across["seeds"].tolist(), across["min_examples"].tolist()) == ([1], [100])  # its targets' fewest
    per_language = pd.DataFrame({"seeds": [3, 3], "examples": [1000, 250]})
    assert analysis.caution(per_language) == ("Caution: some languages have fewer than 300 evaluation examples (as "
                                              "few as 250): a gain of a point or two can be noise.")


def test_html_tables_escape_what_they_show(html_cells):
    table = pd.DataFrame({"variant": ["<script>alert(1)</script>"], "model": ["m"], "intermediate_task": ["a&b"],
                          "xnli": [71.25], "pawsx": [None], "partial": ["udpos, panx"]})
    text = charts.html_table(table, "xlt-scores", {"xnli": "{:.1f}", "pawsx": "{:.1f}"})
    assert "<script>" not in text and "&lt;script&gt;" in text
    header, rows = html_cells(text)
    assert header == list(table.columns)
    assert [t for t, _ in rows[0]] == ["<script>alert(1)</script>", "m", "a&b", "71.2", "", "udpos, panx"]


def test_gain_summary_does_not_depend_on_row_order():
    rows = [("L", "large", i, None, t, seed, g, 1.0) for i in ("mnli", "squad") for t in ("xnli", "xquad")
            for seed, g in enumerate([0.3, 1.7, -0.4, 2.2, 0.9])]
    df = per_seed(rows)
    shuffled = df.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(analysis.gain_summary(df), analysis.gain_summary(shuffled))


def test_languages_carry_family_and_script():
    df = pd.DataFrame({"language": ["hi", "de", "ur"], "gain": [1.0, 2.0, 3.0], "score": 1.0, "baseline": 0.0})
    out = analysis.by_language(df)
    assert list(out["language"]) == ["de", "hi", "ur"]
    assert list(out["script"]) == ["Latin", "Devanagari", "Arabic"] and out["family"].iloc[1] == out["family"].iloc[2]
    fig = language_charts.language_bars(out)  # all gains: blue bars, the families named over the languages
    assert [t.name for t in fig.data] == ["gain"] and list(fig.data[0].x) == ["de", "ur", "hi"]  # by script
    assert [a.text for a in fig.layout.annotations] == ["Germanic", "Indo-Aryan"]


def test_language_bars_draw_intervals_and_mark_those_crossing_zero():
    rows = pd.DataFrame([dict(model="L", model_size="large", intermediate_task="mnli", intermediate_size=None,
                              sampling="proportional", selection="en-dev", target_task="xnli", language=lang,
                              score=60.0, baseline=60.0 - g, gain=g, seeds=10) for lang, g in
                         [("de", 2.0), ("hi", 0.5), ("ur", 3.0), ("fr", 1.0)]])
    tests = analysis.gain_intervals(rows[[*analysis.VARIANT, "target_task", "language"]].assign(
        gain=[2.5, 0.5, 3.0, 1.0], sd=None, seeds=1, se=1.0, lo=[1.0, -0.5, 2.0, 0.1], hi=[4.0, 1.5, 4.0, 1.9],
        examples=[1000, 250, 1000, 1000]).iloc[:3])  # fr has no paired test
    out = analysis.by_language(analysis.with_language_tests(rows, tests)).set_index("language")
    assert out.loc["de", "gain"] == 2.5 and out.loc["de", "seeds"] == 1  # the tested gain and its seeds
    assert out.loc["hi", "crosses_zero"] and out.loc["fr", "crosses_zero"] and not out.loc["ur", "crosses_zero"]
    assert out.loc["fr", "interval"] == "none" and pd.isna(out.loc["fr", "lo"])
    fig = language_charts.language_bars(out.reset_index())
    names = [t.name for t in fig.data]
    assert names == ["gain", language_charts.CROSSES]  # no loss here: blue bars only, and the hatched bars' legend entry
    indo = fig.data[0]  # in language_order: Germanic (de), Indo-Aryan (ur: Arabic, hi: Devanagari), Romance (fr)
    assert list(indo.x) == ["de", "ur", "hi", "fr"] and indo.marker.color == charts.GAIN_BLUE
    hi, ur = list(indo.x).index("hi"), list(indo.x).index("ur")
    assert indo.marker.pattern.shape[hi] == "/" and indo.marker.pattern.shape[ur] == ""
    assert indo.error_y.array[ur] == pytest.approx(1.0) and indo.error_y.arrayminus[ur] == pytest.approx(1.0)
    assert indo.error_y.array[hi] == pytest.approx(1.0) and indo.marker.opacity[hi] < indo.marker.opacity[ur]
    assert analysis.caution(out).startswith("Caution: 3 of the 4 gains here rest on a single seed")


def test_language_heatmap_of_the_demo(demo_db):
    from xlt_core import results

    gains = results.language_gains(demo_db, results.Filters(target_tasks=("xnli",)))
    heat = language_charts.gain_heatmap(gains).data[0]
    assert heat.type == "heatmap" and heat.x[0] == "en" and len(heat.x) == 15
    assert list(heat.y) == ["tiny · mnli"]
    assert abs(heat.z[0][0] - gains.set_index("language").loc["en", "gain"]) < 1e-9


# Languages, Scaling and Cost: the heatmap, the bars by sign, the English gap, the scaling lines, gain vs cost ------
def language_rows(gains: dict, lo=None, hi=None, seeds=10):
    """{variant: {language: gain}} -> labelled per-language rows (analysis.by_language), with `lo`/`hi` (dicts of
    the same shape) and `crosses_zero` when given."""
    rows = pd.DataFrame([dict(variant=v, model="L", model_size="large", intermediate_task=v,
                              intermediate_size=None, language=lang, gain=g, seeds=seeds)
                         for v, by in gains.items() for lang, g in by.items()])
    if lo is not None:
        rows["lo"] = [lo[v][lang] for v, lang in zip(rows["variant"], rows["language"])]
        rows["hi"] = [hi[v][lang] for v, lang in zip(rows["variant"], rows["language"])]
        rows["crosses_zero"] = ~((rows["lo"] > 0) | (rows["hi"] < 0))
    return analysis.by_language(rows)


def rdbu_colours():
    from plotly.colors import get_colorscale

    return {c for _, c in get_colorscale("RdBu")}


def test_language_order_puts_english_first_then_families_and_scripts():
    order = language_charts.language_order(["hi", "ur", "de", "en", "fr", "zz", "bn", "de"])
    assert order == ["en", "de", "ur", "bn", "hi", "fr", "zz"]  # Indo-Aryan by script: Arabic, Bengali, Devanagari
    assert language_charts.family_groups(order) == [("English", 0, 0), ("Germanic", 1, 1), ("Indo-Aryan", 2, 4),
                                           ("Romance", 5, 5), ("?", 6, 6)]
    panels = language_charts.language_panels(language_charts.language_order(list(analysis.LANGUAGES)), per_panel=20)
    assert all(len(p) <= 20 for p in panels) and sum(panels, []) == language_charts.language_order(list(analysis.LANGUAGES))
    assert language_charts.language_panels(["en", "de"], per_panel=20) == [["en", "de"]]


def test_gain_heatmap_rows_columns_cells_and_marks():
    gains = {"a": {"en": 1.0, "de": 2.0, "hi": -3.0}, "b": {"en": 4.0, "de": 5.0, "hi": 6.0},
             "c": {"en": -1.0, "de": 0.25, "hi": 0.0}}
    lo = {v: {lang: g - 1.5 for lang, g in by.items()} for v, by in gains.items()}
    hi = {v: {lang: g + 1.5 for lang, g in by.items()} for v, by in gains.items()}
    fig = language_charts.gain_heatmap(language_rows(gains, lo, hi))
    [heat] = fig.data
    assert list(heat.y) == ["b", "a", "c"]  # by mean gain, best first (drawn on top: the axis is reversed)
    assert list(heat.x) == ["en", "de", "hi"] and tuple(fig.layout.yaxis.range) == (2.5, -0.5)  # b on top
    for i, v in enumerate(heat.y):
        for j, lang in enumerate(heat.x):
            assert heat.z[i][j] == gains[v][lang]  # every cell its own gain
            crosses = lo[v][lang] <= 0 <= hi[v][lang]
            assert heat.text[i][j] == (language_charts.CROSSING_TEXT.format(f"{gains[v][lang]:.1f}") if crosses
                                       else f"{gains[v][lang]:.1f}")
    assert heat.text[0][0] == "4.0" and heat.text[1][0] == language_charts.CROSSING_TEXT.format("1.0")
    name, family, script, interval, seeds = heat.customdata[0][2]
    assert (name, family, script, seeds) == ("Hindi", "Indo-Aryan", "Devanagari", "10 seed(s)")
    assert interval == "95% interval [+4.5, +7.5]"
    axis = fig.layout.coloraxis  # RdBu centred on zero, symmetric
    assert {c for _, c in axis.colorscale} <= rdbu_colours() and axis.cmid == 0 and axis.cmin == -axis.cmax == -6
    assert [a.text for a in fig.layout.annotations] == ["English", "Germanic", "Indo-Aryan"]
    # 40 languages and 30 variants: panels of at most 20 languages, the height growing with the rows
    many = {f"v{k}": {lang: float(k) for lang in analysis.LANGUAGES} for k in range(30)}
    big = language_charts.gain_heatmap(language_rows(many))
    assert [len(t.x) for t in big.data] == [len(p) for p in language_charts.language_panels(
        language_charts.language_order(list(analysis.LANGUAGES)))] and all(len(t.y) == 30 for t in big.data)
    assert big.layout.height > language_charts.gain_heatmap(language_rows(dict(list(many.items())[:3]))).layout.height
    assert all("<i>" not in t for tr in big.data for row in tr.text for t in row)  # no intervals: nothing marked


def test_gain_heatmap_cells_can_be_clicked():
    """clickable: one invisible marker per cell with a gain (a missing cell has none), on the cell's language and row,
    carrying the hover the heatmap gives up; the axes keep the heatmap's extent."""
    gains = {"a": {"en": 1.0, "de": 2.0, "hi": -3.0}, "b": {"en": 4.0, "de": 5.0}}
    lo = {v: {lang: g - 1.5 for lang, g in by.items()} for v, by in gains.items()}
    hi = {v: {lang: g + 1.5 for lang, g in by.items()} for v, by in gains.items()}
    fig = language_charts.gain_heatmap(language_rows(gains, lo, hi), clickable=True)
    heat, cells = fig.data
    assert heat.hoverinfo == "skip" and cells.name == language_charts.CELLS and cells.marker.opacity == 0
    drawn = {(y, x): c for x, y, c in zip(cells.x, cells.y, cells.customdata)}
    assert set(drawn) == {(v, lang) for v, by in gains.items() for lang in by}  # b has no hi: no marker there
    assert list(drawn[("a", "hi")]) == ["Hindi", "Indo-Aryan", "Devanagari", "-3.0", "95% interval [-4.5, -1.5]",
                                         "10 seed(s)"]
    # the hover's gain is the cell's number (rounded once): 1.2496 is 1.2 in both, not 1.25 -> 1.3
    edge = language_charts.gain_heatmap(language_rows({"v": {"en": 1.2496}}, {"v": {"en": 0.5}}, {"v": {"en": 2.0}}),
                                        clickable=True)
    assert edge.data[0].text[0][0] == "1.2" and edge.data[1].customdata[0][3] == "+1.2"
    assert tuple(fig.layout.xaxis.range) == (-0.5, 2.5) and tuple(fig.layout.yaxis.range) == (1.5, -0.5)
    plain = language_charts.gain_heatmap(language_rows(gains, lo, hi))
    assert len(plain.data) == 1 and pd.DataFrame(plain.data[0].z).equals(pd.DataFrame(heat.z))  # same cells, no marks


def test_language_bars_are_coloured_by_sign_only():
    gains = {"v": {"en": 1.0, "de": -2.0, "hi": 0.5, "fr": -0.2}}
    lo = {"v": {"en": 0.5, "de": -3.0, "hi": -0.5, "fr": -1.0}}
    hi = {"v": {"en": 1.5, "de": -1.0, "hi": 1.5, "fr": 0.5}}
    rows = language_rows(gains, lo, hi)
    fig = language_charts.language_bars(rows)
    bars = {t.name: t for t in fig.data if t.name != language_charts.CROSSES}
    assert set(bars) == {"gain", "loss"}
    assert bars["gain"].marker.color == charts.GAIN_BLUE and bars["loss"].marker.color == charts.LOSS_RED
    assert {charts.GAIN_BLUE, charts.LOSS_RED} <= rdbu_colours()  # the ends of GAIN_SCALE, nothing else
    drawn = {x: (y, t.name, t.marker.pattern.shape[k], t.error_y.array[k], t.error_y.arrayminus[k])
             for t in bars.values() for k, (x, y) in enumerate(zip(t.x, t.y))}
    for lang, g in gains["v"].items():
        y, sign, shape, plus, minus = drawn[lang]
        assert y == g and sign == ("gain" if g >= 0 else "loss")
        assert shape == ("/" if lo["v"][lang] <= 0 <= hi["v"][lang] else "")
        assert plus == pytest.approx(hi["v"][lang] - g) and minus == pytest.approx(g - lo["v"][lang])
    assert list(fig.layout.xaxis.categoryarray) == ["en", "de", "hi", "fr"]  # English first, then by family


def gap_rows():
    """results.english_gap rows, labelled: two sizes, a baseline each (en-dev) and one with another rule."""
    rows = [("base", "none", "en-dev", 10.0), ("base", "mnli", "en-dev", 6.0), ("base", "squad", "en-dev", 8.0),
            ("large", "none", "en-dev", 9.0), ("large", "mnli", "en-dev", 5.0), ("large", "none", "last", 9.5),
            ("large", "qqp", "en-dev", 7.0)]
    gap = pd.DataFrame([dict(model=f"m-{s}", model_size=s, intermediate_task=i, intermediate_size=None,
                             sampling="proportional", selection=sel, target_task="xnli", english=70.0,
                             others=70.0 - g, gap=g) for s, i, sel, g in rows])
    return analysis.with_labels(gap)


def test_english_gap_view_keeps_the_chosen_and_their_baselines():
    gap = gap_rows()
    shown = analysis.english_gap_view(gap, ["m-base · mnli", "m-large · mnli"])
    assert list(shown["variant"]) == ["m-base · mnli", "m-base · none", "m-large · mnli", "m-large · none"]
    assert list(shown["baseline"]) == [False, True, False, True]  # not the 'last' baseline: no chosen one uses it
    only = analysis.english_gap_view(gap, ["m-base · squad"])
    assert set(only["model_size"]) == {"base"} and len(only) == 2


def test_english_gap_bars_one_row_per_variant_one_panel_per_size():
    shown = analysis.english_gap_view(gap_rows(), ["m-base · mnli", "m-base · squad", "m-large · mnli",
                                                   "m-large · qqp"])
    fig = language_charts.english_gap_bars(shown)
    drawn = [(t.yaxis, y, x, t.marker.color) for t in fig.data for y, x in zip(t.y, t.x)]
    assert len(drawn) == len(shown) == len({y for _, y, _, _ in drawn})  # one bar per variant, none shared
    expected = dict(zip(shown["variant"], shown["gap"]))
    assert all(expected[y] == x for _, y, x, _ in drawn)
    axes = {y: axis for axis, y, _, _ in drawn}
    assert {axes[v] for v in shown["variant"][shown["model_size"] == "base"]} == {"y"}
    assert {axes[v] for v in shown["variant"][shown["model_size"] == "large"]} == {"y2"}
    assert {c for *_, c in drawn} <= set(charts.PALETTE) and all(t.orientation == "h" for t in fig.data)
    assert list(fig.layout.yaxis.categoryarray) == ["m-base · mnli", "m-base · squad", "m-base · none"]  # by gap
    assert [a.text for a in fig.layout.annotations] == ["base model", "large model"]


def scaling_rows():
    """Two models x two intermediate tasks at 1k, 10k and the full set, gains with 95% intervals."""
    rows = []
    for m, model in enumerate(["base", "large"]):
        for t, task in enumerate(["mnli", "squad"]):
            for size in (1000, 10_000, None):
                gain = m + t + (3.0 if size is None else size / 10_000)
                rows.append(dict(model=model, model_size=model, intermediate_task=task, intermediate_size=size,
                                 regime="single", target_task="xnli", gain=gain, ci_low=gain - 0.5,
                                 ci_high=gain + 0.25, seeds=10))
    return analysis.scaling_points(pd.DataFrame(rows))


def test_scaling_points_size_the_full_training_sets():
    rows = scaling_rows()
    assert rows.loc[rows["full"], "examples"].tolist() == [analysis.APPROX_SIZES[t][0] for t in
                                                           ["mnli", "squad", "mnli", "squad"]]
    assert rows.loc[~rows["full"], "examples"].tolist() == [1000.0, 10_000.0] * 4


def test_gain_lines_style_every_line_band_it_and_mark_the_full_set():
    rows = scaling_rows()
    fig = charts.gain_lines(rows, x="examples", color="intermediate_task", facet="model", full="full")
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(lines) == len(bands) == 4
    looks = {}
    for line in lines:
        g = rows[(rows["intermediate_task"] == line.name) & (rows["model"] == ("base" if line.xaxis == "x" else
                                                                               "large"))].sort_values("examples")
        assert list(line.x) == list(g["examples"]) and list(line.y) == list(g["gain"])
        assert list(line.marker.symbol)[-1].endswith("-open") and not list(line.marker.symbol)[0].endswith("-open")
        looks.setdefault(line.name, set()).add((line.line.color, line.line.dash, line.marker.symbol[0]))
        band = next(b for b in bands if b.legendgroup == line.name and b.xaxis == line.xaxis)
        n = len(g)
        assert list(band.x) == list(g["examples"]) + list(g["examples"])[::-1]
        assert list(band.y[:n]) == list(g["ci_high"]) and list(band.y[n:]) == list(g["ci_low"])[::-1]
        assert band.fillcolor == charts._rgba(line.line.color, 0.18)
    assert all(len(v) == 1 for v in looks.values()) and len({next(iter(v)) for v in looks.values()}) == 2
    assert {c for (c, _, _) in (next(iter(v)) for v in looks.values())} <= set(charts.PALETTE)
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend == ["mnli", "squad", "full training set (open marker)"]  # every line named once
    assert list(fig.layout.xaxis.ticktext)[:3] == ["1k", "2k", "5k"] and fig.layout.xaxis.type == "log"
    flat = charts.gain_lines(rows, x="examples", color="intermediate_task", band=False)  # the notebooks' call
    assert not [t for t in flat.data if t.fill == "toself"] and len(flat.data) == 2
    many = pd.DataFrame([dict(line=f"s{i}", examples=e, gain=float(i)) for i in range(18) for e in (1e3, 1e4)])
    styles = [(t.line.color, t.line.dash, t.marker.symbol[0]) for t in charts.gain_lines(many, "examples", "line").data]
    assert len(set(styles)) == 18  # eighteen lines, eighteen looks


def test_gain_vs_cost_points_intervals_and_front():
    df = pd.DataFrame({"variant": ["a", "b", "c", "d"], "regime": ["single", "single", "multi-task", "sequential"],
                       "hours": [1.0, 2.0, 4.0, 8.0], "gain": [1.0, 3.0, 2.0, 4.0],
                       "ci_low": [0.5, 2.0, None, 3.5], "ci_high": [2.0, 3.5, None, 5.0], "seeds": [10, 10, 1, 10]})
    fig = charts.gain_vs_cost(df, analysis.pareto_front(df))
    points = [t for t in fig.data if t.mode == "markers"]
    assert [t.name for t in points] == ["multi-task", "sequential", "single"] and fig.data[-1].name == "Pareto front"
    seen = {}
    for t in points:
        for k, (x, y, c) in enumerate(zip(t.x, t.y, t.text)):
            row = df.set_index("variant").loc[c]
            seen[c] = (x, y)
            assert (x, y) == (row["hours"], row["gain"])
            if t.error_y.array is None:
                assert pd.isna(row["ci_low"])
            else:
                plus, minus = t.error_y.array[k], t.error_y.arrayminus[k]
                assert plus == pytest.approx(row["ci_high"] - row["gain"], nan_ok=True)
                assert minus == pytest.approx(row["gain"] - row["ci_low"], nan_ok=True)
    assert set(seen) == set(df["variant"])
    markers = {(t.marker.color, t.marker.symbol) for t in points}
    assert len(markers) == 3 and {c for c, _ in markers} <= set(charts.PALETTE)
    assert list(fig.data[-1].x) == [1.0, 2.0, 8.0]


def test_variant_ranking_best_first():
    rows = language_rows({"a": {"en": 1.0, "de": 3.0}, "b": {"en": 5.0, "de": 5.0}, "c": {"en": -1.0, "de": 0.0}})
    ranked = analysis.variant_ranking(rows)
    assert list(ranked["variant"]) == ["b", "a", "c"] and list(ranked["gain"]) == [5.0, 2.0, -0.5]
    assert list(ranked["languages"]) == [2, 2, 2]
