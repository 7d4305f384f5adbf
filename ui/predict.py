"""The Predict page's logic and figures (no Streamlit here except where a function says so): predicted
loss curves, the bound ranking, the AdamW lens, the optimiser and fitting your own runs."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def style(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 460, log_y: bool = False):
    """Title top-left, legend below the plot (it never covers the title or the curves)."""
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left"}, template="plotly_white",
                      legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0},
                      margin={"l": 70, "r": 20, "t": 60, "b": 40}, height=height, hovermode="x unified")
    fig.update_xaxes(title_text=x_title, showgrid=True)
    fig.update_yaxes(title_text=y_title, showgrid=True, type="log" if log_y else "linear")
    return fig


def lab_loop_figure(out: dict) -> go.Figure:
    """The lab loop: the two fitted runs, the WSD run, and the WSD curve predicted before it was trained."""
    fig = go.Figure()
    for i, (name, c) in enumerate(out["curves"].items()):
        fig.add_trace(go.Scatter(x=c["steps"], y=c["loss"], name=f"{name} (trained{', fitted' if name != 'wsd' else ''})",
                                 mode="lines", line={"color": PALETTE[i], "width": 1.2}, opacity=0.7,
                                 hovertemplate="%{y:.4f}<extra>" + name + "</extra>"))
    p = out["prediction"]
    fig.add_trace(go.Scatter(x=p["steps"], y=p["loss"], name="wsd (predicted before training)", mode="lines",
                             line={"color": "#000000", "width": 2.5, "dash": "dash"},
                             hovertemplate="%{y:.4f}<extra>predicted</extra>"))
    title = (f"Character transformer: WSD predicted from constant + cosine — MAE {out['wsd_mae_vs_smoothed_loss']:.3f} "
             "(vs smoothed loss)")
    return style(fig, title, "step (optimizer updates)", "training loss (nats/char)", height=500)
