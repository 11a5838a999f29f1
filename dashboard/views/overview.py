"""Overview: the XTREME-style table of every variant, and the gain of each intermediate task on each target task
with its interval, seeds and examples."""

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts

db, f, values = common.context()
st.header("Overview")
study = data.study(db, f)
table = analysis.xtreme_table(study)
if table.empty:
    common.nothing("no scores match the filters.")
    st.stop()
st.subheader("Scores by target task (XTREME style)")
low, high = int(study["seeds"].min()), int(study["seeds"].max())
tests = data.gain_tests(db, f)  # what the gains below rest on: the examples of the paired tests
fewest = "" if tests is None else f"; at least {int(tests['min_examples'].min()):,} evaluation examples a language"
st.caption("Task scores are means over languages of means over seeds "
           f"({low if low == high else f'{low} to {high}'} seed{'s' if high > 1 else ''} a cell{fewest}). A task "
           "missing some of its official languages is listed under `partial` and kept out of the group and XTREME "
           "averages, as the official scorer does.")
common.table(charts.score_table(table), table, "xtreme_table", "Download the table (CSV)")

st.subheader("Gain over no intermediate training")
summary = common.gain_summary()
common.caution(summary)
st.caption("Intermediate task × target task: mean gain over seeds in points, ± half its 95% interval (the table's "
           "note says how each is made). The CSV has what each gain rests on: `seeds`, `examples` per seed, "
           "`min_examples` per language, the interval (`ci_low`, `ci_high`, `interval`) and `crosses_zero`.")
common.table(charts.gain_table(summary), summary, "gain_table")
