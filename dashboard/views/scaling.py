"""Scaling: gain against the size of the intermediate training data, one panel per model."""

import streamlit as st

from dashboard import common
from xlt_core import analysis, charts

st.header("Scaling with intermediate data")
summary = common.gain_summary()
single = summary[summary["regime"] == "single"]
if (single["selection"] == "en-dev").any():  # one point per size: the zero-shot checkpoint rule, not its variants
    single = single[single["selection"] == "en-dev"]
summary = analysis.scaling_points(single)
sized = summary.groupby(["model", "intermediate_task"])["examples"].nunique()
if summary.empty or sized.max() < 2:
    common.nothing("a scaling curve needs one intermediate task at two or more data sizes "
                   "(`sweeps/data_scaling.yaml`).")
    st.stop()
common.caution(summary)
KEEP = ["model", "model_size", "intermediate_task", "intermediate_size", "examples", "full", "target_task", "gain",
        "ci_low", "ci_high", "interval", "seeds"]
FULL = ("Open, larger markers: the full training set (its size from the task's training split); the others are "
        "random subsamples. X axis: intermediate training examples, log scale.")
st.caption("Each point: the gain (points over the same model without intermediate training) averaged over the chosen "
           "target tasks, one line per intermediate task, one panel per model. These means are not tested: they have "
           f"no interval and no band. {FULL}")
mean = summary.groupby(["model", "intermediate_task", "examples", "full"], as_index=False)["gain"].mean()
common.chart(charts.gain_lines(mean, x="examples", color="intermediate_task", facet="model", band=False, full="full",
                               title="mean gain over target tasks vs intermediate training examples"),
             mean, "scaling_mean")
targets = sorted(summary["target_task"].unique())
target = st.selectbox("One target task", targets, key=common.url_choice("scaling_target", targets, targets[0]))
rows = summary[summary["target_task"] == target][[c for c in KEEP if c in summary]]
st.caption(f"Each point: the mean gain over seeds on {target}; the shaded band around a line (same colour): its 95% "
           "interval, from the paired tests where there are some (Student's t over seeds, or one seed's bootstrap "
           f"over the evaluation examples), else a bootstrap over seeds; no band where a point has none. {FULL}")
common.chart(charts.gain_lines(rows, x="examples", color="intermediate_task", facet="model", full="full",
                               title=f"{target}: gain vs intermediate training examples"), rows, f"scaling_{target}")
