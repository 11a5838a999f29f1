"""Routes and URLs in headless Debian chromium: /overview opens the Overview (the default page, served at /) without a
'Page not found' dialog; the Languages page's own choices (target task, intermediate training) come from the URL and
go back into it; no page shows a mark that needs an emoji font."""

import unicodedata
from urllib.parse import parse_qs, quote, urlparse

import pytest

from test_browser import CHROMIUM, browser, serving, wait_for_page  # noqa: F401 (browser is a fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM, reason="Debian chromium not installed")]
# symbols the dashboard writes, all in DejaVu Sans (Debian's fonts-dejavu-core, which chromium falls back to)
SYMBOLS = set("±·×†…−–")


@pytest.fixture(scope="module")
def demo_server(demo_db):
    yield from serving(demo_db)


@pytest.fixture(scope="module")
def synthetic_server(synthetic_db):
    yield from serving(synthetic_db)


def settled(page):
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def test_overview_has_its_own_url_on_the_demo_database(browser, demo_server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{demo_server}/overview?split=test")
    settled(page)
    page.wait_for_selector("h2:has-text('Overview'), h1:has-text('Overview')", timeout=60_000)
    page.wait_for_timeout(500)  # the dialog comes with the first message, if at all
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert urlparse(page.url).path == "/overview"
    # the sidebar still has one Overview entry, and it leads to /
    nav = page.locator("[data-testid='stSidebarNav'] a")
    entries = {a.inner_text().split()[-1]: a.get_attribute("href") for a in nav.all()}  # icon name, then title
    assert len(nav.all()) == len(entries) == 10 and urlparse(entries["Overview"]).path == "/"
    page.close()


def test_overview_url_on_an_empty_database(browser, tmp_path):  # noqa: F811
    for url in serving(tmp_path / "none.duckdb"):  # stopped once the loop ends
        page = browser.new_page()
        page.goto(f"{url}/overview")
        page.wait_for_selector("text=make demo", timeout=60_000)
        page.wait_for_timeout(500)
        assert page.get_by_text("Page not found").count() == 0
        page.close()


def choice(page, label: str) -> str:
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_languages_choices_come_from_and_go_to_the_url(browser, synthetic_server):  # noqa: F811
    variant = "xlm-roberta-base · anli"
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{synthetic_server}/languages?target=xquad&target=mlqa&lang_target=mlqa"
              f"&lang_variant={quote(variant)}")
    wait_for_page(page, "languages")
    assert choice(page, "Target task") == "mlqa" and choice(page, "Intermediate training") == variant
    titles = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(g => g.layout.title.text)")
    assert any(f"mlqa: gain after {variant}" in (t or "") for t in titles), titles  # drawn for those choices
    assert page.get_by_text("URL: ").count() == 0
    page.wait_for_function("() => location.search.includes('lang_variant')", timeout=30_000)
    assert query(page) == {"target": "xquad", "lang_target": "mlqa", "lang_variant": variant,
                           "heat_rows": "full training sets", "gap_n": "10"}  # with the page's other choices

    page.get_by_role("combobox", name="Target task", exact=True).click()
    page.get_by_role("option", name="xquad", exact=True).click()
    page.wait_for_function("() => location.search.includes('lang_target=xquad')"
                           " && location.search.includes('lang_variant=')", timeout=30_000)
    settled(page)
    assert choice(page, "Target task") == "xquad" and query(page)["lang_variant"] == variant  # still one of xquad's
    page.close()


def test_languages_ignores_unknown_choices_with_a_warning(browser, synthetic_server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{synthetic_server}/languages?lang_target=nope&lang_variant=%27%3B%20DROP")
    wait_for_page(page, "languages")
    page.wait_for_selector("text=ignored lang_target='nope': not a choice here", timeout=30_000)
    page.wait_for_selector("text=ignored lang_variant=\"'; DROP\": not a choice here", timeout=30_000)
    assert choice(page, "Target task") != "nope"
    page.wait_for_function("() => location.search.includes('lang_variant')", timeout=30_000)
    assert "nope" not in page.url and "DROP" not in page.url
    page.close()


@pytest.mark.parametrize("name", ["overview", "languages", "claims", "published", "runs"])
def test_no_mark_needs_an_emoji_font(browser, synthetic_server, name):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{synthetic_server}/{name}")
    wait_for_page(page, name)
    text = page.evaluate("() => document.body.innerText + [...document.querySelectorAll('.js-plotly-plot')]"
                         ".map(g => JSON.stringify(g.layout) + JSON.stringify(g.data.map(t => t.name))).join('')")
    page.close()
    odd = {c for c in text if ord(c) > 127 and c not in SYMBOLS and not unicodedata.category(c).startswith(("L", "M"))}
    assert not odd, sorted(odd)
