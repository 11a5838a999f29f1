"""Published vs reproduced: the reference numbers, each with its source (the full citation), beside
our baselines: a published-vs-ours scatter, the averages as bars and every number in a table; where two sources
report the same number differently, both are shown and flagged. By default only the systems we reproduce."""

import streamlit as st

from dashboard import common, data
from xlt_core import analysis, charts

SYSTEMS = {"reproduced": "systems we reproduce", "all": "all systems"}

db, f, values = common.context()
st.header("Published vs reproduced")
published, ours = data.published(db), data.baselines(db, f)
if published is None or published.empty:
    common.nothing("the database has no published numbers (run `xlt ingest --rebuild`).")
    st.stop()
every = analysis.published_vs_reproduced(published, ours)
matched = int(every["reproduced"].notna().sum())
which = st.radio("Systems", list(SYSTEMS), format_func=SYSTEMS.get, horizontal=True,
                 key=common.url_choice("pub_systems", list(SYSTEMS), "reproduced"))
table = every if which == "all" or not matched else analysis.reproduced_only(every)
st.caption(f"{len(table)} of {len(every)} published numbers shown ({table['system'].nunique()} of "
           f"{every['system'].nunique()} systems), each with its source; {matched} have a reproduction here (same "
           "model, task, metric, split and language; 'avg' is our mean over the task's official languages, "
           "`our_languages` says how many). Ours are baselines without an intermediate task, the mean over seeds: a "
           "published system trained with one (X-STILTs) has no reproduction here. A number reported by two "
           "sources is listed once per source: `also_in` names the sources that agree, `note` the other value and "
           "its source where they disagree.")
if not matched:
    st.info("No run here uses a published model yet (e.g. xlm-roberta-large): every system is shown, with the "
            "published numbers alone.")

points = analysis.published_points(table)
if len(points):
    st.subheader("Published against ours")
    st.caption("One point per system, source, target task and metric with a reproduction here: the source's "
               "average over languages ('avg') where it gives one, else the mean over the languages both have (the "
               "CSV's `languages`). Above the dashed y = x line we score higher than the source.")
    common.chart(charts.published_scatter(points, title="published vs ours, one point per system, task and metric"),
                 points, "published_scatter")
st.subheader("Averages over languages")
st.caption("Each source's average over languages ('avg' rows) per target task and metric; ours first in each "
           "group, grey and hatched.")
common.chart(charts.published_bars(table, title="published averages, and ours where we have them"), table,
             "published_vs_reproduced")

shown = analysis.published_shown(table)
first = ["system", "target_task", "language", "metric", "split", "published", "reproduced", "difference", "note",
         "source"]  # the long source text last but the columns that follow it
shown = shown[first + [c for c in shown.columns if c not in first]]
shown = analysis.as_text(shown, ["published", "reproduced", "difference"], signed=["difference"])
columns = {"reproduced": "ours", "difference": "ours - published",
           "note": st.column_config.TextColumn("note", width="medium"),
           "source": st.column_config.TextColumn("source", width="medium")}
differ = shown[shown["note"] != ""]
if len(differ):
    st.subheader(f"Where sources disagree ({len(differ)} numbers)")
    st.caption("The same model, task, metric, split and language, reported differently by two sources: neither "
               "is preferred; each keeps its source, the note gives the other's number.")
    differ = differ[["system", "target_task", "language", "metric", "split", "published", "note", "source"]]
    st.dataframe(differ, hide_index=True, width="stretch", column_config=columns)
    common.downloads(differ, "published_disagreements")
st.subheader("Every published number")
st.caption("Numbers with one decimal, as in the downloads; the bar chart's CSV above has ours at full precision.")
st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
common.downloads(shown, "published_numbers")
