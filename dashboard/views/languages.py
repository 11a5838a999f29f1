"""Languages: per-language gains for one target task, every variant at once (a heatmap) and one variant in bars, by
family and script; the English gap of the best variants."""

import dataclasses

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts, language_charts, study
from xlt_core.tasks import TASKS

HEAT_ROWS = ["full training sets", "every data size"]  # the heatmap's rows: variants on all their data, or all
GAP_N = ["5", "10", "20", "40", "all"]  # how many of the best variants the English gap shows


db, f, values = common.context()
st.header("Languages")
scores = data.study(db, f)  # which target tasks have something to compare (cached: the overview asked already)
targets = sorted(set(scores["target_task"][scores["intermediate_task"] != "none"])) if scores is not None else []
if not targets:
    common.nothing("per-language gains need runs with and without intermediate training for the same target task.")
    st.stop()
left, right = st.columns(2)
with_english = [i for i, t in enumerate(targets) if "en" in TASKS[t].languages]
target = left.selectbox("Target task", targets,
                        key=common.url_choice("lang_target", targets, targets[with_english[0] if with_english else 0]))
only_target = dataclasses.replace(f, target_tasks=(target,))
per_language = data.language_gains(db, only_target)
if per_language is None or per_language.empty:
    common.nothing(f"no baseline for {target} to compare with.")
    st.stop()
per_language = analysis.with_labels(per_language)
every = analysis.by_language(analysis.with_language_tests(per_language, data.language_tests(db, only_target)))
common.caution(every)

st.subheader("Every variant, every language")
rows_choice = right.selectbox("Heatmap rows", HEAT_ROWS, key=common.url_choice("heat_rows", HEAT_ROWS, HEAT_ROWS[0]),
                              help="Variants trained on their full intermediate data, or on every data size "
                                   "(the subsamples of the scaling sweep) as well")
full = every[every["intermediate_size"].isna()]
heat = every if rows_choice == HEAT_ROWS[1] or full.empty else full
limit = max(1.0, float(heat["gain"].abs().max()))
st.caption(f"Each cell: the mean gain over seeds (points) of the row's variant over the same model without "
           f"intermediate training, on one language of {target}. Rows: {heat['variant'].nunique()} variants "
           f"({rows_choice}), sorted by their mean gain over the languages, best on top. Columns: English, then the "
           f"other languages grouped by family (named above the columns) and within a family by script. Blue: gain, "
           f"red: loss, the darkest at ±{limit:.1f} points. Numbers in grey italics: the gain's 95% interval "
           "crosses 0 (or there is none). The hover gives the language, its family and script, the interval and the "
           "seeds; a click opens the runs behind the cell; the CSV has one row per cell.")
heat_columns = [c for c in ("variant", "model", "model_size", "intermediate_task", "intermediate_size", "selection",
                            "target_task", "language", "name", "family", "script", "score", "baseline", "gain", "lo",
                            "hi", "interval", "crosses_zero", "seeds", "examples") if c in heat]
event = common.chart(language_charts.gain_heatmap(heat, title=f"{target}: gain by variant and language",
                                                  clickable=True),
                     heat[heat_columns], f"language_heatmap_{target}", select=True)
picked = [p for p in event.selection.points if "x" in p and "y" in p] if event else []
cell = heat[(heat["variant"] == picked[0]["y"]) & (heat["language"] == picked[0]["x"])] if picked else heat.iloc[:0]
if cell.empty:
    st.caption("Click a cell to open the runs behind it.")
else:
    st.html(study.language_cell_html(cell.iloc[0], target, f.split, f.metric, f.seeds))

st.subheader("One variant")
ranking = analysis.variant_ranking(per_language)
variants = sorted(per_language["variant"].unique())
variant = st.selectbox("Intermediate training", variants,
                       key=common.url_choice("lang_variant", variants, ranking["variant"].iloc[0]))
rows = every[every["variant"] == variant]
st.caption("Each bar: the mean gain over seeds with its 95% interval (Student's t over seeds where there are two or "
           "more, else a paired bootstrap over the language's evaluation examples). Blue: a gain, red: a loss; "
           "hatched and paler: the interval crosses 0 (or there is none). Languages grouped by family (named above "
           "the bars), then script, English first. The CSV has the interval, its rule, the seeds and the examples.")
common.chart(language_charts.language_bars(rows, title=f"{target}: gain after {variant}, by language"), rows,
             f"language_gains_{target}_{variant}")
by_group = rows.groupby(["family", "script"], as_index=False).agg(languages=("language", "count"),
                                                                 gain=("gain", "mean"))
st.html(charts.html_table(by_group.rename(columns={"gain": "mean gain (pts)"}), "xlt-groups",
                         {"mean gain (pts)": "{:+.1f}"}, numbers=["languages", "mean gain (pts)"]))
common.downloads(by_group, f"language_groups_{target}_{variant}", "Download the groups (CSV)")

st.subheader("English vs the other languages")
gap = data.english_gap(db, only_target)
if gap is None or gap.empty:
    common.nothing(f"{target} has no English score to compare with.")
    st.stop()
gap = analysis.with_labels(gap)
left, right = st.columns([1, 3])
n = left.selectbox("Best variants shown", GAP_N, key=common.url_choice("gap_n", GAP_N, "10"),
                   help=f"The variants with the best mean gain over the languages of {target}")
top = list(ranking["variant"] if n == "all" else ranking["variant"].head(int(n)))
others = [v for v in ranking["variant"] if v not in top]
extra = right.multiselect("Add variants", others, key=common.url_choices("gap_add", others))
shown = analysis.english_gap_view(gap, top + extra)
st.caption(f"English − others: the English score minus the mean score of the other languages of {target} (points): "
           "the zero-shot transfer gap; the smaller it is, the more of what the model does in English carries over "
           f"to the other languages. Shown: the {len(top)} variants with the best mean gain over the languages"
           f"{f', the {len(extra)} added' if extra else ''}, and in grey the baselines (no intermediate training) of "
           "their model sizes; one panel per model size, sorted by gap.")
common.chart(language_charts.english_gap_bars(shown, title=f"{target}: English − other languages"), shown,
             f"english_gap_{target}")
