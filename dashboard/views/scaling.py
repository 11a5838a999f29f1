"""Scaling: gain against the size of the intermediate training data."""

import streamlit as st

from dashboard import common
from xlt_core import analysis, charts

st.header("Scaling with intermediate data")
summary = common.gain_summary()
summary = summary[summary["regime"] == "single"].copy()
summary["examples"] = [analysis.data_size(i, n) for i, n in zip(summary["intermediate_task"],
                                                                 summary["intermediate_size"])]
summary = summary.dropna(subset=["examples"])
sized = summary.groupby(["model", "intermediate_task"])["examples"].nunique()
if summary.empty or sized.max() < 2:
    common.nothing("a scaling curve needs one intermediate task at two or more data sizes "
                   "(`sweeps/data_scaling.yaml`).")
    st.stop()
common.caution(summary)
st.caption("Full-data points use the task's training-set size. Gains averaged over the chosen target tasks.")
mean = summary.groupby(["model", "intermediate_task", "examples"], as_index=False)["gain"].mean()
mean["line"] = mean["model"] + " · " + mean["intermediate_task"]
common.chart(charts.gain_lines(mean, x="examples", color="line", title="mean gain over target tasks vs examples"),
             mean, "scaling_mean")
per_target = summary.assign(line=summary["model"] + " · " + summary["intermediate_task"])
target = st.selectbox("One target task", sorted(per_target["target_task"].unique()), key="scaling_target")
rows = per_target[per_target["target_task"] == target]
common.chart(charts.gain_lines(rows, x="examples", color="line", title=f"{target}: gain vs examples"), rows,
             f"scaling_{target}")
