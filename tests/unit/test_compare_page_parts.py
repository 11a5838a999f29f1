"""The Compare and Runs pages' pure parts, and the Compare page's table checked against `xlt compare`'s CSV on the
demo database (two evaluate runs with their per-example files): the page shows compare's own numbers."""

import io
import json

import pandas as pd
import pytest

from dashboard.views import compare as page
from dashboard.views import runs as runs_page
from xlt_core.cli import main


def runs_table() -> pd.DataFrame:
    """compare_runs rows: one model, none and mnli (all data, two selection rules, a 1000-example size) on xnli and
    pawsx, test and dev."""
    rows = []
    for inter, size, sel in (("none", None, "en-dev"), ("mnli", None, "en-dev"), ("mnli", None, "last"),
                             ("mnli", 1000, "en-dev")):
        for target in ("xnli", "pawsx"):
            for split in ("test", "dev"):
                rows.append(dict(run_id=f"evaluate-{inter}-{size}-{sel}-{target}-{split}", model="m",
                                 model_size="base", intermediate_task=inter, intermediate_size=size,
                                 sampling=None, selection=sel, target_task=target, split=split, seed=0,
                                 run_dir=None))
    rows.append(dict(rows[0], run_id="evaluate-squadonly", intermediate_task="squad", target_task="xquad"))
    return pd.DataFrame(rows).astype({"intermediate_size": "Int64"})


def test_a_side_is_what_xlt_compare_picks():
    runs = runs_table()
    # unnamed data size and selection: all the data, en-dev (compare.DEFAULTS)
    assert list(page.side_runs(runs, "mnli", "test")["run_id"]) == [
        "evaluate-mnli-None-en-dev-xnli-test", "evaluate-mnli-None-en-dev-pawsx-test"]
    assert set(page.side_runs(runs, "mnli,select=last", "dev")["selection"]) == {"last"}
    assert set(page.side_runs(runs, "mnli,intermediate_size=1000", "test")["intermediate_size"]) == {1000}
    assert list(page.side_runs(runs, "evaluate-none-None-en-dev-xnli-dev", "test")["split"]) == ["dev"]  # a run id
    assert page.side_runs(runs, "mnli,colour=red", "test").empty and page.side_runs(runs, "qqp", "test").empty
    assert page.shared_targets(runs, "none", "mnli", "test") == ["pawsx", "xnli"]
    assert page.shared_targets(runs, "none", "squad", "test") == []


def test_side_options_keep_what_compare_takes():
    assert page.side_options(["mnli", "none", "squad"]) == ["none", "mnli", "squad"]
    assert page.side_options(["mnli", "none"], "evaluate-xnli-1", "mnli", "a,colour=red", None, "mnli,select=last") == [
        "none", "mnli", "evaluate-xnli-1", "mnli,select=last"]
    assert page.default_b(["none", "anli", "mnli"]) == "mnli" and page.default_b(["none", "qqp"]) == "qqp"


def test_delta_bars_colour_by_sign_and_pale_where_the_interval_crosses_zero():
    rows = pd.DataFrame({"language": ["de", "fr", "sw", "th"], "gain": [2.0, -3.0, 1.0, -0.5],
                         "lo": [1.0, -4.0, -1.0, -2.0], "hi": [3.0, -2.0, 3.0, 1.0]})
    fig = page.delta_bars(rows, "t")
    bars = {t.name: t for t in fig.data}
    assert [list(bars["B higher"].x), list(bars["B lower"].x)] == [["de"], ["fr"]]
    assert bars["B higher"].marker.color == page.GAIN and bars["B lower"].marker.color == page.LOSS
    assert page.GAIN.startswith("rgb(5") and page.LOSS.startswith("rgb(103")  # RdBu's blue and red ends
    assert list(bars["B higher, interval crosses 0"].x) == ["sw"]
    assert list(bars["B lower, interval crosses 0"].x) == ["th"]
    assert bars["B higher, interval crosses 0"].marker.opacity == page.PALE
    assert bars["B lower"].marker.opacity == 1.0
    sw = bars["B higher, interval crosses 0"].error_y
    assert (list(sw.array), list(sw.arrayminus)) == ([2.0], [2.0])
    assert list(fig.layout.xaxis.categoryarray) == ["de", "fr", "sw", "th"]


def test_runs_page_parts():
    config = json.dumps({"stage": "evaluate", "split": "test", "parent": {
        "stage": "target", "task": "xnli", "train": {"lr": 2e-5}, "parent": {"stage": "intermediate", "task": "mnli"}}})
    flat = dict(runs_page.config_rows(config).values)
    assert flat == {"intermediate.task": "mnli", "target.task": "xnli", "target.train.lr": "2e-05",
                    "evaluate.split": "test"}
    assert runs_page.config_rows("{}").empty and runs_page.config_rows(None).empty
    row = pd.Series({"git_commit": "abc", "git_dirty": True, "xlt_version": "1.0", "data": "hub",
                     "data_revision": "r1", "seed": 3, "device": "cpu", "wall_s": 12.34, "finished_at": "t",
                     "packages": json.dumps({"torch": "2.5", "duckdb": "1.1"})})
    prov = dict(runs_page.provenance_rows(row).values)
    assert prov["code (git commit)"] == "abc (with uncommitted changes)" and prov["wall time (s)"] == "12.3"
    assert prov["library: torch"] == "2.5" and prov["seed"] == "3" and prov["data revision"] == "r1"
    item = pd.Series({"run_id": "evaluate-x", "intermediate_task": "mnli", "target_task": "xnli"})
    link = runs_page.compare_link(item, "evaluate-base", "test")
    assert link == "compare?a=evaluate-base&b=evaluate-x&cmp_target=xnli"
    assert runs_page.compare_link(item, None, "dev") == "compare?a=none&b=mnli&cmp_target=xnli&split=dev"
    assert runs_page.compare_link(pd.Series({**item, "intermediate_task": "none"}), None, "test") is None


def test_notebook_links_only_to_an_http_lab(tmp_path):
    assert runs_page.lab_url(None) == "http://127.0.0.1:8888"  # make lab's
    assert runs_page.lab_url(" https://lab.example:9000/ ") == "https://lab.example:9000"
    assert runs_page.lab_url("") == "http://127.0.0.1:8888"  # set but empty: the default
    for bad in ("javascript:alert(1)", "127.0.0.1:8888", "file:///etc", "http://"):
        assert runs_page.lab_url(bad) is None, bad
    notebook = tmp_path / "runs" / "r1" / "stage.ipynb"
    assert runs_page.lab_link(notebook, "http://h:1", tmp_path) == "http://h:1/lab/tree/runs/r1/stage.ipynb"
    assert runs_page.lab_link(notebook, None, tmp_path) is None  # no lab: no link
    assert runs_page.lab_link("/elsewhere/x.ipynb", "http://h:1", tmp_path) is None  # outside what the lab serves


def test_the_page_table_is_xlt_compares_csv(demo_db, capsys):
    """What the page shows and offers as CSV (data.comparison) is `xlt compare none mnli --format csv`, value for
    value; and the chart's rows are the table's per-language rows."""
    from dashboard import data

    assert main(["compare", "none", "mnli", "--db", str(demo_db), "--format", "csv"]) == 0
    cli = pd.read_csv(io.StringIO(capsys.readouterr().out))
    found, table, error = data.comparison(str(demo_db), "none", "mnli", "test", "xnli", "headline")
    assert error is None and len(found) == 1
    page_csv = pd.read_csv(io.StringIO(table.to_csv(index=False)))  # what the CSV download holds
    assert list(page_csv.columns) == list(cli.columns) and len(page_csv) == len(cli) == 16  # 15 languages + avg
    pd.testing.assert_frame_equal(page_csv, cli, check_exact=False, rtol=1e-12)
    assert set(cli["correction"].dropna()) == {"Holm"}
    # the task mean row and the per-language rows are compare's own
    avg = table[table["language"] == "avg"].iloc[0]
    assert avg["gain"] == pytest.approx(found[0]["task"]["gain"])
    langs = found[0]["languages"].set_index("language")
    for r in table[table["language"] != "avg"].itertuples():
        assert r.gain == pytest.approx(langs.loc[r.language, "gain"])
        assert r.p_adjusted == pytest.approx(langs.loc[r.language, "p_adjusted"])
    fig = page.delta_bars(table[table["language"] != "avg"])
    drawn = {x: y for t in fig.data for x, y in zip(t.x, t.y)}
    assert drawn == pytest.approx(dict(zip(langs.index, langs["gain"])))


def test_a_refused_comparison_is_a_message(demo_db):
    from dashboard import data

    found, table, error = data.comparison(str(demo_db), "none", "squad", "test", "xnli", "headline")
    assert found is None and table is None and "no evaluate run matches 'squad'" in error
