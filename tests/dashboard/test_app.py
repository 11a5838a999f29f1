import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def run_app(monkeypatch, db) -> AppTest:
    monkeypatch.setenv("XLT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_empty_database_gets_a_helpful_message(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path / "missing.duckdb")
    assert "No results" in at.info[0].value and "make demo" in at.info[0].value
    assert not at.get("plotly_chart")


def test_heatmap_of_gains(monkeypatch, demo_db):
    at = run_app(monkeypatch, demo_db)
    assert len(at.get("plotly_chart")) == 1
    assert at.sidebar.multiselect[1].value == ["mnli"]
    # deselecting every intermediate task leaves nothing to compare: a warning, no chart
    at.sidebar.multiselect[1].set_value([]).run()
    assert not at.exception and at.warning and not at.get("plotly_chart")


def test_the_app_never_imports_torch(demo_db):
    code = ("import os, sys; os.environ['XLT_DB'] = sys.argv[1];"
            "from streamlit.testing.v1 import AppTest;"
            f"at = AppTest.from_file({APP!r}, default_timeout=60); at.run(); assert not at.exception;"
            "assert at.get('plotly_chart');"
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(demo_db)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "False"]


def test_chart_builder_is_pure(demo_db):
    from xlt_core.charts import gain_heatmap
    from xlt_core import results

    gains = results.gains(demo_db, "xnli")
    fig = gain_heatmap(gains)
    heat = fig.data[0]
    assert heat.type == "heatmap" and heat.x[0] == "en" and len(heat.x) == 15
    assert list(heat.y) == ["tiny · mnli"]
    assert abs(heat.z[0][0] - gains.set_index("language").loc["en", "gain"]) < 1e-9
