"""Pure figure builders: a DataFrame in, a plotly figure out (or, for the overview's tables, HTML: a coloured table
draws much sooner than a plotly figure). No Streamlit, no database, no torch: the dashboard and the analysis
notebooks both draw with these."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from .tasks import LANGUAGES

# Colour rules. Red-blue (RdBu, centred on zero) means gain/loss and nothing else. Series are told apart by a
# colour-blind-safe palette (Okabe & Ito's, without its vermillion, which would read as a loss) and, past its seven
# colours, by dash and marker as well (style), so no two of up to 28 series look alike.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#8C6D00", "#6E6E6E"]
DASHES = ["solid", "dash", "dot", "dashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up"]
GAIN_SCALE = "RdBu"  # red: loss, blue: gain (plotly's RdBu runs red -> blue)


def style(i: int) -> dict:
    """The look of the i-th series: {color, dash, symbol}; distinct for i < len(PALETTE) * len(DASHES)."""
    k = i // len(PALETTE)
    return {"color": PALETTE[i % len(PALETTE)], "dash": DASHES[k % len(DASHES)],
            "symbol": SYMBOLS[k % len(SYMBOLS)]}


def gain_heatmap(gains: pd.DataFrame, title: str = "") -> go.Figure:
    """Rows: model / intermediate task; columns: target language (English first); cells: gain in points over
    the same model without intermediate training. Diverging colours centred on zero."""
    df = gains.assign(row=gains["model"] + " · " + gains["intermediate_task"])
    pivot = df.pivot_table(index="row", columns="language", values="gain", aggfunc="mean")
    langs = sorted(pivot.columns, key=lambda lang: (lang != "en", lang))
    pivot = pivot[langs]
    limit = max(1.0, float(pivot.abs().max().max()))
    fig = go.Figure(go.Heatmap(
        z=pivot.values, x=langs, y=list(pivot.index), zmid=0, zmin=-limit, zmax=limit, colorscale="RdBu",
        text=pivot.round(1).values, texttemplate="%{text}", colorbar={"title": "gain (pts)"},
        customdata=[[LANGUAGES.get(lang, (lang,))[0] for lang in langs]] * len(pivot.index),
        hovertemplate="%{y}<br>%{customdata} (%{x})<br>gain %{z:.2f}<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="target language", yaxis_title="model · intermediate task",
                      height=220 + 40 * len(pivot.index), margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


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


def gain_lines(df: pd.DataFrame, x: str, color: str, title: str = "", log_x: bool = True) -> go.Figure:
    import plotly.express as px

    fig = px.line(df.sort_values(x), x=x, y="gain", color=color, markers=True, title=title, log_x=log_x)
    fig.add_hline(y=0, line_width=1, line_color="grey")
    return fig


def gain_vs_cost(df: pd.DataFrame, front: pd.DataFrame | None = None, title: str = "") -> go.Figure:
    """Gain against compute (device-hours of the whole chain), one point per variant, with the Pareto front (the
    variants nothing beats on both counts) as a line."""
    import plotly.express as px

    fig = px.scatter(df, x="hours", y="gain", color="regime" if "regime" in df else None, hover_name="variant"
                     if "variant" in df else None, title=title, log_x=bool(len(df) and (df["hours"] > 0).all()),
                     labels={"hours": "compute of the chain (device-hours)", "gain": "gain (pts)"})
    if front is not None and len(front):
        fig.add_trace(go.Scatter(x=front["hours"], y=front["gain"], mode="lines", name="Pareto front",
                                 line={"dash": "dash", "color": "black"}, hoverinfo="skip"))
    fig.add_hline(y=0, line_width=1, line_color="grey")
    return fig


_RDBU = get_colorscale("RdBu")  # [[position, "rgb(r,g,b)"], ...], as the plotly heatmaps
_STOPS = np.array([p for p, _ in _RDBU])
_RGB = np.array([[float(c) for c in colour[4:-1].split(",")] for _, colour in _RDBU])
TABLE_CSS = """<style>
table.xlt-table {border-collapse: collapse; font-size: 0.85rem}
table.xlt-table th, table.xlt-table td {padding: 0.15rem 0.5rem; border: 1px solid rgba(128, 128, 128, 0.3);
  white-space: nowrap; text-align: left}
table.xlt-table th {position: sticky; top: 0; background-color: #f0f2f6; color: #31333f}
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


GREY = "background-color: rgb(238, 238, 238); color: rgb(120, 120, 120)"  # a gain whose interval crosses zero
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


def score_table(table: pd.DataFrame) -> str:
    """analysis.xtreme_table as an HTML table: one decimal, an empty cell where a task is missing, the partial
    tasks listed."""
    shown = table.assign(partial=table["partial"].map(", ".join)) if "partial" in table else table
    numbers = [c for c in shown.columns if c not in ("variant", "model", "intermediate_task", "partial")]
    return html_table(shown, "xlt-scores", {c: "{:.1f}" for c in numbers})


CROSSES = "interval crosses 0"  # the legend entry of the hatched bars


def language_bars(df: pd.DataFrame, title: str = "") -> go.Figure:
    """Per-language gains (analysis.by_language), coloured by language family, script in the hover; with `lo`/`hi`
    (analysis.gain_intervals) each bar has its 95% interval as an error bar, and a bar whose interval crosses zero
    is hatched and paler, with a legend entry saying so."""
    from plotly.colors import qualitative

    fig = go.Figure()
    order = list(df["language"])
    has = "lo" in df and "hi" in df
    crossing = df["crosses_zero"].astype(bool) if "crosses_zero" in df else pd.Series(False, index=df.index)
    hover = [c for c in ("name", "script", "score", "baseline", "lo", "hi", "interval", "seeds", "examples")
             if c in df]
    for i, (family, g) in enumerate(df.groupby("family", sort=False)):
        cross = crossing.loc[g.index].to_numpy()
        error = None
        if has:
            error = dict(type="data", symmetric=False, array=(g["hi"] - g["gain"]).to_numpy(),
                         arrayminus=(g["gain"] - g["lo"]).to_numpy(), thickness=1.2, width=3)
        fig.add_bar(x=g["language"], y=g["gain"], name=str(family), error_y=error,
                    marker=dict(color=qualitative.Plotly[i % len(qualitative.Plotly)],
                                opacity=[0.45 if c else 1.0 for c in cross],
                                pattern=dict(shape=["/" if c else "" for c in cross])),
                    customdata=g[hover].to_numpy(),
                    hovertemplate="%{x}: gain %{y:+.2f}<br>" + "<br>".join(
                        f"{c} %{{customdata[{k}]}}" for k, c in enumerate(hover)) + f"<extra>{family}</extra>")
    if crossing.any():
        fig.add_bar(x=[None], y=[None], name=CROSSES, marker=dict(color="rgba(0, 0, 0, 0)",
                    line=dict(color="grey", width=1), pattern=dict(shape="/", fgcolor="grey")), hoverinfo="skip")
    fig.add_hline(y=0, line_width=1, line_color="grey")
    fig.update_layout(title=title, yaxis_title="gain over no intermediate training (pts)", xaxis_title="language",
                      xaxis=dict(categoryorder="array", categoryarray=order), legend_title_text="family")
    return fig


def gap_bars(df: pd.DataFrame, x: str = "target_task", color: str = "variant", title: str = "") -> go.Figure:
    """The English-vs-other-languages gap (English score minus the mean of the others), grouped bars."""
    import plotly.express as px

    fig = px.bar(df, x=x, y="gap", color=color, barmode="group", title=title,
                 hover_data=["english", "others"], labels={"gap": "English − other languages (pts)"})
    return fig


def published_bars(df: pd.DataFrame, title: str = "") -> go.Figure:
    """Published averages beside ours, per target task (analysis.published_vs_reproduced, language 'avg')."""
    rows = df[df["language"] == "avg"]
    fig = go.Figure()
    for system, g in rows.groupby("system", sort=False):
        fig.add_bar(name=system, x=g["target_task"] + " " + g["metric"], y=g["published"])
    ours = rows.dropna(subset=["reproduced"]).drop_duplicates(["model", "target_task", "metric"])
    for model, g in ours.groupby("model"):
        fig.add_bar(name=f"xlt: {model}", x=g["target_task"] + " " + g["metric"], y=g["reproduced"],
                    marker_pattern_shape="/")
    fig.update_layout(title=title, barmode="group", yaxis_title="score", xaxis_title="task and metric")
    return fig
