"""The real thing: `streamlit run` on 127.0.0.1, opened in headless Debian chromium through playwright. Every page
loads and draws; a filter change redraws the chart; screenshots are kept in build/screenshots/."""

import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
import urllib.request
from pathlib import Path

import pytest

from conftest import serve, serving  # noqa: F401 (serving: re-exported for the browser tests)


REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# page -> the plotly charts it draws on the synthetic database (all of them: a test reading one chart must not find
# the page half drawn; test_app checks the same counts through AppTest)
PAGES = {"overview": 0, "languages": 3, "model_size": 3, "scaling": 2, "regimes": 1, "cost": 1, "published": 2,
         "claims": 0, "runs": 1, "compare": 2}
DRAWN = {"overview": "table.xlt-study td"}  # pages without plotly or a dataframe: what shows they are drawn
# CI installs chromium (.ci/run): there a missing browser is a failure, not a skip
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"), reason="Debian chromium not installed")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is not installed"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def wait_for_page(page, name: str):
    charts = PAGES[name]
    # attached, not visible: on a phone-wide window the sidebar starts collapsed
    page.wait_for_selector("[data-testid='stSidebar']", state="attached", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    if charts:
        # every chart drawn (plotly gives a drawn chart the class and its data), not only the first of them
        page.wait_for_function(
            f"() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.data && g.data.length).length"
            f" >= {charts}", timeout=60_000)
    else:
        page.wait_for_selector(DRAWN.get(name, "[data-testid='stDataFrame']"), timeout=60_000)


# symbols the dashboard writes, all in DejaVu Sans (Debian's fonts-dejavu-core, which chromium falls back to)
SYMBOLS = set("±·×†…−–")
TEXT = ("() => document.body.innerText + [...document.querySelectorAll('.js-plotly-plot')]"
        ".map(g => JSON.stringify(g.layout) + JSON.stringify(g.data.map(t => t.name))).join('')")
WIDTHS = ("() => ({page: document.documentElement.scrollWidth, window: window.innerWidth, boxes: [...document"
          ".querySelectorAll('div.xlt-scroll')].map(d => ({overflow: getComputedStyle(d).overflowX, inner: d.scrollWidth,"
          " outer: d.clientWidth}))})")


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_in_chromium(browser, server, name):
    """Every page draws on the synthetic database without an error; no mark on it needs an emoji font (Debian
    chromium has none: it would show an empty box); at a phone's width (390 px) the page never scrolls sideways,
    a table too wide for it (the study table, 16 columns) scrolling inside its own box. Screenshots of both."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{'' if name == 'overview' else name}")  # the default page lives at /
    wait_for_page(page, name)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    text = page.evaluate(TEXT)
    odd = {c for c in text if ord(c) > 127 and c not in SYMBOLS and not unicodedata.category(c).startswith(("L", "M"))}
    assert not odd, sorted(odd)

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => window.innerWidth === 390")
    page.wait_for_timeout(300)  # the layout settles (the sidebar collapses)
    widths = page.evaluate(WIDTHS)
    shown = page.locator("div.xlt-scroll").first if name == "overview" else page
    shown.screenshot(path=str(SHOTS / f"{name}_390.png"))
    page.close()
    assert (SHOTS / f"{name}.png").stat().st_size > 10_000
    assert widths["page"] <= widths["window"], widths
    if name == "overview":
        assert widths["boxes"] and all(b["overflow"] == "auto" for b in widths["boxes"])
        assert any(b["inner"] > b["outer"] for b in widths["boxes"]), widths


def redraw_with_em(page, read: str, shot: str):
    """Click the QA metric EM and wait until `read` (a JS function of no argument) returns something new and not
    empty. Returns what it read before and after, and the page's URL."""
    probe = f"() => JSON.stringify(({read})())"
    before = page.evaluate(probe)
    page.get_by_text("EM", exact=True).click()  # the QA metric: (EM+F1)/2 -> EM
    page.wait_for_function("() => location.search.includes('metric=em')", timeout=30_000)
    page.wait_for_function(f"(old) => {{ const now = ({probe})(); return now !== '[]' && now !== old; }}",
                           arg=before, timeout=30_000)
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    after, url = page.evaluate(probe), page.url
    return json.loads(before), json.loads(after), url


def test_a_filter_change_redraws_the_chart(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/?target=xquad&inter=squad")
    wait_for_page(page, "overview")
    weight = page.evaluate("() => getComputedStyle(document.querySelector('table.xlt-study td.best .score'))"
                           ".fontWeight")
    assert int(weight) >= 600  # the table's own styles survive sanitising: the best of a column in bold
    before, after, url = redraw_with_em(
        page, "() => [...document.querySelectorAll('table.xlt-study td')].map(t => t.textContent)", "overview-em.png")
    page.close()
    assert any("(+" in t or "(-" in t for t in before)  # the variants' cells: score (gain)
    assert after != before and "metric=em" in url


def test_a_filter_change_redraws_a_plotly_chart(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/model_size?target=xquad&target=mlqa&inter=squad")
    wait_for_page(page, "model_size")
    before, after, url = redraw_with_em(
        page, "() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => (g.layout.title.text || '')"
              ".includes('gain after')).flatMap(g => g.data.map(t => [t.name, t.y]))", "model_size-em.png")
    page.close()
    assert {name for name, _ in before} == {"base", "large"}  # the two sizes side by side
    assert after != before and "metric=em" in url


def test_an_empty_database_says_what_to_do(browser, tmp_path):
    proc, url = serve(tmp_path / "none.duckdb")
    try:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("text=make demo", timeout=60_000)
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
