"""What every page shares: the current filters, a chart with its data as CSV, the empty-result message and the
caution line of a view resting on one seed or few examples."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard import data
from xlt_core import analysis


def context():
    """(database path, Filters, filter values) of this run, set up by app.py's sidebar."""
    return data.db_path(), st.session_state["filters"], st.session_state["values"]


def chart(fig, df: pd.DataFrame, name: str) -> None:
    """A plotly chart and, under it, the rows it was drawn from as a CSV download."""
    st.plotly_chart(fig, width="stretch", key=f"chart-{name}")
    csv_button(df, name)


def table(html: str, df: pd.DataFrame, name: str, label: str = "Download the data (CSV)", height: int = 480) -> None:
    """An HTML table (from xlt_core.charts, its text escaped there) in a scrolling box, and the rows it was made
    from as a CSV download."""
    st.html(f'<div style="max-height: {height}px; overflow: auto">{html}</div>')
    csv_button(df, name, label)


def csv_button(df: pd.DataFrame, name: str, label: str = "Download the data (CSV)") -> None:
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".csv"
    st.download_button(label, df.to_csv(index=False), file_name=filename, mime="text/csv", key=f"csv-{name}",
                       on_click="ignore")


def nothing(what: str) -> None:
    """The message for a page whose filters leave nothing to show."""
    st.warning(f"Nothing to show: {what} Widen the filters in the sidebar, or run more of the study "
               "(`xlt sweep run sweeps/...`).")


def caution(rows: pd.DataFrame | None) -> None:
    """The caution line of a view whose gains rest on a single seed or on fewer than a few hundred examples per
    language (analysis.caution); nothing otherwise."""
    text = analysis.caution(rows)
    if text:
        st.warning(text, icon=":material/warning:")


def gain_summary(by: tuple[str, ...] = ("target_task",)) -> pd.DataFrame:
    """The gains of the current filters summarised over seeds, with their intervals, seeds and examples
    (data.gain_summary); stops the page with a message when there are none."""
    db, f, _ = context()
    summary = data.gain_summary(db, f, by)
    if summary is None:
        nothing("a gain needs runs with and without intermediate training (intermediate task 'none') for the same "
                "model and target task, on the chosen split.")
        st.stop()
    return summary
