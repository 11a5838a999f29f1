"""Runs: the evaluate runs of the sidebar's filters and split, each with its score; one run in detail: its config,
provenance, training chain, executed notebook, per-language scores and a preview of its per-example predictions,
with a link to compare it with its baseline.

The pure parts are functions; the page runs when Streamlit runs this file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pandas as pd
import plotly.graph_objects as go

from xlt_core import charts
from xlt_core.compare import flatten_chain
from xlt_core.scoring import METRIC_CHOICES

SHOWN = 1000
PREVIEW = 50  # predictions shown per language


def lab_url(value: str | None) -> str | None:
    """JupyterLab's address from $XLT_LAB_URL (default http://127.0.0.1:8888, what `make lab` serves), without a
    trailing slash; None unless it is an http(s) URL with a host (then the page shows no notebook links)."""
    url = urlparse((value or "http://127.0.0.1:8888").strip())
    return url.geturl().rstrip("/") if url.scheme in ("http", "https") and url.netloc else None


def lab_link(notebook, lab: str | None, root: Path):
    """The executed notebook in JupyterLab (`make lab`), when it lies under the folder the lab serves."""
    if lab is None:
        return None
    try:
        return f"{lab}/lab/tree/{Path(notebook).resolve().relative_to(root)}" if notebook else None
    except ValueError:
        return None


def _text(value) -> str:
    """A config or provenance value as one line of text (lists and dicts as JSON)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def config_rows(config: str | None) -> pd.DataFrame:
    """A run's config (JSON, its parents embedded) flattened as `xlt compare` flattens it (compare.flatten_chain):
    one row per field, 'evaluate.split', 'target.train.lr', 'intermediate.task', ..."""
    try:
        flat = flatten_chain(json.loads(config or "{}"))
    except (KeyError, TypeError, ValueError, AttributeError):
        flat = {}
    return pd.DataFrame([(k, _text(v)) for k, v in flat.items()], columns=["field", "value"])


def provenance_rows(row: pd.Series) -> pd.DataFrame:
    """What a run was made with: code version, data and its revision, seed, device, time, and the library
    versions it recorded (`packages`), one row each."""
    dirty = " (with uncommitted changes)" if str(row.get("git_dirty")) == "True" else ""
    rows = [("code (git commit)", f"{_text(row.get('git_commit'))}{dirty}"), ("xlt", _text(row.get("xlt_version"))),
            ("data", _text(row.get("data"))), ("data revision", _text(row.get("data_revision"))),
            ("seed", _text(row.get("seed"))), ("device", _text(row.get("device"))),
            ("wall time (s)", "–" if pd.isna(row.get("wall_s")) else f"{float(row['wall_s']):.1f}"),
            ("finished", _text(row.get("finished_at")))]
    try:
        packages = json.loads(row.get("packages") or "{}")
    except (TypeError, ValueError):
        packages = {}
    if isinstance(packages, dict):
        rows += [(f"library: {k}", _text(v)) for k, v in sorted(packages.items())]
    return pd.DataFrame(rows, columns=["what", "value"])


def language_scores(scores: pd.DataFrame, metric: str) -> pd.DataFrame:
    """results.run_scores -> language, score (the chosen metric: QA (EM+F1)/2, F1 or EM; other tasks their own) and
    the language's evaluation examples."""
    return scores[["language", metric, "n"]].rename(columns={metric: "score", "n": "examples"})


def score_bars(scores: pd.DataFrame, title: str = "") -> go.Figure:
    """A run's score per language (language_scores rows) as bars of one colour, the task score (the mean over the
    languages) as a dashed line."""
    fig = go.Figure()
    fig.add_bar(x=scores["language"], y=scores["score"], name="score", marker_color=charts.PALETTE[0],
                customdata=scores[["examples"]].to_numpy(),
                hovertemplate="%{x}: %{y:.1f} (%{customdata[0]} examples)<extra></extra>")
    if len(scores):
        mean = float(scores["score"].mean())
        fig.add_hline(y=mean, line_dash="dash", line_color="grey", annotation_text=f"mean {mean:.1f}")
    fig.update_layout(title=title, yaxis_title="score", xaxis_title="language", height=320, showlegend=False)
    return fig


def compare_link(row: pd.Series, baseline: str | None, split: str) -> str | None:
    """The Compare page's URL for a run against its baseline: the two run ids where ingest paired them, else the
    run's intermediate task against 'none' on its target task. None for a baseline run."""
    if row["intermediate_task"] == "none":
        return None
    query = ({"a": baseline, "b": row["run_id"]} if baseline else {"a": "none", "b": row["intermediate_task"]})
    query["cmp_target"] = row["target_task"]
    if split != "test":
        query["split"] = split
    return "compare?" + urlencode(query)


def main() -> None:
    import streamlit as st

    from dashboard import common, data
    from xlt_core.errors import XltError
    from xlt_core.results import examples

    db, f, values = common.context()
    st.header("Runs")
    runs = data.scored_runs(db, f, SHOWN)
    if runs is None or runs.empty:
        common.nothing(f"no evaluate runs on the {f.split} split match the filters.")
        st.stop()
    total = int(runs["total"].iloc[0])
    over = "the chosen languages" if f.languages else "its languages"
    st.caption(f"{total:,} evaluate runs on the {f.split} split match the filters"
               + (f"; the newest {SHOWN:,} are shown." if total > SHOWN else ".")
               + f" `score`: the run's mean over {over} of {METRIC_CHOICES[f.metric]}. A chosen intermediate task "
                 "lists its own runs (the baseline's are listed when none is chosen). Click a row to see the run.")
    lab = lab_url(os.environ.get("XLT_LAB_URL"))
    if lab is None:
        st.warning(f"XLT_LAB_URL={os.environ.get('XLT_LAB_URL')!r} is not an http(s) URL: no links to the notebooks "
                   "(allowed: e.g. http://127.0.0.1:8888).")
    runs = runs.drop(columns=["total"]).assign(open=[lab_link(n, lab, Path.cwd()) for n in runs["notebook"]])
    ids = list(runs["run_id"])

    def picked():
        rows = st.session_state["runs_table"].selection.rows
        if rows:
            st.session_state["run"] = ids[rows[0]]

    st.dataframe(runs, hide_index=True, width="stretch", key="runs_table", on_select=picked,
                 selection_mode="single-row",
                 column_config={"open": st.column_config.LinkColumn("notebook link", display_text="open in JupyterLab"),
                                "score": st.column_config.NumberColumn("score", format="%.1f"),
                                "wall_s": st.column_config.NumberColumn("wall_s", format="%.1f")})
    common.downloads(lambda: data.scored_runs(db, f).drop(columns=["total"]), "runs",
                     "Download every matching run (CSV)")

    st.subheader("One run")
    wanted = st.session_state.get("page_choices", {}).get("run")
    if wanted and wanted not in ids and len(wanted) <= 80:  # a run from a link, older than the newest shown
        found = data.run_detail(db, wanted)
        if found is not None and len(found):
            ids.append(wanted)
    run_id = st.selectbox("Run", ids, key=common.url_choice("run", ids, ids[0]))
    detail = data.run_detail(db, run_id)
    if detail is None or detail.empty:
        st.warning(f"Run {run_id} is not in the database.")
        st.stop()
    row = detail.iloc[0]
    scores = language_scores(data.run_scores(db, run_id), f.metric)
    listed = runs[runs["run_id"] == run_id]  # a run from a link may be older than the newest shown
    item = listed.iloc[0] if len(listed) else row.copy()
    score = float(item["score"]) if len(listed) else float(scores["score"].mean()) if len(scores) else float("nan")
    cols = st.columns(5)
    cols[0].metric("model", str(item["model"]))
    cols[1].metric("intermediate task", str(item["intermediate_task"]))
    cols[2].metric("target task", str(item["target_task"]))
    cols[3].metric("seed", int(item["seed"]))
    cols[4].metric("score", f"{score:.1f}", help=f"the mean over {over} of {METRIC_CHOICES[f.metric]}")
    link = compare_link(item, data.baseline_run(db, run_id), f.split)
    if link:
        st.markdown(f"[Compare with the baseline]({link}): the paired per-language gains of this run over the run "
                    "without intermediate training, as `xlt compare` computes them.")

    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(score_bars(scores, f"{run_id}: score by language"), width="stretch", key="chart-run-scores")
        st.caption(f"One bar per language: this run's {METRIC_CHOICES[f.metric]} on the language's evaluation "
                   "examples; dashed: their mean, the run's task score.")
    with right:
        st.dataframe(scores, hide_index=True, width="stretch",
                     column_config={"score": st.column_config.NumberColumn("score", format="%.1f")})
        common.downloads(scores, f"run_scores_{run_id}", "Download the scores (CSV)")

    left, right = st.columns(2)
    with left:
        st.markdown("**Provenance**")
        provenance = provenance_rows(row)
        st.dataframe(provenance, hide_index=True, width="stretch")
        common.downloads(provenance, f"provenance_{run_id}", "Download the provenance (CSV)")
    with right:
        st.markdown("**Config** (flattened as `xlt compare` shows it)")
        config = config_rows(row["config"])
        if config.empty:
            st.caption("No config recorded.")
        else:
            st.dataframe(config, hide_index=True, width="stretch")
            common.downloads(config, f"config_{run_id}", "Download the config (CSV)")
    chain = data.run_chain(db, run_id)
    if chain is not None and len(chain) > 1:
        st.markdown("**Training chain** (first stage first)")
        st.dataframe(chain, hide_index=True, width="stretch",
                     column_config={"dev_score": st.column_config.NumberColumn(format="%.1f"),
                                    "wall_s": st.column_config.NumberColumn(format="%.1f")})
        common.downloads(chain, f"chain_{run_id}", "Download the chain (CSV)")

    st.markdown("**Executed notebook**")
    notebook = Path(row["notebook"]) if row["notebook"] else None
    if notebook is None:
        st.caption("This run recorded no executed notebook.")
    else:
        st.code(str(notebook), language=None)
        if notebook.exists():
            st.download_button("Download the executed notebook", notebook.read_bytes(), file_name=f"{run_id}.ipynb",
                               mime="application/x-ipynb+json", on_click="ignore", key="notebook")
        else:
            st.caption("The file is not on this machine.")

    st.markdown("**Per-example predictions**")
    run_dir = row["run_dir"]
    files = examples.files(run_dir) if run_dir else []
    if not files:
        st.info("No per-example predictions for this run: "
                + ("the database records no run folder for it (the synthetic database has none)." if not run_dir
                   else f"{run_dir}/predictions/ has no <language>.parquet files here (run elsewhere, or evaluated "
                        "by an older xlt)."), icon=":material/info:")
        return
    langs = [p.stem for p in files]
    lang = st.selectbox("Language", langs, key=common.url_choice("run_lang", langs, langs[0]))
    try:
        preview = examples.predictions(run_dir, lang, PREVIEW)
    except XltError as e:
        st.info(str(e))
        return
    st.caption(f"The first {min(PREVIEW, len(preview))} evaluation examples of {lang}, in order, with what the run "
               "predicted and the values its score is made of.")
    st.dataframe(preview, hide_index=True, width="stretch")


if __name__ == "__main__":
    main()
