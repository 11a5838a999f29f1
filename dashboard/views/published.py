"""Published vs reproduced: the reference numbers, each with its source, beside our baselines; where two sources
report the same number differently, both are shown and flagged."""

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
differ = table[table["disagrees"] != ""]
st.caption(f"{len(table)} published numbers, each with its source; {matched} have a reproduction here (same model, "
           "task, metric, split and language; 'avg' is our mean over the task's official languages, `our_languages` "
           "says how many). Ours are baselines without an intermediate task: a published system trained with one "
           "(X-STILTs) is shown without a reproduction. A number reported by two sources is listed once per "
           "source: `also_in` names the sources that agree, `disagrees` the other value and its source.")
if not matched:
    st.info("No run here uses a published model yet (e.g. xlm-roberta-large): the chart shows the published "
            "numbers alone.")
common.chart(charts.published_bars(table, title="published averages, and ours where we have them"), table,
             "published_vs_reproduced")
if len(differ):
    st.subheader(f"Where sources disagree ({len(differ)} numbers)")
    st.caption("The same model, task, metric, split and language, reported differently by two sources: neither "
               "is preferred; each keeps its source.")
    differ = differ[["system", "target_task", "language", "metric", "split", "published", "source", "disagrees"]]
    st.dataframe(differ, hide_index=True, width="stretch")
    common.downloads(differ, "published_disagreements")
st.subheader("Every published number")
st.dataframe(table, hide_index=True, width="stretch")
common.downloads(table, "published_numbers")
