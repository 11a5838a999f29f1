"""Overview: the study table, as a paper's main table -- a row per variant (the baseline first), the XTREME score
and its groups, then each target task; in each cell the score and the gain over the baseline, linked to the runs
behind it (xlt_core.study)."""

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, study

SUBSAMPLES = ["hide", "show"]  # the URL's `subsamples` (state.PAGE_PARAMS)


@st.cache_data(ttl=data.TTL, show_spinner=False)
def rows(db, f, subsamples: bool):
    """The table's rows (study.table_rows) for the current filters: a second to make on the synthetic database,
    so kept like the queries."""
    summary = data.gain_summary(db, f, ("target_task",))
    return study.table_rows(data.study(db, f), summary, f.split, f.metric, subsamples)


def _flip():
    st.session_state["subsamples"] = SUBSAMPLES[int(st.session_state["subsamples_toggle"])]


db, f, values = common.context()
st.header("Overview")
scores = data.study(db, f)
if scores is None or scores.empty:
    common.nothing("no scores match the filters.")
    st.stop()
summary = data.gain_summary(db, f, ("target_task",))
key = common.url_choice("subsamples", SUBSAMPLES, "hide")
st.session_state["subsamples_toggle"] = st.session_state[key] == "show"
show = st.toggle("Show the data-size subsamples", key="subsamples_toggle", on_change=_flip,
                 help="Variants trained on part of their intermediate data, each under its variant on all of it.")
shown = rows(db, f, show)

common.caution(summary)
if summary is None:
    st.info("No gains to show: a gain needs runs with and without intermediate training (intermediate task 'none') "
            "for the same model and target task, on the chosen split. The scores are below.")
low, high = int(scores["seeds"].min()), int(scores["seeds"].max())
tested = shown[shown["min_examples"].notna()]
fewest = "" if tested.empty else f", at least {int(tested['min_examples'].min()):,} evaluation examples a language"
subsamples = scores[scores["intermediate_size"].notna()]
hidden = 0 if show else (len(subsamples.drop_duplicates(list(analysis.VARIANT)))
                         - len(shown[shown["subsample"]].drop_duplicates(["model", "variant"])))
st.caption(
    f"Each cell: the score on the {f.split} split, a mean over languages of means over seeds "
    f"({low if low == high else f'{low} to {high}'} seed{'s' if high > 1 else ''} a variant{fewest}), and under it "
    "the gain in points over the baseline of the same model and checkpoint selection rule (a mean over the seeds "
    "it shares with that baseline). A task's gain is tested: grey where its 95% interval crosses 0 (Student's t "
    "over seeds with two or more, else a paired bootstrap over the evaluation examples). The group and XTREME gains "
    "are the means of their tasks' gains, untested (as `xlt report`). Bold: the best score of its column for the "
    "model (zero-shot, every official language); italic: a task missing some of its official languages, kept out of "
    "the group and XTREME scores. Rows: "
    "the baseline first, then by the gain in the XTREME score (without one: by the mean gain of their tasks)"
    + (f"; {hidden} data-size subsample{'s' if hidden > 1 else ''} folded under {'their' if hidden > 1 else 'its'} "
       "variant on all the data (the toggle shows them)." if hidden else ".")
    + " Each cell links to its runs.")
st.caption(study.LEGEND)
for model, model_rows in shown.groupby("model", sort=False):
    if shown["model"].nunique() > 1:
        st.subheader(str(model))
    st.html(study.study_html(model_rows))
common.downloads(shown, "study_table", "Download the table (CSV)")
st.caption("The downloads hold one row per cell: the score and gain at full precision in the CSV, with the "
           "interval (`ci_low`, `ci_high`, `interval`, `crosses_zero`), `seeds`, `examples` per seed and "
           "`min_examples` per language, and the cell's link; Markdown and LaTeX with one decimal.")
