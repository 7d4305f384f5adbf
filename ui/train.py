"""The Train page's pieces: the shared job manager, schedule presets for runs, smoothing and charts."""

from __future__ import annotations

import io
import os
import uuid

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from warmup_core import Decay, Schedule, Warmup, from_dict
from warmup_core.training.store import METRICS

from .figures import PALETTE, _style

LR_CHOICES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5, 1.0, 3.0]


@st.cache_resource
def manager():
    """One job manager per server process (thread-safe), over the SQLite store."""
    from warmup_core.training.jobs import JobManager
    from warmup_core.training.store import Store

    workers = int(os.environ.get("WARMUP_LAB_WORKERS", "1"))
    return JobManager(Store(os.environ.get("WARMUP_LAB_DB") or None), max_workers=workers, max_queued=12)


def owner() -> str:
    """This browser session's id: its runs are its own."""
    if "train.owner" not in st.session_state:
        st.session_state["train.owner"] = uuid.uuid4().hex
    return st.session_state["train.owner"]


SCHEDULE_CHOICES = ["no warmup", "linear warmup", "constant warmup", "untuned linear (Adam β₂)",
                    "GI-Adam, no warmup"]


def run_schedules(choice: list[str], lr: float, steps: int, warmup: int, factor: float,
                  strategies: list[dict] | None = None) -> list[tuple[str, Schedule, str | None]]:
    """``(name, schedule, optimizer override)`` for each choice, all at the same target lr and length.
    "GI-Adam, no warmup" swaps Adam for GI-Adam (Kalra & Barkeshli 2024) instead of adding a warmup."""
    cos = Decay("cosine")
    made = {
        "no warmup": (Schedule(lr, Warmup(), cos, "prepend", steps), None),
        "linear warmup": (Schedule(lr, Warmup("linear", warmup), cos, "prepend", steps), None),
        "constant warmup": (Schedule(lr, Warmup("constant", warmup, factor=factor), cos, "prepend", steps), None),
        "untuned linear (Adam β₂)": (Schedule(lr, Warmup("untuned_linear", beta2=0.999), cos, "multiply", steps),
                                     None),
        "GI-Adam, no warmup": (Schedule(lr, Warmup(), cos, "prepend", steps), "gi-adam"),
    }
    for item in strategies or []:
        s = from_dict(item["schedule"])
        made[f"Compare: {item['name']}"] = (s.replace(base_lr=lr, total_steps=steps), None)
    return [(name, *made[name]) for name in choice if name in made]


SETTINGS = ("task", "optimizer", "lr", "steps", "batch", "seed", "warmup", "factor", "schedules", "sharp",
            "sharp_every")


def make_configs(settings: dict, strategies: list[dict] | None = None) -> list:
    """The runs of one comparison from the page's settings; ValueError when there is nothing to run."""
    from warmup_core.training import RunConfig

    steps = int(settings["steps"])
    chosen = run_schedules(settings["schedules"], settings["lr"], steps, min(int(settings["warmup"]), steps),
                           settings["factor"], strategies)
    if not chosen:
        raise ValueError("Pick at least one schedule to run.")
    return [RunConfig(task=settings["task"], schedule=s.to_dict(), optimizer=opt or settings["optimizer"],
                      steps=steps, batch_size=int(settings["batch"]), seed=int(settings["seed"]), name=name,
                      sharpness_every=int(settings["sharp_every"]) if settings["sharp"] else 0).validate()
            for name, s, opt in chosen]


def ema(values, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average; non-finite points pass through."""
    values = np.asarray(values, dtype=np.float64)
    out = np.full_like(values, np.nan)
    acc, n = 0.0, 0
    for i, v in enumerate(values):
        if not np.isfinite(v):
            out[i] = v
            continue
        acc = acc * weight + (1 - weight) * v
        n += 1
        out[i] = acc / (1 - weight**n) if weight > 0 else v
    return out


def metric_figure(series: list[tuple[str, pd.DataFrame]], column: str, title: str, y_title: str, smoothing=0.0,
                  log_y=False) -> go.Figure:
    """One line per run; with smoothing, the raw curve faint behind the smoothed one."""
    fig = go.Figure()
    for i, (name, frame) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        d = frame[["step", column]].dropna()
        if d.empty:
            continue
        y = d[column].to_numpy()
        if smoothing > 0:
            fig.add_trace(go.Scatter(x=d["step"], y=y, mode="lines", line={"color": color, "width": 1},
                                     opacity=0.3, showlegend=False, hoverinfo="skip", name=f"{name} (raw)"))
            y = ema(y, smoothing)
        fig.add_trace(go.Scatter(x=d["step"], y=y, mode="lines", name=name, line={"color": color, "width": 2},
                                 hovertemplate="%{y:.4~g}<extra>" + name + "</extra>"))
    _style(fig, title, "step (optimizer updates)", y_title, log_y, height=340)
    return fig


def frames(mgr, run_ids) -> list[tuple[str, pd.DataFrame]]:
    out = []
    for rid in run_ids:
        run = mgr.store.run(rid)
        if run is None:
            continue
        frame = pd.DataFrame(mgr.store.metrics(rid), columns=list(METRICS))
        out.append((run["name"], frame))
    return out


def runs_table(runs: list[dict]) -> pd.DataFrame:
    rows = []
    for r in runs:
        done = 0 if r["status"] == "queued" else r["step"] + 1
        rows.append({"run": r["name"], "id": r["id"], "status": r["status"], "progress": f"{done}/{r['steps']}",
                     "device": r["device"] or "", "note": r["message"] or ""})
    return pd.DataFrame(rows, columns=["run", "id", "status", "progress", "device", "note"])


def metrics_csv(mgr, run_ids) -> bytes:
    parts = []
    for rid in run_ids:
        run = mgr.store.run(rid)
        if run:
            f = pd.DataFrame(mgr.store.metrics(rid))
            f.insert(0, "run", run["name"])
            f.insert(1, "run_id", rid)
            parts.append(f)
    buf = io.StringIO()
    (pd.concat(parts) if parts else pd.DataFrame()).to_csv(buf, index=False)
    return buf.getvalue().encode()


def sharpness_figure(series: list[tuple[str, pd.DataFrame]], adam: bool) -> go.Figure:
    """Sharpness against its stability limit (2(1+β)/η for SGD with momentum β; 38/η for Adam's
    pre-conditioned sharpness)."""
    fig = go.Figure()
    for i, (name, frame) in enumerate(series):
        d = frame[["step", "sharpness", "sharp_limit"]].dropna(subset=["sharpness"])
        if d.empty:
            continue
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=d["step"], y=d["sharpness"], mode="lines+markers", name=f"λ_max, {name}",
                                 line={"color": color, "width": 2}))
        lim = d["sharp_limit"].where(np.isfinite(d["sharp_limit"]))
        fig.add_trace(go.Scatter(x=d["step"], y=lim, mode="lines", name=f"limit, {name}",
                                 line={"color": color, "width": 1.5, "dash": "dash"}))
    what = "pre-conditioned sharpness vs 38/η (Adam)" if adam else "sharpness vs 2(1+β)/η (SGD, momentum β)"
    _style(fig, f"Sharpness: {what}", "step (optimizer updates)", "top Hessian eigenvalue", True, height=380)
    return fig


def range_test_figure(rt) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=rt.lrs, y=rt.raw, mode="lines", name="loss (raw)", opacity=0.3,
                             line={"color": PALETTE[0], "width": 1}))
    fig.add_trace(go.Scatter(x=rt.lrs, y=rt.losses, mode="lines", name="loss (smoothed)",
                             line={"color": PALETTE[0], "width": 2.5}))
    marks = [("valley (suggested target lr)", rt.valley, PALETTE[2]), ("steepest descent", rt.steepest, PALETTE[1]),
             ("loss turns up", rt.spike_lr, PALETTE[3]), ("2/λ₀ (SGD stability at init)", rt.eta_2_over_lambda,
                                                          PALETTE[4])]
    for label, lr, color in marks:
        if lr:
            y = float(np.interp(np.log(lr), np.log(rt.lrs), rt.losses)) if rt.lrs[0] <= lr <= rt.lrs[-1] else None
            fig.add_trace(go.Scatter(x=[lr], y=[y if y is not None else float(np.nanmin(rt.losses))], mode="markers",
                                     name=f"{label}: {lr:.3g}", marker={"size": 12, "color": color,
                                                                         "symbol": "diamond"}))
    _style(fig, "Learning-rate range test", "learning rate (log scale)", "training loss", False, height=420)
    fig.update_xaxes(type="log")
    body = rt.losses[: max(len(rt.losses) - 5, 3)]  # like fastai's plot, leave the final blow-up off the scale
    lo, hi = float(np.nanmin(body)), float(np.nanmax(body))
    fig.update_yaxes(range=[lo - 0.1 * (hi - lo), hi + 0.3 * (hi - lo)])
    fig.update_layout(hovermode="closest")
    return fig


@st.cache_data(max_entries=8, show_spinner=False)
def sweep_map(lrs, warmups, device="cpu", seed=0):
    from warmup_core.training import sweep

    return sweep.run(list(lrs), list(warmups), steps=200, task="mlp", seed=seed, batched=True, device=device)


@st.cache_data(max_entries=8, show_spinner=False)
def range_test(task, optimizer, seed=0):
    from warmup_core.training.probe import lr_range_test

    return lr_range_test(task, optimizer=optimizer, seed=seed, start=1e-5, end=10.0, num_it=100)


def map_figure(res) -> go.Figure:
    from .figures import heatmap_figure

    return heatmap_figure(res.final_loss, res.warmups, [f"{v:g}" for v in res.lrs], "Final held-out loss",
                          "warmup steps", "target learning rate", diverged=res.diverged)


def sensitivity_figure(res) -> go.Figure:
    fig = go.Figure()
    for j, w in enumerate(res.warmups):
        y = np.where(np.isfinite(res.final_loss[:, j]), res.final_loss[:, j], np.nan)
        fig.add_trace(go.Scatter(x=res.lrs, y=y, mode="lines+markers", name=f"warmup {w}",
                                 line={"color": PALETTE[j % len(PALETTE)], "width": 2}))
    _style(fig, "Sensitivity to the target learning rate", "target learning rate (log scale)",
           "final held-out loss (gaps: diverged)", True, height=420)
    fig.update_xaxes(type="log")
    fig.update_layout(hovermode="closest")
    return fig
