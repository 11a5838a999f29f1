"""Claims: each claim judged by its stated rule on our runs: which runs qualify, the effect claimed, the measured
interval, the verdict in a word and the coverage of the runs the rule needs."""

import streamlit as st

from dashboard import common, data
from xlt_core.claims import STATUSES, rule_columns

db, f, values = common.context()
st.header("Claims")
table = data.claims_status(db)
if table is None or table.empty:
    common.nothing("the database has no claims with their rules (run `xlt ingest`, or `xlt ingest --rebuild`).")
    st.stop()
table = rule_columns(table)
counts = table["status"].value_counts()
for col, label in zip(st.columns(len(STATUSES)), STATUSES):
    col.metric(label, int(counts.get(label, 0)))
st.caption("Each claim is judged by its own rule: which runs count (model, split, intermediate and target tasks, at "
           "least so many seeds, on real data, the full evaluation data and the default target training), the effect "
           "claimed, and a 95% Student-t interval over seeds paired across the variants. 'not enough data': a run "
           "the rule needs is missing (coverage, which also counts the runs left out), too few seeds have every run, "
           "or the interval cannot decide (a gain's interval holding both 0 and the claimed size). The sidebar's "
           "filters do not apply here. `status_in_sources` says how firmly the literature states each claim.")
shown = table[["claim_id", "claim", "status", "qualifying", "effect_claimed", "interval", "seeds", "seed_coverage",
               "coverage", "reason", "status_in_sources"]]
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"status": st.column_config.TextColumn("verdict"),
                            "qualifying": st.column_config.TextColumn("runs that qualify"),
                            "effect_claimed": st.column_config.TextColumn("effect claimed"),
                            "interval": st.column_config.TextColumn("measured [95% interval]"),
                            "seeds": st.column_config.NumberColumn("paired seeds"),
                            "seed_coverage": st.column_config.TextColumn("seeds found")})
common.downloads(table, "claims")
st.subheader("Each claim and its rule")
for row in table.itertuples(index=False):
    with st.container(border=True, key=f"claim-{row.claim_id}"):
        st.markdown(f"**{row.claim_id}. {row.claim}**")
        st.markdown(f"Verdict: **{row.status}**. Why: {row.reason}.")
        st.markdown(f"- **Rule.** Runs that qualify: {row.qualifying}.\n"
                    f"- **Effect claimed.** {row.effect_claimed}.\n"
                    f"- **Interval.** {row.interval or 'none yet'} ({row.seeds} paired seeds; 95% Student-t over "
                    "seeds).\n"
                    f"- **Coverage.** {row.seed_coverage}. In runs: {row.coverage}.")
        with st.expander("The rule in full"):
            st.markdown(row.rule)
