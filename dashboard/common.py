"""What every page shares: the current filters, a chart with its data as CSV, every table's rows as CSV, Markdown
and LaTeX, the empty-result message and the caution line of a view resting on one seed or few examples."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard import data, state
from xlt_core import analysis, charts, tables


def context():
    """(database path, Filters, filter values) of this run, set up by app.py's sidebar."""
    return data.db_path(), st.session_state["filters"], st.session_state["values"]


def url_choice(name: str, options: list, default) -> str:
    """Set up this page's choice `name` (its widget key and its URL parameter, state.PAGE_PARAMS): the URL's value
    when the page is first drawn, else the last one chosen, if still an option (else the default, the URL's with a
    warning); the choice is written back to the URL. Returns the key for the widget."""
    if st.session_state.get(name) not in options:  # first draw on this visit, or the filters changed the options
        wanted = st.session_state.get("page_choices", {}).pop(name, None)  # the URL's, checked once
        value, warning = state.choose(name, wanted, options, default)
        if warning:
            st.warning(f"URL: {warning}")
            st.session_state["url_warnings"] = [*st.session_state.get("url_warnings", []), warning]
        if wanted is None and st.session_state.get(f"last_{name}") in options:
            value = st.session_state[f"last_{name}"]
        st.session_state[name] = value
    st.session_state[f"last_{name}"] = st.session_state[name]
    st.query_params[name] = str(st.session_state[name])
    return name


def url_choices(name: str, options: list) -> str:
    """url_choice for a multiselect (state.PAGE_LISTS): the URL's values among the options when the page is first
    drawn (a warning for each other one), else the last chosen still among them; written back to the URL as the
    parameter repeated. Returns the key for the widget."""
    if name not in st.session_state:
        wanted = st.session_state.get("page_choices", {}).pop(name, None)
        value, warnings = state.choose_many(name, wanted, options)
        for warning in warnings:
            st.warning(f"URL: {warning}")
        st.session_state["url_warnings"] = [*st.session_state.get("url_warnings", []), *warnings]
        st.session_state[name] = value if wanted is not None else st.session_state.get(f"last_{name}", [])
    st.session_state[name] = [v for v in st.session_state[name] if v in options]
    st.session_state[f"last_{name}"] = st.session_state[name]
    if st.session_state[name]:
        st.query_params[name] = [str(v) for v in st.session_state[name]]
    elif name in st.query_params:
        del st.query_params[name]
    return name


def chart(fig, df: pd.DataFrame, name: str, select: bool = False):
    """A plotly chart and, under it, the rows it was drawn from as a CSV download and the figure itself as SVG and
    PNG (charts.export, made when clicked; keys `svg-<name>`, `png-<name>`). `select`: a click on a point reruns
    the page, and the chart's selection event is returned (its `selection.points`); else None."""
    event = st.plotly_chart(fig, width="stretch", key=f"chart-{name}",
                            **({"on_select": "rerun", "selection_mode": "points"} if select else {}))
    with st.container(horizontal=True, gap="small"):
        _csv(df, name, "Download the data (CSV)")
        if charts.can_export():
            for fmt, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
                st.download_button(f"Figure ({fmt.upper()})", lambda fmt=fmt: charts.export(fig, fmt),
                                   file_name=file_stem(name) + "." + fmt, mime=mime, key=f"{fmt}-{name}",
                                   on_click="ignore", help="The figure as drawn here, on a white background")
        else:
            st.caption("Figures as SVG/PNG need Chrome or Chromium on the PATH (kaleido draws them there).")
    return event if select else None


def downloads(df, name: str, label: str = "Download the data (CSV)") -> None:
    """The rows of a table as three downloads side by side: CSV (full precision; key `csv-<name>`, file
    `<name>.csv`), Markdown and LaTeX (booktabs) as `xlt report` writes them, numbers with one decimal (keys
    `md-<name>`, `tex-<name>`; files `<name>.md`, `<name>.tex`). `df`: a DataFrame, or a function returning one
    for rows too many to compute on every rerun (then every file is made when its button is clicked). Markdown and
    LaTeX are always made on click."""
    rows = df if callable(df) else (lambda: df)
    with st.container(horizontal=True, gap="small"):
        _csv((lambda: rows().to_csv(index=False)) if callable(df) else df, name, label)
        for fmt, key, ext, mime, text in (("markdown", "md", "md", "text/markdown", "Markdown"),
                                          ("latex", "tex", "tex", "application/x-tex", "LaTeX")):
            st.download_button(text, lambda fmt=fmt: tables.render(rows(), fmt), file_name=file_stem(name) + "." + ext,
                               mime=mime, key=f"{key}-{name}", on_click="ignore",
                               help=f"The same rows as a {text} table, numbers with one decimal, ready for a paper")


def file_stem(name: str) -> str:
    """A download's file name from its key's name: what is not a letter, digit, '_', '.' or '-' becomes '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def _csv(df, name: str, label: str) -> None:
    data = df if callable(df) else df.to_csv(index=False)
    st.download_button(label, data, file_name=file_stem(name) + ".csv", mime="text/csv", key=f"csv-{name}",
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
