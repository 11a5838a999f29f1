"""Charts tested as true: in chromium, on the synthetic database, the numbers a page's plotly figure holds in the DOM
(every trace's x, y and error bars) are read back and compared, value by value, with the rows the page offers
under it as CSV. No drawn bar may stand for two rows (plotly stacks rows that share a trace and an x)."""

import io
import math
from collections import Counter

import pandas as pd
import pytest

from test_browser import CHROMIUM, browser, wait_for_page  # noqa: F401 (browser: a fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM and not __import__("os").environ.get("CI"),
                                 reason="Debian chromium not installed")]

# every trace of every drawn figure, its arrays as plain lists: from _fullData, where plotly has decoded the arrays
# that the figure's JSON carries base64-encoded (`data` keeps them as {dtype, bdata})
TRACES = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullData && g._fullData.length).map(g => ({
  title: (g.layout.title && g.layout.title.text) || '',
  traces: g._fullData.map(t => {
    const list = a => a == null ? null : Array.from(a, v => (v != null && typeof v === 'object') ? Array.from(v) : v);
    const e = t.error_y || {};
    return {name: t.name, type: t.type, x: list(t.x), y: list(t.y), customdata: list(t.customdata),
            plus: e.visible === false ? null : list(e.array), minus: e.visible === false ? null : list(e.arrayminus)};
  })}))"""


def open_page(browser, url: str, name: str, title: str):  # noqa: F811
    """The page opened and the figure whose title holds `title` drawn: a page draws its charts one after another,
    so the first chart drawn need not be the one a test reads."""
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page.goto(url)
    wait_for_page(page, name)
    page.wait_for_function(
        "(title) => [...document.querySelectorAll('.js-plotly-plot')].some(g => g._fullData && g._fullData.length"
        " && g.layout.title && (g.layout.title.text || '').includes(title))", arg=title, timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    return page


def figure(page, title: str) -> dict:
    [found] = [f for f in page.evaluate(TRACES) if title in f["title"]]
    return found


def csv_by_prefix(page, name: str) -> pd.DataFrame:
    """The CSV of the first download button whose key starts with csv-<name> (Streamlit puts st-key-<key> on its
    element): for keys that end in the target, variant or run shown."""
    button = page.locator(f"[class*='st-key-csv-{name}'] button, [class*='st-key-csv-{name}'] a").first
    with page.expect_download(timeout=60_000) as download:
        button.click()
    return pd.read_csv(io.StringIO(open(download.value.path(), encoding="utf-8").read()))


def page_csv(page, label: str = "Download the data (CSV)", nth: int = 0) -> pd.DataFrame:
    """The rows the page offers under its chart: its download button clicked, the file read."""
    button = page.locator("[data-testid='stDownloadButton']").filter(has_text=label).nth(nth)
    with page.expect_download(timeout=60_000) as download:
        button.locator("button, a").first.click()
    return pd.read_csv(io.StringIO(open(download.value.path(), encoding="utf-8").read()))


def close(a, b, tol: float = 1e-9) -> bool:
    missing = a is None or (isinstance(a, float) and math.isnan(a))
    expected_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if missing or expected_missing:
        return missing and expected_missing
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))


def test_regimes_draws_exactly_its_rows(browser, server):  # noqa: F811
    page = open_page(browser, f"{server}/regimes", "regimes", "gain by regime")
    drawn_figure = figure(page, "gain by regime")
    rows = page_csv(page)
    page.close()
    # the CSV: one row per model, regime and target task, each with its gain and (where it has one) interval
    assert not rows.duplicated(["model", "regime", "target_task"]).any()
    assert rows["model"].nunique() == 2  # the synthetic database has base and large: the case that stacked
    expected = {(r.model, r.regime, r.target_task): r for r in rows.itertuples()}
    drawn = Counter()
    for trace in drawn_figure["traces"]:
        assert trace["type"] == "bar"
        assert len(set(trace["x"])) == len(trace["x"]), f"two rows share a bar in {trace['name']}"
        keys = [(c[0], trace["name"], x) for c, x in zip(trace["customdata"], trace["x"])]
        for i, key in enumerate(keys):
            row = expected[key]
            drawn[key] += 1
            assert close(trace["y"][i], row.gain), (key, trace["y"][i], row.gain)
            plus = trace["plus"][i] if trace["plus"] else None
            minus = trace["minus"][i] if trace["minus"] else None
            assert close(plus, row.ci_high - row.gain, 1e-6), (key, plus, row.ci_high, row.gain)
            assert close(minus, row.gain - row.ci_low, 1e-6), (key, minus, row.ci_low, row.gain)
    assert set(drawn) == set(expected) and set(drawn.values()) == {1}  # every row drawn, each once
    # the case: BUCC after MLM co-training is about 20.7 for each model, not their sum
    bucc = rows[(rows["regime"] == "mlm co-training") & (rows["target_task"] == "bucc2018")]
    assert len(bucc) == 2 and bucc["gain"].between(15, 25).all()
    assert rows["ci_low"].notna().any()  # some bars have their interval


def test_regimes_on_one_size_draws_the_same_numbers(browser, server):  # noqa: F811
    """Filtering to one size keeps that size's bars as they were (they used to halve)."""
    page = open_page(browser, f"{server}/regimes?size=large", "regimes", "gain by regime")
    drawn_figure = figure(page, "gain by regime")
    rows = page_csv(page)
    page.close()
    assert set(rows["model"]) == {"xlm-roberta-large"}
    got = {(c[0], t["name"], x): y for t in drawn_figure["traces"] for c, x, y in zip(t["customdata"], t["x"], t["y"])}
    assert len(got) == len(rows)
    for r in rows.itertuples():
        assert close(got[(r.model, r.regime, r.target_task)], r.gain)


def test_languages_draws_exactly_its_rows(browser, server):  # noqa: F811
    page = open_page(browser, f"{server}/languages", "languages", "by language")
    drawn_figure = figure(page, "by language")
    rows = page_csv(page, nth=1)  # the second chart download: the per-language chart's (the heatmap's first)
    page.close()
    assert not rows.duplicated(["language"]).any()
    expected = {r.language: r for r in rows.itertuples()}
    drawn = Counter()
    for trace in drawn_figure["traces"]:
        if trace["x"] == [None]:  # the legend entry of hatched bars
            continue
        for i, lang in enumerate(trace["x"]):
            row = expected[lang]
            drawn[lang] += 1
            assert trace["name"] == ("gain" if row.gain >= 0 else "loss")  # coloured by sign
            assert close(trace["y"][i], row.gain), (lang, trace["y"][i], row.gain)
            if "lo" in rows:
                assert close(trace["plus"][i], row.hi - row.gain, 1e-6)
                assert close(trace["minus"][i], row.gain - row.lo, 1e-6)
    assert set(drawn) == set(expected) and set(drawn.values()) == {1}
