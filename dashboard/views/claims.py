"""Claims: each claim judged by its stated rule on our runs, with the interval, the seeds and the coverage."""

import streamlit as st

from dashboard import common, data
from xlt_core.claims import STATUSES

db, f, values = common.context()
st.header("Claims")
table = data.claims_status(db)
if table is None or table.empty:
    common.nothing("the database has no claims with their rules (run `xlt ingest`, or `xlt ingest --rebuild`).")
    st.stop()
counts = table["status"].value_counts()
for col, label in zip(st.columns(len(STATUSES)), STATUSES):
    col.metric(label, int(counts.get(label, 0)))
st.caption("Each claim is judged by its own rule: which runs count (model, split, intermediate and target tasks, at "
           "least so many seeds, on real data, the full evaluation data and the default target training), the effect "
           "claimed, and a 95% Student-t interval over seeds paired across the variants. 'not enough data': a run "
           "the rule needs is missing (coverage, which also counts the runs left out), too few seeds have every run, "
           "or the interval cannot decide (a gain's interval holding both 0 and the claimed size). The sidebar's "
           "filters do not apply here. `status_in_sources` says how firmly the literature states each claim.")
shown = table[["claim_id", "claim", "status", "interval", "seeds", "coverage", "reason", "rule", "status_in_sources"]]
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"interval": st.column_config.TextColumn("measured [95% interval]"),
                            "seeds": st.column_config.NumberColumn("paired seeds")})
common.downloads(table, "claims")
st.subheader("The rules")
for row in table.itertuples(index=False):
    with st.expander(f"{row.claim_id}: {row.status} - {row.claim}"):
        st.markdown(f"**Rule.** {row.rule}\n\n**Measured.** {row.interval or 'nothing yet'} ({row.seeds} paired "
                    f"seeds). **Coverage.** {row.coverage}.\n\n**Why.** {row.reason}")
