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
