"""Model size: base vs large side by side, gains and the English-vs-other-languages gap, and the gains of every
variant with base against large."""

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts

db, f, values = common.context()
st.header("Model size")
summary = analysis.with_labels(common.gain_summary(), model=False)  # sizes side by side: labels without the model
if summary["model_size"].nunique() < 2:
    st.info(f"Only one model size in the filtered results ({', '.join(summary['model_size'].unique())}): run the "
            "same study with another (`sweeps/model_size.yaml`) to compare.")
variants = sorted(summary["variant"].unique())
variant = st.selectbox("Intermediate training", variants,
                       key=common.url_choice("size_variant", variants, variants[0]))
rows = summary[summary["variant"] == variant]
common.caution(rows)
common.chart(charts.gain_bars(rows, x="target_task", color="model_size", error="ci_half",
                              title=f"gain after {variant}, by model size"), rows, f"size_gains_{variant}")
gap = data.english_gap(db, f)
if gap is not None and not gap.empty:
    gap = analysis.with_labels(gap, model=False)
    gap = gap[gap["variant"].isin([variant, "none"])]
    gap["variant"] = gap["model_size"] + " · " + gap["variant"]
    st.subheader("English vs the other languages, by size")
    common.chart(charts.gap_bars(gap, title="English − other languages: baseline and after intermediate training"),
                 gap, f"size_gap_{variant}")

pairs = analysis.size_pairs(summary)
if len(pairs):
    st.subheader("Base against large, every intermediate training")
    st.caption("One point per intermediate training and target task that has both sizes: x the mean gain over seeds "
               "with the base model, y with the large one, with their 95% intervals as error bars where there are "
               "some (the CSV's lo_/hi_ columns). Above the dashed y = x line the large model gains more.")
    common.chart(charts.size_scatter(pairs, title="gain with base vs gain with large, per intermediate training and "
                                                  "target task"), pairs, "size_scatter")
