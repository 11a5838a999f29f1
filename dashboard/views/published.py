"""Published vs reproduced: the reference numbers, each with its source, beside our baselines."""

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts

db, f, values = common.context()
st.header("Published vs reproduced")
published, ours = data.published(db), data.baselines(db, f)
if published is None or published.empty:
    common.nothing("the database has no published numbers (run `xlt ingest --rebuild`).")
    st.stop()
table = analysis.published_vs_reproduced(published, ours)
matched = table["reproduced"].notna().sum()
st.caption(f"{len(table)} published numbers; {matched} have a reproduction here (same model, task, metric, split "
           "and language; 'avg' is our mean over the task's official languages, `our_languages` says how many).")
if not matched:
    st.info("No run here uses a published model yet (e.g. xlm-roberta-large): the chart shows the published "
            "numbers alone.")
common.chart(charts.published_bars(table, title="published averages, and ours where we have them"), table,
             "published_vs_reproduced")
st.dataframe(table, hide_index=True, width="stretch")
