"""Cached reads for the pages, all through xlt_core.results (short-lived read-only connections)."""

from __future__ import annotations

import os

import streamlit as st

from xlt_core import results


def db_path() -> str:
    return os.environ.get("XLT_DB", "results.duckdb")


@st.cache_data(ttl=10, show_spinner=False)
def filter_values(db: str) -> dict:
    return results.filter_values(db)


@st.cache_data(ttl=10, show_spinner=False)
def gains(db: str, target_task: str, split: str, models: tuple, intermediate_tasks: tuple):
    return results.gains(db, target_task, split, list(models), list(intermediate_tasks))
