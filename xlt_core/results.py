"""results.duckdb: every line of SQL in the project lives here.

Tables
  runs    one row per finished stage: full config and provenance (git commit, package versions, hardware, seed,
          data revision), the English dev score used for model selection, and the stage's cost.
  scores  one row per (evaluate run, language, split, metric): the zero-shot scores, with the retrieval layer
          and pooling, and the metric implementation's variant (seqeval-0.0.12), where they apply.
  costs   one row per run: wall time, device, real and padded tokens, estimated FLOPs, peak memory.
  published / claims  the reference numbers (each with its source) and the claims to test, from
          xlt_core/reference/.
Ingest reads run folders (the source of truth) and is idempotent: primary keys + INSERT OR IGNORE.
Readers open short-lived read-only connections; every filter is a bound parameter, never pasted into SQL.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb

from .rundir import finished_runs, read_run

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, stage VARCHAR, parent_id VARCHAR, model VARCHAR, model_size VARCHAR,
    intermediate_task VARCHAR, target_task VARCHAR, task VARCHAR, seed INTEGER, data VARCHAR,
    data_revision VARCHAR, dev_metric VARCHAR, dev_score DOUBLE, git_commit VARCHAR, git_dirty BOOLEAN,
    xlt_version VARCHAR, packages VARCHAR, hardware VARCHAR, config VARCHAR, cost VARCHAR, wall_s DOUBLE,
    device VARCHAR, started_at VARCHAR, finished_at VARCHAR, run_dir VARCHAR, notebook VARCHAR
);
CREATE TABLE IF NOT EXISTS costs (
    run_id VARCHAR PRIMARY KEY, stage VARCHAR, model VARCHAR, model_size VARCHAR, intermediate_task VARCHAR,
    target_task VARCHAR, seed INTEGER, wall_s DOUBLE, device VARCHAR, device_name VARCHAR, real_tokens BIGINT,
    padded_tokens BIGINT, est_train_flops DOUBLE, peak_memory_mb DOUBLE, steps INTEGER
);
CREATE TABLE IF NOT EXISTS published (
    system VARCHAR, model VARCHAR, intermediate_task VARCHAR, target_task VARCHAR, language VARCHAR,
    metric VARCHAR, split VARCHAR, score DOUBLE, source VARCHAR
);
CREATE TABLE IF NOT EXISTS claims (
    claim_id VARCHAR PRIMARY KEY, claim VARCHAR, status_in_sources VARCHAR, how_to_test VARCHAR
);
CREATE TABLE IF NOT EXISTS scores (
    run_id VARCHAR, model VARCHAR, model_size VARCHAR, intermediate_task VARCHAR, target_task VARCHAR,
    language VARCHAR, split VARCHAR, metric VARCHAR, score DOUBLE, n INTEGER, seed INTEGER,
    layer INTEGER, pooling VARCHAR, variant VARCHAR,
    PRIMARY KEY (run_id, language, split, metric)
);
"""
RUN_COLUMNS = ("run_id", "stage", "parent_id", "model", "model_size", "intermediate_task", "target_task", "task",
               "seed", "data", "data_revision", "dev_metric", "dev_score", "git_commit", "git_dirty", "xlt_version",
               "packages", "hardware", "config", "cost", "wall_s", "device", "started_at", "finished_at", "run_dir",
               "notebook")
COST_COLUMNS = ("run_id", "stage", "model", "model_size", "intermediate_task", "target_task", "seed", "wall_s",
                "device", "device_name", "real_tokens", "padded_tokens", "est_train_flops", "peak_memory_mb", "steps")
REFERENCE = Path(__file__).parent / "reference"
SCORE_COLUMNS = ("run_id", "model", "model_size", "intermediate_task", "target_task", "language", "split", "metric",
                 "score", "n", "seed", "layer", "pooling", "variant")


def connect(db, read_only: bool = False, attempts: int = 50):
    """A connection, retried while another process holds the file's lock (writers keep it briefly)."""
    for attempt in range(attempts):
        try:
            return duckdb.connect(str(db), read_only=read_only)
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


def run_row(record: dict) -> tuple:
    cfg, prov, cost = record["config"], record["provenance"], record["cost"]
    dev = record.get("dev") or {}
    notebook = Path(record["run_dir"]) / "notebook.ipynb"
    values = dict(
        run_id=record["stage_id"], stage=cfg["stage"], parent_id=record["parent_id"], model=cfg["model"],
        model_size=record["model_size"], intermediate_task=record["intermediate_task"],
        target_task=record["target_task"], task=cfg["task"], seed=cfg["seed"], data=cfg["data"],
        data_revision=cfg["data_revision"], dev_metric=dev.get("metric"), dev_score=dev.get("dev_score"),
        git_commit=prov["git"]["commit"], git_dirty=prov["git"]["dirty"], xlt_version=prov["packages"].get("xlt"),
        packages=json.dumps(prov["packages"]), hardware=json.dumps(prov["hardware"]), config=json.dumps(cfg),
        cost=json.dumps(cost), wall_s=cost["wall_s"], device=cost["device"], started_at=record["started_at"],
        finished_at=record["finished_at"], run_dir=record["run_dir"],
        notebook=str(notebook) if notebook.exists() else None)
    return tuple(values[c] for c in RUN_COLUMNS)


def score_rows(record: dict) -> list[tuple]:
    cfg = record["config"]
    return [(record["stage_id"], cfg["model"], record["model_size"], record["intermediate_task"],
             record["target_task"], s["language"], s["split"], s["metric"], s["score"], s.get("n"), cfg["seed"],
             s.get("layer"), s.get("pooling"), s.get("variant"))
            for s in record["scores"]]


def cost_row(record: dict) -> tuple:
    cfg, cost = record["config"], record["cost"]
    values = {**cost, "run_id": record["stage_id"], "stage": cfg["stage"], "model": cfg["model"],
              "model_size": record["model_size"], "intermediate_task": record["intermediate_task"],
              "target_task": record["target_task"], "seed": cfg["seed"]}
    return tuple(values.get(c) for c in COST_COLUMNS)


def _reference_rows(name: str) -> list[tuple]:
    import csv

    with open(REFERENCE / name, newline="", encoding="utf-8") as f:
        return [tuple(row.values()) for row in csv.DictReader(f)]


def ingest(db, runs_dir, rebuild: bool = False) -> dict:
    """Add every finished run folder under `runs_dir` to `db`; rows already there are left alone. Safe with many
    concurrent ingesters (a file lock serialises writers; each connection is retried while another holds it).
    `rebuild` recreates the database from the run folders (the source of truth)."""
    import pandas as pd
    from filelock import FileLock

    records = [read_run(folder) for folder in finished_runs(runs_dir)]
    runs, costs = [run_row(r) for r in records], [cost_row(r) for r in records]
    scores = [row for r in records for row in score_rows(r)]
    with FileLock(f"{db}.lock"):
        if rebuild:
            for path in (Path(db), Path(f"{db}.wal")):
                path.unlink(missing_ok=True)
        con = connect(db)
        try:
            con.execute("BEGIN").fetchall()
            con.execute(SCHEMA).fetchall()
            before = con.execute("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM scores)").fetchall()[0]
            for table, rows, columns in (("runs", runs, RUN_COLUMNS), ("scores", scores, SCORE_COLUMNS),
                                         ("costs", costs, COST_COLUMNS)):
                if rows:  # one set-based insert per table (executemany inserts row by row: ~40x slower)
                    con.register("incoming", pd.DataFrame(rows, columns=list(columns)))
                    con.execute(f"INSERT OR IGNORE INTO {table} SELECT * FROM incoming").fetchall()
                    con.unregister("incoming")
            if not con.execute("SELECT count(*) FROM published").fetchall()[0][0]:
                con.executemany("INSERT INTO published VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                _reference_rows("published_results.csv"))
                con.executemany("INSERT OR IGNORE INTO claims VALUES (?, ?, ?, ?)", _reference_rows("claims.csv"))
            after = con.execute("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM scores)").fetchall()[0]
            con.execute("COMMIT").fetchall()
        finally:
            con.close()
    return {"runs": after[0] - before[0], "scores": after[1] - before[1], "total_runs": after[0],
            "total_scores": after[1]}


# queries ------------------------------------------------------------------------------------------------------
def _read(db, sql: str, params: list | None = None):
    """A pandas DataFrame from a short-lived read-only connection; None when the database does not exist."""
    if not Path(db).exists():
        return None
    con = connect(db, read_only=True)
    try:
        has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'scores'").fetchone()[0]
        return con.execute(sql, params or []).df() if has else None
    finally:
        con.close()


def counts(db) -> dict:
    df = _read(db, "SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM scores) AS scores")
    return {"runs": 0, "scores": 0} if df is None else df.iloc[0].to_dict()


def filter_values(db) -> dict[str, list]:
    """Distinct values of the columns the dashboard filters on."""
    df = _read(db, "SELECT DISTINCT model, model_size, intermediate_task, target_task, split, metric FROM scores")
    if df is None:
        return {}
    return {col: sorted(df[col].dropna().unique().tolist()) for col in df.columns}


def gains(db, target_task: str, split: str = "test", models: list[str] | None = None,
          intermediate_tasks: list[str] | None = None):
    """Per (model, intermediate task, language, metric): mean score over seeds, the baseline's mean score
    (intermediate_task = 'none', same model and data) and the gain = score - baseline."""
    return _read(db, """
        WITH s AS (
            SELECT model, model_size, intermediate_task, language, metric, avg(score) AS score,
                   count(DISTINCT seed) AS seeds
            FROM scores WHERE target_task = ? AND split = ?
            GROUP BY ALL)
        SELECT s.model, s.model_size, s.intermediate_task, s.language, s.metric, s.score, s.seeds,
               b.score AS baseline, s.score - b.score AS gain
        FROM s JOIN s AS b ON b.intermediate_task = 'none' AND b.model = s.model AND b.language = s.language
                          AND b.metric = s.metric
        WHERE s.intermediate_task <> 'none'
          AND (? IS NULL OR list_contains(?, s.model))
          AND (? IS NULL OR list_contains(?, s.intermediate_task))
        ORDER BY s.model, s.intermediate_task, s.language""",
        [target_task, split, models, models, intermediate_tasks, intermediate_tasks])


def claims_status(db):
    """Each claim with its status on the reproduced scores (xlt_core.claims), its measured value and sources."""
    import pandas as pd

    from .claims import evaluate

    scores_df = _read(db, "SELECT model, intermediate_task, target_task, language, split, metric, score, seed FROM scores")
    claims_df = _read(db, "SELECT * FROM claims ORDER BY claim_id")
    if claims_df is None:
        return None
    verdicts = pd.DataFrame(evaluate(scores_df.to_dict("records")))
    return claims_df.merge(verdicts, on="claim_id", how="left")


def chain_rows(db):
    """Every score with what its chain was: the intermediate data size, sampling and MLM share (from the nearest
    intermediate stage), and the summed cost of the whole chain (device-seconds, FLOPs, device)."""
    return _read(db, """
        WITH RECURSIVE chain(run_id, ancestor, depth) AS (
            SELECT run_id, run_id, 0 FROM runs WHERE stage = 'evaluate'
            UNION ALL
            SELECT c.run_id, r.parent_id, c.depth + 1 FROM chain c JOIN runs r ON r.run_id = c.ancestor
            WHERE r.parent_id IS NOT NULL),
        attrs AS (
            SELECT c.run_id, sum(k.wall_s) AS chain_wall_s, sum(k.est_train_flops) AS chain_flops,
                   any_value(k.device) AS device,
                   arg_min(CAST(json_extract_string(r.config, '$.train.train_size') AS INTEGER),
                           CASE WHEN r.stage = 'intermediate' THEN c.depth END) AS intermediate_size,
                   arg_min(json_extract_string(r.config, '$.train.sampling'),
                           CASE WHEN r.stage = 'intermediate' THEN c.depth END) AS sampling,
                   arg_min(CAST(json_extract_string(r.config, '$.train.mlm') AS DOUBLE),
                           CASE WHEN r.stage = 'intermediate' THEN c.depth END) AS mlm
            FROM chain c JOIN runs r ON r.run_id = c.ancestor JOIN costs k ON k.run_id = c.ancestor
            GROUP BY c.run_id)
        SELECT s.*, a.chain_wall_s, a.chain_flops, a.device, a.intermediate_size, a.sampling, a.mlm
        FROM scores s JOIN attrs a USING (run_id)
        ORDER BY s.model, s.intermediate_task, s.target_task, s.language""")


def published(db):
    """The published reference numbers, each with its source."""
    return _read(db, "SELECT * FROM published ORDER BY target_task, system")


def runs(db):
    """Every run with its provenance and the path of its executed notebook."""
    return _read(db, """SELECT run_id, stage, model, intermediate_task, target_task, seed, data_revision, dev_score,
                               git_commit, xlt_version, wall_s, device, finished_at, notebook FROM runs
                        ORDER BY finished_at""")
