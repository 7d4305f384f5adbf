"""Plotly figures, built from plain arrays (no Streamlit): tested on their JSON."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import safe

# Okabe-Ito: distinguishable with the common colour-vision deficiencies
# plotly_white's look, set directly: loading the named template costs ~0.1 s per figure
# The tool bar down the right edge: across the top it covered the title on a phone (390 px) while hovered.
LOOK = {"plot_bgcolor": "white", "paper_bgcolor": "white", "font": {"color": "#2a3f5f"},
        "modebar": {"orientation": "v"}}
GRID = {"gridcolor": "#EBF0F8", "zerolinecolor": "#EBF0F8", "linecolor": "#EBF0F8"}

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


@dataclass
class Trace:
    name: str
    steps: np.ndarray
    values: np.ndarray
    warmup_end: int | None = None
    dash: str = "solid"
    color: str | None = None


def x_axis(steps, x_unit: str, steps_per_epoch: int):
    if x_unit == "epochs":
        return np.asarray(steps, dtype=np.float64) / steps_per_epoch, "epoch"
    return steps, "step (optimizer updates)"


TITLE_CHARS = 42  # what fits on one line of a 390-px phone at the title's size


def wrap_title(title: str, width: int = TITLE_CHARS) -> str:
    """Break a long chart title into lines at its separators (Plotly does not wrap titles: on a phone
    the end of the line would be cut off)."""
    if not title or len(title) <= width or "<br>" in title:
        return title
    lines, rest = [], title
    while len(rest) > width:
        # the strongest separator that leaves at least a third of a line, else the last space
        cut = next(((rest.rfind(sep, 0, width + 1), sep) for sep in (" → ", " — ", ": ", "; ", ", ", " (", " ")
                    if rest.rfind(sep, 0, width + 1) > width // 3), (-1, ""))
        if cut[0] <= 0:
            break
        at = cut[0] + (len(cut[1]) - 1 if cut[1] in (": ", ", ", "; ") else 0)
        lines.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    return "<br>".join(lines + [rest])


def style(fig, title, x_title, y_title, log_y, height=460, legend_below=True):
    """Title top left (wrapped), the legend below the axes: it never covers the title, whatever the
    number of entries or the width of the screen."""
    del legend_below  # every legend sits below the chart
    title = wrap_title(title)
    lines = title.count("<br>") + 1 if title else 0
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top", "yref": "container"},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0},
        margin={"l": 70, "r": 20, "t": 30 + 22 * lines, "b": 60},
        height=height + 22 * max(lines - 1, 0),
        uirevision="keep-zoom",
        **LOOK,
    )
    fig.update_xaxes(title_text=x_title, showgrid=True, **GRID)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear", showgrid=True, **GRID,
                     exponentformat="power" if log_y else "none")
    return fig


def _line(t: Trace, i, x, showlegend=True):
    # the name is user text: escaped for Plotly's pseudo-HTML, and put in the hover box by reference
    return go.Scatter(x=x, y=t.values, name=safe.plotly(t.name), mode="lines", line_shape="hv",
                      showlegend=showlegend,
                      line={"color": t.color or PALETTE[i % len(PALETTE)], "width": 2.2, "dash": t.dash},
                      hovertemplate="%{y:.4~g}<extra>%{fullData.name}</extra>")


def _positive(traces, log_y):
    # a log axis cannot show 0: draw zeros as gaps rather than failing
    if not log_y:
        return traces
    out = []
    for t in traces:
        v = np.where(np.asarray(t.values) > 0, t.values, np.nan)
        out.append(Trace(t.name, t.steps, v, t.warmup_end, t.dash, t.color))
    return out


def schedule_figure(traces: list[Trace], title="Learning-rate schedule", log_y=False, x_unit="steps",
                    steps_per_epoch=1, y_title="learning rate", shade_warmup=True, legend_below=False,
                    y_range=None) -> go.Figure:
    """Curves overlaid on one chart; the first trace's warmup shaded."""
    fig = go.Figure()
    traces = _positive(traces, log_y)
    for i, t in enumerate(traces):
        x, x_title = x_axis(t.steps, x_unit, steps_per_epoch)
        fig.add_trace(_line(t, i, x, showlegend=len(traces) > 1))  # one curve: the axis title names it
    if shade_warmup and traces and traces[0].warmup_end:
        end = traces[0].warmup_end / (steps_per_epoch if x_unit == "epochs" else 1)
        fig.add_vrect(x0=0, x1=end, fillcolor="#E69F00", opacity=0.12, line_width=0, layer="below",
                      annotation_text="warmup", annotation_position="top left")
    x_title = x_axis([0], x_unit, steps_per_epoch)[1]
    style(fig, title, x_title, y_title, log_y, height=500 if len(traces) > 1 else 460)
    if y_range is not None:
        fig.update_yaxes(range=y_range)
    return fig


def mark_points(fig, traces: list[Trace], steps_of: list[list[int]], label="") -> go.Figure:
    """Markers on each trace at the given steps (e.g. step 0 and its peak), in the trace's colour."""
    for i, (t, steps) in enumerate(zip(traces, steps_of)):
        idx = np.searchsorted(t.steps, steps)
        fig.add_trace(go.Scatter(x=np.asarray(t.steps)[idx], y=np.asarray(t.values)[idx], mode="markers",
                                 marker={"size": 9, "color": t.color or PALETTE[i % len(PALETTE)],
                                         "line": {"width": 1, "color": "white"}},
                                 showlegend=False, name=safe.plotly(f"{t.name} {label}".strip()),
                                 hovertemplate="%{y:.4~g}<extra>%{fullData.name}</extra>"))
    return fig


def small_multiples(traces: list[Trace], title="Strategies side by side", log_y=False, x_unit="steps",
                    steps_per_epoch=1, cols=2) -> go.Figure:
    """One panel per curve, shared axes."""
    rows = max(1, -(-len(traces) // cols))
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[safe.plotly(t.name) for t in traces],
                        vertical_spacing=0.12 / max(rows, 1) + 0.04)
    traces = _positive(traces, log_y)
    for i, t in enumerate(traces):
        x, x_title = x_axis(t.steps, x_unit, steps_per_epoch)
        fig.add_trace(_line(t, i, x, showlegend=False), row=i // cols + 1, col=i % cols + 1)
    x_title = x_axis([0], x_unit, steps_per_epoch)[1]
    style(fig, title, None, None, log_y, height=max(300, 260 * rows))
    fig.update_xaxes(title_text=x_title, row=rows)
    fig.update_yaxes(title_text="learning rate", col=1)
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def relative_values(values, baseline, mode):
    """``values / baseline`` (nan where the baseline is 0) or ``values - baseline``."""
    values, baseline = np.asarray(values, dtype=np.float64), np.asarray(baseline, dtype=np.float64)
    if mode == "difference":
        return values - baseline
    out = np.full_like(values, np.nan)
    np.divide(values, baseline, out=out, where=baseline > 0)
    return out


def difference_figure(traces: list[Trace], baseline: str, mode="ratio", x_unit="steps", steps_per_epoch=1):
    """Curves already expressed against a baseline (see :func:`relative_values`)."""
    fig = go.Figure()
    for i, t in enumerate(traces):
        x, _ = x_axis(t.steps, x_unit, steps_per_epoch)
        fig.add_trace(_line(t, i + 1, x))
    x_title = x_axis([0], x_unit, steps_per_epoch)[1]
    name = safe.plotly(safe.clip(baseline, 40))
    y_title = f"lr ÷ lr of {name} (×)" if mode == "ratio" else f"lr − lr of {name}"
    title = f"{'Ratio to' if mode == 'ratio' else 'Difference from'} the baseline “{name}”"
    return style(fig, title, x_title, y_title, False)


def heatmap_figure(z, x_labels, y_labels, title, x_title, y_title, z_title="final loss", diverged=None):
    """A heatmap of ``z`` (rows = y) on a log colour scale; cells where ``diverged`` is true are
    drawn dark red and marked ✕."""
    z = np.asarray(z, dtype=np.float64)
    shown = np.log10(np.where(np.isfinite(z) & (z > 0), z, np.nan))
    fig = go.Figure(go.Heatmap(
        z=shown, x=[str(x) for x in x_labels], y=[str(y) for y in y_labels], colorscale="Viridis_r",
        colorbar={"title": {"text": f"log₁₀ {z_title}"}},
        hovertemplate=f"{y_title} %{{y}}<br>{x_title} %{{x}}<br>log₁₀ {z_title} %{{z:.2f}}<extra></extra>"))
    if diverged is not None:
        ys, xs = np.nonzero(np.asarray(diverged))
        fig.add_trace(go.Scatter(x=[str(x_labels[i]) for i in xs], y=[str(y_labels[j]) for j in ys], mode="markers",
                                 marker={"symbol": "x", "size": 14, "color": "#B00020"}, name="diverged",
                                 hovertemplate="diverged<extra></extra>"))
    title = wrap_title(title)
    fig.update_layout(title={"text": title, "x": 0.01}, height=420 + 22 * title.count("<br>"), **LOOK,
                      margin={"l": 70, "r": 20, "t": 60 + 22 * title.count("<br>"), "b": 90},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0})
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text=y_title, type="category")
    return fig
