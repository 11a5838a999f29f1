"""Every page through Streamlit's AppTest, on an empty database, on the demo's results and on a synthetic million-row
one; the URL's filters; a filter change that changes the chart; no torch."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["overview", "languages", "model_size", "scaling", "regimes", "cost", "published", "claims", "runs"]


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


def heatmap(at: AppTest, parse) -> dict:
    """The overview's gain heatmap (an HTML table): target tasks (x), variants (y), cell texts."""
    header, rows = parse(next(h.proto.body for h in at.get("html") if "xlt-gains" in h.proto.body))
    return {"x": header[1:], "y": [r[0][0] for r in rows], "text": [[t for t, _ in r[1:]] for r in rows]}


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
    assert drawn == {"overview": 0, "languages": 2, "model_size": 2, "scaling": 0, "regimes": 1, "cost": 1,
                     "published": 1, "claims": 0, "runs": 0}
    visit(at, "overview")
    assert sorted(h.proto.body.count("<table") for h in at.get("html")) == [1, 1]
    visit(at, "scaling")
    assert "two or more data sizes" in at.warning[0].value
    visit(at, "claims")
    assert set(at.dataframe[0].value["status"]) == {"not enough data"}  # the demo never qualifies
    visit(at, "runs")
    assert len(at.dataframe[0].value) == 5 and at.metric[0].value in ("evaluate", "target", "intermediate")


def test_every_page_on_a_million_scores(monkeypatch, synthetic_db):
    at = app(monkeypatch, synthetic_db)
    for page in PAGES:
        visit(at, page)
        assert not at.warning, (page, at.warning[0].value)
        assert at.get("plotly_chart") or at.dataframe or at.get("html"), page
    visit(at, "scaling")
    assert len(at.get("plotly_chart")) == 2
    visit(at, "runs")
    assert "40,480 runs match" in at.caption[0].value and len(at.dataframe[0].value) == 1000


def test_filters_come_from_the_url_and_go_back_to_it(monkeypatch, synthetic_db, html_cells):
    at = app(monkeypatch, synthetic_db, {"target": ["xnli", "xquad"], "size": "large", "metric": "em",
                                         "inter": ["mnli", "1; DROP TABLE cells"], "bogus": "1"})
    assert at.sidebar.multiselect(key="f_target_tasks").value == ["xnli", "xquad"]
    assert at.sidebar.radio(key="f_metric").value == "em"
    warnings = [w.value for w in at.warning]
    assert any("DROP TABLE cells" in w and "not in the results" in w for w in warnings)
    assert any("unknown URL parameter 'bogus'" in w for w in warnings)
    assert list(heatmap(at, html_cells)["x"]) == ["xnli", "xquad"]
    # one model left (large), so no model prefix: MNLI on all its data, with its two other checkpoint selection
    # rules (on XNLI), and at the six data sizes
    rows = heatmap(at, html_cells)["y"]
    assert rows[:3] == ["mnli", "mnli (last)", "mnli (target-dev, not zero-shot)"] and len(rows) == 9
    assert all(y.startswith("mnli · ") and y.endswith(" ex.") for y in rows[3:])
    assert at.query_params["target"] == ["xnli", "xquad"] and at.query_params["inter"] in ("mnli", ["mnli"])
    assert "bogus" not in at.query_params


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
    (cell,) = [t for row in heatmap(at, html_cells)["text"] for t in row]
    assert cell.endswith("†") and " ±" in cell  # gain ± half the bootstrap interval, one seed
    assert "1 seed a cell, at least 40 evaluation examples a language" in next(
        h.proto.body for h in at.get("html") if "xlt-gains" in h.proto.body)
    visit(at, "languages")
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    drawn = [t for t in bars if t.get("x") != [None]]
    assert all(t["error_y"]["array"] and t["error_y"]["arrayminus"] for t in drawn)
    assert sum(len(t["x"]) for t in drawn) == 15
    hatched = [shape for t in drawn for shape in t["marker"]["pattern"]["shape"] if shape == "/"]
    assert hatched and bars[-1]["name"] == "interval crosses 0"  # the demo's tiny model: some gains are noise

    at = app(monkeypatch, synthetic_db, {"seed": "0", "target": "xnli"})
    visit(at, "overview")
    assert at.warning[0].value.startswith("Caution: every gain here rests on a single seed")
    assert all(t.endswith("†") for row in heatmap(at, html_cells)["text"] for t in row if t)


def test_the_app_never_imports_torch(demo_db):
    code = ("import os, sys; os.environ['XLT_DB'] = sys.argv[1];"
            "from streamlit.testing.v1 import AppTest;"
            f"at = AppTest.from_file({APP!r}, default_timeout=60); at.run(); assert not at.exception;"
            f"[at.switch_page(f'views/{{p}}.py').run() for p in {PAGES!r}]; assert not at.exception;"
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(demo_db)], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", "False"]
