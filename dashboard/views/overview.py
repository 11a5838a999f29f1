"""Overview: the XTREME-style table of every variant, and the gain of each intermediate task on each target task."""

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts

db, f, values = common.context()
st.header("Overview")
table = analysis.xtreme_table(data.study(db, f))
if table.empty:
    common.nothing("no scores match the filters.")
    st.stop()
st.subheader("Scores by target task (XTREME style)")
st.caption("Task scores are means over languages of means over seeds. A task missing some of its official "
           "languages is listed under `partial` and kept out of the group and XTREME averages, as the official "
           "scorer does.")
common.table(charts.score_table(table), table, "xtreme_table", "Download the table (CSV)")

st.subheader("Gain over no intermediate training")
summary = common.gain_summary()
st.caption("Intermediate task × target task: mean gain over seeds in points; ± is half the 95% bootstrap interval "
           "over seeds, where there are two or more.")
common.table(charts.gain_table(summary), summary, "gain_table")
