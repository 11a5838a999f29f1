"""Published vs reproduced, Model size and Claims tested as true in chromium on the synthetic database: the scatters'
points read back from the DOM and compared, value by value, with the CSV each page offers under them (the y = x
diagonal drawn); the Published page shows only the systems we reproduce unless the URL asks for all; every claim
shows its rule, interval and coverage. Screenshots (1440x900) in build/screenshots/."""

import io

import pandas as pd

from test_browser import SHOTS, browser, wait_for_page  # noqa: F401 (browser: a fixture)
from test_truth import close, csv_by_prefix, figure, open_page, pytestmark  # noqa: F401 (pytestmark: browser)


def csv_of(page, key: str) -> pd.DataFrame:
    """The CSV a page offers under the download button of key `csv-<key>` (common.downloads / common.chart)."""
    button = page.locator(f".st-key-csv-{key}").locator("button, a").first
    with page.expect_download(timeout=60_000) as download:
        button.click()
    return pd.read_csv(io.StringIO(open(download.value.path(), encoding="utf-8").read()), keep_default_na=False,
                       na_values=[""])


def shot(page, locator, name: str) -> None:
    """A 1440x900 screenshot with `locator` scrolled to the top of the view."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    locator.evaluate("""e => { e.scrollIntoView({block: 'start'});  // then clear of Streamlit's fixed header
        let box = e.parentElement;
        while (box && !(box.scrollHeight > box.clientHeight && getComputedStyle(box).overflowY !== 'visible'))
            box = box.parentElement;
        (box || document.scrollingElement).scrollBy(0, -90); }""")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / name))
    assert (SHOTS / name).stat().st_size > 10_000


def diagonal(traces: list[dict], values) -> None:
    """The figure has one y = x trace, a line spanning every point."""
    [line] = [t for t in traces if t["name"] == "y = x"]
    assert line["x"] == line["y"] and len(line["x"]) == 2
    assert line["x"][0] <= min(values) and line["x"][1] >= max(values)


def test_published_scatter_draws_exactly_its_rows_and_only_reproduced_systems(browser, server):  # noqa: F811
    page = open_page(browser, f"{server}/published", "published", "published vs ours")
    drawn = figure(page, "published vs ours")["traces"]
    points = csv_of(page, "published_scatter")
    bars = csv_of(page, "published_vs_reproduced")  # every row the page shows (the bar chart's rows)
    averages = figure(page, "published averages")["traces"]
    bar_names = {t["name"] for t in averages}
    shot(page, page.locator(".js-plotly-plot").first, "published_scatter.png")
    assert "pub_systems=reproduced" in page.url
    page.close()

    assert len(points) and points["reproduced"].notna().all()
    expected = {(r.system, r.source, r.target_task, r.metric): r for r in points.itertuples()}
    assert len(expected) == len(points)
    seen = set()
    for trace in drawn:
        if trace["name"] == "y = x":
            continue
        assert trace["type"] == "scatter"
        for (system, source, task, metric, *_), x, y in zip(trace["customdata"], trace["x"], trace["y"]):
            row = expected[(system, source, task, metric)]
            assert task == trace["name"]  # coloured by target task
            assert close(x, row.published) and close(y, row.reproduced), (system, task, metric, x, y)
            seen.add((system, source, task, metric))
    assert seen == set(expected)  # every point drawn, once (keys are unique)
    diagonal(drawn, [*points["published"], *points["reproduced"]])
    # by default only the systems with a reproduced number: every shown system has one, mBERT and X-STILTs (no
    # run of their model / trained with an intermediate task) are not shown
    by_system = bars.groupby("system")["reproduced"].apply(lambda s: s.notna().any())
    assert by_system.all() and {"mBERT", "X-STILTs"}.isdisjoint(by_system.index)
    assert bar_names == {"ours (xlt): xlm-roberta-large"} | set(bars.loc[bars["language"] == "avg", "system"])
    assert list(bar_names)  # the ours trace is there
    # the published CSV itself: one decimal comes from the display, the file keeps the numbers
    assert bars["published"].dtype.kind == "f"
    # the averages, bar for bar: each source's 'avg' number, and ours once per model, task and metric
    drawn_bars = bars_by_name_and_x(averages)
    avg = bars[bars["language"] == "avg"]
    expected = {(r.system, f"{r.target_task} {r.metric}"): r.published for r in avg.itertuples()}
    expected |= {(f"ours (xlt): {r.model}", f"{r.target_task} {r.metric}"): r.reproduced
                 for r in avg.dropna(subset=["reproduced"]).itertuples()}
    assert len(expected) == len(avg.drop_duplicates(["system", "target_task", "metric"])) + len(
        avg.dropna(subset=["reproduced"]).drop_duplicates(["model", "target_task", "metric"]))
    assert set(drawn_bars) == set(expected)
    assert all(close(drawn_bars[k][0], v) for k, v in expected.items())


def test_published_all_systems_from_the_url(browser, server):  # noqa: F811
    page = open_page(browser, f"{server}/published?pub_systems=all", "published", "published averages")
    bars = csv_of(page, "published_vs_reproduced")
    names = [t["name"] for t in figure(page, "published averages")["traces"]]
    listed = csv_of(page, "published_numbers")  # the table as shown: text, one decimal, empty without a number
    page.close()
    assert {"mBERT", "X-STILTs", "XLM-R"} <= set(bars["system"]) and bars["reproduced"].isna().any()
    assert names[0] == "ours (xlt): xlm-roberta-large"  # ours first
    assert len(listed) == len(bars) and listed["reproduced"].isna().sum() == bars["reproduced"].isna().sum()
    for column in ("published", "reproduced", "difference"):
        numbers = listed[column].dropna().astype(float)
        assert (numbers.round(1) == numbers).all(), column
    assert listed["published"].astype(float).tolist() == bars["published"].round(1).tolist()
    # every number keeps its source's full citation; a disagreeing number says so
    assert listed["source"].notna().all() and "link" not in listed.columns
    assert listed["note"].dropna().str.startswith("disagrees: ").all() and listed["note"].notna().sum() >= 10


def bars_by_name_and_x(traces: list[dict]) -> dict:
    """{(trace name, x): (y, error bar above)} of bar traces, no two bars on one (name, x): none stands for two
    rows."""
    bars = [((t["name"], x), (y, t["plus"][i] if t["plus"] else None)) for t in traces
            for i, (x, y) in enumerate(zip(t["x"], t["y"]))]
    assert len(bars) == len(dict(bars)), "two rows drawn as one bar"
    return dict(bars)


def size_bars_match_their_csv(page) -> None:
    """Model size's first two charts, bar for bar their CSV rows: each size's gain per target task with half its
    95% interval as error bar, and the English gap of the baseline and the chosen variant per size."""
    gains = bars_by_name_and_x(figure(page, "by model size")["traces"])
    rows = csv_by_prefix(page, "size_gains_")
    assert len(gains) == len(rows) > 1 and set(rows["model_size"]) == {"base", "large"}
    for r in rows.itertuples():
        gain, plus = gains[(r.model_size, r.target_task)]
        assert close(gain, r.gain) and close(plus, r.ci_half, 1e-6), (r.model_size, r.target_task)
    gaps = bars_by_name_and_x(figure(page, "baseline and after intermediate training")["traces"])
    rows = csv_by_prefix(page, "size_gap_")
    assert len(gaps) == len(rows) > 1
    for r in rows.itertuples():
        assert close(gaps[(r.variant, r.target_task)][0], r.gap), (r.variant, r.target_task)


def test_model_size_scatter_draws_exactly_its_rows(browser, server):  # noqa: F811
    page = open_page(browser, f"{server}/model_size", "model_size", "gain with base vs gain with large")
    drawn = figure(page, "gain with base vs gain with large")["traces"]
    pairs = csv_of(page, "size_scatter")
    shot(page, page.locator(".js-plotly-plot").last, "model_size_scatter.png")
    size_bars_match_their_csv(page)
    page.close()
    expected = {(r.variant, r.target_task): r for r in pairs.itertuples()}
    assert len(expected) == len(pairs) > 1
    seen = set()
    for trace in drawn:
        if trace["name"] == "y = x":
            continue
        for custom, x, y, i in zip(trace["customdata"], trace["x"], trace["y"], range(len(trace["x"]))):
            row = expected[(custom[0], custom[1])]
            assert custom[1] == trace["name"]
            assert close(x, row.gain_base) and close(y, row.gain_large), (custom, x, y)
            if trace["plus"]:
                assert close(trace["plus"][i], row.hi_large - row.gain_large, 1e-6)
                assert close(trace["minus"][i], row.gain_large - row.lo_large, 1e-6)
            seen.add((custom[0], custom[1]))
    assert seen == set(expected)
    assert any(t["plus"] for t in drawn if t["name"] != "y = x")  # the synthetic runs have intervals
    diagonal(drawn, [*pairs["gain_base"], *pairs["gain_large"]])


def test_every_claim_shows_its_rule_interval_and_coverage(browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page.goto(f"{server}/claims")
    wait_for_page(page, "claims")
    assert page.locator("[data-testid='stException']").count() == 0
    claims = csv_of(page, "claims")
    texts = {cid: page.locator(f".st-key-claim-{cid}").inner_text() for cid in claims["claim_id"]}
    shot(page, page.locator(f".st-key-claim-{claims['claim_id'][0]}"), "claims_rules.png")
    page.close()
    assert len(claims) == 10
    for row in claims.itertuples():
        text = " ".join(texts[row.claim_id].split())
        assert row.status in ("supported", "refuted", "not enough data")
        assert f"Verdict: {row.status}." in text, row.claim_id
        assert f"Rule. Runs that qualify: {row.qualifying}." in text, row.claim_id
        assert f"at least {row.min_seeds} seeds" in text and row.model in text
        assert f"Effect claimed. {row.effect_claimed}." in text, row.claim_id
        interval = row.interval if isinstance(row.interval, str) and row.interval else "none yet"
        assert f"Interval. {interval} ({row.seeds} paired seeds" in text, row.claim_id
        assert f"Coverage. {row.seed_coverage}." in text and f"In runs: {row.coverage}" in text, row.claim_id
        assert f"0 of {row.min_seeds} seeds of {row.model}" in text  # the synthetic rows never qualify
