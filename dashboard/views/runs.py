"""Runs: every run with its provenance and its executed notebook."""

import json
import os
from pathlib import Path

import streamlit as st

from dashboard import common, data

db, f, values = common.context()
SHOWN = 1000
st.header("Runs")
runs = data.runs(db, f, SHOWN)
if runs is None or runs.empty:
    common.nothing("no runs match the filters.")
    st.stop()
total = int(runs["total"].iloc[0])
st.caption(f"{total:,} runs match the filters" + (f"; the newest {SHOWN:,} are shown." if total > SHOWN else "."))
lab = os.environ.get("XLT_LAB_URL", "http://127.0.0.1:8888").rstrip("/")
root = Path.cwd()


def lab_link(notebook):
    """The executed notebook in JupyterLab (`make lab`), when it lies under the folder the lab serves."""
    try:
        return f"{lab}/lab/tree/{Path(notebook).resolve().relative_to(root)}" if notebook else None
    except ValueError:
        return None


runs = runs.drop(columns=["total"]).assign(open=[lab_link(n) for n in runs["notebook"]])
st.dataframe(runs, hide_index=True, width="stretch",
             column_config={"open": st.column_config.LinkColumn("notebook", display_text="open in JupyterLab")})
common.downloads(lambda: data.runs(db, f).drop(columns=["total"]), "runs", "Download every matching run (CSV)")

st.subheader("One run")
run_id = st.selectbox("Run", runs["run_id"], key="run_detail")
detail = data.run_detail(db, run_id)
if detail is not None and len(detail):
    row = detail.iloc[0]
    cols = st.columns(4)
    cols[0].metric("stage", row["stage"])
    cols[1].metric("seed", int(row["seed"]))
    cols[2].metric("wall time (s)", f"{row['wall_s']:.1f}")
    cols[3].metric("device", row["device"])
    st.write(f"git `{row['git_commit']}`" + (" (with uncommitted changes)" if str(row["git_dirty"]) == "True" else "")
             + f", xlt {row['xlt_version']}, data `{row['data']}` @ `{row['data_revision']}`")
    for label, column in (("config", "config"), ("packages", "packages"), ("hardware", "hardware"),
                          ("cost", "cost")):
        with st.expander(label):
            st.json(json.loads(row[column] or "{}"))
    notebook = Path(row["notebook"]) if row["notebook"] else None
    if notebook and notebook.exists():
        st.download_button("Download the executed notebook", notebook.read_bytes(), file_name=f"{run_id}.ipynb",
                           mime="application/x-ipynb+json", on_click="ignore", key="notebook")
