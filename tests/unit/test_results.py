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
        record = json.loads((folder / "config.json").read_text())
        if record["config"]["stage"] == "evaluate":
            scores = json.loads((folder / "scores.json").read_text())
            by_inter[record["intermediate_task"]] = {s["language"]: s["score"] for s in scores}
    df = results.gains(demo_db, "xnli")
    assert set(df["language"]) == set(get_task("xnli").languages)
    assert df["gain"].abs().sum() > 0, "both chains predict alike: the fixture's models learnt nothing"
    for row in df.itertuples():
        assert row.gain == pytest.approx(by_inter["mnli"][row.language] - by_inter["none"][row.language])
        assert row.baseline == pytest.approx(by_inter["none"][row.language])


def test_filters_are_parameters_not_sql(demo_db):
    assert results.gains(demo_db, "xnli", models=["tiny'; DROP TABLE scores; --"]).empty
    assert results.counts(demo_db)["scores"] > 0
    assert results.gains(demo_db, "xnli", intermediate_tasks=["mnli"])["intermediate_task"].unique().tolist() == ["mnli"]


def test_missing_database_reads_as_empty(tmp_path):
    assert results.filter_values(tmp_path / "none.duckdb") == {}
    assert results.counts(tmp_path / "none.duckdb") == {"runs": 0, "scores": 0}
