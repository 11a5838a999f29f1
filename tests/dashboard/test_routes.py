"""Routes and URLs in headless Debian chromium: /overview opens the Overview (the default page, served at /) without a
'Page not found' dialog; the Languages page's own choices (target task, intermediate training) come from the URL and
go back into it; dark mode keeps the tables legible. (Marks without an emoji font and a phone's width: every page,
in test_browser.)"""

from urllib.parse import parse_qs, quote, urlparse

import pytest

from test_browser import CHROMIUM, SHOTS, browser, serving, wait_for_page  # noqa: F401 (browser: a fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM, reason="Debian chromium not installed")]


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


def test_languages_choices_come_from_and_go_to_the_url(browser, server):  # noqa: F811
    variant = "xlm-roberta-base · anli"
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/languages?target=xquad&target=mlqa&lang_target=mlqa"
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


def test_languages_ignores_unknown_choices_with_a_warning(browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/languages?lang_target=nope&lang_variant=%27%3B%20DROP")
    wait_for_page(page, "languages")
    page.wait_for_selector("text=ignored lang_target='nope': not a choice here", timeout=30_000)
    page.wait_for_selector("text=ignored lang_variant=\"'; DROP\": not a choice here", timeout=30_000)
    assert choice(page, "Target task") != "nope"
    page.wait_for_function("() => location.search.includes('lang_variant')", timeout=30_000)
    assert "nope" not in page.url and "DROP" not in page.url
    page.close()


# the luminance of a CSS colour "rgb(r, g, b)" / "rgba(r, g, b, a)" over a background (WCAG relative luminance)
COLOURS = """() => { const parse = c => c.match(/[\\d.]+/g).map(Number);
  const page = parse(getComputedStyle(document.querySelector('.stApp')).backgroundColor);
  const over = (c, bg) => { const [r, g, b, a = 1] = parse(c); return [r, g, b].map((v, i) => a * v + (1 - a) * bg[i]); };
  const lum = rgb => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                       const [r, g, b] = rgb.map(f); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const cells = [...document.querySelectorAll('table.xlt-study th, table.xlt-study td')].map(e => {
    const s = getComputedStyle(e); const bg = over(s.backgroundColor, page);
    const l1 = lum(over(s.color, bg)), l2 = lum(bg);
    return {text: e.innerText, head: e.tagName === 'TH', background: l2,
            contrast: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)}; });
  return {page: lum(page), cells}; }"""


def test_dark_mode_keeps_every_table_cell_legible(browser, demo_server):  # noqa: F811
    """In dark mode (Streamlit follows the system's colour scheme) the study table's headers and cells keep their
    text legible: contrast at least 4.5 (WCAG AA) against the background they are drawn on, headers included."""
    page = browser.new_page(viewport={"width": 1440, "height": 900}, color_scheme="dark")
    page.goto(f"{demo_server}/")
    wait_for_page(page, "overview")
    found = page.evaluate(COLOURS)
    page.screenshot(path=str(SHOTS / "overview_dark.png"), full_page=True)
    page.close()
    assert found["page"] < 0.05  # the dark theme is on
    weak = [c for c in found["cells"] if c["text"].strip() and c["contrast"] < 4.5]
    assert found["cells"] and not weak, weak[:5]
    heads = [c for c in found["cells"] if c["head"]]
    assert heads and all(c["background"] < 0.1 for c in heads), heads[:3]  # no light header band on a dark page
