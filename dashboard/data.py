"""Cached reads for the pages, all through xlt_core.results (each query attaches the file read-only and lets go
at once, so a sweep can keep writing). The cache lives ten seconds: new runs show up on the next interaction."""

from __future__ import annotations

import os

import streamlit as st

from xlt_core import analysis, results
from xlt_core.results import queries

TTL = 10


def db_path() -> str:
    return os.environ.get("XLT_DB", "results.duckdb")


def _cached(query):
    return st.cache_data(ttl=TTL, show_spinner=False)(query)


state = _cached(results.state)
filter_values = _cached(results.filter_values)
study = _cached(results.study)
language_gains = _cached(results.language_gains)
english_gap = _cached(results.english_gap)
claims_status = _cached(results.claims_status)
published = _cached(results.published)
baselines = _cached(results.baselines)
run_detail = _cached(results.run_detail)
scored_runs = _cached(results.scored_runs)
run_scores = _cached(results.run_scores)
run_chain = _cached(results.run_chain)
compare_runs = _cached(results.compare_runs)
baseline_run = _cached(results.baseline_run)


@st.cache_data(ttl=TTL, show_spinner=False)
def gain_tests(db: str, f: results.Filters):
    """Per variant and target task: the paired gains made at ingest with their 95% intervals (queries.paired_gains,
    analysis.gain_intervals); None when the database has none."""
    tests = queries.paired_gains(db, f)
    return None if tests is None or tests.empty else analysis.gain_intervals(tests)


@st.cache_data(ttl=TTL, show_spinner=False)
def language_tests(db: str, f: results.Filters):
    """Per variant, target task and language: the paired gains with their 95% intervals, variants labelled."""
    tests = queries.paired_language_gains(db, f)
    return None if tests is None or tests.empty else analysis.with_labels(analysis.gain_intervals(tests))


@st.cache_data(ttl=TTL, show_spinner=False)
def gain_summary(db: str, f: results.Filters, by: tuple[str, ...] = ("target_task",)):
    """results.task_gains summarised over seeds (analysis.gain_summary), each gain with what it rests on: the
    interval, seeds and examples of its paired tests (analysis.noise_floor); None when there is no gain to show."""
    per_seed = results.task_gains(db, f)
    if per_seed is None or per_seed.empty:
        return None
    return analysis.noise_floor(analysis.gain_summary(per_seed, by), gain_tests(db, f), by)


@st.cache_data(ttl=TTL, show_spinner=False)
def comparison(db: str, side_a: str, side_b: str, split: str, target: str | None, metric: str,
               correction: str = "holm"):
    """`xlt compare A B` for the Compare page: (xlt_core.compare.compare's results, their table exactly as
    `xlt compare --format csv` writes it (xlt_core.report.comparison, read back at full precision), None); or
    (None, None, the XltError's message) where compare refuses (no such side, no shared evaluation, no per-example
    files)."""
    import io

    import pandas as pd

    from xlt_core.compare import compare
    from xlt_core.errors import XltError
    from xlt_core.report import comparison as as_text

    try:
        found = compare(db, side_a, side_b, split, target, metric, correction)
    except XltError as e:
        return None, None, str(e)
    table = pd.read_csv(io.StringIO(as_text(found, "csv", side_a, side_b)), float_precision="round_trip")
    return found, table, None
