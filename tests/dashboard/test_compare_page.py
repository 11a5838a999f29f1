"""The Compare page and the Runs page's drill-down in chromium. On the demo database (two evaluate runs with their
per-example files): /compare?a=none&b=mnli draws per-language deltas that are, bar for bar, the rows of the page's
CSV, and that CSV is `xlt compare none mnli --format csv`; a run's detail links to its comparison with the
baseline. On the synthetic database: /runs?model=&inter=&target= lists exactly those runs, on the chosen split."""

import io

import duckdb
import pandas as pd
import pytest

from test_browser import CHROMIUM, SHOTS, browser  # noqa: F401 (browser: a fixture)
from test_truth import TRACES, close, page_csv
from xlt_core.cli import main

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM and not __import__("os").environ.get("CI"),
                                 reason="Debian chromium not installed")]


def opened(browser, url: str, title: str | None = None, selector: str | None = None):  # noqa: F811
    """The page at `url` drawn: its run finished and, with `title`, the plotly figure whose title holds it drawn;
    with `selector`, that element there."""
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page.goto(url)
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    if title:
        page.wait_for_function(
            "(title) => [...document.querySelectorAll('.js-plotly-plot')].some(g => g._fullData && g._fullData.length"
            " && g.layout.title && (g.layout.title.text || '').includes(title))", arg=title, timeout=60_000)
    if selector:
        page.wait_for_selector(selector, timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    return page


def test_compare_draws_exactly_xlt_compares_rows(browser, demo_server, demo_db, capsys):  # noqa: F811
    page = opened(browser, f"{demo_server}/compare?a=none&b=mnli", "mnli minus none")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".js-plotly-plot").first.evaluate("e => e.scrollIntoView({block: 'center'})")  # chart, table
    page.screenshot(path=str(SHOTS / "compare.png"))
    [drawn] = [f for f in page.evaluate(TRACES) if "mnli minus none" in f["title"]]
    rows = page_csv(page, "Download the comparison (CSV)")
    text = page.inner_text("body")
    page.close()
    assert main(["compare", "none", "mnli", "--db", str(demo_db), "--format", "csv"]) == 0
    cli = pd.read_csv(io.StringIO(capsys.readouterr().out))
    pd.testing.assert_frame_equal(rows, cli, check_exact=False, rtol=1e-12)  # the page's CSV is xlt compare's
    assert "by Holm" in text and "runs A: evaluate-" in text and "One seed (0)" in text
    per_language = rows[rows["language"] != "avg"].set_index("language")
    seen = []
    for trace in drawn["traces"]:
        for i, lang in enumerate(trace["x"]):
            row = per_language.loc[lang]
            seen.append(lang)
            assert trace["customdata"][i][0] == lang
            assert close(trace["y"][i], row.gain), (lang, trace["y"][i], row.gain)
            assert close(trace["plus"][i], row.hi - row.gain, 1e-6)
            assert close(trace["minus"][i], row.gain - row.lo, 1e-6)
            crosses = row.lo <= 0 <= row.hi
            assert trace["name"] == ("B higher" if row.gain >= 0 else "B lower") + (
                ", interval crosses 0" if crosses else ""), (lang, trace["name"])
    assert sorted(seen) == sorted(per_language.index)  # every language drawn, each once


def test_a_run_links_to_its_comparison_with_the_baseline(browser, demo_server, demo_db):  # noqa: F811
    con = duckdb.connect(str(demo_db), read_only=True)
    ids = dict(con.execute("SELECT intermediate_task, run_id FROM runs WHERE stage = 'evaluate'").fetchall())
    con.close()
    page = opened(browser, f"{demo_server}/runs?run={ids['mnli']}", "score by language")
    page.wait_for_selector("text=Compare with the baseline", timeout=60_000)
    page.get_by_text("One run", exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")  # the detail
    page.screenshot(path=str(SHOTS / "runs_detail.png"))
    href = page.get_by_role("link", name="Compare with the baseline").get_attribute("href")
    text = page.inner_text("body")
    [bars] = [f["traces"] for f in page.evaluate(TRACES) if "score by language" in f["title"]]
    scores = page_csv(page, "Download the scores (CSV)")
    page.close()
    # the run's bars, one per language, are its scores as the page lists them
    [drawn] = bars
    assert len(scores) == 15 and dict(zip(drawn["x"], drawn["y"])) == pytest.approx(
        dict(zip(scores["language"], scores["score"])), abs=1e-9)
    assert href.endswith(f"compare?a={ids['none']}&b={ids['mnli']}&cmp_target=xnli"), href
    assert "Provenance" in text and "Config" in text and "The first 40 evaluation examples of ar" in text
    page = opened(browser, f"{demo_server}/{href.split('/')[-1]}", f"minus {ids['none']}")
    assert page.get_by_text(f"runs A: {ids['none']}").count() or ids["none"] in page.inner_text("body")
    page.close()


def test_runs_lists_exactly_the_linked_runs_on_the_chosen_split(browser, server, synthetic_db):  # noqa: F811
    con = duckdb.connect(str(synthetic_db), read_only=True)
    for split in ("test", "dev"):
        expected = {r for (r,) in con.execute(
            "SELECT DISTINCT run_id FROM cells WHERE model = 'xlm-roberta-base' AND intermediate_task = 'mnli' "
            "AND target_task = 'xnli' AND split = ?", [split]).fetchall()}
        assert expected
        url = f"{server}/runs?model=xlm-roberta-base&inter=mnli&target=xnli" + ("&split=dev" if split == "dev" else "")
        page = opened(browser, url, "score by language")
        rows = page_csv(page, "Download every matching run (CSV)")
        caption = page.inner_text("body")
        page.close()
        assert set(rows["run_id"]) == expected and len(rows) == len(expected), split
        assert set(rows["split"]) == {split} and set(rows["model"]) == {"xlm-roberta-base"}
        assert set(rows["intermediate_task"]) == {"mnli"} and set(rows["target_task"]) == {"xnli"}
        assert f"{len(expected):,} evaluate runs on the {split} split" in caption
    con.close()


def test_compare_on_stored_tests_draws_exactly_its_rows(browser, server):  # noqa: F811
    """On the synthetic database (no per-example files) the Compare page draws, for `none` against an intermediate
    task, the paired tests that ingest stored: a chart per variant, every bar its CSV row (gain and 95% interval),
    every row drawn once."""
    page = opened(browser, f"{server}/compare?a=none&b=mnli&cmp_target=xnli", "minus the baseline")
    figures = [f for f in page.evaluate(TRACES) if "minus the baseline" in f["title"]]
    rows = page_csv(page, "Download the stored tests (CSV)")
    page.close()
    assert len(figures) == rows["variant"].nunique() == 2 and set(rows["target_task"]) == {"xnli"}
    expected = {(r.variant, r.language): r for r in rows.itertuples()}
    assert len(expected) == len(rows)
    seen = []
    for fig in figures:
        variant = fig["title"].split(" · ", 1)[1].split(" minus the baseline")[0]
        for trace in fig["traces"]:
            for i, (lang, gain) in enumerate(zip(trace["x"], trace["y"])):
                row = expected[(variant, lang)]
                assert close(gain, row.gain) and close(trace["plus"][i], row.hi - row.gain, 1e-6)
                assert close(trace["minus"][i], row.gain - row.lo, 1e-6)
                seen.append((variant, lang))
    assert sorted(seen) == sorted(expected)  # every row drawn, each once
