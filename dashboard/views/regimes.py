"""Regimes: single vs multi-task vs sequential vs MLM co-training vs translated intermediate data."""

import streamlit as st

from dashboard import common
from xlt_core import charts

st.header("Training regimes")
summary = common.gain_summary()
summary = summary[summary["intermediate_size"].isna() | (summary["regime"] != "single")]  # scaling runs aside
common.caution(summary)
by_regime = summary.groupby(["model", "regime", "target_task"], as_index=False).agg(
    gain=("gain", "mean"), variants=("variant", "nunique"))
st.caption("Mean gain of each regime's variants (single task, multi-task, sequential chains, MLM co-training, "
           "translated data), per target task.")
common.chart(charts.gain_bars(by_regime, x="target_task", color="regime", title="gain by regime"), by_regime,
             "regimes")
st.dataframe(summary[["variant", "regime", "target_task", "gain", "ci_low", "ci_high", "seeds", "min_examples",
                      "crosses_zero"]], hide_index=True, width="stretch")
common.csv_button(summary, "regime_variants", "Download every variant (CSV)")
