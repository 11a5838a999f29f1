import json

import duckdb
import pytest

from xlt_core import results
from xlt_core.sample_data import SAMPLE_VERSION
from xlt_core.tasks import get_task


def test_ingest_is_idempotent(demo_runs, tmp_path):
    db = tmp_path / "r.duckdb"
    first = results.ingest(db, demo_runs)
    assert first["runs"] == 5  # target x2, evaluate x2, intermediate x1
    assert first["scores"] == 2 * len(get_task("xnli").languages)
    again = results.ingest(db, demo_runs)
    assert (again["runs"], again["scores"]) == (0, 0)
    assert results.counts(db) == {"runs": 5, "scores": first["scores"]}


def test_every_score_is_traceable(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute("""SELECT r.config, r.git_commit, r.packages, r.hardware, r.data_revision, r.seed, s.seed
                          FROM scores s JOIN runs r USING (run_id)""").fetchall()
    con.close()
    assert rows
    for config, commit, packages, hardware, revision, seed, score_seed in rows:
        assert json.loads(config)["stage"] == "evaluate"
        assert json.loads(packages)["torch"] and json.loads(hardware)["cpus"]
        assert revision == SAMPLE_VERSION and seed == score_seed == 0


def test_gains_match_the_run_folders(demo_runs, demo_db):
    # expected gain per language straight from the scores.json files: score(mnli chain) - score(baseline)
    by_inter = {}
    for folder in demo_runs.iterdir():
        if folder.name.startswith("."):  # .locks, .partial: not run folders
            continue
        record = json.loads((folder / "config.json").read_text())
        if record["config"]["stage"] == "evaluate":
            scores = json.loads((folder / "scores.json").read_text())
            by_inter[record["intermediate_task"]] = {s["language"]: s["score"] for s in scores}
    df = results.language_gains(demo_db, results.Filters(target_tasks=("xnli",)))
    assert set(df["language"]) == set(get_task("xnli").languages)
    assert df["gain"].abs().sum() > 0, "both chains predict alike: the fixture's models learnt nothing"
    for row in df.itertuples():
        assert row.gain == pytest.approx(by_inter["mnli"][row.language] - by_inter["none"][row.language])
        assert row.baseline == pytest.approx(by_inter["none"][row.language])


def test_filters_are_parameters_not_sql(demo_db):
    hostile = results.Filters(models=("tiny'; DROP TABLE scores; --",), languages=("en' OR '1'='1",))
    for query in (results.study, results.task_gains, results.language_gains, results.english_gap, results.runs):
        df = query(demo_db, hostile)
        assert df is not None and df.empty, query.__name__
    assert results.counts(demo_db)["scores"] > 0
    mnli = results.language_gains(demo_db, results.Filters(intermediate_tasks=("mnli",)))
    assert mnli["intermediate_task"].unique().tolist() == ["mnli"]
    with pytest.raises(ValueError, match="unknown metric 'bleu'"):
        results.Filters(metric="bleu")


def test_missing_database_reads_as_empty(tmp_path):
    assert results.state(tmp_path / "none.duckdb") == "missing"
    assert results.filter_values(tmp_path / "none.duckdb") == {}
    assert results.counts(tmp_path / "none.duckdb") == {"runs": 0, "scores": 0}
    old = tmp_path / "old.duckdb"  # a database of an older xlt: no derived tables
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE scores (run_id VARCHAR, score DOUBLE); INSERT INTO scores VALUES ('a', 1.0)")
    con.close()
    assert results.state(old) == "outdated" and results.study(old, results.Filters()) is None


def _copy_run(src, dst_root, new_id):
    import shutil

    dst = dst_root / new_id
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("checkpoint", "predictions", "notebook.ipynb"))
    record = json.loads((dst / "config.json").read_text())
    record["stage_id"] = new_id
    (dst / "config.json").write_text(json.dumps(record))


def test_eight_concurrent_ingesters_and_a_reader(demo_runs, tmp_path):
    import subprocess
    import sys
    import threading

    evaluate = next(p for p in demo_runs.iterdir() if p.name.startswith("evaluate-"))
    n_lang = len(json.loads((evaluate / "scores.json").read_text()))
    dirs = []
    for i in range(8):  # each process: every demo run (shared by all) + one run of its own
        d = tmp_path / f"runs{i}"
        d.mkdir()
        for run in demo_runs.iterdir():
            if not run.name.startswith("."):
                (d / run.name).symlink_to(run)
        _copy_run(evaluate, d, f"evaluate-xnli-copy{i:02d}")
        dirs.append(d)
    db = tmp_path / "shared.duckdb"
    errors, seen, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                seen.append(results.counts(db)["scores"])
                results.task_gains(db, results.Filters())
            except Exception as err:  # noqa: BLE001 - any failure of a reader is the test's failure
                errors.append(err)

    thread = threading.Thread(target=reader)
    thread.start()
    code = "import sys; from xlt_core import results; results.ingest(sys.argv[1], sys.argv[2])"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), str(d)]) for d in dirs]
    assert [p.wait(timeout=300) for p in procs] == [0] * 8
    stop.set()
    thread.join()
    assert not errors, errors[:1]
    assert seen == sorted(seen)  # readers saw the table grow, never shrink or break
    con = duckdb.connect(str(db), read_only=True)
    runs, scores = con.execute("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM scores)").fetchone()
    dup = con.execute("SELECT count(*) FROM (SELECT run_id, language, split, metric FROM scores GROUP BY ALL "
                      "HAVING count(*) > 1)").fetchone()[0]
    cells = con.execute("SELECT count(*), count(DISTINCT (run_id, language)) FROM cells").fetchone()
    per_run = con.execute("SELECT count(*), count(DISTINCT (run_id, split)), min(languages), max(languages) "
                          "FROM task_scores").fetchone()
    con.close()
    assert runs == 5 + 8 and scores == 2 * n_lang + 8 * n_lang and dup == 0
    assert cells == (scores, scores)  # XNLI: one metric, so one cell per score, none twice
    assert per_run == (2 + 8, 2 + 8, n_lang, n_lang)  # one task score per evaluate run, over all its languages


def test_rebuild_gives_the_same_rows(demo_runs, tmp_path):
    db = tmp_path / "r.duckdb"
    results.ingest(db, demo_runs)
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("SELECT * FROM scores ORDER BY ALL").fetchall()
    con.close()
    rebuilt = results.ingest(db, demo_runs, rebuild=True)
    con = duckdb.connect(str(db), read_only=True)
    assert rebuilt["runs"] == 5 and con.execute("SELECT * FROM scores ORDER BY ALL").fetchall() == before
    assert con.execute("SELECT count(*) FROM costs").fetchone()[0] == 5
    assert con.execute("SELECT count(*) FROM published WHERE source = ''").fetchone()[0] == 0  # each has a source
    assert con.execute("SELECT count(*) FROM claims").fetchone()[0] == 10
    con.close()


def test_claims_status_on_reproduced_runs(demo_db):
    df = results.claims_status(demo_db)
    assert list(df["claim_id"]) == [f"c{i}" for i in range(1, 11)]  # in the order of their numbers
    # the claims are about XLM-R large on real data: the demo's tiny model on sample data never qualifies
    assert set(df["status"]) == {"not enough data"}
    assert all("xlm-roberta-large" in reason for reason in df["reason"])


def test_only_the_default_evaluation_reaches_the_study_tables(tmp_path):
    """A score made another way (cls pooling, BUCC's all-ids) is kept in `scores` but never averaged into `cells`
    with the default one as if it were another run of the same seed."""
    from xlt_core.config import chain
    from xlt_core.pipeline import run_stage

    runs = tmp_path / "runs"
    for pooling in ("mean", "cls"):
        [evaluate] = chain(intermediate="none", target="tatoeba", languages="de", eval_size=20, pooling=pooling)
        run_stage(evaluate, runs)
    db = tmp_path / "r.duckdb"
    results.ingest(db, runs)
    con = duckdb.connect(str(db), read_only=True)
    scored = con.execute("SELECT pooling, count(*) FROM scores GROUP BY pooling ORDER BY pooling").fetchall()
    cells = con.execute("SELECT s.pooling, count(*) FROM cells c JOIN scores s USING (run_id, language) "
                        "GROUP BY s.pooling").fetchall()
    con.close()
    assert scored == [("cls", 1), ("mean", 1)]
    assert cells == [("mean", 1)]
