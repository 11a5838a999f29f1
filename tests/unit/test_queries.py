"""The dashboard's queries on a database small enough to compute every expected value by hand."""

import duckdb
import pandas as pd
import pytest

from xlt_core import results
from xlt_core.results import store, synthetic


def make_db(path, scores, chains=()):
    """scores: (run_id, model, intermediate, target, language, split, metric, score, seed) tuples."""
    con = duckdb.connect(str(path))
    con.execute(store.SCHEMA)
    rows = pd.DataFrame([(r, m, "tiny", i, t, lang, sp, me, sc, 10, seed, None, None, None)
                         for r, m, i, t, lang, sp, me, sc, seed in scores], columns=list(store.SCORE_COLUMNS))
    store.insert(con, "scores", rows)
    store.insert(con, "chains", pd.DataFrame(list(chains), columns=["run_id", "intermediate_size", "sampling", "mlm",
                                                                   "chain_wall_s", "chain_flops", "device"]))
    store.fill_derived(con)
    con.close()
    return path


def qa(run, inter, lang, em, f1, seed=0, split="test"):
    return [(run, "m", inter, "xquad", lang, split, "exact_match", em, seed),
            (run, "m", inter, "xquad", lang, split, "f1", f1, seed)]


@pytest.fixture
def db(tmp_path):
    rows = (qa("b0", "none", "en", 60, 70) + qa("b0", "none", "de", 40, 50)
            + qa("b1", "none", "en", 62, 72, seed=1) + qa("b1", "none", "de", 42, 52, seed=1)
            + qa("s0", "squad", "en", 70, 80) + qa("s0", "squad", "de", 50, 64)
            + qa("s1", "squad", "en", 66, 76, seed=1) + qa("s1", "squad", "de", 46, 60, seed=1)
            + qa("d0", "squad", "de", 50, 60))  # a run on German only, at a data size of its own
    return make_db(tmp_path / "r.duckdb", rows, chains=[("s0", None, "proportional", 0.0, 3600.0, 1e15, "cuda"),
                                                        ("s1", None, "proportional", 0.0, 7200.0, 2e15, "cuda"),
                                                        ("d0", 1000, "proportional", 0.0, 10.0, 1e12, "cuda")])


def test_study_means_seeds_then_languages(db):
    df = results.study(db, results.Filters(metric="headline")).set_index(["intermediate_task", "intermediate_size"])
    # baseline: en (65+67)/2 = 66, de (45+47)/2 = 46 -> 56
    assert df.loc[("none", pd.NA), "score"].item() == pytest.approx(56.0)
    # squad (full): en (75+71)/2 = 73, de (57+53)/2 = 55 -> 64; 2 languages, 2 seeds
    full = df.loc[("squad", pd.NA)]
    assert (full["score"].item(), full["languages"].item(), full["seeds"].item()) == (pytest.approx(64.0), 2, 2)
    f1 = results.study(db, results.Filters(metric="f1")).set_index("intermediate_task").loc["none", "score"]
    assert f1 == pytest.approx(((70 + 72) / 2 + (50 + 52) / 2) / 2)


def test_task_score_is_the_mean_over_its_languages_and_a_partial_task_stays_out(tmp_path):
    from xlt_core import analysis
    from xlt_core.tasks import TASKS

    pawsx = [("p", "m", "none", "pawsx", lang, "test", "accuracy", 80.0 + i, 0)
             for i, lang in enumerate(TASKS["pawsx"].languages)]  # 80..86
    xquad = qa("q", "none", "en", 70, 80) + qa("q", "none", "de", 50, 60)
    study = results.study(make_db(tmp_path / "p.duckdb", pawsx + xquad), results.Filters()).set_index("target_task")
    assert study.loc["pawsx", "score"] == pytest.approx(83.0) and study.loc["pawsx", "languages"] == 7
    # (75 + 55) / 2 = 65; F1 only: (80 + 60) / 2 = 70
    assert study.loc["xquad", "score"] == pytest.approx(65.0) and study.loc["xquad", "languages"] == 2
    f1 = results.study(tmp_path / "p.duckdb", results.Filters(metric="f1")).set_index("target_task")
    assert f1.loc["xquad", "score"] == pytest.approx(70.0)
    table = analysis.xtreme_table(study.reset_index()).iloc[0]
    assert table["partial"] == ["xquad"] and len(TASKS["xquad"].languages) - 2 == 9  # nine languages missing
    assert table["pawsx"] == pytest.approx(83.0) and pd.isna(table["xtreme"])


def test_task_gains_per_seed_and_on_shared_languages(db):
    df = results.task_gains(db, results.Filters()).sort_values(["intermediate_size", "seed"], na_position="first")
    # seed 0 (same languages as the baseline: the fast path): (75 + 57)/2 - 56 = 10
    # seed 1: (71 + 53)/2 - 56 = 6
    # the German-only run: 55 - baseline German 46 = 9 (joined language by language)
    assert df["gain"].tolist() == pytest.approx([10.0, 6.0, 9.0])
    assert df["languages"].tolist() == [2, 2, 1]
    assert df["chain_wall_s"].tolist() == pytest.approx([3600.0, 7200.0, 10.0])
    every = results.task_gains(db, results.Filters(languages=("de", "en"))).sort_values(
        ["intermediate_size", "seed"], na_position="first")  # the cells path: the same numbers
    pd.testing.assert_frame_equal(df.reset_index(drop=True), every.reset_index(drop=True))
    em = results.task_gains(db, results.Filters(metric="em", languages=("de",)))
    assert sorted(em["gain"]) == pytest.approx([46 - 41, 50 - 41, 50 - 41])


def test_task_gains_read_per_run_means_as_if_cell_by_cell(tmp_path):
    """Without a language filter the per-seed scores come from `task_scores` (one row per run); two runs of the same
    variant and seed (en+de and fr) count by their languages: (70 + 50 + 90) / 3 = 70, not (60 + 90) / 2 = 75."""
    rows = [(r, "m", i, "xnli", lang, "test", "accuracy", sc, 0) for r, i, lang, sc in [
        ("b", "none", "en", 60.0), ("b", "none", "de", 40.0), ("b", "none", "fr", 50.0),
        ("a1", "mnli", "en", 70.0), ("a1", "mnli", "de", 50.0), ("a2", "mnli", "fr", 90.0)]]
    db = make_db(tmp_path / "w.duckdb", rows)
    fast = results.task_gains(db, results.Filters())
    cells = results.task_gains(db, results.Filters(languages=("de", "en", "fr")))
    assert fast["gain"].tolist() == pytest.approx([70.0 - 50.0]) and fast["languages"].tolist() == [3]
    pd.testing.assert_frame_equal(fast, cells)


def test_language_gains_and_english_gap(db):
    lang = results.language_gains(db, results.Filters()).query("intermediate_size.isna()").set_index("language")
    assert lang.loc["en", "gain"] == pytest.approx(73 - 66) and lang.loc["de", "gain"] == pytest.approx(55 - 46)
    gap = results.english_gap(db, results.Filters()).set_index("intermediate_task")
    assert gap.loc["none", "gap"] == pytest.approx(66 - 46)
    assert len(gap) == 2  # the German-only run has no English: no gap


def test_claim_cells_use_the_largest_data_size(db):
    cells = results.claim_cells(db, results.Filters()).set_index(["intermediate_task", "language"])
    assert cells.loc[("squad", "de"), "score"] == pytest.approx(55.0)  # full data, not the 1,000-example run
    assert cells.loc[("squad", "de"), "spread"] == pytest.approx(2.0)  # population std of 57 and 53


def test_synthetic_database_has_the_asked_size_and_every_page_has_data(tmp_path):
    db = tmp_path / "syn.duckdb"
    made = synthetic.make(db, n_scores=50_000)
    assert made["seeds"] == 1 and abs(made["scores"] - 50_000) < 60_000
    assert results.counts(db)["scores"] == made["scores"]
    values = results.filter_values(db)
    assert values["model_size"] == ["base", "large"] and set(values["split"]) == {"dev", "test"}
    sizes = results.study(db, results.Filters())["intermediate_size"].dropna().unique()
    assert sorted(sizes) == list(synthetic.SIZES)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT DISTINCT data FROM runs").fetchall() == [("synthetic",)]
    con.close()


def paired_rows(run, seed, rows, metric="headline"):
    """(language, gain, se, lo, hi, n) -> rows of table `paired` for one run against its baseline; the task row
    ('avg') keeps the fewest examples of a language (n_min), as ingest does."""
    fewest = min(n for lang, *_, n in rows if lang != "avg")
    return [(run, f"base{seed}", "xnli", "test", seed, lang, metric, 50.0, 50.0 + g, g, lo, hi, se, 0.01, 0.02, n,
             fewest if lang == "avg" else n) for lang, g, se, lo, hi, n in rows]


@pytest.fixture
def paired_db(tmp_path):
    """xnli on en, de, fr: mnli on two seeds, squad on one, qqp on one seed in two runs (en+de, and fr); paired tests
    written by hand (their a/b/p do not matter here)."""
    langs = ("en", "de", "fr")
    scores = [(f"base{s}", "m", "none", "xnli", lang, "test", "accuracy", 50.0, s) for s in (0, 1) for lang in langs]
    scores += [(f"mnli{s}", "m", "mnli", "xnli", lang, "test", "accuracy", 55.0, s) for s in (0, 1) for lang in langs]
    scores += [("squad0", "m", "squad", "xnli", lang, "test", "accuracy", 52.0, 0) for lang in langs]
    scores += [("qqp0", "m", "qqp", "xnli", lang, "test", "accuracy", 51.0, 0) for lang in ("en", "de")]
    scores += [("qqp0fr", "m", "qqp", "xnli", "fr", "test", "accuracy", 51.0, 0)]
    db = make_db(tmp_path / "paired.duckdb", scores)
    rows = (paired_rows("mnli0", 0, [("en", 2.0, 1.0, 0.5, 3.5, 100), ("de", 4.0, 2.0, 0.2, 7.8, 200),
                                     ("fr", 3.0, 1.0, 1.0, 5.0, 300), ("avg", 3.0, 0.8, 1.4, 4.6, 600)])
            + paired_rows("mnli1", 1, [("en", 4.0, 1.0, 2.0, 6.0, 100), ("de", 6.0, 2.0, 2.0, 10.0, 200),
                                       ("fr", 5.0, 1.0, 3.0, 7.0, 300), ("avg", 5.0, 0.8, 3.4, 6.6, 600)])
            + paired_rows("mnli0", 0, [("en", 9.0, 1.0, 7.0, 11.0, 100), ("avg", 9.0, 1.0, 7.0, 11.0, 100)], "f1")
            + paired_rows("squad0", 0, [("en", 1.0, 1.0, -0.9, 2.9, 100), ("de", -1.0, 2.0, -5.0, 3.0, 200),
                                        ("fr", 0.0, 1.0, -2.0, 2.0, 300), ("avg", 0.0, 0.9, -1.7, 1.8, 600)])
            + paired_rows("qqp0", 0, [("en", 1.0, 1.0, -1.0, 3.0, 100), ("de", 3.0, 1.0, 1.0, 5.0, 100),
                                      ("avg", 2.0, 0.5, 1.0, 3.0, 200)])
            + paired_rows("qqp0fr", 0, [("fr", 5.0, 2.0, 1.0, 9.0, 400), ("avg", 5.0, 2.0, 1.0, 9.0, 400)]))
    con = duckdb.connect(str(db))
    store.insert(con, "paired", pd.DataFrame(rows, columns=list(store.PAIRED_COLUMNS)))
    con.close()
    return db


def test_paired_gains_per_variant_from_the_task_rows(paired_db):
    from xlt_core.results import queries

    df = queries.paired_gains(paired_db, results.Filters()).set_index("intermediate_task")
    assert sorted(df.index) == ["mnli", "qqp", "squad"] and set(df["selection"]) == {"en-dev"}
    mnli = df.loc["mnli"]  # two seeds: task gains 3 and 5 -> mean 4, sd sqrt(2); no one-seed se or interval
    assert (mnli["gain"], mnli["sd"], mnli["seeds"]) == (pytest.approx(4.0), pytest.approx(2 ** 0.5), 2)
    assert pd.isna(mnli["se"]) and pd.isna(mnli["lo"])
    assert (mnli["examples"], mnli["min_examples"]) == (600, 100)  # the fewest of a language (en), not the mean
    squad = df.loc["squad"]  # one seed: its task row's bootstrap interval and se as they are
    assert (squad["gain"], squad["se"], squad["lo"], squad["hi"], squad["seeds"]) == (0.0, 0.9, -1.7, 1.8, 1)
    assert (squad["languages"], squad["examples"], squad["min_examples"]) == (3, 600, 100)
    # two runs of one seed (en+de, fr) weigh by their languages: (2 x 2 + 5) / 3 = 3, se sqrt((2 x .5)^2 + 2^2) / 3;
    # no single bootstrap interval
    qqp = df.loc["qqp"]
    assert (qqp["gain"], qqp["se"]) == (pytest.approx(3.0), pytest.approx(5 ** 0.5 / 3))
    assert pd.isna(qqp["lo"]) and (qqp["languages"], qqp["examples"], qqp["min_examples"]) == (3, 600, 100)
    assert queries.paired_gains(paired_db, results.Filters(metric="f1"))["gain"].tolist() == [9.0]
    assert queries.paired_gains(paired_db, results.Filters(split="dev")).empty


def test_paired_gains_of_chosen_languages_combine_their_standard_errors(paired_db):
    from xlt_core.results import queries

    df = queries.paired_gains(paired_db, results.Filters(languages=("en", "de"))).set_index("intermediate_task")
    # one seed, two languages with se 1 and 2: task gain (1 - 1) / 2 = 0, se sqrt(1 + 4) / 2; no bootstrap interval
    squad = df.loc["squad"]
    assert (squad["gain"], squad["se"], squad["seeds"]) == (0.0, pytest.approx(5 ** 0.5 / 2), 1)
    assert pd.isna(squad["lo"]) and (squad["languages"], squad["examples"], squad["min_examples"]) == (2, 300, 100)
    mnli = df.loc["mnli"]  # seed-level task gains over en and de: 3 and 5
    assert (mnli["gain"], mnli["sd"], mnli["seeds"]) == (pytest.approx(4.0), pytest.approx(2 ** 0.5), 2)
    qqp = df.loc["qqp"]  # both languages from the first run
    assert (qqp["gain"], qqp["se"]) == (pytest.approx(2.0), pytest.approx(2 ** 0.5 / 2))
    only = queries.paired_gains(paired_db, results.Filters(languages=("fr",), intermediate_tasks=("qqp",)))
    assert only["gain"].tolist() == [5.0] and only["se"].tolist() == [2.0] and only["examples"].tolist() == [400]


def test_paired_language_gains_over_seeds(paired_db):
    from xlt_core.results import queries

    df = queries.paired_language_gains(paired_db, results.Filters()).set_index(["intermediate_task", "language"])
    assert len(df) == 9
    en = df.loc[("mnli", "en")]  # gains 2 and 4 over two seeds
    assert (en["gain"], en["sd"], en["seeds"], en["examples"]) == (3.0, pytest.approx(2 ** 0.5), 2, 100)
    assert pd.isna(en["lo"]) and pd.isna(en["se"])
    de = df.loc[("squad", "de")]  # one seed: its bootstrap interval
    assert (de["gain"], de["se"], de["lo"], de["hi"], de["seeds"], de["examples"]) == (-1.0, 2.0, -5.0, 3.0, 1, 200)
    assert df.loc[("qqp", "fr"), "gain"] == 5.0
    one = queries.paired_language_gains(paired_db, results.Filters(seeds=(1,), languages=("de",)))
    assert one["gain"].tolist() == [6.0] and one["intermediate_task"].tolist() == ["mnli"]


def test_paired_gains_on_the_synthetic_database(tmp_path):
    from xlt_core.results import queries

    db = tmp_path / "syn.duckdb"
    synthetic.make(db, n_scores=50_000)
    tests = queries.paired_gains(db, results.Filters(target_tasks=("xnli",), model_sizes=("base",)))
    gains = results.task_gains(db, results.Filters(target_tasks=("xnli",), model_sizes=("base",)))
    both = tests.merge(gains, on=[*queries.VARIANT, "target_task"], suffixes=("", "_scores"))
    assert len(both) == len(tests) == len(gains)  # every variant, the selection rules' among them
    assert both["gain"].to_numpy() == pytest.approx(both["gain_scores"].to_numpy())  # the same seed's baseline
    assert set(tests["selection"]) == {"en-dev", "last", "target-dev"}
    assert (tests["se"].between(0.3, 1.0)).all() and (tests["examples"] == 15_000).all()  # 15 languages x 1,000
    lang = queries.paired_language_gains(db, results.Filters(target_tasks=("xnli",), languages=("de",)))
    assert lang["se"].between(1.0, 2.5).all() and (lang["examples"] == 1000).all()
    assert (lang["hi"] - lang["lo"]).to_numpy() == pytest.approx(2 * 1.96 * lang["se"].to_numpy())
