"""Writing results.duckdb: the schema and an idempotent ingest of run folders (the source of truth).

Tables
  runs    one row per finished stage: the model (its canonical name, size class and parameter count, read from its
          config: xlt_core.modelinfo), full config (with the model name as given) and provenance (git commit,
          package versions, hardware, seed, data revision), the English dev score used for model selection, and
          the stage's cost.
  scores  one row per (evaluate run, language, split, metric): the zero-shot scores, with the retrieval layer
          and pooling, and the variant of the scoring (seqeval-0.0.12, the QA recipe's settings, BUCC's treatment
          of repeated sentences), where they apply.
  costs   one row per run: wall time, device, real and padded tokens, estimated FLOPs, peak memory.
  chains  one row per evaluate run: what its chain was (intermediate data size, sampling, MLM share) and the summed
          cost of every stage of it; filled at ingest, so readers never walk the chain.
  cells / task_scores / variants  for the readers, filled at ingest: one row per (evaluate run, language) with
          the score as (EM+F1)/2, F1 and EM; the same per (evaluate run, split) averaged over the run's languages;
          the variants (model, intermediate task, data size, sampling) behind the integer variant keys. They
          hold the default evaluation only (BUCC's official treatment of repeats, mean pooling): a score made
          another way stays in `scores`, never averaged with the default one as if it were another run.
  published / claims  the reference numbers (each with its source) and the claims to test, from
          xlt_core/reference/.
Ingest is idempotent: primary keys + INSERT OR IGNORE, one file lock for all writers. A run folder that cannot be
read (half-written, corrupt, NaN scores) is skipped with a warning; a database path that cannot be written fails at
once, before anything is written.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

import duckdb

from ..errors import XltError
from ..rundir import BadRunFolder, finished_runs, read_run
from ..scoring import METRIC_CHOICES, headline_metrics
from ..tasks import TASKS

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, stage VARCHAR, parent_id VARCHAR, model VARCHAR, model_size VARCHAR,
    intermediate_task VARCHAR, target_task VARCHAR, task VARCHAR, seed INTEGER, data VARCHAR,
    data_revision VARCHAR, dev_metric VARCHAR, dev_score DOUBLE, git_commit VARCHAR, git_dirty BOOLEAN,
    xlt_version VARCHAR, packages VARCHAR, hardware VARCHAR, config VARCHAR, cost VARCHAR, wall_s DOUBLE,
    device VARCHAR, started_at VARCHAR, finished_at VARCHAR, run_dir VARCHAR, notebook VARCHAR, model_params BIGINT,
    selection VARCHAR, pair_key VARCHAR
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS model_params BIGINT;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS selection VARCHAR;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS pair_key VARCHAR;
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
    claim_id VARCHAR PRIMARY KEY, claim VARCHAR, status_in_sources VARCHAR, how_to_test VARCHAR, model VARCHAR,
    split VARCHAR, intermediate VARCHAR, compare_with VARCHAR, targets VARCHAR, min_seeds INTEGER, effect VARCHAR,
    claimed DOUBLE
);
ALTER TABLE claims ADD COLUMN IF NOT EXISTS model VARCHAR;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS split VARCHAR;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS intermediate VARCHAR;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS compare_with VARCHAR;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS targets VARCHAR;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS min_seeds INTEGER;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS effect VARCHAR;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS claimed DOUBLE;
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
    intermediate_size INTEGER, sampling VARCHAR, selection VARCHAR
);
CREATE TABLE IF NOT EXISTS cells (
    variant_key UBIGINT, language_key UBIGINT, run_id VARCHAR, model VARCHAR, model_size VARCHAR, intermediate_task VARCHAR, intermediate_size INTEGER,
    sampling VARCHAR, selection VARCHAR, target_task VARCHAR, split VARCHAR, language VARCHAR, seed INTEGER,
    headline DOUBLE, f1 DOUBLE, em DOUBLE, n INTEGER, chain_wall_s DOUBLE, chain_flops DOUBLE, device VARCHAR
);
CREATE TABLE IF NOT EXISTS paired (
    run_id VARCHAR, baseline_id VARCHAR, target_task VARCHAR, split VARCHAR, seed INTEGER, language VARCHAR,
    metric VARCHAR, a DOUBLE, b DOUBLE, gain DOUBLE, lo DOUBLE, hi DOUBLE, se DOUBLE, p DOUBLE, p_adjusted DOUBLE,
    n INTEGER, PRIMARY KEY (run_id, language, metric)
);
ALTER TABLE paired ADD COLUMN IF NOT EXISTS n_min INTEGER;
ALTER TABLE variants ADD COLUMN IF NOT EXISTS selection VARCHAR;
ALTER TABLE cells ADD COLUMN IF NOT EXISTS selection VARCHAR;
ALTER TABLE cells ADD COLUMN IF NOT EXISTS n INTEGER;
CREATE TABLE IF NOT EXISTS task_scores (
    variant_key UBIGINT, run_id VARCHAR, model VARCHAR, model_size VARCHAR, intermediate_task VARCHAR,
    target_task VARCHAR, split VARCHAR, seed INTEGER, languages INTEGER, language_set UBIGINT, headline DOUBLE,
    f1 DOUBLE, em DOUBLE, chain_wall_s DOUBLE, chain_flops DOUBLE
);
"""
TABLES = ("runs", "scores", "costs", "chains", "variants", "cells", "task_scores", "paired", "published", "claims")
RUN_COLUMNS = ("run_id", "stage", "parent_id", "model", "model_size", "intermediate_task", "target_task", "task",
               "seed", "data", "data_revision", "dev_metric", "dev_score", "git_commit", "git_dirty", "xlt_version",
               "packages", "hardware", "config", "cost", "wall_s", "device", "started_at", "finished_at", "run_dir",
               "notebook", "model_params", "selection", "pair_key")
COST_COLUMNS = ("run_id", "stage", "model", "model_size", "intermediate_task", "target_task", "seed", "wall_s",
                "device", "device_name", "real_tokens", "padded_tokens", "est_train_flops", "peak_memory_mb", "steps")
REFERENCE = Path(__file__).parent.parent / "reference"
SCORE_COLUMNS = ("run_id", "model", "model_size", "intermediate_task", "target_task", "language", "split", "metric",
                 "score", "n", "seed", "layer", "pooling", "variant")
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file, after the header's checksum
LOCKED = "Could not set lock"  # how DuckDB's error starts when another process holds the file
OPEN_ATTEMPTS, OPEN_WAIT_S = 50, 0.1
_TEXT, _OPTIONAL_TEXT, _OPTIONAL_INT = str, (str, type(None)), (int, type(None))
# the type a column's value must have: a run folder edited by hand with another would fail the whole insert
VALUE_TYPES = {"run_id": _TEXT, "stage": _TEXT, "model": _TEXT, "model_size": _TEXT, "intermediate_task": _TEXT,
               "target_task": _OPTIONAL_TEXT, "task": _TEXT, "seed": int, "language": _TEXT, "split": _TEXT,
               "metric": _TEXT, "n": _OPTIONAL_INT, "layer": _OPTIONAL_INT, "wall_s": (int, float),
               "data_revision": _TEXT, "started_at": _TEXT, "finished_at": _TEXT, "model_params": _OPTIONAL_INT}
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
SELECT hash(s.model, s.model_size, s.intermediate_task, c.intermediate_size, c.sampling,
            coalesce(r.selection, 'en-dev')) AS variant_key,
       hash(s.language) AS language_key, s.run_id, s.model, s.model_size, s.intermediate_task, c.intermediate_size,
       c.sampling, coalesce(r.selection, 'en-dev') AS selection, s.target_task, s.split, s.language, s.seed,
       {", ".join(f"avg(s.score) FILTER (WHERE list_contains(?, s.target_task || ':' || s.metric)) AS {choice}"
                  for choice in METRIC_CHOICES)},
       max(s.n) AS n, any_value(c.chain_wall_s) AS chain_wall_s, any_value(c.chain_flops) AS chain_flops,
       any_value(c.device) AS device
FROM scores s LEFT JOIN chains c USING (run_id) LEFT JOIN runs r USING (run_id)
WHERE s.run_id NOT IN (SELECT run_id FROM cells)
  AND coalesce(s.variant, '') <> 'repeats-all-ids' AND coalesce(s.pooling, 'mean') = 'mean'
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
SELECT DISTINCT variant_key, model, model_size, intermediate_task, intermediate_size, sampling, selection FROM cells
"""
# evaluate runs with a baseline run (intermediate 'none') of the same pair key (xlt_core.compare.pair_key: the same
# model, target, seed, evaluation and target training) and no paired test yet
# (one baseline per run: of several, evaluated on other language lists, the one sharing most of the run's languages,
# then the one with fewest others, then by id)
PAIRS_TO_TEST = """
SELECT r.run_id, b.run_id AS baseline_id, r.run_dir, b.run_dir AS baseline_dir, r.task, r.seed,
       json_extract_string(r.config, '$.split') AS split
FROM runs r JOIN runs b ON b.pair_key = r.pair_key AND b.stage = 'evaluate' AND b.intermediate_task = 'none'
WHERE r.stage = 'evaluate' AND r.intermediate_task <> 'none' AND r.run_id NOT IN (SELECT run_id FROM paired)
QUALIFY row_number() OVER (
    PARTITION BY r.run_id
    ORDER BY len(list_intersect(CAST(json_extract(r.config, '$.languages') AS VARCHAR[]),
                                CAST(json_extract(b.config, '$.languages') AS VARCHAR[]))) DESC,
             json_array_length(json_extract(b.config, '$.languages')), b.run_id) = 1
ORDER BY r.run_id
"""
PAIRED_COLUMNS = ("run_id", "baseline_id", "target_task", "split", "seed", "language", "metric", "a", "b", "gain",
                  "lo", "hi", "se", "p", "p_adjusted", "n", "n_min")


def fill_derived(con) -> None:
    """Fill `chains`, `cells`, `task_scores` and `variants` for the evaluate runs that do not have them yet."""
    con.execute(FILL_CHAINS).fetchall()
    con.execute(FILL_CELLS, [[f"{t}:{m}" for t in TASKS for m in headline_metrics(t, choice)]
                             for choice in METRIC_CHOICES]).fetchall()
    con.execute(FILL_TASK_SCORES).fetchall()
    con.execute(FILL_VARIANTS).fetchall()
    fill_paired(con)


def fill_paired(con) -> None:
    """The paired test of every evaluate run against its baseline run (same pair key), per language and for the
    task mean, for each metric choice (xlt_core.compare): computed once, at ingest, from the per-example files.
    A pair whose runs have no per-example files (evaluated by an older xlt) is left out."""
    import pandas as pd

    from ..compare import CHOICES, compare_pairs
    from .examples import example_values, files

    rows = []
    for r in con.execute(PAIRS_TO_TEST).df().itertuples(index=False):
        if not (r.run_dir and r.baseline_dir and files(r.run_dir) and files(r.baseline_dir)):
            continue
        a, b = example_values(r.baseline_dir, con=con), example_values(r.run_dir, con=con)
        choices = CHOICES if TASKS[r.task].type == "span_qa" else ("headline",)
        for choice in choices:
            try:
                found = compare_pairs([(r.seed, a, b)], r.task, choice)
            except XltError as err:
                print(f"xlt: warning: no paired test for {r.run_id}: {err}", file=sys.stderr)
                break
            table = found["languages"].to_dict("records") + [{**found["task"], "p_adjusted": found["task"]["p"]}]
            for metric in (CHOICES if len(choices) == 1 else (choice,)):
                rows += [(r.run_id, r.baseline_id, r.task, r.split, r.seed, t["language"], metric, t["a"], t["b"],
                          t["gain"], t["lo"], t["hi"], t["se"], t["p"], t["p_adjusted"], t["n"], t.get("n_min", t["n"]))
                         for t in table]
    insert(con, "paired", pd.DataFrame(rows, columns=list(PAIRED_COLUMNS)))


def _wait() -> None:
    """The pause between two tries to open a database that another process holds (tests replace it to count them)."""
    time.sleep(OPEN_WAIT_S)


def retry_while_locked(open_db, db):
    """open_db(), retried while another process holds the database file's lock (writers keep it briefly). Any other
    failure (not a DuckDB file, a folder, no permission) does not pass by waiting: one line at once."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return open_db()
        except duckdb.Error as err:
            reason = str(err).splitlines()[0].removeprefix("IO Error: ")
            if LOCKED not in reason:
                raise XltError(f"cannot open results database {db}: {reason}") from None
            if attempt == OPEN_ATTEMPTS - 1:
                raise XltError(f"results database {db} stayed locked by another process: {reason}") from None
            _wait()


def connect(db, read_only: bool = False):
    """A connection, retried while another process holds the file's lock."""
    return retry_while_locked(lambda: duckdb.connect(str(db), read_only=read_only), db)


def check_database(db) -> None:
    """The path of a results database is not a folder and, where a file is there, that file is a DuckDB database:
    DuckDB's own errors come late (after a lock file is written) and read like another process's lock."""
    path = Path(db)
    if path.is_dir():
        raise XltError(f"results database {db} is a folder: give a database file, e.g. {path / 'results.duckdb'}")
    if not path.exists():
        return
    head = b""
    if path.is_file():  # not a pipe or a device, whose open could block
        try:
            with open(path, "rb") as f:
                head = f.read(12)
        except OSError as err:
            raise XltError(f"results database {db} cannot be read ({err.strerror})") from None
    if head[8:12] != DUCKDB_MAGIC:
        raise XltError(f"{db} is not a DuckDB database: give xlt's results database, e.g. results.duckdb")


def check_current(db) -> None:
    """A database written by an older xlt (without the tables and columns this one fills: paired tests, selection
    rules) cannot take new runs beside its old rows, whose derived tables would no longer join: it is rebuilt from
    the run folders (`xlt ingest --rebuild`), said in one line before anything is computed."""
    if not Path(db).is_file():
        return
    con = retry_while_locked(lambda: duckdb.connect(str(db), read_only=True), db)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'runs'")
                   .fetchall()}
    finally:
        con.close()
    if "runs" in tables and (not set(TABLES) <= tables or not {"selection", "pair_key"} <= columns):
        raise XltError(f"results database {db} was written by an older xlt: rebuild it from the run folders with "
                       f"`xlt ingest --rebuild --db {db} --runs-dir RUNS` (or give a new --db)")


def check_writable(db, rebuild: bool = False) -> None:
    """Fail at once, before any run folder is read or the database is touched, on a path ingest cannot write, or on
    a database written by an older xlt unless it is being rebuilt. The lock file beside the database is made here:
    it is the first thing written, and where it cannot be, nothing can (filelock would wait for it forever)."""
    check_database(db)
    if not rebuild:
        check_current(db)
    folder = Path(db).parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise XltError(f"results database {db}: {folder} {problem}")
    try:
        Path(f"{db}.lock").touch()
    except OSError as err:
        raise XltError(f"results database {db}: cannot write in {folder} ({err.strerror})") from None


def model_name(record: dict) -> str:
    """The model's canonical name (modelinfo: an alias or a local copy of a known model gives the same); run
    folders written before xlt recorded it give the name the run was started with."""
    return (record.get("model") or {}).get("name", record["config"]["model"])


def selection(cfg: dict) -> str:
    """The checkpoint selection rule of the weights a stage used: a training stage's own; an evaluate stage's, its
    target stage's (retrieval is scored on the intermediate encoder, selected on English dev)."""
    train = cfg.get("train") or ((cfg.get("parent") or {}).get("train") if (cfg.get("parent") or {}).get("stage")
                                 == "target" else None) or {}
    return train.get("select", "en-dev")


def pair_key(record: dict) -> str:
    """What an evaluate run shares with the baseline it is paired with: the model, and everything of the
    evaluation and of the target training (task, seed, data, split, sizes, options, selection rule) but the
    intermediate stages and the languages."""
    import hashlib

    cfg = dict(record["config"])
    parent = cfg.pop("parent", None) or {}
    cfg.pop("languages", None)
    target = {k: v for k, v in parent.items() if k != "parent"} if parent.get("stage") == "target" else None
    key = {"model": model_name(record), "evaluate": cfg, "target": target,
           "selection": selection(record["config"])}
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_row(record: dict) -> tuple:
    cfg, prov, cost = record["config"], record["provenance"], record["cost"]
    dev = record.get("dev") or {}
    notebook = Path(record["run_dir"]) / "notebook.ipynb"
    values = dict(
        run_id=record["stage_id"], stage=cfg["stage"], parent_id=record["parent_id"], model=model_name(record),
        model_size=record["model_size"], intermediate_task=record["intermediate_task"],
        target_task=record["target_task"], task=cfg["task"], seed=cfg["seed"], data=cfg["data"],
        data_revision=cfg["data_revision"], dev_metric=dev.get("metric"), dev_score=dev.get("dev_score"),
        git_commit=prov["git"]["commit"], git_dirty=prov["git"]["dirty"], xlt_version=prov["packages"].get("xlt"),
        packages=json.dumps(prov["packages"]), hardware=json.dumps(prov["hardware"]), config=json.dumps(cfg),
        cost=json.dumps(cost), wall_s=cost["wall_s"], device=cost["device"], started_at=record["started_at"],
        finished_at=record["finished_at"], run_dir=record["run_dir"],
        notebook=str(notebook) if notebook.exists() else None, model_params=(record.get("model") or {}).get("params"),
        selection=selection(cfg), pair_key=pair_key(record) if cfg["stage"] == "evaluate" else None)
    return tuple(values[c] for c in RUN_COLUMNS)


def score_rows(record: dict) -> list[tuple]:
    cfg = record["config"]
    return [(record["stage_id"], model_name(record), record["model_size"], record["intermediate_task"],
             record["target_task"], s["language"], s["split"], s["metric"], s["score"], s.get("n"), cfg["seed"],
             s.get("layer"), s.get("pooling"), s.get("variant"))
            for s in record["scores"]]


def cost_row(record: dict) -> tuple:
    cfg, cost = record["config"], record["cost"]
    values = {**cost, "run_id": record["stage_id"], "stage": cfg["stage"], "model": model_name(record),
              "model_size": record["model_size"], "intermediate_task": record["intermediate_task"],
              "target_task": record["target_task"], "seed": cfg["seed"]}
    return tuple(values.get(c) for c in COST_COLUMNS)


def _reference_rows(name: str) -> list[tuple]:
    import csv

    with open(REFERENCE / name, newline="", encoding="utf-8") as f:
        return [tuple(row.values()) for row in csv.DictReader(f)]


def add_reference(con) -> None:
    """The published numbers and the claims with their rules, as this xlt ships them: replaced at every ingest, so
    that a database written by an older xlt gets the current ones."""
    import csv

    for table, name in (("published", "published_results.csv"), ("claims", "claims.csv")):
        with open(REFERENCE / name, newline="", encoding="utf-8") as f:
            columns = next(csv.reader(f))
        con.execute(f"DELETE FROM {table}").fetchall()
        con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        _reference_rows(name))


def folder_rows(folder) -> tuple[tuple, tuple, list[tuple]]:
    """The runs, costs and scores rows of one run folder. BadRunFolder says why there are none: a file missing or
    corrupt, a key missing, or a score that is not a finite number (NaN from a diverged run would poison every mean
    it enters)."""
    record = read_run(folder)
    try:
        rows = run_row(record), cost_row(record), score_rows(record)
    except KeyError as err:
        raise BadRunFolder(folder, f"no {err.args[0]!r} in its config.json, cost.json or scores.json") from None
    except (TypeError, AttributeError) as err:
        raise BadRunFolder(folder, f"not in the shape xlt writes ({err})") from None
    for s in record["scores"]:  # each a dict with these keys: score_rows read them
        value = s["score"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise BadRunFolder(folder, f"score {value!r} for {s['language']} ({s['metric']}) is not a finite number")
    typed = [*zip(RUN_COLUMNS, rows[0]), *zip(COST_COLUMNS, rows[1]),
             *(pair for row in rows[2] for pair in zip(SCORE_COLUMNS, row))]
    for column, value in typed:
        kind = VALUE_TYPES.get(column)
        if kind and (isinstance(value, bool) or not isinstance(value, kind)):
            raise BadRunFolder(folder, f"{column} {value!r} is not of the type xlt writes ({_type_names(kind)})")
    return rows


def _type_names(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


def read_folders(folders) -> tuple[list[tuple], list[tuple], list[tuple], int]:
    """The runs, costs and scores rows of the run folders, and how many were skipped: each with one warning line,
    so that one broken folder does not keep a whole sweep out of the database."""
    runs, costs, scores, skipped = [], [], [], 0
    for folder in folders:
        try:
            run, cost, rows = folder_rows(folder)
        except BadRunFolder as err:
            print(f"xlt: warning: skipped {err}", file=sys.stderr)
            skipped += 1
            continue
        runs.append(run)
        costs.append(cost)
        scores.extend(rows)
    return runs, costs, scores, skipped


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
    `rebuild` recreates the database from the run folders (the source of truth). A missing runs folder or a database
    path that cannot be written is an XltError before anything is written; unreadable run folders are skipped; a
    write that fails half-way (a full disk) is undone and reported in one line."""
    from filelock import FileLock

    folders = finished_runs(runs_dir)
    check_writable(db, rebuild)
    runs, costs, scores, skipped = read_folders(folders)
    with FileLock(f"{db}.lock"):
        target = Path(f"{db}.rebuild") if rebuild else Path(db)  # a rebuild replaces the old one once complete
        for path in (target, Path(f"{target}.wal")) if rebuild else ():
            path.unlink(missing_ok=True)
        try:
            before, after = _write(target, runs, costs, scores)
        except (duckdb.Error, OSError) as err:  # the transaction is not committed: nothing of it stays
            if rebuild:
                target.unlink(missing_ok=True)
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise XltError(f"cannot write results database {db}: {reason}; nothing was written") from None
        if rebuild:
            Path(f"{db}.wal").unlink(missing_ok=True)
            os.replace(target, db)
    return {"runs": after[0] - before[0], "scores": after[1] - before[1], "total_runs": after[0],
            "total_scores": after[1], "skipped": skipped}


def _write(db, runs, costs, scores) -> tuple[tuple, tuple]:
    """Every row in one transaction, derived tables filled; the (runs, scores) counts before and after."""
    con = connect(db)
    try:
        return _insert_all(con, runs, costs, scores)
    finally:
        con.close()


def _insert_all(con, runs, costs, scores) -> tuple[tuple, tuple]:
    import pandas as pd

    count = "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM scores)"
    con.execute("BEGIN").fetchall()
    con.execute(SCHEMA).fetchall()
    before = con.execute(count).fetchall()[0]
    insert(con, "runs", pd.DataFrame(runs, columns=list(RUN_COLUMNS)))
    insert(con, "scores", pd.DataFrame(scores, columns=list(SCORE_COLUMNS)))
    insert(con, "costs", pd.DataFrame(costs, columns=list(COST_COLUMNS)))
    fill_derived(con)
    add_reference(con)
    after = con.execute(count).fetchall()[0]
    con.execute("COMMIT").fetchall()
    return before, after
