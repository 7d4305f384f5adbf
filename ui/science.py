"""Figures and text helpers for the warmup-science experiments on the Learn page (no Streamlit here)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import PALETTE, style

GREY = "#555555"


def catapult_figure(run) -> go.Figure:
    """Left: the one-step loss ratio at each lr tried, with eta_c and 2/lambda_0. Right: lr and loss of the runs."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        f"Search: {run.forward_passes} forward passes → η_c = {run.eta_c:.3g}",
        "Training: the warmup from η_c reaches the target sooner"), horizontal_spacing=0.12,
        specs=[[{}, {"secondary_y": True}]])
    eta, ratio = zip(*run.trials)
    ratio = np.minimum(np.asarray(ratio, dtype=float), 10.0)
    fig.add_trace(go.Scatter(x=eta, y=ratio, mode="markers+lines", name="L(θ₁) / L(θ₀) at each lr tried",
                             line={"color": PALETTE[0], "width": 1, "dash": "dot"}, marker={"size": 8}), 1, 1)
    fig.add_hline(y=1.0, line={"color": GREY, "dash": "dash", "width": 1}, row=1, col=1)
    fig.add_vline(x=run.eta_c, line={"color": PALETTE[3], "width": 2}, row=1, col=1)
    fig.add_vline(x=2 / run.lambda0, line={"color": GREY, "dash": "dash", "width": 1}, row=1, col=1)
    fig.add_trace(go.Scatter(x=[run.eta_c], y=[1.0], mode="markers", name=f"η_c = {run.eta_c:.3g}",
                             marker={"color": PALETTE[3], "size": 12, "symbol": "diamond"}), 1, 1)
    fig.add_trace(go.Scatter(x=[2 / run.lambda0], y=[1.0], mode="markers", name=f"2/λ₀ = {2 / run.lambda0:.3g}",
                             marker={"color": GREY, "size": 10, "symbol": "x"}), 1, 1)
    fig.update_xaxes(type="log", title_text="learning rate of the one trial step (log)", row=1, col=1)
    fig.update_yaxes(title_text="loss after one step ÷ loss before", row=1, col=1)
    t = np.arange(run.lr.shape[1])
    for i, name in enumerate(run.names):
        fig.add_trace(go.Scatter(x=t, y=run.lr[i], name=f"lr, {name}", line={"color": PALETTE[i + 1], "width": 2},
                                 legendgroup=name), 1, 2, secondary_y=False)
        fig.add_trace(go.Scatter(x=t, y=run.loss[i], name=f"loss, {name}", legendgroup=name, showlegend=True,
                                 line={"color": PALETTE[i + 1], "width": 1.5, "dash": "dot"}), 1, 2, secondary_y=True)
    fig.update_xaxes(title_text="step", row=1, col=2)
    fig.update_yaxes(title_text="learning rate", row=1, col=2, secondary_y=False)
    fig.update_yaxes(title_text="training loss (log, dotted)", type="log", row=1, col=2, secondary_y=True)
    style(fig, "", "", "", False, height=480, legend_below=True)
    fig.update_layout(hovermode="closest", title=None, legend={"y": -0.25})
    return fig


def map_figure(res) -> go.Figure:
    """Median final loss per (c, warmup); ✕ where most seeds diverged; the largest trainable c outlined."""
    z = res.median_loss.copy()
    shown = np.where(np.isfinite(z), np.log10(np.where(np.isfinite(z), z, 1.0)), np.nan)
    y_labels = [f"{c:g}" for c in res.c]
    x_labels = [str(w) for w in res.warmups]
    fig = go.Figure(go.Heatmap(z=shown, x=x_labels, y=y_labels, colorscale="Viridis", reversescale=True,
                               colorbar={"title": "log₁₀ median<br>final loss"}, hoverongaps=False,
                               hovertemplate="T_wrm %{x}, η = %{y}·2/λ₀: log₁₀ loss %{z:.2f}<extra></extra>"))
    div = res.majority_diverged
    xs, ys, text = [], [], []
    for i in range(len(res.c)):
        for j in range(len(res.warmups)):
            if div[i, j]:
                xs.append(x_labels[j])
                ys.append(y_labels[i])
                text.append(f"{int(res.diverged[:, i, j].sum())}/{len(res.seeds)} diverged")
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", marker={"symbol": "x", "size": 16, "color": "#D55E00"},
                             name="diverged (majority of seeds)", text=text,
                             hovertemplate="%{text}<extra></extra>"))
    best = res.largest_trainable()
    fig.add_trace(go.Scatter(x=x_labels, y=[f"{b:g}" if b is not None else None for b in best], mode="lines+markers",
                             line={"color": "#000000", "width": 3}, marker={"size": 9},
                             name="largest target lr that trains"))
    style(fig, f"Final loss over target lr × warmup length ({len(res.seeds)} seeds: median; ✕ = most diverged)",
           "warmup length T_wrm (steps)", "target lr η_trgt, in units of 2/λ₀", False, height=520, legend_below=True)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def gi_figure(res) -> go.Figure:
    """Fraction of seeds that trained, per lr and optimizer variant."""
    fig = go.Figure()
    ok = res.trained().mean(0)
    acc = np.median(res.accuracy, 0)
    for j, name in enumerate(res.variants):
        fig.add_trace(go.Scatter(x=res.lrs, y=acc[:, j], mode="lines+markers", name=name,
                                 line={"color": PALETTE[j], "width": 2.2, "dash": "solid" if j % 2 == 0 else "dash"},
                                 marker={"size": 9}, customdata=ok[:, j],
                                 hovertemplate="lr %{x:.3g}: median accuracy %{y:.2f}, "
                                               "trained on %{customdata:.0%} of seeds<extra>" + name + "</extra>"))
    fig.add_hline(y=res.threshold, line={"color": GREY, "dash": "dot", "width": 1})
    fig.add_hline(y=0.1, line={"color": GREY, "dash": "dash", "width": 1})
    style(fig, f"Held-out accuracy after training without warmup (median of {len(res.seeds)} seeds)",
           "learning rate (log)", "held-out accuracy", False, height=480, legend_below=True)
    fig.update_xaxes(type="log")
    fig.update_yaxes(range=[0, 1.02])
    fig.update_layout(hovermode="closest")
    return fig


def implicit_warmup_figure(beta2: float, steps: int) -> go.Figure:
    from warmup_core.training.gi_adam import implicit_warmup

    t = np.arange(1, steps + 1)
    tau = 2.0 / (1.0 - beta2)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t, y=implicit_warmup(t, beta2), name="GI-Adam's implicit warmup √(1 − β₂ᵗ)",
                             line={"color": PALETTE[0], "width": 2.5}))
    fig.add_trace(go.Scatter(x=t, y=np.minimum(1.0, t / tau), name=f"untuned linear warmup over 2/(1 − β₂) = {tau:g}",
                             line={"color": PALETTE[1], "width": 2.5, "dash": "dash"}))
    style(fig, f"Update size relative to Adam's, β₂ = {beta2}", "step t", "lr multiplier", False, height=420,
           legend_below=True)
    return fig


def regimes_figure(runs) -> go.Figure:
    """Sharpness against 2/eta_t for each parameterisation, and the loss."""
    fig = make_subplots(rows=2, cols=len(runs), shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=[f"{r.label}, η_trgt = {r.c_trgt:g}·2/λ₀"
                                        for r in runs] + ["training loss"] * len(runs))
    for k, r in enumerate(runs, 1):
        s = np.asarray(r.sharp_steps)
        fig.add_trace(go.Scatter(x=s, y=r.sharpness, name="sharpness λ_max", mode="lines+markers",
                                 marker={"size": 4}, line={"color": PALETTE[0], "width": 2}, showlegend=k == 1,
                                 legendgroup="s"), 1, k)
        t = np.arange(len(r.lr))
        lim = np.where(r.lr > 0, 2.0 / np.maximum(r.lr, 1e-12), np.nan)
        fig.add_trace(go.Scatter(x=t, y=lim, name="stability limit 2/η_t", line={"color": GREY, "dash": "dash"},
                                 showlegend=k == 1, legendgroup="l"), 1, k)
        fig.add_trace(go.Scatter(x=[0, len(r.lr)], y=[r.lambda0] * 2, name="initial sharpness λ₀", mode="lines",
                                 line={"color": PALETTE[2], "dash": "dot", "width": 1.5}, showlegend=k == 1,
                                 legendgroup="l0"), 1, k)
        top = max(max(np.nanmax(r.sharpness), r.lambda0) * 1.3, 2.5 / r.eta_trgt)
        fig.update_yaxes(range=[0, top], row=1, col=k, title_text="sharpness" if k == 1 else None)
        fig.add_trace(go.Scatter(x=t, y=r.loss, name="training loss", line={"color": PALETTE[3], "width": 1.5},
                                 showlegend=k == 1, legendgroup="loss"), 2, k)
        fig.update_xaxes(title_text="step", row=2, col=k)
    style(fig, "", "", "", False, height=620, legend_below=True)  # linear axes: the log ones after it
    for k in range(1, len(runs) + 1):
        fig.update_yaxes(type="log", exponentformat="power", row=2, col=k)
    fig.update_layout(title=None, hovermode="x unified", legend={"y": -0.12})
    return fig


def update_ratio_figure(res, names=("no warmup", "with warmup")) -> go.Figure:
    depth = res.update_ratio.shape[1]
    fig = go.Figure()
    t = np.arange(res.update_ratio.shape[2])
    for i, name in enumerate(names):
        for layer in range(depth):
            fig.add_trace(go.Scatter(x=t, y=res.update_ratio[i, layer], name=f"layer {layer + 1}, {name}",
                                     line={"color": PALETTE[layer], "width": 2, "dash": "solid" if i else "dot"}))
    style(fig, "Relative update size ‖ΔW‖/‖W‖ per layer", "step", "‖ΔW‖ / ‖W‖ (log)", True, height=440,
           legend_below=True)
    return fig


def paper_table_rows(table) -> list[dict]:
    """The paper's WRN-16-4 results as rows: one per target lr, a column per (optimizer, T_wrm)."""
    cols = sorted({(r["optimizer"], r["warmup_steps"]) for r in table})
    out = []
    for lr in sorted({r["lr"] for r in table}):
        row = {"target lr": lr}
        for opt, w in cols:
            hit = [r for r in table if r["lr"] == lr and r["optimizer"] == opt and r["warmup_steps"] == w]
            row[f"{opt}, T_wrm {w}"] = f"{hit[0]['test_accuracy']:.1%}" if hit else "–"
        out.append(row)
    return out


def paper_boundaries(table, threshold: float = 0.5) -> dict:
    """``{(optimizer, T_wrm): largest lr whose final test accuracy is >= threshold}`` (chance is 0.1)."""
    out = {}
    for r in table:
        key = (r["optimizer"], r["warmup_steps"])
        if r["test_accuracy"] >= threshold and r["lr"] > out.get(key, 0.0):
            out[key] = r["lr"]
    return out


def paper_caption(table) -> str:
    b = paper_boundaries(table)
    first_fail = min(r["lr"] for r in table if r["optimizer"] == "Adam" and r["warmup_steps"] == 1
                     and r["test_accuracy"] < 0.5)
    return (f"About 10% is chance: that run failed. Adam without warmup trains up to lr {b[('Adam', 1)]:g} and fails "
            f"from {first_fail:g}; with a 1024-step warmup it trains up to {b[('Adam', 1024)]:g}. GI-Adam trains up "
            f"to {b[('GI-Adam', 1)]:g} without warmup and {b[('GI-Adam', 1024)]:g} with it.")


def adaptive_figure(cmp) -> go.Figure:
    """Top: the lr each run applied (read back from the optimizer); bottom: its training loss."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=("Applied lr (η_trgt = 8·2/λ₀)", "Training loss (✕ = diverged)"))
    dashes = ("dot", "dash", "solid", "dashdot")
    for i, (name, run) in enumerate(zip(cmp.names, cmp.runs)):
        t = np.arange(len(run.applied_lr))
        line = {"color": PALETTE[i], "width": 2.5 if i >= 2 else 2, "dash": dashes[i]}
        fig.add_trace(go.Scatter(x=t, y=run.applied_lr, name=name, line=line, legendgroup=name), 1, 1)
        loss = np.asarray(run.loss, dtype=float)
        fig.add_trace(go.Scatter(x=t, y=np.where(np.isfinite(loss), loss, np.nan), name=name, line=line,
                                 legendgroup=name, showlegend=False), 2, 1)
        if run.diverged_at is not None:
            fig.add_trace(go.Scatter(x=[run.diverged_at], y=[np.nanmax(np.where(np.isfinite(loss), loss, np.nan))],
                                     mode="markers", marker={"symbol": "x", "size": 12, "color": PALETTE[i]},
                                     legendgroup=name, showlegend=False), 2, 1)
    style(fig, "", "", "", False, height=600, legend_below=True)
    fig.update_yaxes(title_text=f"lr (target {cmp.eta_trgt:.3g})", row=1, col=1)
    fig.update_yaxes(title_text="loss (log)", type="log", exponentformat="power", row=2, col=1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_layout(title=None, legend={"y": -0.15})
    return fig


def curvature_lens_figure(runs, fits) -> go.Figure:
    """Alimisis et al.'s lens: the stable lr implied by the fitted bound, 2/(H0 + H1 (L_t - L*)), against eta_t."""
    fig = make_subplots(rows=1, cols=len(runs), subplot_titles=[
        f"{r.label}: λ ≈ {h0:.3g}<br>+ {h1:.3g}·(L − L̂*)" for r, (h0, h1, _) in zip(runs, fits)])
    for k, (r, (h0, h1, ls)) in enumerate(zip(runs, fits), 1):
        t = np.arange(len(r.lr))
        loss = np.asarray(r.loss, dtype=float)
        bound = h0 + h1 * (loss - ls)
        implied = np.where(np.isfinite(bound) & (bound > 0), 2.0 / np.where(bound > 0, bound, 1.0), np.nan)
        fig.add_trace(go.Scatter(x=t, y=r.lr, name="schedule η_t", line={"color": PALETTE[0], "width": 2.5},
                                 showlegend=k == 1, legendgroup="lr"), 1, k)
        fig.add_trace(go.Scatter(x=t, y=implied, name="implied stable lr 2/(H₀ + H₁(L_t − L̂*))",
                                 line={"color": PALETTE[1], "width": 2, "dash": "dash"}, showlegend=k == 1,
                                 legendgroup="imp"), 1, k)
        s = np.asarray(r.sharp_steps)
        fig.add_trace(go.Scatter(x=s, y=2.0 / np.asarray(r.sharpness), name="measured 2/λ_max", mode="markers",
                                 marker={"color": GREY, "size": 5}, showlegend=k == 1, legendgroup="m"), 1, k)
        fig.update_xaxes(title_text="step", row=1, col=k)
    style(fig, "", "", "", True, height=440, legend_below=True)
    fig.update_yaxes(title_text="learning rate (log)", row=1, col=1)
    fig.update_layout(title=None, legend={"y": -0.25}, margin_t=80)  # room for the two-line titles on a phone
    return fig
