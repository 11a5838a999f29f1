"""Regimes: single vs multi-task vs sequential vs MLM co-training vs translated intermediate data."""

import streamlit as st

from dashboard import common
from xlt_core import charts

st.header("Training regimes")
summary = common.gain_summary()
summary = summary[summary["intermediate_size"].isna() | (summary["regime"] != "single")]  # scaling runs aside
summary = summary[summary["selection"] == "en-dev"]  # regimes under the default checkpoint selection (zero-shot)
common.caution(summary)
by_regime = summary.groupby(["model", "regime", "target_task"], as_index=False).agg(
    gain=("gain", "mean"), variants=("variant", "nunique"), rows=("gain", "size"), ci_low=("ci_low", "first"),
    ci_high=("ci_high", "first"))
# a mean of several rows has no interval of its own: only a regime with one row keeps that row's interval
by_regime.loc[by_regime["rows"] > 1, ["ci_low", "ci_high"]] = float("nan")
by_regime = by_regime.drop(columns="rows")
by_regime = by_regime.sort_values(["model", "target_task", "regime"], ignore_index=True)
models = by_regime["model"].unique()
st.caption("Mean gain of each regime's variants (single task, multi-task, sequential chains, MLM co-training, "
           "translated data), per model and target task, with the default checkpoint selection (en-dev): one panel per "
           "model, so base and large never share a bar. "
           "Error bars: the 95% interval of a regime with a single variant; a mean of several variants has none.")
title = "gain by regime" + (f" · {models[0]}" if len(models) == 1 else "")
common.chart(charts.regime_bars(by_regime, title=title), by_regime, "regimes")
st.dataframe(summary[["variant", "regime", "target_task", "gain", "ci_low", "ci_high", "seeds", "min_examples",
                      "crosses_zero"]], hide_index=True, width="stretch")
common.downloads(summary, "regime_variants", "Download every variant (CSV)")
