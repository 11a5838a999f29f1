"""The Languages heatmap, the Scaling per-target chart and the Cost chart tested as true: in chromium, on the synthetic
database, every number a figure holds in the DOM (heatmap cells, line points and their 95% bands, points and their
error bars) is read back and compared with the rows the page offers under it as CSV; each row drawn once. The
screenshots build/screenshots/languages_heatmap.png, scaling_bands.png and cost_intervals.png are kept."""

from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from test_browser import CHROMIUM, SHOTS, browser  # noqa: F401 (browser: a fixture)
from test_truth import close, csv_by_prefix, open_page, page_csv
from xlt_core.results import synthetic

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM and not __import__("os").environ.get("CI"),
                                 reason="Debian chromium not installed")]

# the figure whose title holds the argument: its traces as drawn (_fullData), with what the heatmap and the line
# tests need, and its annotations (panel titles, family names)
DRAWN = """(title) => {
  const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._fullData && g.layout.title
    && (g.layout.title.text || '').includes(title));
  const list = a => a == null ? null : Array.from(a, v => (v != null && typeof v === 'object') ? Array.from(v, w =>
    (w != null && typeof w === 'object') ? Array.from(w) : w) : v);
  return {annotations: (g._fullLayout.annotations || []).map(a => ({text: a.text, xref: a.xref})),
    traces: g._fullData.map(t => ({name: t.name, type: t.type, mode: t.mode || null, fill: t.fill || null,
      xaxis: t.xaxis, showlegend: t.showlegend, x: list(t.x), y: list(t.y), z: list(t.z), text: list(t.text),
      plus: t.error_y && t.error_y.visible !== false ? list(t.error_y.array) : null,
      minus: t.error_y && t.error_y.visible !== false ? list(t.error_y.arrayminus) : null,
      customdata: list(t.customdata), symbol: t.marker ? list([].concat(t.marker.symbol)) : null,
      look: t.line ? [t.line.color, t.line.dash] : null}))};
}"""


def shoot(page, title: str, file: str) -> None:
    """A screenshot of the figure whose title holds `title`, whole (the viewport grown to its height, 1440 wide)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    index = page.evaluate("(title) => [...document.querySelectorAll('.js-plotly-plot')].findIndex(g => g.layout.title"
                          " && (g.layout.title.text || '').includes(title))", title)
    plot = page.locator(".js-plotly-plot").nth(index)
    height = plot.bounding_box()["height"]
    page.set_viewport_size({"width": 1440, "height": int(max(900, height + 120))})
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    plot.screenshot(path=str(SHOTS / file))
    assert (SHOTS / file).stat().st_size > 10_000


def drawn_and_csv(browser, url: str, name: str, title: str, csv_key: str, shot: str,  # noqa: F811
                  also: tuple[str, str] | None = None):
    """Open `url`, read the figure titled `title` and the CSV under key `csv_key`, keep a screenshot of the figure:
    (drawn figure, CSV rows, and with `also` (a title and a key) that figure and CSV of the same page, else None)."""
    page = open_page(browser, url, name, title)
    drawn = page.evaluate(DRAWN, title)
    rows = csv_by_prefix(page, csv_key)
    more = (page.evaluate(DRAWN, also[0]), csv_by_prefix(page, also[1])) if also else None
    shoot(page, title, shot)
    page.close()
    return drawn, rows, more


def heatmap_matches_its_csv(page, title: str) -> tuple[pd.DataFrame, dict]:
    """Every heatmap cell drawn equals its CSV row (gain; number in grey italics exactly where the interval
    crosses zero), every CSV row drawn once, and every one has its click target (a marker of the trace named
    'cells' on the same language and row, its hover giving the family and the gain). Returns the rows and the
    drawn figure, its traces the heatmaps only (one per panel)."""
    drawn = page.evaluate(DRAWN, title)
    rows = csv_by_prefix(page, "language_heatmap_")
    assert not rows.duplicated(["variant", "language"]).any()
    expected = {(r.variant, r.language): r for r in rows.itertuples()}
    heats = [t for t in drawn["traces"] if t["type"] == "heatmap"]
    targets = [t for t in drawn["traces"] if t["name"] == "cells"]
    assert len(heats) == len(targets) and len(heats) + len(targets) == len(drawn["traces"])
    marks = [((y, x), c) for t in targets for x, y, c in zip(t["x"], t["y"], t["customdata"])]
    assert len(marks) == len(dict(marks)) and set(dict(marks)) == set(expected)
    for key, (name, family, script, gain, *_) in marks:
        assert family == expected[key].family and gain == f"{expected[key].gain:+.1f}", key  # as the cell says
    seen = set()
    for trace in heats:
        for i, variant in enumerate(trace["y"]):
            for j, lang in enumerate(trace["x"]):
                z, key = trace["z"][i][j], (variant, lang)
                if z is None:
                    assert key not in expected
                    continue
                row = expected[key]
                assert key not in seen
                seen.add(key)
                assert close(z, row.gain), (key, z, row.gain)
                text = trace["text"][i][j]
                assert ("<i>" in text) == bool(row.crosses_zero), (key, text, row.crosses_zero)
                assert f"{row.gain:.1f}" in text
    assert seen == set(expected)
    means = rows.groupby("variant")["gain"].mean().sort_values(ascending=False, kind="stable")
    first = heats[0]
    assert first["x"][0] == "en" and list(first["y"]) == list(means.index)  # English first; best mean on top
    assert all(t["y"] == first["y"] for t in heats)  # every panel the same rows
    return rows, {**drawn, "traces": heats}


def english_gap_matches_its_csv(page) -> None:
    """The English gap chart: every bar is its CSV row's gap (one bar per variant, none shared), the baselines in
    their own trace, each model size in its own panel (y axis)."""
    traces = page.evaluate(DRAWN, "English − other languages")["traces"]
    rows = csv_by_prefix(page, "english_gap_")
    assert len(rows) and not rows.duplicated(["variant"]).any()
    expected = {r.variant: r for r in rows.itertuples()}
    drawn = [(t["name"], t["xaxis"], y, x) for t in traces for x, y in zip(t["x"], t["y"])]
    assert sorted(y for _, _, y, _ in drawn) == sorted(expected)  # each variant drawn once
    axes = {}
    for name, axis, variant, gap in drawn:
        row = expected[variant]
        assert close(gap, row.gap), (variant, gap, row.gap)
        assert name == ("no intermediate training" if row.baseline else "after intermediate training"), variant
        axes.setdefault(row.model_size, set()).add(axis)
    assert all(len(a) == 1 for a in axes.values()) and len(set().union(*axes.values())) == len(axes)  # a panel each


def test_languages_heatmap_draws_its_csv(browser, server):  # noqa: F811
    title = "gain by variant and language"
    page = open_page(browser, f"{server}/languages?lang_target=panx", "languages", title)
    rows, drawn = heatmap_matches_its_csv(page, title)
    assert rows["language"].nunique() == 40 and rows["variant"].nunique() == 32  # the full training sets
    assert len(drawn["traces"]) == 2 and all(len(t["x"]) <= 20 for t in drawn["traces"])  # two panels of languages
    assert {"English", "Germanic", "Indo-Aryan"} <= {a["text"] for a in drawn["annotations"]}
    shoot(page, title, "languages_heatmap.png")
    english_gap_matches_its_csv(page)
    page.close()
    # one seed: many intervals cross zero; every data size: every variant but the baseline
    page = open_page(browser, f"{server}/languages?lang_target=xnli&seed=0&heat_rows=every+data+size", "languages",
                     title)
    rows, _ = heatmap_matches_its_csv(page, title)
    page.close()
    every = len(synthetic.MODELS) * (len(synthetic.VARIANTS) - 1 + len(synthetic.SELECTIONS))  # MNLI: two more rules
    assert rows["variant"].nunique() == every and rows["crosses_zero"].any() and not rows["crosses_zero"].all()


# where a heatmap cell (row, language) is drawn, in page pixels: plotly's own axes convert the category's index
CELL_AT = """([title, row, lang]) => {
  const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout.title
    && (g.layout.title.text || '').includes(title));
  const heat = g._fullData.find(t => t.type === 'heatmap' && Array.from(t.x).includes(lang));
  const xa = g._fullLayout[heat.xaxis.replace('x', 'xaxis')], ya = g._fullLayout[heat.yaxis.replace('y', 'yaxis')];
  const box = g.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(Array.from(heat.x).indexOf(lang)),
          box.top + ya._offset + ya.l2p(Array.from(heat.y).indexOf(row))];
}"""


def test_a_heatmap_cell_opens_the_runs_behind_it(browser, server, synthetic_db):  # noqa: F811
    """A click on a cell names it (variant, language, gain) and links to the Runs page filtered to its model,
    intermediate task, target task, language and the sidebar's seed; that page lists exactly the runs of those
    (every data size and selection rule of the task: the Runs page filters neither, and the line says so)."""
    import duckdb

    title = "gain by variant and language"
    page = open_page(browser, f"{server}/languages?lang_target=xnli&metric=em&seed=0&heat_rows=every+data+size",
                     "languages", title)
    rows = csv_by_prefix(page, "language_heatmap_")
    cell = rows[(rows["language"] == "sw") & (rows["intermediate_task"] == "mnli")
                & (rows["intermediate_size"] == 1000)].iloc[0]
    page.get_by_text("Click a cell to open the runs behind it").wait_for(timeout=60_000)
    plot = page.locator(".js-plotly-plot").first  # the whole heatmap in view (128 rows): every cell clickable
    page.set_viewport_size({"width": 1440, "height": int(plot.bounding_box()["height"]) + 200})
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    x, y = page.evaluate(CELL_AT, [title, cell["variant"], "sw"])
    assert 0 < y < int(plot.bounding_box()["height"]) + 200  # inside the window
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    said = page.locator("p.xlt-cell")
    said.wait_for(timeout=60_000)
    assert said.inner_text().startswith(f"{cell['variant']} on Swahili (sw): gain {cell['gain']:+.1f}")
    assert "every data size and checkpoint rule of mnli" in said.inner_text()  # a subsample: the task's runs listed
    link = said.locator("a")
    query = parse_qs(urlparse(link.get_attribute("href")).query)
    assert query == {"model": [cell["model"]], "inter": ["mnli"], "target": ["xnli"], "split": ["test"],
                     "metric": ["em"], "lang": ["sw"], "seed": ["0"]}
    link.click()
    page.wait_for_url("**/runs?**", timeout=60_000)
    page.get_by_text("match the filters").first.wait_for(timeout=60_000)
    kept = parse_qs(urlparse(page.url).query)
    # the Runs page took every filter (the app leaves the default split out of the URL), warning of nothing
    assert {k: kept.get(k) for k in query if k != "split"} == {k: v for k, v in query.items() if k != "split"}
    assert kept.get("split", ["test"]) == ["test"]
    assert page.locator("[data-testid='stAlert']").filter(has_text="URL:").count() == 0
    listed = page_csv(page, "Download every matching run (CSV)")
    page.close()
    with duckdb.connect(str(synthetic_db), read_only=True) as con:
        expected = {r for (r,) in con.execute(
            "SELECT DISTINCT run_id FROM cells WHERE model = ? AND intermediate_task = 'mnli' AND target_task = "
            "'xnli' AND split = 'test' AND seed = 0 AND language = 'sw'", [cell["model"]]).fetchall()}
    assert len(expected) > 1 and set(listed["run_id"]) == expected and len(listed) == len(expected)


def test_scaling_lines_and_bands_draw_their_csv(browser, server):  # noqa: F811
    title = "xnli: gain vs intermediate training examples"
    drawn, rows, (mean_drawn, means) = drawn_and_csv(
        browser, f"{server}/scaling?scaling_target=xnli", "scaling", title, "scaling_xnli", "scaling_bands.png",
        also=("mean gain over target tasks", "scaling_mean"))
    # the first chart: each line's points are the CSV's means over target tasks, every row drawn once
    drawn_means = {(t["xaxis"], t["name"], x): y for t in mean_drawn["traces"] if t["mode"] == "lines+markers"
                   for x, y in zip(t["x"], t["y"])}
    axis = {m: f"x{'' if k == 0 else k + 1}" for k, m in enumerate(sorted(means["model"].unique()))}  # a panel each
    expected = {(axis[r.model], r.intermediate_task, r.examples): r.gain for r in means.itertuples()}
    assert len(expected) == len(means) == len(drawn_means)
    assert all(close(drawn_means[k], v) for k, v in expected.items())
    assert set(rows["target_task"]) == {"xnli"} and rows["model"].nunique() == 2
    models = sorted(rows["model"].unique())  # one panel per model, in this order (their titles)
    assert [a["text"] for a in drawn["annotations"]][:2] == models
    panel = {f"x{'' if k == 0 else k + 1}": m for k, m in enumerate(models)}
    lines = [t for t in drawn["traces"] if t["mode"] == "lines+markers"]
    bands = {(t["xaxis"], t["name"]): t for t in drawn["traces"] if t["fill"] == "toself"}
    seen = set()
    for line in lines:
        key = (panel[line["xaxis"]], line["name"])
        assert key not in seen
        seen.add(key)
        g = rows[(rows["model"] == key[0]) & (rows["intermediate_task"] == key[1])].sort_values("examples")
        assert len(line["x"]) == len(g) and all(close(a, b) for a, b in zip(line["x"], g["examples"]))
        assert all(close(a, b) for a, b in zip(line["y"], g["gain"])), key
        assert [s.endswith("-open") for s in line["symbol"]] == list(g["full"].astype(bool))  # the full set marked
        band = bands[(line["xaxis"], f"{line['name']} 95% band")]
        n = len(g)
        assert all(close(a, b) for a, b in zip(band["y"][:n], g["ci_high"])), key
        assert all(close(a, b) for a, b in zip(band["y"][n:], g["ci_low"].iloc[::-1])), key
        assert all(close(a, b) for a, b in zip(band["x"], list(g["examples"]) + list(g["examples"])[::-1]))
    assert seen == set(zip(rows["model"], rows["intermediate_task"]))
    legend = [t["name"] for t in drawn["traces"] if t["showlegend"]]
    assert set(legend) == set(rows["intermediate_task"]) | {"full training set (open marker)"}  # every line named
    looks = {t["name"]: (*t["look"], t["symbol"][0]) for t in lines}
    assert len(set(looks.values())) == len(looks) == rows["intermediate_task"].nunique()  # every line its own look


def test_cost_points_and_intervals_draw_their_csv(browser, server):  # noqa: F811
    title = "gain vs device-hours"
    drawn, rows, _ = drawn_and_csv(browser, f"{server}/cost", "cost", title, "gain_vs_cost", "cost_intervals.png")
    assert not rows.duplicated(["variant"]).any() and rows["ci_low"].notna().all()  # ten seeds: every interval
    expected = {r.variant: r for r in rows.itertuples()}
    seen = set()
    for trace in drawn["traces"]:
        if trace["name"] == "Pareto front":
            continue
        for i, variant in enumerate(trace["text"]):  # each point's variant
            row = expected[variant]
            assert variant not in seen and row.regime == trace["name"]
            seen.add(variant)
            assert close(trace["x"][i], row.hours) and close(trace["y"][i], row.gain)
            assert close(trace["plus"][i], row.ci_high - row.gain, 1e-6) and close(
                trace["minus"][i], row.gain - row.ci_low, 1e-6), variant
    assert seen == set(expected)
