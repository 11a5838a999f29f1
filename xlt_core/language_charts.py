"""Pure figure builders of the per-language views: the variant x language gain heatmap, one variant's gains by
language, and the English-vs-other-languages gap. Languages are ordered English first, then by family and script
(tasks.LANGUAGES), the families named over the columns. Colours follow charts' rules: RdBu for gain/loss only.

Each figure is built in one go (its traces, axes, annotations and shapes as plain dicts handed to go.Figure once):
plotly checks a figure's properties on every update, and adding the family names one annotation at a time was the
slowest part of the Languages page on the server."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .charts import GAIN_BLUE, GAIN_SCALE, LOSS_RED, NEUTRAL, PALETTE, interval_text
from .tasks import LANGUAGES

CROSSES = "interval crosses 0"  # the legend entry of the hatched bars
CROSSING_TEXT = '<span style="color:#6e6e6e"><i>{}</i></span>'  # a heatmap cell whose interval crosses 0
CELLS = "cells"  # the name of the heatmap's click targets (gain_heatmap(clickable=True))
# a heatmap cell's hover; customdata: language name, family, script, interval, seeds (on the click targets: name,
# family, script, the gain as text with one decimal, interval, seeds)
HOVER = ("%{y}<br>%{customdata[0]} (%{x}): %{customdata[1]}, %{customdata[2]} script<br>gain %{z:+.1f}<br>"
         "%{customdata[3]}<br>%{customdata[4]}<extra></extra>")
CELL_HOVER = ("%{y}<br>%{customdata[0]} (%{x}): %{customdata[1]}, %{customdata[2]} script<br>gain "
              "%{customdata[3]}<br>%{customdata[4]}<br>%{customdata[5]}<br>click: the runs behind it<extra></extra>")


def language_order(codes) -> list[str]:
    """Language codes (each once) with English first, then grouped by family, then script (tasks.LANGUAGES), then
    by code; unknown codes last."""
    def key(code):
        _, script, family = LANGUAGES.get(code, (code, "~", "~"))
        return (code != "en", family, script, code)

    return sorted(dict.fromkeys(codes), key=key)


def family_groups(codes: list[str]) -> list[tuple[str, int, int]]:
    """(label, first index, last index) of each run of one family in `codes` (as language_order gives them);
    English is a group of its own, labelled English."""
    groups: list[tuple[str, int, int]] = []
    for i, code in enumerate(codes):
        label = "English" if code == "en" else LANGUAGES.get(code, (code, "?", "?"))[2]
        if groups and groups[-1][0] == label and code != "en" and groups[-1][0] != "English":
            groups[-1] = (label, groups[-1][1], i)
        else:
            groups.append((label, i, i))
    return groups


def language_panels(codes: list[str], per_panel: int = 20) -> list[list[str]]:
    """`codes` (in language_order) cut into runs of at most `per_panel`, each cut between two families where the
    run has one past its middle, else where it is full."""
    if len(codes) <= per_panel:
        return [list(codes)]
    panels, rest = [], list(codes)
    while len(rest) > per_panel:
        starts = [first for _, first, _ in family_groups(rest)]
        cut = max([s for s in starts if per_panel // 2 <= s <= per_panel] or [per_panel])
        panels.append(rest[:cut])
        rest = rest[cut:]
    return panels + [rest] if rest else panels


def family_marks(codes: list[str], heat: bool = False, axis: str = "") -> tuple[list[dict], list[dict]]:
    """(annotations, shapes) naming the families over a categorical x axis of language codes (x`axis`, over its
    y`axis` domain; slanted, so that one-language families do not overlap), with a thin line between two families
    (white over a heatmap, dotted grey over bars)."""
    annotations, shapes = [], []
    for label, first, last in family_groups(codes):
        annotations.append(dict(x=(first + last) / 2, y=1.0, xref=f"x{axis}", yref=f"y{axis} domain", text=label,
                                showarrow=False, textangle=-40, xanchor="left", yanchor="bottom",
                                font={"size": 11, "color": NEUTRAL}))
        if first:
            shapes.append(dict(type="line", x0=first - 0.5, x1=first - 0.5, y0=0, y1=1, xref=f"x{axis}",
                               yref=f"y{axis} domain", line={"width": 3 if heat else 1, "color": "white" if heat
                                                             else "#aaa", "dash": "solid" if heat else "dot"}))
    return annotations, shapes


def _crossing(df: pd.DataFrame) -> pd.Series:
    """Per row: whether its 95% interval crosses zero or it has none (`crosses_zero`, else from `lo`/`hi`)."""
    if "crosses_zero" in df:
        return df["crosses_zero"].fillna(True).astype(bool)
    return ~((df["lo"] > 0) | (df["hi"] < 0))


def _interval_words(df: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Per row: the hover's interval line (with its rule) and seeds line."""
    rules = df["interval"] if "interval" in df else pd.Series(None, index=df.index, dtype=object)
    seeds = df["seeds"] if "seeds" in df else pd.Series(np.nan, index=df.index)
    intervals = [interval_text(lo, hi) + (f" ({rule})" if isinstance(rule, str) else "")
                 for lo, hi, rule in zip(df["lo"], df["hi"], rules)]
    return intervals, [f"{int(k)} seed(s)" if pd.notna(k) else "" for k in seeds]


def _cell_tests(df: pd.DataFrame, rows: list, columns: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows-by-columns arrays of the heatmap's cells (`df` one row per `row` and `language`): whether the interval
    crosses zero (or there is none), the interval's hover line and the seeds' line."""
    intervals, seeds = _interval_words(df)
    keyed = df.assign(crossing=_crossing(df).to_numpy(), interval_words=intervals, seed_words=seeds)
    keyed = keyed.set_index(["row", "language"])
    wide = {c: keyed[c].unstack().reindex(index=rows, columns=columns)
            for c in ("crossing", "interval_words", "seed_words")}
    return (wide["crossing"].fillna(True).to_numpy(dtype=bool),
            wide["interval_words"].fillna("no interval").to_numpy(dtype=object),
            wide["seed_words"].fillna("").to_numpy(dtype=object))


def _click_targets(z: np.ndarray, langs: list, rows: list, custom: np.ndarray, axis: str) -> dict:
    """The trace of one heatmap panel's click targets (gain_heatmap(clickable=True)): an invisible marker on each
    cell with a gain (`z` rows x `langs`), its hover data `custom` (name, family, script, interval, seeds) with the
    gain put in as the cell writes it, one decimal."""
    i, j = np.nonzero(np.isfinite(z))
    return dict(type="scatter", mode="markers", x=[langs[c] for c in j], y=[rows[r] for r in i], name=CELLS,
                showlegend=False, xaxis=f"x{axis}", yaxis=f"y{axis}", hovertemplate=CELL_HOVER,
                marker={"symbol": "square", "size": 18, "opacity": 0},
                customdata=[[*custom[r, c, :3], f"{z[r, c]:+.1f}", *custom[r, c, 3:]] for r, c in zip(i, j)])


def gain_heatmap(gains: pd.DataFrame, title: str = "", per_panel: int = 20, clickable: bool = False) -> go.Figure:
    """Rows: variants (`variant`, else model · intermediate task), best mean gain on top; columns: target languages,
    English first, then grouped by family and script, the families named over the columns, in panels one above the
    other of at most `per_panel` languages (split between families where one can), so that each cell has room for
    its number; cells: the gain in points over the same model without intermediate training, one decimal, RdBu
    centred on zero (one colour bar for all panels). With `lo`/`hi` (analysis.with_language_tests, one row per cell)
    a cell whose 95% interval crosses zero, or that has none (`crosses_zero`), has its number in grey italics; the
    hover gives the language's name, family and script, the gain, its interval and seeds. The height grows with
    the rows. `clickable`: each panel gets a trace named CELLS of invisible markers, one per cell, which carries
    the hover and which a click selects (a heatmap itself cannot be selected): x the language, y the row,
    customdata name, family, script, gain (text, one decimal, as in the cell), interval, seeds (the heatmap's hover
    data moves there); a hover within 40 px finds the nearest cell's marker."""
    df = gains.assign(row=gains["variant"] if "variant" in gains else gains["model"] + " · "
                      + gains["intermediate_task"])
    pivot = df.pivot_table(index="row", columns="language", values="gain", aggfunc="mean", sort=False)
    pivot = pivot.loc[pivot.mean(axis=1).sort_values(ascending=False, kind="stable").index,
                      language_order(pivot.columns)]
    rows, columns = list(pivot.index), list(pivot.columns)
    tested = {"lo", "hi"} <= set(df.columns) and not df.duplicated(["row", "language"]).any()
    crossing, interval_words, seed_words = _cell_tests(df, rows, columns) if tested else (
        np.zeros(pivot.shape, dtype=bool), np.full(pivot.shape, "no interval", dtype=object),
        np.full(pivot.shape, "", dtype=object))
    values = pivot.to_numpy(dtype=float)
    shown = np.isfinite(values)
    text = np.where(shown, [[f"{v:.1f}" for v in row] for row in values], "").astype(object)
    if tested:
        text[shown & crossing] = [CROSSING_TEXT.format(t) for t in text[shown & crossing]]
    about = [LANGUAGES.get(lang, (lang, "?", "?")) for lang in columns]  # (name, script, family)
    limit = max(1.0, float(np.nanmax(np.abs(values)))) if shown.any() else 1.0
    panels = language_panels(columns, per_panel)
    height = 60 + (150 + 22 * len(rows)) * len(panels)
    gap = min(0.3, 150 / height)
    size = (1 - gap * (len(panels) - 1)) / len(panels)  # each panel's share of the height, as make_subplots
    traces, annotations, shapes, layout = [], [], [], {}
    start = 0
    for k, langs in enumerate(panels):
        axis = "" if k == 0 else str(k + 1)
        cols = slice(start, start + len(langs))
        start += len(langs)
        names = np.array([[name, family, script] for name, script, family in about[cols]], dtype=object)
        custom = np.concatenate([np.broadcast_to(names, (len(rows), *names.shape)),
                                 interval_words[:, cols, None], seed_words[:, cols, None]], axis=-1)
        z = values[:, cols]
        traces.append(dict(type="heatmap", z=z, x=langs, y=rows, coloraxis="coloraxis", text=text[:, cols],
                           texttemplate="%{text}", textfont={"size": 11}, xgap=1, ygap=1, name=f"languages {k + 1}",
                           xaxis=f"x{axis}", yaxis=f"y{axis}",
                           **({"hoverinfo": "skip"} if clickable else {"hovertemplate": HOVER, "customdata": custom})))
        if clickable:
            traces.append(_click_targets(z, langs, rows, custom, axis))
        top = 1 - k * (size + gap)
        # fixed ranges (the first row on top): the click targets' markers would pad an automatic one
        layout[f"xaxis{axis}"] = {"anchor": f"y{axis}", "domain": [0, 1], "tickangle": 0,
                                  "range": [-0.5, len(langs) - 0.5]}
        layout[f"yaxis{axis}"] = {"anchor": f"x{axis}", "domain": [max(0.0, top - size), top],
                                  "range": [len(rows) - 0.5, -0.5]}
        marks = family_marks(langs, heat=True, axis=axis)
        annotations += marks[0]
        shapes += marks[1]
    layout[f"xaxis{'' if len(panels) == 1 else len(panels)}"]["title"] = {
        "text": "target language (grouped by family, then script)"}
    if clickable:
        layout["hoverdistance"] = 40  # from anywhere in a cell (about 60 x 22 px) to its marker
    layout.update(title=title, annotations=annotations, shapes=shapes, height=height,
                  coloraxis={"colorscale": GAIN_SCALE, "cmid": 0, "cmin": -limit, "cmax": limit,
                             "colorbar": {"title": {"text": "gain (pts)"}, "thickness": 12, "len": 0.5, "y": 1,
                                          "yanchor": "top"}},
                  margin={"l": 10, "r": 10, "t": 150, "b": 10})
    return go.Figure(data=traces, layout=layout)


def language_bars(df: pd.DataFrame, title: str = "") -> go.Figure:
    """Per-language gains of one variant (analysis.by_language): blue bars for a gain, red for a loss (the ends of
    GAIN_SCALE), the languages in language_order (English first, then by family and script) with the families
    named over them; script and the rest in the hover. With `lo`/`hi` (analysis.gain_intervals) each bar has its 95%
    interval as an error bar, and a bar whose interval crosses zero (or that has none: `crosses_zero`) is hatched
    and paler, with a legend entry saying so."""
    order = language_order(df["language"])
    df = df.set_index("language", drop=False).loc[order]
    has = "lo" in df and "hi" in df
    crossing = df["crosses_zero"].astype(bool) if "crosses_zero" in df else pd.Series(False, index=df.index)
    hover = [c for c in ("name", "family", "script", "score", "baseline", "lo", "hi", "interval", "seeds",
                         "examples") if c in df]
    template = "%{x}: gain %{y:+.1f}<br>" + "<br>".join(
        f"{c} %{{customdata[{k}]{':.1f' if c in ('score', 'baseline', 'lo', 'hi') else ''}}}"
        for k, c in enumerate(hover)) + "<extra></extra>"
    traces = []
    for sign, colour, g in (("gain", GAIN_BLUE, df[df["gain"] >= 0]), ("loss", LOSS_RED, df[df["gain"] < 0])):
        if g.empty:
            continue
        cross = crossing.loc[g.index].to_numpy()
        error = None
        if has:
            error = dict(type="data", symmetric=False, array=(g["hi"] - g["gain"]).to_numpy(),
                         arrayminus=(g["gain"] - g["lo"]).to_numpy(), thickness=1.2, width=3, color=NEUTRAL)
        traces.append(dict(type="bar", x=g["language"].to_numpy(), y=g["gain"].to_numpy(), name=sign,
                           error_y=error, showlegend=True, customdata=g[hover].to_numpy(), hovertemplate=template,
                           marker=dict(color=colour, opacity=[0.45 if c else 1.0 for c in cross],
                                       pattern=dict(shape=["/" if c else "" for c in cross], fgcolor="white"))))
    if crossing.any():
        traces.append(dict(type="bar", x=[None], y=[None], name=CROSSES, hoverinfo="skip",
                           marker=dict(color="rgba(0, 0, 0, 0)", line=dict(color="grey", width=1),
                                       pattern=dict(shape="/", fgcolor="grey"))))
    annotations, shapes = family_marks(order)
    zero = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=0, y1=0, line={"width": 1, "color": "grey"})
    return go.Figure(data=traces, layout=dict(
        title=title, yaxis={"title": {"text": "gain over no intermediate training (pts)"}},
        xaxis={"title": {"text": "language (grouped by family, then script)"}, "categoryorder": "array",
               "categoryarray": order, "tickangle": 0},
        barmode="overlay", margin={"t": 150}, legend={"title": {"text": "bars"}}, annotations=annotations,
        shapes=[zero, *shapes]))


def english_gap_bars(df: pd.DataFrame, title: str = "") -> go.Figure:
    """The English gap of the chosen variants (analysis.english_gap_view: `variant`, `model_size`, `gap`, `english`,
    `others`, `baseline`): horizontal bars, one row per variant, sorted by gap within one panel per model size (one
    above the other, titled '<size> model', sharing the x axis), so that base and large never share a bar; the
    baselines (no intermediate training) in grey, the rest in PALETTE[0]. The gap: English score minus the mean of
    the other languages' (points)."""
    sizes = list(dict.fromkeys(df["model_size"])) or [""]
    counts = [max(1, int((df["model_size"] == s).sum())) for s in sizes]
    spacing = 0.06
    share = [(1 - spacing * (len(sizes) - 1)) * c / sum(counts) for c in counts]  # each panel's part of the height
    traces, layout, titles, shown, top = [], {}, [], set(), 1.0
    for r, (size, part_of) in enumerate(zip(sizes, share)):
        axis = "" if r == 0 else str(r + 1)
        g = df[df["model_size"] == size].sort_values("gap", kind="stable")
        for kind, colour, part in (("no intermediate training", PALETTE[6], g[g["baseline"]]),
                                   ("after intermediate training", PALETTE[0], g[~g["baseline"]])):
            if part.empty:
                continue
            traces.append(dict(
                type="bar", x=part["gap"].to_numpy(), y=part["variant"].to_numpy(), orientation="h", name=kind,
                marker={"color": colour}, legendgroup=kind, showlegend=kind not in shown, xaxis=f"x{axis}",
                yaxis=f"y{axis}", customdata=part[["english", "others"]].to_numpy(dtype=float),
                hovertemplate="%{y}<br>English − others: %{x:+.1f}<br>English %{customdata[0]:.1f}, others "
                              "%{customdata[1]:.1f}<extra></extra>"))
            shown.add(kind)
        last = r == len(sizes) - 1
        layout[f"xaxis{axis}"] = {"anchor": f"y{axis}", "domain": [0, 1], "showticklabels": last,
                                  **({} if r == 0 else {"matches": "x"}),
                                  **({"title": {"text": "English − mean of the other languages (pts)"}} if last
                                     else {})}
        layout[f"yaxis{axis}"] = {"anchor": f"x{axis}", "domain": [max(0.0, top - part_of), top],
                                  "categoryorder": "array", "categoryarray": list(g["variant"]), "automargin": True}
        titles.append(dict(text=f"{size} model", x=0.5, xref="paper", y=top, yref="paper", xanchor="center",
                           yanchor="bottom", showarrow=False, font={"size": 16}))
        top -= part_of + spacing
    height = 160 + 26 * sum(counts) + 40 * len(sizes)
    # room for the labels, about 7 px a character at their size, at most 420 px (automargin alone cut their first
    # pixel or two in the browser)
    width = max((len(str(v)) for v in df["variant"]), default=0)
    layout.update(title=title, barmode="overlay", height=height, annotations=titles,
                  margin={"b": 90, "l": min(420, 20 + 7 * width)},
                  legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -60 / (160 + 26 * sum(counts)),
                          "yanchor": "top"})
    return go.Figure(data=traces, layout=layout)
