"""Languages: per-language gains for one target and intermediate task, by family and script; the English gap."""

import dataclasses

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts
from xlt_core.tasks import TASKS


db, f, values = common.context()
st.header("Languages")
study = data.study(db, f)  # which target tasks have something to compare (cached: the overview asked already)
targets = sorted(set(study["target_task"][study["intermediate_task"] != "none"])) if study is not None else []
if not targets:
    common.nothing("per-language gains need runs with and without intermediate training for the same target task.")
    st.stop()
left, right = st.columns(2)
with_english = [i for i, t in enumerate(targets) if "en" in TASKS[t].languages]
target = left.selectbox("Target task", targets,
                        key=common.url_choice("lang_target", targets, targets[with_english[0] if with_english else 0]))
per_language = data.language_gains(db, dataclasses.replace(f, target_tasks=(target,)))
if per_language is None or per_language.empty:
    common.nothing(f"no baseline for {target} to compare with.")
    st.stop()
per_language = analysis.with_labels(per_language)
variants = sorted(per_language["variant"].unique())
variant = right.selectbox("Intermediate training", variants, key=common.url_choice("lang_variant", variants, variants[0]))
rows = analysis.by_language(analysis.with_language_tests(per_language[per_language["variant"] == variant],
                                                         data.language_tests(db, dataclasses.replace(
                                                             f, target_tasks=(target,)))))
common.caution(rows)
st.caption("Each bar: the mean gain over seeds with its 95% interval (Student's t over seeds where there are two or "
           "more, else a paired bootstrap over the language's evaluation examples); hatched and paler: the interval "
           "crosses 0 (or there is none). The CSV has the interval, its rule, the seeds and the examples.")
common.chart(charts.language_bars(rows, title=f"{target}: gain after {variant}, by language"), rows,
             f"language_gains_{target}_{variant}")
by_group = rows.groupby(["family", "script"], as_index=False).agg(languages=("language", "count"),
                                                                 gain=("gain", "mean"))
st.dataframe(by_group, hide_index=True, width="stretch",
             column_config={"gain": st.column_config.NumberColumn("mean gain (pts)", format="%+.2f")})
common.downloads(by_group, f"language_groups_{target}_{variant}", "Download the groups (CSV)")

st.subheader("English vs the other languages")
st.caption("English score minus the mean of the other languages: the zero-shot transfer gap, for the baseline and "
           "each intermediate training (tasks with English among their languages).")
gap = data.english_gap(db, dataclasses.replace(f, target_tasks=(target,)))
if gap is None or gap.empty:
    common.nothing(f"{target} has no English score to compare with.")
else:
    gap = analysis.with_labels(gap)
    common.chart(charts.gap_bars(gap, x="variant", color="model", title=f"{target}: English − other languages"),
                 gap, f"english_gap_{target}")
