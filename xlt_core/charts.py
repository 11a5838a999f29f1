"""Pure figure builders: a DataFrame in, a plotly figure out (or, for the gain tables, HTML: a coloured table draws
much sooner than a plotly figure). No Streamlit, no database, no torch: the dashboard and the analysis notebooks both
draw with these. The per-language figures are in language_charts."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale


# Colour rules. Red-blue (RdBu, centred on zero) means gain/loss and nothing else. Series are told apart by a
# colour-blind-safe palette (Okabe & Ito's, without its vermillion, which would read as a loss) and, past its seven
# colours, by dash and marker as well (style), so no two of up to 28 series look alike.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#8C6D00", "#6E6E6E"]
DASHES = ["solid", "dash", "dot", "dashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up"]
GAIN_SCALE = "RdBu"  # red: loss, blue: gain (plotly's RdBu runs red -> blue)
NEUTRAL = "#8A8A8A"  # lines and marks that are no series (Pareto front, legend keys, ours): legible on light and dark
_RDBU = get_colorscale("RdBu")  # [[position, "rgb(r,g,b)"], ...], as the plotly heatmaps
_STOPS = np.array([p for p, _ in _RDBU])
_RGB = np.array([[float(c) for c in colour[4:-1].split(",")] for _, colour in _RDBU])
GAIN_BLUE = _RDBU[-2][1]  # a gain (RdBu's blue end, one step in: the darkest is near black)
LOSS_RED = _RDBU[1][1]  # a loss (RdBu's red end, one step in)
MARKERS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star"]  # a marker shape per series, as colour


def style(i: int) -> dict:
    """The look of the i-th series: {color, dash, symbol}; distinct for i < len(PALETTE) * len(DASHES)."""
    k = i // len(PALETTE)
    return {"color": PALETTE[i % len(PALETTE)], "dash": DASHES[k % len(DASHES)],
            "symbol": SYMBOLS[k % len(SYMBOLS)]}


def gain_bars(df: pd.DataFrame, x: str, color: str, title: str = "", error: str | None = None) -> go.Figure:
    """Grouped bars of `gain` (points), with error bars from column `error` when given."""
    import plotly.express as px

    fig = px.bar(df, x=x, y="gain", color=color, barmode="group", title=title, error_y=error)
    fig.add_hline(y=0, line_width=1, line_color="grey")
    fig.update_layout(yaxis_title="gain over no intermediate training (pts)")
    return fig


def regime_bars(df: pd.DataFrame, title: str = "") -> go.Figure:
    """The regimes' gains: one row of `df` per model, regime and target task (`gain`, optional `ci_low`/`ci_high`,
    `variants`), one panel per model so that no two models' rows share a bar; bars grouped by regime, with error
    bars from `ci_low`/`ci_high` where they are given (asymmetric: an interval need not be centred on its gain)."""
    import plotly.express as px

    df = df.sort_values(["model", "target_task", "regime"]).reset_index(drop=True)
    models = list(dict.fromkeys(df["model"]))
    has_ci = {"ci_low", "ci_high"} <= set(df.columns) and bool(df[["ci_low", "ci_high"]].notna().any().any())
    shown = df.assign(err_plus=df["ci_high"] - df["gain"], err_minus=df["gain"] - df["ci_low"]) if has_ci else df
    custom = ["model", *(c for c in ("variants", "ci_low", "ci_high") if c in df.columns)]
    fig = px.bar(shown, x="target_task", y="gain", color="regime", barmode="group", title=title,
                 facet_row="model" if len(models) > 1 else None, category_orders={"model": models},
                 error_y="err_plus" if has_ci else None, error_y_minus="err_minus" if has_ci else None,
                 custom_data=custom, labels={"target_task": "target task"})
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    hover = "%{customdata[0]}<br>%{x}: gain %{y:.2f}"
    if "variants" in df.columns:
        hover += "<br>mean of %{customdata[1]} variant(s)"
    fig.update_traces(hovertemplate=hover + "<extra>%{fullData.name}</extra>")
    fig.add_hline(y=0, line_width=1, line_color="grey")
    fig.update_yaxes(title_text="gain (pts)")
    fig.update_xaxes(showticklabels=True)  # every panel names its target tasks, not only the lowest
    fig.update_layout(height=160 + 320 * max(1, len(models)), legend_title_text="regime")
    return fig


def gain_lines(df: pd.DataFrame, x: str, color: str, title: str = "", log_x: bool = True, facet: str | None = None,
               band: bool = True, full: str | None = None) -> go.Figure:
    """Gain against `x`, one line per `color` value (in one panel per `facet` value when given, side by side),
    every line styled by style(i) (colour, dash and marker; the same look for the same value in every panel) and
    named once in the legend. With `band` and `ci_low`/`ci_high` in `df`, each line has its 95% band (same colour,
    semi-transparent) where it has intervals. Points where the boolean column `full` is true (the full training
    set) get an open, larger marker. A log x axis gets ticks at 1, 2, 5 times powers of ten (1k, 2k, 5k, 10k, ...).
    Hovers with one decimal."""
    from plotly.subplots import make_subplots

    df = df.sort_values(x)
    panels = list(dict.fromkeys(sorted(df[facet].unique()))) if facet else [None]
    series = sorted(df[color].astype(str).unique())
    fig = make_subplots(rows=1, cols=len(panels), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[str(p) for p in panels] if facet else None)
    has_ci = band and {"ci_low", "ci_high"} <= set(df.columns)
    named = set()
    for col, panel in enumerate(panels, start=1):
        part = df if panel is None else df[df[facet] == panel]
        for i, name in enumerate(series):
            g = part[part[color].astype(str) == name]
            if g.empty:
                continue
            look, xs = style(i), g[x].to_numpy(dtype=float)
            is_full = g[full].fillna(False).astype(bool).to_numpy() if full else np.zeros(len(g), bool)
            if has_ci:
                lo, hi = g["ci_low"].to_numpy(dtype=float), g["ci_high"].to_numpy(dtype=float)
                ok = np.isfinite(lo) & np.isfinite(hi)
                if ok.sum() >= 2:
                    fig.add_trace(go.Scatter(
                        x=np.concatenate([xs[ok], xs[ok][::-1]]), y=np.concatenate([hi[ok], lo[ok][::-1]]),
                        fill="toself", fillcolor=_rgba(look["color"], 0.18), line={"width": 0}, mode="lines",
                        name=f"{name} 95% band", legendgroup=name, showlegend=False, hoverinfo="skip"),
                        row=1, col=col)
            custom = np.stack([g["ci_low"].to_numpy(dtype=float) if has_ci else np.full(len(g), np.nan),
                               g["ci_high"].to_numpy(dtype=float) if has_ci else np.full(len(g), np.nan),
                               is_full], axis=-1)
            hover = (f"{name}{'' if panel is None else f' ({panel})'}<br>%{{x:,.0f}} examples: gain %{{y:+.1f}}"
                     + ("<br>95% interval [%{customdata[0]:.1f}, %{customdata[1]:.1f}]" if has_ci else "")
                     + "<extra></extra>")
            fig.add_trace(go.Scatter(
                x=xs, y=g["gain"].to_numpy(dtype=float), mode="lines+markers", name=name, legendgroup=name,
                showlegend=name not in named, customdata=custom, hovertemplate=hover,
                line={"color": look["color"], "dash": look["dash"], "width": 2},
                marker={"color": look["color"], "symbol": [look["symbol"] + ("-open" if f else "") for f in is_full],
                        "size": [13 if f else 7 for f in is_full], "line": {"width": 2, "color": look["color"]}}),
                row=1, col=col)
            named.add(name)
    if full and df[full].fillna(False).astype(bool).any():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="full training set (open marker)",
                                 marker={"symbol": "circle-open", "size": 13, "color": NEUTRAL, "line": {"width": 2}},
                                 hoverinfo="skip"))
    fig.add_hline(y=0, line_width=1, line_color="grey")
    values = df[x].to_numpy(dtype=float)
    if log_x:
        ticks = _log_ticks(values[np.isfinite(values) & (values > 0)])
        fig.update_xaxes(type="log", tickvals=ticks, ticktext=[_si(t) for t in ticks])
    fig.update_xaxes(title_text=x.replace("_", " ") if x != "examples" else "intermediate training examples")
    fig.update_yaxes(title_text="gain (pts)", col=1)
    fig.update_layout(title=title, height=480, legend={"tracegroupgap": 2})
    return fig


def gain_vs_cost(df: pd.DataFrame, front: pd.DataFrame | None = None, title: str = "") -> go.Figure:
    """Gain against compute (device-hours of the whole chain), one point per variant, its marker styled by
    style(i) of its regime, with a vertical error bar from `ci_low`/`ci_high` where it has an interval, and the
    Pareto front (the variants nothing beats on both counts) as a dashed line, the last trace."""
    fig = go.Figure()
    groups = df.groupby("regime", sort=True) if "regime" in df else [("variants", df)]
    has_ci = {"ci_low", "ci_high"} <= set(df.columns)
    for i, (name, g) in enumerate(groups):
        look = style(i)
        error = None
        if has_ci and g[["ci_low", "ci_high"]].notna().any().any():
            error = dict(type="data", symmetric=False, array=(g["ci_high"] - g["gain"]).to_numpy(dtype=float),
                         arrayminus=(g["gain"] - g["ci_low"]).to_numpy(dtype=float), thickness=1, width=2,
                         color=look["color"])
        names = g["variant"] if "variant" in g else pd.Series([name] * len(g), index=g.index)
        seeds = g["seeds"] if "seeds" in g else pd.Series([np.nan] * len(g), index=g.index)
        lo = g["ci_low"] if has_ci else pd.Series([np.nan] * len(g), index=g.index)
        hi = g["ci_high"] if has_ci else pd.Series([np.nan] * len(g), index=g.index)
        about = [f"{i}, {k} seed(s)" for i, k in zip([interval_text(a, b) for a, b in zip(lo, hi)], seeds)]
        fig.add_trace(go.Scatter(  # text and hovertext, not customdata: the SVG export keeps plain point markers
            x=g["hours"], y=g["gain"], mode="markers", name=str(name), error_y=error, text=list(names.astype(str)),
            hovertext=about,
            marker={"color": look["color"], "symbol": MARKERS[i % len(MARKERS)], "size": 9,
                    "line": {"width": 1, "color": "white"}},
            hovertemplate="%{text}<br>%{x:.1f} device-hours: gain %{y:+.1f}<br>%{hovertext}"
                          "<extra>%{fullData.name}</extra>"))
    if front is not None and len(front):
        fig.add_trace(go.Scatter(x=front["hours"], y=front["gain"], mode="lines", name="Pareto front",
                                 line={"dash": "dash", "color": NEUTRAL}, hoverinfo="skip"))
    fig.add_hline(y=0, line_width=1, line_color="grey")
    log = bool(len(df) and (df["hours"] > 0).all())
    if log:
        ticks = _log_ticks(df["hours"].to_numpy(dtype=float))
        fig.update_xaxes(type="log", tickvals=ticks, ticktext=[_si(t) for t in ticks])
    fig.update_layout(title=title, xaxis_title="compute of the chain (device-hours, log scale)" if log else
                      "compute of the chain (device-hours)", yaxis_title="gain (pts)", legend_title_text="regime")
    return fig


TABLE_CSS = """<style>
table.xlt-table {border-collapse: collapse; font-size: 0.85rem}
table.xlt-table th, table.xlt-table td {padding: 0.15rem 0.5rem; border: 1px solid rgba(128, 128, 128, 0.3);
  white-space: nowrap; text-align: left}
table.xlt-table th {position: sticky; top: 0; color: inherit; background-color: rgba(128, 128, 128, 0.2);
  backdrop-filter: blur(10px)}
table.xlt-table .num {text-align: right}
</style>"""


def diverging_css(values, limit: float) -> list[str]:
    """CSS of heatmap cells: RdBu centred on zero at +-limit (as the plotly heatmaps), white text on the dark ends,
    nothing for a missing value."""
    x = np.clip(np.asarray(values, dtype=float) / limit, -1.0, 1.0)
    position = (np.nan_to_num(x) + 1) / 2
    channels = np.stack([np.interp(position, _STOPS, _RGB[:, k]) for k in range(3)], axis=-1).round().astype(int)
    ink = np.where(np.abs(x) > 0.6, "white", "black")
    return ["" if np.isnan(v) else f"background-color: rgb({r}, {g}, {b}); color: {c}"
            for v, (r, g, b), c in zip(x, channels, ink)]


def html_table(df: pd.DataFrame, css_class: str, formats: dict[str, str] | None = None,
               cell_css: pd.DataFrame | None = None, numbers: list[str] | None = None, caption: str = "") -> str:
    """`df` as a plain HTML table: every text escaped, `formats` ({column: "{:.1f}"}) applied, missing values empty,
    `cell_css` (same shape as df, or None) inline on each cell, the `numbers` columns (default: those in `formats`)
    aligned right, `caption` under the table (one line per line). Plain HTML draws without loading a chart library
    into the browser."""
    formats = formats or {}
    numbers = set(formats if numbers is None else numbers)
    right = ' class="num"'
    head = "".join(f"<th{right if c in numbers else ''}>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    css = None if cell_css is None else cell_css.to_numpy(dtype=object)  # .iat per cell costs ~20 us
    for i, row in enumerate(df.itertuples(index=False)):
        cells = []
        for j, (column, value) in enumerate(zip(df.columns, row)):
            missing = value is None or (np.ndim(value) == 0 and pd.isna(value))
            text = "" if missing else formats.get(column, "{}").format(value)
            style = "" if css is None or not css[i, j] else f' style="{css[i, j]}"'
            cells.append(f"<td{right if column in numbers else ''}{style}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = (f'<caption style="caption-side: bottom; text-align: left; white-space: nowrap; font-size: 0.8rem">'
               f'{"<br>".join(html.escape(line) for line in caption.splitlines())}</caption>' if caption else "")
    return (f'{TABLE_CSS}<table class="xlt-table {css_class}">{caption}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


# a gain whose interval crosses zero: greyed in light and dark themes alike
GREY = "background-color: rgba(128, 128, 128, 0.15); color: rgb(128, 128, 128)"
ONE_SEED = "†"  # a cell's interval rests on one seed: its evaluation examples only


def _cell_text(df: pd.DataFrame) -> list[str]:
    """Each gain's cell: the gain, ± half its interval where it has one, ONE_SEED where that rests on one seed."""
    rows = zip(df["gain"], df["ci_low"], df["ci_high"], df["seeds"])
    return [f"{g:+.1f}" + ("" if pd.isna(lo) or pd.isna(hi) else f" ±{(hi - lo) / 2:.1f}{ONE_SEED if k == 1 else ''}")
            for g, lo, hi, k in rows]


def _seeds(values) -> str:
    """'1 seed', '10 seeds', '1 to 10 seeds': the range of a column of seed counts."""
    low, high = int(np.nanmin(values)), int(np.nanmax(values))
    return f"{low}{'' if low == high else f' to {high}'} seed{'' if high == 1 else 's'}"


def gain_table(summary: pd.DataFrame) -> str:
    """The gain heatmap as an HTML table: rows variant, columns target task, cells the mean gain over seeds with
    half its 95% interval (`ci_low`/`ci_high`; ONE_SEED: an interval from one seed's evaluation examples), coloured
    RdBu centred on zero, grey where the interval crosses zero or there is none (`crosses_zero`); the caption says
    how the intervals were made and what the cells rest on (seeds, examples per language: `min_examples`), as
    analysis.noise_floor gives them. A plain analysis.gain_summary has its bootstrap over seeds, none with one seed."""
    df = summary.copy()
    if "crosses_zero" not in df:
        df.loc[df["seeds"] <= 1, ["ci_low", "ci_high"]] = np.nan
        df["crosses_zero"] = ~((df["ci_low"] > 0) | (df["ci_high"] < 0))
    df["text"], df["grey"] = _cell_text(df), df["crosses_zero"].fillna(True).astype(bool)
    wide = df.pivot_table(index="variant", columns="target_task", sort=False, aggfunc="first",
                          values=["gain", "text", "grey"])
    columns = list(wide["gain"].columns)
    gains = wide["gain"].to_numpy(dtype=float)
    limit = max(1.0, float(np.nanmax(np.abs(gains)))) if np.isfinite(gains).any() else 1.0
    css = np.array(diverging_css(gains.ravel(), limit), dtype=object).reshape(gains.shape)
    css[wide["grey"].fillna(False).to_numpy(dtype=bool) & np.isfinite(gains)] = GREY
    label = "intermediate training \\ target task"
    table = pd.DataFrame(wide["text"].fillna("").to_numpy(), columns=columns)
    cell_css = pd.DataFrame(css, columns=columns)
    table.insert(0, label, list(wide.index))
    cell_css.insert(0, label, "")
    rests = _seeds(df["seeds"]) + " a cell" + ("" if "min_examples" not in df or df["min_examples"].isna().all() else
                                              f", at least {int(df['min_examples'].min()):,} evaluation examples a "
                                              "language")
    return html_table(table, "xlt-gains", cell_css=cell_css, numbers=columns,
                      caption=f"Blue: gain, red: loss; the darkest colours at ±{limit:.1f} points. Grey: the 95% "
                              "interval crosses 0, or there is none.\n± half the 95% interval: Student's t over the "
                              f"seeds where a cell has two or more; {ONE_SEED} one seed: over its evaluation examples "
                              "only (a paired bootstrap; normal when a language filter combines languages).\n"
                              f"The gains rest on {rests} (each cell's in the CSV).")


def gap_bars(df: pd.DataFrame, x: str = "target_task", color: str = "variant", title: str = "") -> go.Figure:
    """The English-vs-other-languages gap (English score minus the mean of the others), grouped bars."""
    import plotly.express as px

    fig = px.bar(df, x=x, y="gap", color=color, barmode="group", title=title,
                 hover_data=["english", "others"], labels={"gap": "English − other languages (pts)"})
    return fig


def published_bars(df: pd.DataFrame, title: str = "") -> go.Figure:
    """Published averages beside ours, per target task (analysis.published_vs_reproduced, language 'avg'). Ours
    come first in each group and in the legend, grey (NEUTRAL) with a white hatch; the published systems in the palette (style),
    past its seven colours with a dotted, crossed or striped fill as well."""
    rows = df[df["language"] == "avg"]
    order = list(dict.fromkeys(rows["target_task"] + " " + rows["metric"]))
    fig = go.Figure()
    ours = rows.dropna(subset=["reproduced"]).drop_duplicates(["model", "target_task", "metric"])
    for model, g in ours.groupby("model"):
        fig.add_bar(name=f"ours (xlt): {model}", x=g["target_task"] + " " + g["metric"], y=g["reproduced"],
                    marker=dict(color=NEUTRAL, pattern=dict(shape="/", bgcolor=NEUTRAL, fgcolor="white",
                                                                 fillmode="replace")),
                    hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>")
    fills = ["", ".", "x", "-"]
    for i, (system, g) in enumerate(rows.groupby("system", sort=False)):
        look = style(i)
        fig.add_bar(name=system, x=g["target_task"] + " " + g["metric"], y=g["published"],
                    marker=dict(color=look["color"], pattern=dict(shape=fills[(i // len(PALETTE)) % len(fills)])),
                    customdata=g[["source"]].to_numpy() if "source" in g else None,
                    hovertemplate="%{x}: %{y:.1f}" + ("<br>%{customdata[0]}" if "source" in g else "")
                    + "<extra>%{fullData.name}</extra>")
    fig.update_layout(title=title, barmode="group", yaxis_title="score", xaxis_title="task and metric",
                      xaxis=dict(categoryorder="array", categoryarray=order), legend_title_text="system")
    return fig


EXPORT_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def can_export() -> bool:
    """Whether figures can be written as SVG and PNG here: kaleido draws them in a Chrome or Chromium it finds
    ($BROWSER_PATH, or one of EXPORT_BROWSERS on the PATH); it never downloads one."""
    import os
    import shutil

    return bool(os.environ.get("BROWSER_PATH") or any(shutil.which(b) for b in EXPORT_BROWSERS))


def export(fig: go.Figure, fmt: str, width: int = 1200) -> bytes:
    """The figure as an SVG or PNG file (plotly's static export through kaleido), on a white background at `width`
    px (PNG at twice that resolution), whatever theme the page showed it in."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"figure format {fmt!r}: allowed svg, png")
    out = go.Figure(fig)
    out.update_layout(template="plotly_white", paper_bgcolor="white", plot_bgcolor="white")
    height = out.layout.height or 500
    return out.to_image(format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1)


def _diagonal(values) -> go.Scatter:
    """The y = x line over the range of `values` (a little beyond), as a trace named 'y = x'."""
    finite = [float(v) for v in values if v is not None and np.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = max(1.0, (high - low) * 0.05)
    ends = [low - pad, high + pad]
    return go.Scatter(x=ends, y=ends, mode="lines", name="y = x", hoverinfo="skip",
                      line=dict(color="grey", dash="dash", width=1))


def published_scatter(points: pd.DataFrame, title: str = "") -> go.Figure:
    """Published (x) against ours (y), one point per row of analysis.published_points (system, source, target task,
    metric), coloured by target task (style), the y = x diagonal drawn: a point above it is a number we beat. The
    hover names the system, source, task, metric, languages and both numbers."""
    fig = go.Figure()
    hover = ["system", "source", "target_task", "metric", "language", "published", "reproduced"]
    for i, (task, g) in enumerate(points.groupby("target_task", sort=True)):
        look = style(i)
        fig.add_scatter(x=g["published"], y=g["reproduced"], mode="markers", name=str(task),
                        marker=dict(color=look["color"], symbol=look["symbol"], size=10,
                                    line=dict(color="white", width=1)),
                        customdata=g[hover].to_numpy(dtype=object),
                        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]} %{customdata[3]} "
                                      "(%{customdata[4]})<br>published %{x:.1f}, ours %{y:.1f}<extra></extra>")
    fig.add_trace(_diagonal([*points["published"], *points["reproduced"]]))
    fig.update_layout(title=title, xaxis_title="published score", yaxis_title="our score (xlt)",
                      legend_title_text="target task", height=520)
    return fig


def size_scatter(pairs: pd.DataFrame, small: str = "base", large: str = "large", title: str = "") -> go.Figure:
    """Gain with the small model (x) against gain with the large one (y), one point per row of analysis.size_pairs
    (variant and target task), coloured by target task (style), with error bars from each size's 95% interval
    where it has one and the y = x diagonal: above it, the large model gains more."""
    fig = go.Figure()
    hover = ["variant", "target_task", f"seeds_{small}", f"seeds_{large}"]

    def error(size, g):
        lo, hi, gain = g[f"lo_{size}"], g[f"hi_{size}"], g[f"gain_{size}"]
        if lo.isna().all():
            return None
        return dict(type="data", symmetric=False, array=(hi - gain).to_numpy(dtype=float),
                    arrayminus=(gain - lo).to_numpy(dtype=float), thickness=1, width=2)

    for i, (task, g) in enumerate(pairs.groupby("target_task", sort=True)):
        look = style(i)
        fig.add_scatter(x=g[f"gain_{small}"], y=g[f"gain_{large}"], mode="markers", name=str(task),
                        error_x=error(small, g), error_y=error(large, g),
                        marker=dict(color=look["color"], symbol=look["symbol"], size=9),
                        customdata=g[hover].to_numpy(dtype=object),
                        hovertemplate="%{customdata[0]} on %{customdata[1]}<br>" + small + " %{x:+.1f} "
                                      "(%{customdata[2]} seeds)<br>" + large + " %{y:+.1f} (%{customdata[3]} seeds)"
                                      "<extra></extra>")
    fig.add_trace(_diagonal([*pairs[f"gain_{small}"], *pairs[f"gain_{large}"]]))
    fig.add_hline(y=0, line_width=1, line_color="lightgrey")
    fig.add_vline(x=0, line_width=1, line_color="lightgrey")
    fig.update_layout(title=title, xaxis_title=f"gain with {small} (pts)", yaxis_title=f"gain with {large} (pts)",
                      legend_title_text="target task", height=520)
    return fig


# helpers: interval words (here and language_charts), line colours, log ticks ---------------------------------------


def interval_text(lo, hi) -> str:
    """'95% interval [a, b]' with one decimal, or 'no interval'."""
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return "no interval"
    return f"95% interval [{lo:+.1f}, {hi:+.1f}]"


def _rgba(colour: str, alpha: float) -> str:
    """'#RRGGBB' or 'rgb(r, g, b)' -> 'rgba(r, g, b, alpha)'."""
    if colour.startswith("#"):
        r, g, b = (int(colour[k:k + 2], 16) for k in (1, 3, 5))
    else:
        r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
    return f"rgba({r}, {g}, {b}, {alpha})"


def _log_ticks(values) -> list[float]:
    """Ticks of a log axis over `values`: 1, 2 and 5 times the powers of ten from below the smallest to above the
    largest."""
    if not len(values):
        return []
    low, high = int(np.floor(np.log10(np.min(values)))), int(np.ceil(np.log10(np.max(values))))
    ticks = [m * 10.0 ** k for k in range(low, high + 1) for m in (1, 2, 5)]
    inside = [t for t in ticks if np.min(values) / 2.5 <= t <= np.max(values) * 2.5]
    return inside or ticks


def _si(value: float) -> str:
    """1000 -> '1k', 20000 -> '20k', 1e6 -> '1M', 500 -> '500'."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"
