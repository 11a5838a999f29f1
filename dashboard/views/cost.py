"""Cost: gain against the compute of the whole chain, with intervals and the Pareto front."""

import streamlit as st

from dashboard import common
from xlt_core import analysis, charts

st.header("Gain vs compute")
summary = common.gain_summary(by=())
common.caution(summary)
st.caption("One point per variant: mean gain over the chosen target tasks against the mean device-hours of a chain "
           "(intermediate, target and evaluation stages as measured by each run); marker colour and shape: the "
           "regime. Vertical bars: the 95% interval of the gain (a percentile bootstrap over the variant's gains, one "
           "per target task and seed), where a variant has two seeds or more. The dashed line is the Pareto front: "
           "variants nothing else beats on both gain and compute (by their mean gains, not their intervals).")
front = analysis.pareto_front(summary)
common.chart(charts.gain_vs_cost(summary, front, title="gain vs device-hours"), summary, "gain_vs_cost")
st.dataframe(front[["variant", "regime", "hours", "gain"]], hide_index=True, width="stretch")
common.downloads(front[["variant", "regime", "hours", "gain"]], "pareto_front", "Download the front (CSV)")
