"""Writing results.duckdb: the schema and an idempotent ingest of run folders (the source of truth).

Tables
  runs    one row per finished stage: full config and provenance (git commit, package versions, hardware, seed,
          data revision), the English dev score used for model selection, and the stage's cost.
  scores  one row per (evaluate run, language, split, metric): the zero-shot scores, with the retrieval layer
          and pooling, and the metric implementation's variant (seqeval-0.0.12), where they apply.
  costs   one row per run: wall time, device, real and padded tokens, estimated FLOPs, peak memory.
  chains  one row per evaluate run: what its chain was (intermediate data size, sampling, MLM share) and the summed
          cost of every stage of it; filled at ingest, so readers never walk the chain.
  cells / task_scores / variants  for the readers, filled at ingest: one row per (evaluate run, language) with
          the score as (EM+F1)/2, F1 and EM; the same per (evaluate run, split) averaged over the run's languages;
          the variants (model, intermediate task, data size, sampling) behind the integer variant keys.
  published / claims  the reference numbers (each with its source) and the claims to test, from
          xlt_core/reference/.
Ingest is idempotent: primary keys + INSERT OR IGNORE, one file lock for all writers.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb

from ..rundir import finished_runs, read_run
from ..scoring import METRIC_CHOICES, headline_metrics
from ..tasks import TASKS

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
CREATE TABLE IF NOT EXISTS chains (
    run_id VARCHAR PRIMARY KEY, intermediate_size INTEGER, sampling VARCHAR, mlm DOUBLE, chain_wall_s DOUBLE,
    chain_flops DOUBLE, device VARCHAR
);
CREATE TABLE IF NOT EXISTS variants (
    variant_key UBIGINT PRIMARY KEY, model VARCHAR, model_size VARCHAR, intermediate_task VARCHAR,
    intermediate_size INTEGER, sampling VARCHAR
);
CREATE TABLE IF NOT EXISTS cells (
    variant_key UBIGINT, language_key UBIGINT, run_id VARCHAR, model VARCHAR, model_size VARCHAR, intermediate_task VARCHAR, intermediate_size INTEGER,
    sampling VARCHAR, target_task VARCHAR, split VARCHAR, language VARCHAR, seed INTEGER, headline DOUBLE, f1 DOUBLE,
    em DOUBLE, chain_wall_s DOUBLE, chain_flops DOUBLE, device VARCHAR
);
CREATE TABLE IF NOT EXISTS task_scores (
    variant_key UBIGINT, run_id VARCHAR, model VARCHAR, model_size VARCHAR, intermediate_task VARCHAR,
    target_task VARCHAR, split VARCHAR, seed INTEGER, languages INTEGER, language_set UBIGINT, headline DOUBLE,
    f1 DOUBLE, em DOUBLE, chain_wall_s DOUBLE, chain_flops DOUBLE
);
"""
TABLES = ("runs", "scores", "costs", "chains", "variants", "cells", "task_scores", "published", "claims")
RUN_COLUMNS = ("run_id", "stage", "parent_id", "model", "model_size", "intermediate_task", "target_task", "task",
               "seed", "data", "data_revision", "dev_metric", "dev_score", "git_commit", "git_dirty", "xlt_version",
               "packages", "hardware", "config", "cost", "wall_s", "device", "started_at", "finished_at", "run_dir",
               "notebook")
COST_COLUMNS = ("run_id", "stage", "model", "model_size", "intermediate_task", "target_task", "seed", "wall_s",
                "device", "device_name", "real_tokens", "padded_tokens", "est_train_flops", "peak_memory_mb", "steps")
REFERENCE = Path(__file__).parent.parent / "reference"
SCORE_COLUMNS = ("run_id", "model", "model_size", "intermediate_task", "target_task", "language", "split", "metric",
                 "score", "n", "seed", "layer", "pooling", "variant")
# chain attributes of every evaluate run not yet in `chains`: walk parent links up to the first stage; size,
# sampling and MLM share come from the nearest intermediate stage, costs are summed over the whole chain
FILL_CHAINS = """
INSERT OR IGNORE INTO chains
WITH RECURSIVE chain(run_id, ancestor, depth) AS (
    SELECT run_id, run_id, 0 FROM runs WHERE stage = 'evaluate' AND run_id NOT IN (SELECT run_id FROM chains)
    UNION ALL
    SELECT c.run_id, r.parent_id, c.depth + 1 FROM chain c JOIN runs r ON r.run_id = c.ancestor
    WHERE r.parent_id IS NOT NULL)
SELECT c.run_id,
       arg_min(CAST(json_extract_string(r.config, '$.train.train_size') AS INTEGER),
               CASE WHEN r.stage = 'intermediate' THEN c.depth END),
       arg_min(json_extract_string(r.config, '$.train.sampling'), CASE WHEN r.stage = 'intermediate' THEN c.depth END),
       arg_min(CAST(json_extract_string(r.config, '$.train.mlm') AS DOUBLE),
               CASE WHEN r.stage = 'intermediate' THEN c.depth END),
       sum(k.wall_s), sum(k.est_train_flops), any_value(k.device)
FROM chain c JOIN runs r ON r.run_id = c.ancestor JOIN costs k ON k.run_id = c.ancestor
GROUP BY c.run_id
"""
# one row per (evaluate run, language) for the readers: the language's score as (EM+F1)/2, F1 and EM (one value
# for tasks that are not QA: their headline metric), with the run's variant, seed and chain cost, and integer keys
# of the variant and the language (grouping on one integer is much faster than on five strings). Sorted so that
# split and task filters skip whole blocks.
FILL_CELLS = f"""
INSERT INTO cells BY NAME
SELECT hash(s.model, s.model_size, s.intermediate_task, c.intermediate_size, c.sampling) AS variant_key,
       hash(s.language) AS language_key, s.run_id, s.model, s.model_size, s.intermediate_task, c.intermediate_size,
       c.sampling, s.target_task, s.split, s.language, s.seed,
       {", ".join(f"avg(s.score) FILTER (WHERE list_contains(?, s.target_task || ':' || s.metric)) AS {choice}"
                  for choice in METRIC_CHOICES)},
       any_value(c.chain_wall_s) AS chain_wall_s, any_value(c.chain_flops) AS chain_flops,
       any_value(c.device) AS device
FROM scores s LEFT JOIN chains c USING (run_id)
WHERE s.run_id NOT IN (SELECT run_id FROM cells)
GROUP BY ALL ORDER BY s.split, s.target_task, s.model, s.intermediate_task
"""
# one row per (evaluate run, split): the task score over the run's languages (mean of its cells, each metric
# choice), how many languages and the XOR of their hashes (to tell whether two runs have the same language set)
FILL_TASK_SCORES = f"""
INSERT INTO task_scores BY NAME
SELECT variant_key, run_id, model, model_size, intermediate_task, target_task, split, seed, count(*) AS languages,
       bit_xor(language_key) AS language_set, {", ".join(f"avg({c}) AS {c}" for c in METRIC_CHOICES)},
       any_value(chain_wall_s) AS chain_wall_s, any_value(chain_flops) AS chain_flops
FROM cells WHERE run_id NOT IN (SELECT run_id FROM task_scores)
GROUP BY ALL ORDER BY split, target_task, model, intermediate_task
"""
FILL_VARIANTS = """
INSERT OR IGNORE INTO variants
SELECT DISTINCT variant_key, model, model_size, intermediate_task, intermediate_size, sampling FROM cells
"""


def fill_derived(con) -> None:
    """Fill `chains`, `cells`, `task_scores` and `variants` for the evaluate runs that do not have them yet."""
    con.execute(FILL_CHAINS).fetchall()
    con.execute(FILL_CELLS, [[f"{t}:{m}" for t in TASKS for m in headline_metrics(t, choice)]
                             for choice in METRIC_CHOICES]).fetchall()
    con.execute(FILL_TASK_SCORES).fetchall()
    con.execute(FILL_VARIANTS).fetchall()


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


def add_reference(con) -> None:
    """The published numbers and the claims, once."""
    if not con.execute("SELECT count(*) FROM published").fetchall()[0][0]:
        con.executemany("INSERT INTO published VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _reference_rows("published_results.csv"))
        con.executemany("INSERT OR IGNORE INTO claims VALUES (?, ?, ?, ?)", _reference_rows("claims.csv"))


def insert(con, table: str, df) -> None:
    """One set-based INSERT OR IGNORE of a DataFrame whose columns are the table's, in order (executemany inserts
    row by row: ~40x slower)."""
    if len(df):
        con.register("incoming", df)
        con.execute(f"INSERT OR IGNORE INTO {table} SELECT * FROM incoming").fetchall()
        con.unregister("incoming")


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
            insert(con, "runs", pd.DataFrame(runs, columns=list(RUN_COLUMNS)))
            insert(con, "scores", pd.DataFrame(scores, columns=list(SCORE_COLUMNS)))
            insert(con, "costs", pd.DataFrame(costs, columns=list(COST_COLUMNS)))
            fill_derived(con)
            add_reference(con)
            after = con.execute("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM scores)").fetchall()[0]
            con.execute("COMMIT").fetchall()
        finally:
            con.close()
    return {"runs": after[0] - before[0], "scores": after[1] - before[1], "total_runs": after[0],
            "total_scores": after[1]}
