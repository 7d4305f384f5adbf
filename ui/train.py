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


def run_schedules(choice: list[str], lr: float, steps: int, warmup: int, factor: float,
                  strategies: list[dict] | None = None) -> list[tuple[str, Schedule]]:
    """The schedules to compare, all at the same target lr and length."""
    cos = Decay("cosine")
    made = {
        "no warmup": Schedule(lr, Warmup(), cos, "prepend", steps),
        "linear warmup": Schedule(lr, Warmup("linear", warmup), cos, "prepend", steps),
        "constant warmup": Schedule(lr, Warmup("constant", warmup, factor=factor), cos, "prepend", steps),
        "untuned linear (Adam β₂)": Schedule(lr, Warmup("untuned_linear", beta2=0.999), cos, "multiply", steps),
    }
    for item in strategies or []:
        s = from_dict(item["schedule"])
        made[f"Compare: {item['name']}"] = s.replace(base_lr=lr, total_steps=steps)
    return [(name, made[name]) for name in choice if name in made]


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
        frame = pd.DataFrame(mgr.store.metrics(rid), columns=["step", "lr", "loss", "eval_loss", "eval_acc",
                                                              "grad_norm", "update_norm", "wall"])
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
