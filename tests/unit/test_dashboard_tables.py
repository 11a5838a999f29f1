"""The pure tables and figure builders behind the dashboard pages: DataFrames in, DataFrames or figures out, each
expected value worked out by hand."""

import pandas as pd
import pytest

from xlt_core import analysis, charts


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
    fig = charts.published_bars(out)
    assert [t.name for t in fig.data] == ["XLM-R", "xlt: xlm-roberta-large"] and list(fig.data[1].y) == [91.0]


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
                          "xnli": [71.25], "pawsx": [None], "partial": [["udpos", "panx"]]})
    text = charts.score_table(table)
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
    assert [t.name for t in charts.language_bars(out).data] == list(dict.fromkeys(out["family"]))


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
    fig = charts.language_bars(out.reset_index())
    names = [t.name for t in fig.data]
    assert names[-1] == charts.CROSSES and names[:-1] == list(dict.fromkeys(out["family"]))
    indo = next(t for t in fig.data if "hi" in list(t.x))  # hi and ur: Indo-Aryan
    hi, ur = list(indo.x).index("hi"), list(indo.x).index("ur")
    assert indo.marker.pattern.shape[hi] == "/" and indo.marker.pattern.shape[ur] == ""
    assert indo.error_y.array[ur] == pytest.approx(1.0) and indo.error_y.arrayminus[ur] == pytest.approx(1.0)
    assert indo.error_y.array[hi] == pytest.approx(1.0) and indo.marker.opacity[hi] < indo.marker.opacity[ur]
    assert analysis.caution(out).startswith("Caution: 3 of the 4 gains here rest on a single seed")


def test_language_heatmap_of_the_demo(demo_db):
    from xlt_core import results

    gains = results.language_gains(demo_db, results.Filters(target_tasks=("xnli",)))
    heat = charts.gain_heatmap(gains).data[0]
    assert heat.type == "heatmap" and heat.x[0] == "en" and len(heat.x) == 15
    assert list(heat.y) == ["tiny · mnli"]
    assert abs(heat.z[0][0] - gains.set_index("language").loc["en", "gain"]) < 1e-9
