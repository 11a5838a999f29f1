"""Claims: each claim to test, and its status on our data."""

import streamlit as st

from dashboard import common, data

db, f, values = common.context()
st.header("Claims")
table = data.claims_status(db, f, values["split"])
if table is None or table.empty:
    common.nothing("the database has no claims (run `xlt ingest --rebuild`).")
    st.stop()
mark = {"supported": "✅ supported", "refuted": "❌ refuted", "not enough data": "… not enough data"}
table = table.assign(status=table["status"].map(mark))
counts = table["status"].value_counts()
cols = st.columns(3)
for col, label in zip(cols, mark.values()):
    col.metric(label, int(counts.get(label, 0)))
st.caption("Measured on dev where there is any (the claims are stated on dev), test otherwise; model, size and seed "
           "filters apply. `status_in_sources` says how firmly the literature states each claim.")
st.dataframe(table[["claim_id", "claim", "status", "measured", "detail", "status_in_sources", "how_to_test"]],
             hide_index=True, width="stretch")
common.csv_button(table, "claims")
