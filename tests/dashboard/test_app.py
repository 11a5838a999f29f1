"""Every page through Streamlit's AppTest, on an empty database, on the demo's results and on a synthetic million-row
one; the URL's filters; a filter change that changes the chart; no torch."""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import test_browser
from streamlit.testing.v1 import AppTest

from xlt_core.tasks import LANGUAGES

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["overview", "languages", "model_size", "scaling", "regimes", "cost", "published", "claims", "runs",
         "compare"]


def app(monkeypatch, db, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("XLT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, (page, at.exception)
    return at


def study_cells(body: str) -> dict:
    """One of the overview's study tables (xlt_core.study.study_html): its columns (x), variants (y) and cell texts
    ("52.0 (+2.0)": the score and the gain; '' for an empty cell)."""
    import html
    import re

    text = (lambda part: html.unescape(re.sub(r"<[^>]+>", "", part)).strip())
    header = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", body)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1])
    labels = [html.unescape(re.search(r'<span class="label">(.*?)</span>', r).group(1)) for r in rows]
    texts = [[text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)][1:] for r in rows]
    return {"x": header[1:], "y": labels, "text": texts}


def heatmap(at: AppTest, parse=None) -> dict:
    """The overview's study table of the first (or only) model: columns (x), variants (y), cell texts."""
    return study_cells(next(h.proto.body for h in at.get("html") if "xlt-study" in h.proto.body))


@pytest.mark.parametrize("name", ["missing.duckdb", "outdated.duckdb"])
def test_every_page_explains_an_unready_database(monkeypatch, tmp_path, name):
    if name == "outdated.duckdb":
        import duckdb

        duckdb.connect(str(tmp_path / name)).execute("CREATE TABLE scores (x INTEGER)").close()
    at = app(monkeypatch, tmp_path / name)
    for page in PAGES:
        visit(at, page)
        assert not at.get("plotly_chart")
        assert ("make demo" if name == "missing.duckdb" else "xlt ingest --rebuild") in at.info[0].value


def test_every_page_on_the_demo_results(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db)
    drawn = {}
    for page in PAGES:
        visit(at, page)
        drawn[page] = len(at.get("plotly_chart"))
    # the demo (tiny model, MNLI vs none on XNLI, one seed) has no scaling runs: that page says so; the overview
    # draws HTML tables, no plotly
    assert drawn == {"overview": 0, "languages": 3, "model_size": 2, "scaling": 0, "regimes": 1, "cost": 1,
                     "published": 1, "claims": 0, "runs": 1, "compare": 1}
    visit(at, "overview")
    assert [h.proto.body.count("<table") for h in at.get("html")] == [1]  # one model: one study table
    visit(at, "scaling")
    assert "two or more data sizes" in at.warning[0].value
    visit(at, "claims")
    assert set(at.dataframe[0].value["status"]) == {"not enough data"}  # the demo never qualifies
    visit(at, "runs")
    # the two evaluate runs (none, mnli), each with its score; the newest in detail, with its per-language bars
    assert len(at.dataframe[0].value) == 2 and set(at.dataframe[0].value["intermediate_task"]) == {"none", "mnli"}
    assert at.metric[0].label == "model" and at.metric[0].value == "tiny"
    visit(at, "compare")  # none vs mnli on xnli: xlt compare's table, the task mean and 15 languages
    assert len(at.dataframe[0].value) == 16 and at.metric[2].label == "B − A, task mean"


def test_every_page_on_a_million_scores(monkeypatch, synthetic_db):
    at = app(monkeypatch, synthetic_db)
    for page in PAGES:
        visit(at, page)
        assert not at.warning, (page, at.warning[0].value)
        assert at.get("plotly_chart") or at.dataframe or at.get("html"), page
    drawn = {page: len(visit(at, page).get("plotly_chart")) for page in PAGES}
    assert drawn == test_browser.PAGES  # what the browser tests wait for: every chart of the page
    visit(at, "runs")
    import duckdb

    with duckdb.connect(str(synthetic_db), read_only=True) as con:
        (n,), = con.execute("SELECT count(DISTINCT run_id) FROM cells WHERE split = 'test'").fetchall()
    assert n > 1000 and f"{n:,} evaluate runs on the test split match" in at.caption[0].value
    assert len(at.dataframe[0].value) == 1000 and set(at.dataframe[0].value["split"]) == {"test"}
    visit(at, "compare")  # no run folders: the paired tests stored at ingest, one chart per model
    assert "no run folders" in at.info[0].value and len(at.get("plotly_chart")) == 2


def test_filters_come_from_the_url_and_go_back_to_it(monkeypatch, synthetic_db, html_cells):
    at = app(monkeypatch, synthetic_db, {"target": ["xnli", "xquad"], "size": "large", "metric": "em",
                                         "inter": ["mnli", "1; DROP TABLE cells"], "bogus": "1",
                                         "subsamples": "show"})
    assert at.sidebar.multiselect(key="f_target_tasks").value == ["xnli", "xquad"]
    assert at.sidebar.radio(key="f_metric").value == "em"
    warnings = [w.value for w in at.warning]
    assert any("DROP TABLE cells" in w and "not in the results" in w for w in warnings)
    assert any("unknown URL parameter 'bogus'" in w for w in warnings)
    assert list(heatmap(at, html_cells)["x"]) == ["xnli", "xquad"]
    # one model left (large), so no model prefix: the baselines of the three checkpoint selection rules first, then
    # MNLI on all its data, with its two other selection rules (on XNLI), and (subsamples=show) at the six data
    # sizes, right under MNLI on all of it, smallest first
    rows = heatmap(at, html_cells)["y"]
    assert rows[:3] == ["none", "none (last)", "none (target-dev, not zero-shot)"] and len(rows) == 12
    assert set(rows[3:]) >= {"mnli", "mnli (last)", "mnli (target-dev, not zero-shot)"}
    sizes = [y for y in rows if y.startswith("mnli · ") and y.endswith(" ex.")]
    assert rows[rows.index("mnli") + 1:rows.index("mnli") + 7] == sizes and len(sizes) == 6
    assert [int(y[7:-4].replace(",", "")) for y in sizes] == [1000, 2000, 5000, 10000, 20000, 50000]
    assert at.query_params["target"] == ["xnli", "xquad"] and at.query_params["inter"] in ("mnli", ["mnli"])
    assert "bogus" not in at.query_params and at.query_params["subsamples"] in ("show", ["show"])
    at.toggle(key="subsamples_toggle").set_value(False).run()  # folded: the subsamples hidden, the URL says so
    assert heatmap(at)["y"] == [y for y in rows if y not in sizes]
    assert at.query_params["subsamples"] in ("hide", ["hide"])


def test_changing_a_filter_changes_the_chart(monkeypatch, synthetic_db, html_cells):
    at = app(monkeypatch, synthetic_db, {"target": "xquad", "inter": "squad"})
    before = heatmap(at, html_cells)["text"]
    at.sidebar.radio(key="f_metric").set_value("em").run()
    after = heatmap(at, html_cells)["text"]
    assert not at.exception and before != after and at.query_params["metric"] in ("em", ["em"])
    at.sidebar.multiselect(key="f_target_tasks").set_value(["xnli", "xquad"]).run()
    assert list(heatmap(at, html_cells)["x"]) == ["xnli", "xquad"]


def test_gains_carry_their_intervals_and_a_thin_view_says_so(monkeypatch, demo_db, synthetic_db, html_cells):
    """The demo (one seed, 40 examples a language): the overview and the Languages page say so, each gain has its
    paired-bootstrap interval (one-seed mark) and the per-language bars their error bars, those crossing zero hatched.
    The synthetic database (ten seeds, 1,000 examples) needs no caution, unless a filter leaves one seed."""
    at = app(monkeypatch, demo_db)
    for page in ("overview", "languages", "model_size", "cost"):
        visit(at, page)
        assert [w.value for w in at.warning if w.value.startswith("Caution")] == [
            "Caution: every gain here rests on a single seed: an interval there covers the evaluation examples only, "
            "not the spread between training runs; some languages have fewer than 300 evaluation examples (as few as "
            "40): a gain of a point or two can be noise."], page
    visit(at, "overview")
    table = heatmap(at)
    # one task: no group or XTREME score; MNLI on 1,000 examples is a subsample, but with no variant on all the data
    # to fold under it stays
    assert table["x"] == ["xnli"] and table["y"] == ["none", "mnli · 1,000 ex."]
    (baseline,), (cell,) = table["text"]
    assert re.fullmatch(r"\d+\.\d", baseline) and re.fullmatch(r"\d+\.\d \([+-]\d+\.\d\)", cell)  # score (gain)
    assert "(1 seed a variant, at least 40 evaluation examples a language)" in at.caption[0].value
    visit(at, "languages")
    bars = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]  # [0]: the heatmap of every variant
    drawn = [t for t in bars if t.get("x") != [None]]
    assert all(t["error_y"]["array"] and t["error_y"]["arrayminus"] for t in drawn)
    assert sum(len(t["x"]) for t in drawn) == 15
    hatched = [shape for t in drawn for shape in t["marker"]["pattern"]["shape"] if shape == "/"]
    assert hatched and bars[-1]["name"] == "interval crosses 0"  # the demo's tiny model: some gains are noise
    # the bars' languages by family and script: how many, and their mean gain with one decimal
    header, groups = html_cells(next(h.proto.body for h in at.get("html") if "xlt-groups" in h.proto.body))
    assert header == ["family", "script", "languages", "mean gain (pts)"]
    expected = {}
    for t in drawn:
        y = t["y"]  # plotly writes a numeric array as base64 in the figure's JSON
        gains = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else y
        for lang, gain in zip(t["x"], gains):
            _, script, family = LANGUAGES[lang]
            expected.setdefault((family, script), []).append(gain)
    assert {(f, script): (int(n), g) for (f, _), (script, _), (n, _), (g, _) in groups} == {
        k: (len(v), f"{sum(v) / len(v):+.1f}") for k, v in expected.items()}

    at = app(monkeypatch, synthetic_db, {"seed": "0", "target": "xnli"})
    visit(at, "overview")
    assert at.warning[0].value.startswith("Caution: every gain here rests on a single seed")
    table = heatmap(at)
    gains = [t for y, row in zip(table["y"], table["text"]) if not y.startswith("none") for t in row if t]
    assert gains and all(re.fullmatch(r"\d+\.\d \([+-]\d+\.\d\)", t) for t in gains)


def test_the_app_never_imports_torch(demo_db):
    code = ("import os, sys; os.environ['XLT_DB'] = sys.argv[1];"
            "from streamlit.testing.v1 import AppTest;"
            f"at = AppTest.from_file({APP!r}, default_timeout=60); at.run(); assert not at.exception;"
            f"[at.switch_page(f'views/{{p}}.py').run() for p in {PAGES!r}]; assert not at.exception;"
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(demo_db)], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", "False"]


def test_the_english_gap_adds_the_variants_the_url_names(monkeypatch, synthetic_db):
    """`gap_add` (repeated) adds variants beyond the best N to the English-gap chart; a value that is not a choice
    is ignored with a URL warning; the choice goes back to the URL."""
    at = app(monkeypatch, synthetic_db, {"lang_target": "xnli", "gap_n": "3"})
    visit(at, "languages")
    others = at.multiselect(key="gap_add").options
    assert len(others) > 2
    wanted = [others[-1], others[-2]]
    at = app(monkeypatch, synthetic_db, {"lang_target": "xnli", "gap_n": "3", "gap_add": [*wanted, "nope"]})
    visit(at, "languages")
    assert at.multiselect(key="gap_add").value == wanted
    assert any("ignored gap_add='nope'" in w.value for w in at.warning)
    assert at.query_params["gap_add"] == wanted
    gap = [c for c in at.get("plotly_chart") if "English − other languages" in json.loads(c.proto.spec)["layout"]
           .get("title", {}).get("text", "")]
    drawn = {y for trace in json.loads(gap[0].proto.spec)["data"] for y in (trace.get("y") or [])}
    assert set(wanted) <= drawn  # the added variants are bars of the chart (rows of its horizontal bars)
