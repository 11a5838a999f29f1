"""Every table the dashboard shows offers its rows as CSV, Markdown and LaTeX: the Markdown and LaTeX files are what
xlt_core.tables.render makes of the same rows (one decimal), the CSV keeps full precision; through Streamlit's
AppTest on the demo's results."""

import io
import os
import re
import struct

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from dashboard.common import file_stem
from tests.dashboard.test_app import app, visit
from xlt_core import charts, study, tables

# page -> the names of its tables' downloads (keys csv-<name>, md-<name>, tex-<name>; files <name>.csv/.md/.tex),
# each with the index of the st.dataframe that shows its rows (None: an HTML table, or rows shown otherwise); a
# name ending in * is a prefix (the rest names the run, target or variant shown)
TABLES = {"overview": {"study_table": None}, "languages": {"language_groups_*": None},
          "regimes": {"regime_variants": -1}, "cost": {"pareto_front": -1},
          "published": {"published_disagreements": 0, "published_numbers": -1}, "claims": {"claims": -1},
          "runs": {"runs": None, "run_scores_*": 1, "provenance_*": 2, "config_*": 3, "chain_*": 4},
          "compare": {"compare_none_mnli_xnli_test": None, "config_diff_*": 1}}


@pytest.fixture
def files(monkeypatch):
    """The files the pages hand to their download buttons, by file name: bytes, or the function that makes them
    on click."""
    made = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def keep(self, data, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data
        return add(self, data, mimetype, coordinates, file_name=file_name, **kw)

    def keep_deferred(self, make, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = make
        return add_deferred(self, make, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)
    return made


def text(files: dict, name: str) -> str:
    data = files[name]
    data = data() if callable(data) else data
    return data.decode() if isinstance(data, bytes) else data


def button_keys(at) -> list[str]:
    return [b.proto.id for b in at.get("download_button")]


def markdown_cells(md: str) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in md.splitlines() if line.startswith("|")]
    split = (lambda line: [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return split(lines[0]), [split(line) for line in lines[2:]]


def latex_cells(tex: str) -> tuple[list[str], list[list[str]]]:
    lines = tex.splitlines()
    body = lines[lines.index(r"\toprule") + 1:lines.index(r"\bottomrule")]
    split = (lambda line: [c.strip() for c in re.split(r"(?<!\\)&", line.removesuffix(r"\\"))])
    return split(body[0]), [split(line) for line in body if line != r"\midrule"][1:]


def columns(parsed, wanted: list[str]) -> list[list[str]]:
    head, rows = parsed
    at = [head.index(c) for c in wanted]
    return [[row[i] for i in at] for row in rows]


def holds(files: dict, name: str, rows: pd.DataFrame) -> None:
    """<name>.md and <name>.tex hold `rows` (all of their columns, or those the page shows) as tables.render
    writes them; <name>.csv has the same rows at full precision."""
    md, tex, csv = text(files, f"{name}.md"), text(files, f"{name}.tex"), text(files, f"{name}.csv")
    for fmt, got, parse in (("markdown", md, markdown_cells), ("latex", tex, latex_cells)):
        expected = tables.render(rows, fmt)
        wanted = parse(expected)[0]  # the column names as the format writes them
        if parse(got)[0] == wanted:
            assert got == expected, (name, fmt)
        else:  # the file has more columns than the page shows: the shown ones, cell for cell
            assert columns(parse(got), wanted) == columns(parse(expected), wanted), (name, fmt)
            assert len(parse(got)[1]) == len(rows), (name, fmt)
    full = pd.read_csv(io.StringIO(csv))
    assert len(full) == len(rows) and {str(c) for c in rows.columns} <= set(full.columns), name
    for c in rows.columns:  # full precision: the CSV's numbers are the rows' own, not rounded to one decimal
        if pd.api.types.is_float_dtype(rows[c]):
            assert full[c].to_numpy() == pytest.approx(rows[c].to_numpy(), nan_ok=True, rel=1e-12), (name, c)


def test_every_table_offers_csv_markdown_and_latex(monkeypatch, demo_db, files, html_cells):
    from dashboard import data

    at = app(monkeypatch, demo_db)
    for page, tables_shown in TABLES.items():
        files.clear()
        visit(at, page)
        ids = button_keys(at)
        f = at.session_state["filters"]
        for wanted, frame in tables_shown.items():
            named = [i.split("-csv-", 1)[1] for i in ids if "-csv-" in i]
            found = [n for n in named if n.startswith(wanted[:-1])] if wanted.endswith("*") else [wanted]
            assert len(found) == 1, (page, wanted, named)
            key = found[0]
            for kind in ("csv", "md", "tex"):
                assert any(i.endswith(f"-{kind}-{key}") for i in ids), (page, kind, key, ids)
            name = file_stem(key)
            assert {f"{name}.csv", f"{name}.md", f"{name}.tex"} <= set(files), (page, name, sorted(files))
            if name == "study_table":  # an HTML table: the same rows through the same functions and filters
                holds(files, name, study.table_rows(data.study(demo_db, f), data.gain_summary(demo_db, f),
                                                    f.split, f.metric))
            elif name == "runs":  # the shown runs (all five of the demo) without the notebook link
                holds(files, name, at.dataframe[0].value.drop(columns=["open"]))
            elif key.startswith("language_groups_"):  # an HTML table of the bars' families: cell for cell its CSV
                rows = pd.read_csv(io.StringIO(text(files, f"{name}.csv")))
                header, shown = html_cells(next(h.proto.body for h in at.get("html") if "xlt-groups" in h.proto.body))
                assert header == ["family", "script", "languages", "mean gain (pts)"] and len(rows) >= 5
                assert [[t for t, _ in row] for row in shown] == [
                    [r.family, r.script, str(r.languages), f"{r.gain:+.1f}"] for r in rows.itertuples()]
                holds(files, name, rows)
            elif frame is not None:  # the st.dataframe the downloads sit under
                holds(files, name, at.dataframe[frame].value)


def test_a_chart_keeps_its_one_csv(monkeypatch, demo_db, files):
    """A chart's data stays a single CSV download: Markdown and LaTeX are for tables."""
    at = app(monkeypatch, demo_db)
    visit(at, "cost")
    ids = button_keys(at)
    assert any(i.endswith("-csv-gain_vs_cost") for i in ids)
    assert not any(i.endswith(("-md-gain_vs_cost", "-tex-gain_vs_cost")) for i in ids)
    assert any(i.endswith("-md-pareto_front") for i in ids) and any(i.endswith("-tex-pareto_front") for i in ids)


@pytest.mark.skipif(not charts.can_export() and not os.environ.get("CI"), reason="no Chrome or Chromium for kaleido")
def test_a_chart_downloads_as_svg_and_png(monkeypatch, demo_db, files):
    """Every chart offers its figure as SVG and PNG, drawn by kaleido when clicked: the SVG has the chart's title and
    one marker per row of the chart's CSV; the PNG is 2,400 px wide (1,200 at scale 2)."""
    at = app(monkeypatch, demo_db)
    visit(at, "cost")
    ids = button_keys(at)
    assert any(i.endswith("-svg-gain_vs_cost") for i in ids) and any(i.endswith("-png-gain_vs_cost") for i in ids)
    rows = pd.read_csv(io.StringIO(text(files, "gain_vs_cost.csv")))
    svg = text(files, "gain_vs_cost.svg")
    assert svg.startswith("<svg") and "gain vs device-hours" in svg
    assert svg.count('class="point"') >= len(rows) > 0  # the variants' points (and the Pareto front's, if drawn)
    png = files["gain_vs_cost.png"]()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24])[0] == 2400
    with pytest.raises(ValueError, match="figure format 'pdf': allowed svg, png"):
        charts.export(go.Figure(), "pdf")
