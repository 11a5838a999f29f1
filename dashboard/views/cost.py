"""Cost: gain against the compute of the whole chain, with the Pareto front."""

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts

db, f, values = common.context()
st.header("Gain vs compute")
per_seed = data.task_gains(db, f)
if not common.gains_or_warn(per_seed):
    st.stop()
summary = analysis.gain_summary(per_seed, by=())
st.caption("One point per variant: mean gain over the chosen target tasks against the mean device-hours of a chain "
           "(intermediate, target and evaluation stages as measured by each run). The dashed line is the Pareto "
           "front: variants nothing else beats on both gain and compute.")
front = analysis.pareto_front(summary)
common.chart(charts.gain_vs_cost(summary, front, title="gain vs device-hours"), summary, "gain_vs_cost")
st.dataframe(front[["variant", "regime", "hours", "gain"]], hide_index=True, width="stretch")
