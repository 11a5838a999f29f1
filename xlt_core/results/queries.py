"""Reading results.duckdb: the queries of the dashboard and the analysis notebooks.

Every read attaches the file read-only for one query and detaches it right after, so no lock is held between
queries and a sweep can keep ingesting. Filters arrive as a `Filters` value; their values are bound parameters, never
pasted into SQL (only fixed column names are). Aggregation happens in SQL on the `cells` table (one row per run and
language, its score as (EM+F1)/2, F1 and EM precomputed at ingest), so the pages stay fast on a million score rows:
means over seeds first, then over languages.

A *variant* is what was trained before the target task: model, intermediate task label, intermediate data size and
multi-task sampling, and the rule that chose the checkpoint (en-dev, the default; last; target-dev; average-k). The
baseline is intermediate_task = 'none' of the same model and selection rule; gains are measured on the languages
both have.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from pathlib import Path

import duckdb
import pandas as pd

from ..scoring import METRIC_CHOICES
from .store import TABLES, check_database, retry_while_locked

VARIANT = ("model", "model_size", "intermediate_task", "intermediate_size", "sampling", "selection")
_V = ", ".join(VARIANT)
FILTER_COLUMNS = {"models": "model", "model_sizes": "model_size", "intermediate_tasks": "intermediate_task",
                  "target_tasks": "target_task", "languages": "language", "seeds": "seed"}


@dataclass(frozen=True)
class Filters:
    """What the pages show; an empty tuple means every value. The baseline (intermediate 'none') is always kept:
    gains need it."""

    split: str = "test"
    metric: str = "headline"  # scoring.METRIC_CHOICES: QA as (EM+F1)/2, F1 or EM
    models: tuple = ()
    model_sizes: tuple = ()
    intermediate_tasks: tuple = ()
    target_tasks: tuple = ()
    languages: tuple = ()
    seeds: tuple = ()

    def __post_init__(self):
        if self.metric not in METRIC_CHOICES:
            raise ValueError(f"unknown metric {self.metric!r}: choose one of {', '.join(METRIC_CHOICES)}")

    def where(self, skip: tuple[str, ...] = (), always: tuple[str, ...] = ()) -> tuple[str, list]:
        """SQL conditions on the scores/runs columns and their bound parameters. The baseline's intermediate task
        ('none') always passes, and so do rows whose column in `always` is NULL."""
        clauses, params = [], []
        for f in fields(self):
            values, column = getattr(self, f.name), FILTER_COLUMNS.get(f.name)
            if not column or not values or f.name in skip:
                continue
            test = f"list_contains(?, {column})"
            if column == "intermediate_task":
                test = f"({column} = 'none' OR {test})"
            elif column in always:
                test = f"({column} IS NULL OR {test})"
            clauses.append(test)
            params.append(list(values))
        return " AND ".join(clauses) or "TRUE", params


_MEMORY: duckdb.DuckDBPyConnection | None = None
_LOCK = threading.Lock()


def _read(db, sql: str | None, params: list | None = None, named: bool = False):
    """A pandas DataFrame (for `sql`) or the database's state (for None); the DataFrame is None unless the state is
    'ready'. The file is attached read-only to one in-memory DuckDB of this process and detached at once: a new
    DuckDB per query would cost ~17 ms, an attach ~2 ms. Retried while a writer holds the file's lock; a file that
    cannot be opened for any other reason is an XltError at once.

    `named`: the query returns `variant_key` and no variant names; they are joined here from `variants` (~140
    rows). Strings cost ~3 ms per column per 10k rows to bring into pandas, a merge on the key a fraction of it."""
    global _MEMORY
    if not Path(db).exists():
        return None if sql else "missing"
    with _LOCK:
        _MEMORY = _MEMORY or duckdb.connect(":memory:")
        con = _MEMORY.cursor()
        try:
            retry_while_locked(lambda: con.execute("ATTACH ? AS xlt_results (READ_ONLY)", [str(db)]).fetchall(), db)
            try:
                con.execute("USE xlt_results").fetchall()
                sizes = dict(con.execute("SELECT table_name, estimated_size FROM duckdb_tables() "
                                         "WHERE database_name = 'xlt_results'").fetchall())
                status = ("empty" if not set(sizes) & set(TABLES) else "outdated" if not set(TABLES) <= set(sizes)
                          else "ready" if sizes["cells"] else "empty")
                if sql is None or status != "ready":
                    return status if sql is None else None
                df = con.execute(sql, params or []).df()
                if named:
                    names = con.execute(f"SELECT variant_key, {_V} FROM variants").df()
                    df = df.merge(names, on="variant_key", how="left", sort=False)
                return df
            finally:
                con.execute("USE memory").fetchall()
                con.execute("DETACH xlt_results").fetchall()
        finally:
            con.close()


def state(db) -> str:
    """'missing' (no file), 'outdated' (written by an older xlt: run `xlt ingest --rebuild`), 'empty' or 'ready'."""
    return _read(db, None)


def check_readable(db) -> str:
    """The database's state, or an XltError when the dashboard could not read it (a folder, a file that is not
    DuckDB's or cannot be read). A missing file is no error: the pages say how to make one."""
    check_database(db)
    return state(db)


def _cells(f: Filters) -> tuple[str, list]:
    """CTE `picked`: the cells of the filters' split and values, with `score` the chosen metric. Only integer keys
    travel: the variant's names are joined from `variants` after aggregating (aggregating strings costs more than
    the rest of a query). Not materialised: each query that reads it twice scans the table twice, which is cheaper
    than buffering a million rows."""
    where, params = f.where()
    return (f"picked AS NOT MATERIALIZED (SELECT variant_key, language_key, target_task, language, seed, {f.metric} AS score, "
            f"intermediate_task = 'none' AS baseline_run, chain_wall_s, chain_flops "
            f"FROM cells WHERE split = ? AND {where})", [f.split, *params])


def counts(db) -> dict:
    df = _read(db, "SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM scores) AS scores")
    return {"runs": 0, "scores": 0} if df is None else {k: int(v) for k, v in df.iloc[0].items()}


def filter_values(db) -> dict[str, list]:
    """Distinct values of every column the dashboard filters on ({} while the database is not ready), read from the
    small derived tables where they are (variants, task_scores)."""
    columns = ("model", "model_size", "intermediate_task", "target_task", "split", "language", "seed")
    sources = {c: "variants" if c in VARIANT else "cells" if c == "language" else "task_scores" for c in columns}
    df = _read(db, " UNION ALL ".join(f"(SELECT DISTINCT '{c}' AS col, CAST({c} AS VARCHAR) AS value FROM {sources[c]})"
                                     for c in columns))
    if df is None:
        return {}
    out = {c: sorted(df.loc[df["col"] == c, "value"].dropna().tolist()) for c in columns}
    out["seed"] = sorted(int(s) for s in out["seed"])
    return out


def study(db, f: Filters):
    """Per variant and target task: the task score (mean over languages of the mean over seeds), how many
    languages and seeds it has."""
    cells, params = _cells(f)
    return _read(db, f"""WITH {cells},
        lang AS (SELECT variant_key, target_task, avg(score) AS score, count(*) AS seeds FROM picked
                 GROUP BY variant_key, target_task, language_key),
        task AS (SELECT variant_key, target_task, avg(score) AS score, count(*) AS languages, max(seeds) AS seeds
                 FROM lang GROUP BY variant_key, target_task)
        SELECT {_V}, target_task, score, languages, seeds FROM task JOIN variants USING (variant_key)
        ORDER BY ALL""", params)


def task_gains(db, f: Filters):
    """Per variant, target task and seed: the task score on the languages shared with the baseline, the baseline's
    (mean over its seeds), the gain, and the compute of the chain (device-seconds, FLOPs).

    A (variant, task, seed) with the baseline's very language set (same count and XOR of language hashes) compares
    task means directly; only when some do not is a second query joined language by language (for those). Without
    a language filter the per-seed means come from `task_scores` (a row per run, made at ingest: ~14k rows to read
    instead of ~500k cells on a million scores); runs of the same variant, task and seed are weighted by their
    languages, as if averaged cell by cell."""
    cells, params = _cells(f)
    seed_params = []
    if f.languages:
        per_seed = """SELECT variant_key, target_task, seed, avg(score) AS score, count(*) AS n,
                              bit_xor(language_key) AS lset, avg(chain_wall_s) AS chain_wall_s,
                              avg(chain_flops) AS chain_flops
                       FROM picked WHERE NOT baseline_run GROUP BY variant_key, target_task, seed"""
    else:
        where, run_params = f.where()
        per_seed = f"""SELECT variant_key, target_task, seed, sum(languages * {f.metric}) / sum(languages) AS score,
                              CAST(sum(languages) AS BIGINT) AS n, bit_xor(language_set) AS lset,
                              avg(chain_wall_s) AS chain_wall_s, avg(chain_flops) AS chain_flops
                       FROM task_scores WHERE split = ? AND intermediate_task <> 'none' AND {where}
                       GROUP BY variant_key, target_task, seed"""
        seed_params = [f.split, *run_params]
    base_lang = """base_lang AS (SELECT v.model, v.selection, p.target_task, p.language_key, avg(p.score) AS baseline
                      FROM picked p JOIN variants v USING (variant_key) WHERE p.baseline_run
                      GROUP BY v.model, v.selection, p.target_task, p.language_key)"""
    df = _read(db, f"""WITH {cells}, {base_lang},
        base AS (SELECT model, selection, target_task, avg(baseline) AS baseline, count(*) AS n,
                        bit_xor(language_key) AS lset
                 FROM base_lang GROUP BY model, selection, target_task),
        per_seed AS ({per_seed})
        SELECT variant_key, target_task, seed, score, b.baseline, score - b.baseline AS gain, n AS languages,
               chain_wall_s, chain_flops, b.target_task IS NULL AND (model, selection, target_task) IN
               (SELECT (model, selection, target_task) FROM base) AS other_languages
        FROM per_seed JOIN variants USING (variant_key)
        LEFT JOIN base b USING (model, selection, target_task, n, lset)""",
               [*params, *seed_params], named=True)
    columns = [*VARIANT, "target_task", "seed", "score", "baseline", "gain", "languages", "chain_wall_s", "chain_flops"]
    if df is None or not df["other_languages"].any():
        return None if df is None else df.loc[df["baseline"].notna(), columns]
    odd = df[df["other_languages"]]
    shared = _read(db, f"""WITH {cells}, {base_lang}
        SELECT p.variant_key, p.target_task, p.seed, avg(p.score) AS score, avg(b.baseline) AS baseline,
               count(*) AS languages
        FROM picked p JOIN variants v USING (variant_key)
        JOIN base_lang b ON b.model = v.model AND b.selection = v.selection AND b.target_task = p.target_task
                         AND b.language_key = p.language_key
        WHERE list_contains(?, p.variant_key) GROUP BY ALL""", [*params, sorted(set(odd["variant_key"]))])
    odd = odd.drop(columns=["score", "baseline", "languages"]).merge(shared, on=["variant_key", "target_task", "seed"])
    odd["gain"] = odd["score"] - odd["baseline"]
    out = pd.concat([df[df["baseline"].notna()], odd], ignore_index=True)
    return out.drop(columns=["variant_key", "other_languages"])[columns]


def language_gains(db, f: Filters):
    """Per variant, target task and language: the score (mean over seeds), the baseline's and the gain."""
    cells, params = _cells(f)
    return _read(db, f"""WITH {cells},
        lang AS (SELECT variant_key, target_task, language, any_value(baseline_run) AS baseline_run,
                        avg(score) AS score, count(*) AS seeds
                 FROM picked GROUP BY variant_key, target_task, language),
        named AS (SELECT * FROM lang JOIN variants USING (variant_key))
        SELECT {', '.join('s.' + v for v in VARIANT)}, s.target_task, s.language, s.score, s.seeds,
               b.score AS baseline, s.score - b.score AS gain
        FROM named s JOIN named b ON b.baseline_run AND b.model = s.model AND b.selection = s.selection
                                 AND b.target_task = s.target_task AND b.language = s.language
        WHERE NOT s.baseline_run
        ORDER BY ALL""", params)


def english_gap(db, f: Filters):
    """Per variant (baseline included) and target task with English among its languages: the English score, the
    mean of the other languages (zero-shot) and the gap between them."""
    cells, params = _cells(f)
    return _read(db, f"""WITH {cells},
        lang AS (SELECT variant_key, target_task, language = 'en' AS english, avg(score) AS score
                 FROM picked GROUP BY variant_key, target_task, language),
        gap AS (SELECT variant_key, target_task, avg(score) FILTER (WHERE english) AS english,
                       avg(score) FILTER (WHERE NOT english) AS others
                FROM lang GROUP BY variant_key, target_task)
        SELECT {_V}, target_task, english, others, english - others AS gap
        FROM gap JOIN variants USING (variant_key) WHERE english IS NOT NULL AND others IS NOT NULL
        ORDER BY ALL""", params)


def claim_cells(db, f: Filters):
    """For the claims: per (model, intermediate task, target task, language) the mean and the spread over seeds,
    using each intermediate task's largest data size (scaling runs would otherwise mix in as seeds)."""
    cells, params = _cells(f)
    return _read(db, f"""WITH {cells},
        lang AS (SELECT variant_key, target_task, language, avg(score) AS score,
                        coalesce(stddev_pop(score), 0) AS spread, count(*) AS seeds
                 FROM picked GROUP BY variant_key, target_task, language),
        largest AS (SELECT * FROM variants QUALIFY coalesce(intermediate_size, 2147483647) =
                    max(coalesce(intermediate_size, 2147483647)) OVER (PARTITION BY model, intermediate_task))
        SELECT model, intermediate_task, target_task, language, avg(score) AS score, avg(spread) AS spread,
               sum(seeds) AS seeds
        FROM lang JOIN largest USING (variant_key) GROUP BY ALL ORDER BY ALL""", params)


def claims(db):
    return _read(db, "SELECT * FROM claims ORDER BY claim_id")


def published(db):
    """The published reference numbers, each with its source."""
    return _read(db, "SELECT * FROM published ORDER BY target_task, system")


def baselines(db, f: Filters):
    """Our baselines (no intermediate task) per model, target task, split, stored metric and language, mean over
    seeds: what published numbers are compared with."""
    where, params = f.where(skip=("intermediate_tasks",))
    return _read(db, f"""SELECT model, model_size, target_task, split, metric, language, avg(score) AS score,
                                count(*) AS seeds
                         FROM scores WHERE intermediate_task = 'none' AND {where} GROUP BY ALL ORDER BY ALL""", params)


def runs(db, f: Filters | None = None, limit: int | None = None):
    """The runs matching the filters that apply to runs (model, size, intermediate, target, seed), newest first, with
    their provenance and the path of their executed notebooks; `total` counts them all. Intermediate stages match
    any target task."""
    where, params = (f or Filters()).where(skip=("languages",), always=("target_task",))
    # the newest rows are picked on two columns first, then read whole: sorting every column of every run is slower
    return _read(db, f"""SELECT run_id, stage, model, model_size, intermediate_task, target_task, task, seed, data,
                                data_revision, dev_metric, dev_score, git_commit, git_dirty, xlt_version, device,
                                wall_s, finished_at, run_dir, notebook, (SELECT count(*) FROM runs WHERE {where}) AS total
                         FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE {where}
                                                   ORDER BY finished_at DESC, run_id LIMIT ?)
                         ORDER BY finished_at DESC, run_id""", [*params, *params, limit])


def run_detail(db, run_id: str):
    """One run's full record: config, package versions, hardware and cost (JSON text)."""
    return _read(db, "SELECT * FROM runs WHERE run_id = ?", [run_id])


def chain_rows(db):
    """Every score with what its chain was (intermediate data size, sampling, MLM share) and the summed cost of
    the whole chain: the rows the analysis notebooks start from."""
    return _read(db, """SELECT s.*, c.intermediate_size, c.sampling, c.mlm, c.chain_wall_s, c.chain_flops, c.device
                        FROM scores s JOIN chains c USING (run_id)
                        ORDER BY s.model, s.intermediate_task, s.target_task, s.language""")


def _paired_runs(f: Filters) -> tuple[str, list, str, list]:
    """CTE `tested`: the evaluate runs of the filters (split, model, size, intermediate and target tasks, seeds) other
    than the baselines, with their variant key and languages, for joining to `paired` (keyed by run_id); and the
    conditions on `paired p` itself (split, metric, target tasks: they let a scan skip blocks) with their
    parameters."""
    where, params = f.where(skip=("languages",))
    on_paired, paired_params = "p.split = ? AND p.metric = ?", [f.split, f.metric]
    if f.target_tasks:
        on_paired += " AND list_contains(?, p.target_task)"
        paired_params.append(list(f.target_tasks))
    return (f"tested AS (SELECT run_id, variant_key, languages FROM task_scores "
            f"WHERE split = ? AND intermediate_task <> 'none' AND {where})", [f.split, *params], on_paired,
            paired_params)


def paired_gains(db, f: Filters):
    """Per variant and target task: the paired gains over the baseline made at ingest (table `paired`), summarised
    over seeds for analysis.gain_intervals: `gain` (the mean over seeds of each seed's task gain), `sd` (their
    standard deviation, two seeds or more), `seeds`; with one seed its `se`, and `lo`/`hi` where a bootstrap
    interval exists; `languages`, `examples` (per seed, summed over languages) and `min_examples` (per language).

    Without a language filter each run's task row (language 'avg': the paired bootstrap of the mean over its
    languages, one row per run) is read, runs of the same variant, task and seed weighted by their languages, and
    `min_examples` is the fewest examples of one of its languages. With one, the chosen languages' rows are averaged:
    the task gain is their mean, its standard error sqrt(sum se^2) / L (languages as independent), no bootstrap
    interval. The metric applies as everywhere ((EM+F1)/2, F1 or EM for QA)."""
    runs, params, on_paired, paired_params = _paired_runs(f)
    if f.languages:
        per_seed = f"""SELECT t.variant_key, p.target_task, p.seed, avg(p.gain) AS gain,
                             sqrt(sum(p.se * p.se)) / count(*) AS se, NULL::DOUBLE AS lo, NULL::DOUBLE AS hi,
                             count(*) AS languages, sum(p.n) AS examples, min(p.n) AS min_examples
                      FROM paired p JOIN tested t USING (run_id)
                      WHERE {on_paired} AND p.language <> 'avg' AND list_contains(?, p.language)
                      GROUP BY t.variant_key, p.target_task, p.seed"""
        params += [*paired_params, list(f.languages)]
    else:
        per_seed = f"""SELECT t.variant_key, p.target_task, p.seed,
                             sum(t.languages * p.gain) / sum(t.languages) AS gain,
                             sqrt(sum(t.languages * t.languages * p.se * p.se)) / sum(t.languages) AS se,
                             CASE WHEN count(*) = 1 THEN any_value(p.lo) END AS lo,
                             CASE WHEN count(*) = 1 THEN any_value(p.hi) END AS hi,
                             sum(t.languages) AS languages, sum(p.n) AS examples,
                             min(coalesce(p.n_min, p.n / t.languages)) AS min_examples
                      FROM paired p JOIN tested t USING (run_id)
                      WHERE {on_paired} AND p.language = 'avg'
                      GROUP BY t.variant_key, p.target_task, p.seed"""
        params += paired_params
    return _read(db, f"""WITH {runs}, per_seed AS ({per_seed})
        SELECT variant_key, target_task, avg(gain) AS gain, stddev_samp(gain) AS sd, count(*) AS seeds,
               CASE WHEN count(*) = 1 THEN any_value(se) END AS se, CASE WHEN count(*) = 1 THEN any_value(lo) END AS lo,
               CASE WHEN count(*) = 1 THEN any_value(hi) END AS hi, CAST(max(languages) AS INTEGER) AS languages,
               CAST(round(avg(examples)) AS BIGINT) AS examples, CAST(min(min_examples) AS BIGINT) AS min_examples
        FROM per_seed GROUP BY variant_key, target_task""", params, named=True)


def paired_language_gains(db, f: Filters):
    """Per variant, target task and language: the paired gains over the baseline (table `paired`) summarised over
    seeds for analysis.gain_intervals: `gain` (mean over seeds), `sd`, `seeds`, with one seed its `se` and
    bootstrap `lo`/`hi`, and `examples` (the language's evaluation examples, the fewest over seeds)."""
    runs, params, on_paired, paired_params = _paired_runs(f)
    langs = "AND list_contains(?, p.language)" if f.languages else ""
    return _read(db, f"""WITH {runs},
        per_seed AS (SELECT t.variant_key, p.target_task, p.language, p.seed, avg(p.gain) AS gain,
                            sqrt(sum(p.se * p.se)) / count(*) AS se, CASE WHEN count(*) = 1 THEN any_value(p.lo) END
                            AS lo, CASE WHEN count(*) = 1 THEN any_value(p.hi) END AS hi, min(p.n) AS n
                     FROM paired p JOIN tested t USING (run_id)
                     WHERE {on_paired} AND p.language <> 'avg' {langs}
                     GROUP BY t.variant_key, p.target_task, p.language, p.seed)
        SELECT variant_key, target_task, language, avg(gain) AS gain, stddev_samp(gain) AS sd, count(*) AS seeds,
               CASE WHEN count(*) = 1 THEN any_value(se) END AS se, CASE WHEN count(*) = 1 THEN any_value(lo) END AS lo,
               CASE WHEN count(*) = 1 THEN any_value(hi) END AS hi, CAST(min(n) AS BIGINT) AS examples
        FROM per_seed GROUP BY variant_key, target_task, language""",
                 [*params, *paired_params, *([list(f.languages)] if f.languages else [])], named=True)


def evaluate_runs(db):
    """Every evaluate run with what picks it in `xlt compare`: model, size, intermediate task, data size,
    sampling, selection rule, target task, split, seed, evaluation size, its folder and its full config (JSON)."""
    return _read(db, """SELECT r.run_id, r.model, r.model_size, r.intermediate_task, c.intermediate_size, c.sampling,
                               coalesce(r.selection, 'en-dev') AS selection, r.task AS target_task,
                               json_extract_string(r.config, '$.split') AS split, r.seed,
                               CAST(json_extract_string(r.config, '$.eval_size') AS INTEGER) AS eval_size,
                               r.run_dir, r.config
                        FROM runs r LEFT JOIN chains c USING (run_id) WHERE r.stage = 'evaluate'
                        ORDER BY r.run_id""")


def claims_status(db):
    """Each claim of the reference table judged by its own rule (xlt_core.claims): status, measured value with its
    95% interval, the seeds used, coverage of the runs the rule needs, why, and the rule in words, beside the claim
    and its sources. The dashboard's filters do not apply: each rule says which runs count. None when the database
    has no claims, or claims without their rules (written by an older xlt: `xlt ingest` adds them)."""
    from ..claims import Rule, verdicts

    table = claims(db)
    if table is None or table.empty or "effect" not in table.columns:
        return None
    rules = [Rule.from_row(row) for row in table.to_dict("records")]
    runs = claim_runs(db, sorted({r.model for r in rules}), sorted({s for r in rules for s in r.splits()}))
    found = pd.DataFrame(verdicts(rules, runs, filter_values(db).get("model", [])))
    order = table["claim_id"].str.extract(r"(\d+)$")[0].astype(float)
    return table.assign(_order=order).sort_values(["_order", "claim_id"]).drop(columns="_order").merge(
        found, on="claim_id", how="left")


def claim_runs(db, models, splits):
    """For the claims (xlt_core.claims.qualifying): one row per evaluate run of these models on these splits, with
    its task score (the mean over its languages, QA as (EM+F1)/2) and how many languages it has, its variant's data
    size, sampling and (where recorded) checkpoint selection, its MLM share and the data it ran on; from its config,
    the cap on evaluation examples (eval_size) and its target stage's train_size, lr and epochs (null without one)."""
    return _read(db, """SELECT t.run_id, t.model, t.intermediate_task, t.target_task, t.split, t.seed, t.languages,
                               t.headline AS score, v.* EXCLUDE (variant_key, model, model_size, intermediate_task),
                               coalesce(c.mlm, 0) AS mlm, r.data,
                               CAST(json_extract_string(r.config, '$.eval_size') AS INTEGER) AS eval_size,
                               CASE WHEN json_extract_string(r.config, '$.parent.stage') = 'target' THEN
                                    CAST(json_extract_string(r.config, '$.parent.train.train_size') AS INTEGER) END
                                    AS train_size,
                               CASE WHEN json_extract_string(r.config, '$.parent.stage') = 'target' THEN
                                    CAST(json_extract_string(r.config, '$.parent.train.lr') AS DOUBLE) END AS lr,
                               CASE WHEN json_extract_string(r.config, '$.parent.stage') = 'target' THEN
                                    CAST(json_extract_string(r.config, '$.parent.train.epochs') AS DOUBLE) END
                                    AS epochs
                        FROM task_scores t JOIN variants v ON v.variant_key = t.variant_key
                        LEFT JOIN chains c ON c.run_id = t.run_id LEFT JOIN runs r ON r.run_id = t.run_id
                        WHERE list_contains(?, t.model) AND list_contains(?, t.split)
                        ORDER BY t.model, t.intermediate_task, t.target_task, t.split, t.seed, t.run_id""",
                 [list(models), list(splits)])


def scored_runs(db, f: Filters, limit: int | None = None):
    """The Runs page: every evaluate run of the filters on their split (a run scores one split), newest first, with
    its score (the mean over its languages, or over the chosen ones, of the chosen metric), the number of those
    languages, its variant (data size, sampling, checkpoint selection) and provenance, and the path of its executed
    notebook; `total` counts them all. Unlike the gain views, a chosen intermediate task lists its own runs only:
    the baseline (intermediate 'none') is listed when no intermediate task is chosen."""
    where, params = f.where(skip=("intermediate_tasks",))
    if f.intermediate_tasks:
        where += " AND list_contains(?, intermediate_task)"
        params = [*params, list(f.intermediate_tasks)]
    return _read(db, f"""WITH scored AS (SELECT run_id, any_value(model) AS model,
                                               any_value(model_size) AS model_size,
                                               any_value(intermediate_task) AS intermediate_task,
                                               any_value(intermediate_size) AS intermediate_size,
                                               any_value(sampling) AS sampling, any_value(selection) AS selection,
                                               any_value(target_task) AS target_task, any_value(split) AS split,
                                               any_value(seed) AS seed, avg({f.metric}) AS score,
                                               count(*) AS languages
                                        FROM cells WHERE split = ? AND {where} GROUP BY run_id),
                              newest AS (SELECT s.*, r.finished_at FROM scored s JOIN runs r USING (run_id)
                                         ORDER BY r.finished_at DESC, s.run_id LIMIT ?)
                         SELECT n.run_id, n.score, n.languages, n.model, n.model_size, n.intermediate_task,
                                n.intermediate_size, n.sampling, n.selection, n.target_task, n.split, n.seed, r.data,
                                r.data_revision, r.git_commit, r.git_dirty, r.xlt_version, r.device, r.wall_s,
                                r.finished_at, r.run_dir, r.notebook, (SELECT count(*) FROM scored) AS total
                         FROM newest n JOIN runs r USING (run_id)
                         ORDER BY r.finished_at DESC, n.run_id""", [f.split, *params, limit])


def run_scores(db, run_id: str):
    """One run's scores per language: (EM+F1)/2, F1 and EM (for tasks other than QA all three are its metric) and
    the language's evaluation examples, in language order."""
    return _read(db, """SELECT language, headline, f1, em, n FROM cells WHERE run_id = ? ORDER BY language""",
                 [run_id])


def run_chain(db, run_id: str):
    """A run and the stages it was trained from (its parents, through parent_id), first stage first: stage, task,
    seed, dev metric and score, wall time, its folder and notebook."""
    return _read(db, """WITH RECURSIVE chain(run_id, depth) AS (
                            SELECT ?::VARCHAR, 0
                            UNION ALL SELECT r.parent_id, c.depth + 1 FROM chain c JOIN runs r USING (run_id)
                            WHERE r.parent_id IS NOT NULL AND c.depth < 16)
                        SELECT r.run_id, r.stage, r.task, r.seed, r.dev_metric, r.dev_score, r.wall_s, r.run_dir,
                               r.notebook
                        FROM chain c JOIN runs r USING (run_id) ORDER BY c.depth DESC""", [run_id])


def compare_runs(db):
    """Every scored evaluate run with what a side of `xlt compare` may name (xlt_core.compare.SPEC_KEYS): model,
    size, intermediate task, data size, sampling, selection rule, target task, split and seed; from the derived
    tables, so a database without run folders (the synthetic one) has them too; and each run's folder (null where
    none was recorded). In no order (sorting 28,000 ids would cost the page a third of its time)."""
    return _read(db, """SELECT t.run_id, v.model, v.model_size, v.intermediate_task, v.intermediate_size, v.sampling,
                               v.selection, t.target_task, t.split, t.seed, r.run_dir
                        FROM task_scores t JOIN variants v USING (variant_key) LEFT JOIN runs r USING (run_id)""")


def baseline_run(db, run_id: str):
    """The baseline run (intermediate 'none', same model, target task, split, seed and evaluation) that ingest
    paired an evaluate run with (table `paired`), or None."""
    found = _read(db, "SELECT any_value(baseline_id) AS baseline_id FROM paired WHERE run_id = ?", [run_id])
    return None if found is None or found.empty or found["baseline_id"].isna().all() else str(found["baseline_id"][0])
