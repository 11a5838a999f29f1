"""results.duckdb, the one place with SQL: `store` writes it (schema, idempotent ingest of run folders), `queries`
reads it (short-lived read-only connections, bound parameters, aggregation in SQL)."""

from .queries import (Filters, baseline_run, baselines, chain_rows, check_readable, claim_cells, claims,
                      claims_status, compare_runs, counts, english_gap, filter_values, language_gains, published,
                      run_chain, run_detail, run_scores, runs, scored_runs, state, study, task_gains)
from .store import TABLES, check_writable, connect, ingest

__all__ = ["Filters", "TABLES", "baselines", "chain_rows", "check_readable", "check_writable", "claim_cells", "claims",
           "claims_status", "connect", "counts", "english_gap", "filter_values", "ingest", "language_gains",
           "published", "run_detail", "runs", "state", "study", "task_gains", "baseline_run", "compare_runs",
           "run_chain", "run_scores", "scored_runs"]
