"""xlt dashboard: transfer gains from English intermediate-task training, by intermediate task, target task, model
size and language.

Run with `xlt dashboard` (or `make dashboard`); reads the database named by $XLT_DB (default results.duckdb),
read-only. The sidebar's filters live in the URL's query parameters, so a view can be shared.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard import data, state  # noqa: E402
from xlt_core.scoring import METRIC_CHOICES  # noqa: E402
from xlt_core.tasks import LANGUAGES  # noqa: E402

VIEWS = Path(__file__).parent / "views"
PAGES = [("overview", "Overview", ":material/table:"), ("languages", "Languages", ":material/translate:"),
         ("model_size", "Model size", ":material/straighten:"), ("scaling", "Scaling", ":material/trending_up:"),
         ("regimes", "Regimes", ":material/call_split:"), ("cost", "Cost", ":material/bolt:"),
         ("published", "Published vs reproduced", ":material/menu_book:"), ("claims", "Claims", ":material/gavel:"),
         ("runs", "Runs", ":material/list:"), ("compare", "Compare", ":material/compare_arrows:")]

st.set_page_config(page_title="xlt: cross-lingual transfer", layout="wide")
# Streamlit serves the default page at / only: its own name would answer 'Page not found'. So the Overview is the
# default under a name nobody links to, and a hidden page running the same script answers /overview.
pages = [st.Page(str(VIEWS / f"{name}.py"), title=title, icon=icon, url_path="home" if name == "overview" else name,
                 default=name == "overview") for name, title, icon in PAGES]
pages.append(st.Page(str(VIEWS / "overview.py"), title="Overview", icon=PAGES[0][2], url_path="overview",
                     visibility="hidden"))
page = st.navigation(pages)
st.title("Zero-shot cross-lingual transfer after English intermediate training")

db = data.db_path()
status = data.state(db)
if status != "ready":
    st.info({"missing": f"No results database at `{db}` yet.",
             "empty": f"`{db}` has no scores yet.",
             "outdated": f"`{db}` was written by an older xlt: run `xlt ingest --rebuild` to bring it up to date."}
            [status] + ("" if status == "outdated" else
                        " Run `make demo` (or `xlt run ...`, then `xlt ingest`) to fill it."))
    st.stop()

values = data.filter_values(db)
if "selection" not in st.session_state:  # first run of this session: the URL's filters, checked
    selection, warnings = state.parse({k: st.query_params.get_all(k) for k in st.query_params}, values)
    choices, more = state.page_choices({k: st.query_params.get_all(k) for k in st.query_params})
    st.session_state["selection"], st.session_state["url_warnings"] = selection, warnings + more
    st.session_state["page_choices"] = choices  # each page checks and applies its own (state.choose)
    for field, value in selection.items():
        st.session_state[f"f_{field}"] = value
for warning in st.session_state.get("url_warnings", []):
    st.warning(f"URL: {warning}")

with st.sidebar:
    st.header("Filters")
    for field in ("models", "model_sizes", "intermediate_tasks", "target_tasks", "languages", "seeds"):
        options = state.allowed(values, field)  # values no longer in the results are dropped, not an error
        st.session_state[f"f_{field}"] = [v for v in st.session_state.get(f"f_{field}", []) if v in options]
    splits = values["split"]
    if st.session_state.get("f_split") not in splits:
        st.session_state["f_split"] = state.defaults(values)["split"]
    st.selectbox("Split", splits, key="f_split")
    st.radio("QA metric", list(METRIC_CHOICES), key="f_metric", format_func=METRIC_CHOICES.get, horizontal=True,
             help="Question answering scores as (EM+F1)/2 (XTREME's headline), F1 or EM. Other tasks keep theirs: "
                  "accuracy, or F1 for tagging and BUCC.")
    st.multiselect("Model", state.allowed(values, "models"), key="f_models", placeholder="all models")
    st.multiselect("Model size", state.allowed(values, "model_sizes"), key="f_model_sizes", placeholder="all sizes")
    st.multiselect("Intermediate tasks", state.allowed(values, "intermediate_tasks"), key="f_intermediate_tasks",
                   placeholder="all (the baseline is always kept)")
    st.multiselect("Target tasks", state.allowed(values, "target_tasks"), key="f_target_tasks",
                   placeholder="all target tasks")
    st.multiselect("Languages", state.allowed(values, "languages"), key="f_languages", placeholder="all languages",
                   format_func=lambda lang: f"{lang} · {LANGUAGES.get(lang, (lang,))[0]}")
    st.multiselect("Seeds", state.allowed(values, "seeds"), key="f_seeds", placeholder="all seeds")
    st.caption("An empty filter means every value. The URL holds this view: copy it to share it.")

selection = {field: st.session_state[f"f_{field}"] for field in state.defaults(values)}
st.query_params.from_dict(state.to_query(selection, values))  # the page adds its own choices (state.PAGE_PARAMS)
st.session_state["filters"], st.session_state["values"] = state.to_filters(selection), values
page.run()
