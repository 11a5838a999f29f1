"""Pure figure builders: a DataFrame in, a plotly figure out. No Streamlit, no database, no torch: the dashboard
and the analysis notebooks both draw with these."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .tasks import LANGUAGES


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


def gain_lines(df: pd.DataFrame, x: str, color: str, title: str = "", log_x: bool = True) -> go.Figure:
    import plotly.express as px

    fig = px.line(df.sort_values(x), x=x, y="gain", color=color, markers=True, title=title, log_x=log_x)
    fig.add_hline(y=0, line_width=1, line_color="grey")
    return fig


def gain_vs_cost(df: pd.DataFrame, title: str = "") -> go.Figure:
    """Gain against compute (GPU-hours or CPU-hours of the whole chain), one point per variant."""
    import plotly.express as px

    return px.scatter(df, x="hours", y="gain", color="intermediate_task", symbol="target_task", title=title,
                      labels={"hours": "compute of the chain (device-hours)", "gain": "gain (pts)"})
