"""xlt dashboard: transfer gains from English intermediate-task training, by target language.

Run with `xlt dashboard` (or `make dashboard`); reads the database named by $XLT_DB (default results.duckdb).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard import data  # noqa: E402
from xlt_core import charts  # noqa: E402

st.set_page_config(page_title="xlt: cross-lingual transfer", layout="wide")
st.title("Zero-shot cross-lingual transfer after English intermediate training")

db = data.db_path()
values = data.filter_values(db)
if not values or not values.get("target_task"):
    st.info(f"No results in `{db}` yet. Run `make demo` (or `xlt run ...`, then `xlt ingest`) to fill it.")
    st.stop()

with st.sidebar:
    st.header("Filters")
    target = st.selectbox("Target task", values["target_task"])
    split = st.selectbox("Split", values["split"], index=values["split"].index("test") if "test" in values["split"] else 0)
    models = st.multiselect("Model", values["model"], default=values["model"])
    inter_choices = [t for t in values["intermediate_task"] if t != "none"]
    inters = st.multiselect("Intermediate task", inter_choices, default=inter_choices)

if not models or not inters:
    st.warning("Choose at least one model and one intermediate task in the sidebar.")
    st.stop()
gains = data.gains(db, target, split, tuple(models), tuple(inters))
if gains is None or gains.empty:
    st.warning("No gains to show for these filters: a gain needs runs with and without intermediate training "
               "(intermediate task 'none') for the same model and target task.")
    st.stop()

st.subheader(f"Gain over no intermediate training: {target} ({split})")
st.plotly_chart(charts.gain_heatmap(gains, title=f"{target}: score after intermediate training minus baseline"),
                width="stretch")
st.dataframe(gains, hide_index=True, width="stretch")
st.download_button("Download CSV", gains.to_csv(index=False), file_name=f"gains_{target}_{split}.csv")
