"""Pure figure builders: a DataFrame in, a plotly figure out. No Streamlit, no database."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from xlt_core.tasks import LANGUAGES


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
