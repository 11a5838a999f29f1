"""The Overview's study table in headless Debian chromium, on the synthetic database: what is drawn is the page's own
CSV cell for cell (score, gain, greyed, bold, link), the table fits a 1440 px wide window without scrolling sideways
and without a scroll box of its own, the data-size subsamples are folded unless the URL asks for them, and a cell's
link opens the Runs page filtered to that cell's runs."""

import math
from urllib.parse import parse_qs, urlparse

import pytest

from test_browser import CHROMIUM, SHOTS, browser, wait_for_page  # noqa: F401 (browser: a fixture)
from test_truth import page_csv
from xlt_core.results import synthetic

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM and not __import__("os").environ.get("CI"),
                                 reason="Debian chromium not installed")]

# every cell of every study table as drawn: its table's model, row label, column header, texts, classes and link
CELLS = """() => [...document.querySelectorAll('table.xlt-study')].flatMap(table => {
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent);
  return [...table.querySelectorAll('tbody tr')].flatMap(tr => {
    const tds = [...tr.children];
    const label = tds[0].querySelector('.label').textContent;
    return tds.slice(1).map((td, i) => ({
      model: table.dataset.model, variant: label, column: heads[i + 1], baseline: tr.classList.contains('baseline'),
      score: (td.querySelector('.score') || {}).textContent || '',
      gain: (td.querySelector('.gain') || {}).textContent || '',
      grey: td.classList.contains('grey'), bold: td.querySelector('.score') ?
        Number(getComputedStyle(td.querySelector('.score')).fontWeight) >= 600 : false,
      href: (td.querySelector('a') || {}).getAttribute ? td.querySelector('a').getAttribute('href') : null}));
  });
})"""
# the table against its box: widths, and every ancestor up to the page's own scroller that scrolls or cuts it (its
# content taller or wider than itself, and not let overflow)
FIT = """() => { const t = document.querySelector('table.xlt-study'); const box = t.closest('[data-testid="stHtml"]')
    || t.parentElement; const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const boxes = []; for (let e = t.parentElement; e && e !== main; e = e.parentElement) {
    const s = getComputedStyle(e);
    if ((s.overflowY !== 'visible' && e.scrollHeight > e.clientHeight + 1)
        || (s.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1)) boxes.push(e.className || e.tagName); }
  return {table: t.scrollWidth, box: box.clientWidth, main: main.clientWidth,
          page: document.documentElement.scrollWidth,
          window: window.innerWidth, boxes}; }"""


def open_overview(browser, url: str):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page.goto(url)
    wait_for_page(page, "overview")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    return page


def test_the_drawn_table_is_its_csv_and_fits_the_window(browser, server):  # noqa: F811
    page = open_overview(browser, f"{server}/")
    drawn = page.evaluate(CELLS)
    fit = page.evaluate(FIT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("Show the data-size subsamples").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "overview_study.png"))
    rows = page_csv(page, "Download the table (CSV)")
    page.close()
    # 1440 x 900: no sideways scrolling, of the table or of the page, and no scroll box around the table
    assert fit["table"] <= fit["box"] <= fit["main"] and fit["page"] <= fit["window"], fit
    assert fit["boxes"] == [], fit
    expected = {(r.model, r.variant, r.column): r for r in rows.itertuples(index=False)}
    got = {(c["model"], c["variant"], c["column"]): c for c in drawn if c["score"]}
    assert len(expected) == len(rows) and set(got) == set(expected)  # every CSV row drawn once, nothing else
    assert rows["model"].nunique() == 2 and not rows["subsample"].any()  # both sizes; subsamples folded away
    assert {c["column"] for c in drawn} == {"XTREME", "cls", "struct", "QA", "retr.", "xnli", "pawsx", "udpos",
                                            "panx", "xquad", "mlqa", "tydiqa", "bucc", "tatoeba", "xcopa"}
    for k, cell in got.items():
        row = expected[k]
        assert cell["score"] == f"{row.score:.1f}", (k, cell, row.score)
        no_gain = row.gain is None or (isinstance(row.gain, float) and math.isnan(row.gain))
        assert cell["gain"] == ("" if no_gain else f"({row.gain:+.1f})"), (k, cell, row.gain)
        assert cell["grey"] == (str(row.crosses_zero) == "True"), (k, cell, row.crosses_zero)
        assert cell["bold"] == bool(row.best), (k, cell, row.best)
        assert cell["href"] == row.link and cell["baseline"] == bool(row.baseline), k
        assert no_gain == bool(row.baseline), k  # every variant but the baseline has its gain
    assert any(c["grey"] for c in got.values()) and any(c["bold"] for c in got.values())
    # rows: the baseline first, then by the gain in the XTREME score, largest first
    for model, g in rows.groupby("model", sort=False):
        order = list(dict.fromkeys(g["variant"]))
        assert order[0] == "none"
        overall = g[(g["column"] == "XTREME") & ~g["baseline"]]
        assert overall["gain"].is_monotonic_decreasing and list(overall["variant"]) == [
            v for v in order if v in set(overall["variant"])]


def test_subsamples_are_folded_unless_the_url_shows_them(browser, server):  # noqa: F811
    page = open_overview(browser, f"{server}/")
    assert page.locator("table.xlt-study tr.subsample").count() == 0
    assert "subsamples=hide" in page.url
    labels = page.locator("table.xlt-study .label").all_text_contents()
    assert labels and not any(label.endswith(" ex.") for label in labels)
    page.close()
    page = open_overview(browser, f"{server}/?subsamples=show")
    subsamples = page.locator("table.xlt-study tr.subsample .label").all_text_contents()
    sizes = sum(1 for variant in synthetic.VARIANTS if variant[1])  # each task at the sizes below its training set
    assert len(subsamples) == len(synthetic.MODELS) * sizes
    assert all(" · " in s and s.endswith(" ex.") for s in subsamples)
    labels = page.locator("table.xlt-study").first.locator(".label").all_text_contents()
    at = labels.index("mnli")  # each subsample right under its task on all its data, smallest first
    assert labels[at + 1:at + 7] == [f"mnli · {n:,} ex." for n in (1000, 2000, 5000, 10000, 20000, 50000)]
    assert page.get_by_role("switch").first.is_checked()  # the toggle shows the URL's choice
    assert page.locator("[data-testid='stAlert']").filter(has_text="URL:").count() == 0
    page.close()


def test_a_cell_link_opens_the_runs_behind_it(browser, server):  # noqa: F811
    page = open_overview(browser, f"{server}/?metric=em")
    cell = page.locator("table.xlt-study").first.locator("tr", has=page.locator(".label", has_text="squad_v2"))
    link = cell.first.locator("td a").nth(9)  # XTREME, four groups, then xnli, pawsx, udpos, panx, xquad
    href = link.get_attribute("href")
    query = parse_qs(urlparse(href).query)
    assert query == {"model": ["xlm-roberta-base"], "inter": ["squad_v2"], "target": ["xquad"], "split": ["test"],
                     "metric": ["em"]}
    link.click()
    page.wait_for_url("**/runs?**", timeout=60_000)
    page.get_by_text("match the filters").first.wait_for(timeout=60_000)
    # the Runs page took every filter from the link (the app writes back what it accepted) and warned of nothing
    kept = parse_qs(urlparse(page.url).query)
    assert kept["model"] == ["xlm-roberta-base"] and kept["inter"] == ["squad_v2"] and kept["target"] == ["xquad"]
    assert kept["metric"] == ["em"]
    assert page.locator("[data-testid='stAlert']").filter(has_text="URL:").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
