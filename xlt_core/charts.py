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


def gain_matrix(summary: pd.DataFrame, title: str = "") -> go.Figure:
    """Rows: variant; columns: target task; cells: mean gain over seeds, with the 95% interval's half-width when
    there are seeds to have one. Diverging colours centred on zero."""
    pivot = summary.pivot_table(index="variant", columns="target_task", values="gain", aggfunc="mean", sort=False)
    half = summary.pivot_table(index="variant", columns="target_task", values="ci_half", aggfunc="mean", sort=False)
    seeds = summary.pivot_table(index="variant", columns="target_task", values="seeds", aggfunc="min", sort=False)
    half, seeds = half.reindex_like(pivot), seeds.reindex_like(pivot)
    text = [[("" if pd.isna(g) else f"{g:+.1f}" + (f" ±{h:.1f}" if s > 1 else ""))
             for g, h, s in zip(gr, hr, sr)] for gr, hr, sr in zip(pivot.values, half.values, seeds.values)]
    limit = max(1.0, float(pivot.abs().max().max())) if pivot.size else 1.0
    fig = go.Figure(go.Heatmap(
        z=pivot.values, x=list(pivot.columns), y=list(pivot.index), zmid=0, zmin=-limit, zmax=limit,
        colorscale="RdBu", text=text, texttemplate="%{text}", colorbar={"title": "gain (pts)"},
        hovertemplate="%{y} → %{x}<br>gain %{z:.2f} (%{text})<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="target task", yaxis_title="intermediate training",
                      yaxis={"autorange": "reversed"}, height=200 + 28 * len(pivot.index),
                      margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


def language_bars(df: pd.DataFrame, title: str = "") -> go.Figure:
    """Per-language gains (analysis.by_language), coloured by language family, script in the hover."""
    import plotly.express as px

    fig = px.bar(df, x="language", y="gain", color="family", hover_data=["name", "script", "score", "baseline"],
                 title=title, category_orders={"language": list(df["language"])})
    fig.add_hline(y=0, line_width=1, line_color="grey")
    fig.update_layout(yaxis_title="gain over no intermediate training (pts)")
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
