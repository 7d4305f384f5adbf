"""What the Explore page shows for one schedule: pure helpers plus the Streamlit rendering."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import streamlit as st

from warmup_core import CONVENTIONS, Curve
from warmup_core.reduce import reduce_curve

from .figures import Trace


@st.cache_data(max_entries=64, show_spinner=False)
def curve_points(schedule_json: str, n: int):
    """Reduced points for drawing plus summary numbers, cached on the schedule's JSON."""
    from warmup_core import from_json

    s = from_json(schedule_json)
    steps, values, full = reduce_curve(s, n)
    return steps, values, s.summary(n)


def full_curve_csv(schedule: Curve, n: int, steps_per_epoch: int = 1) -> bytes:
    t = np.arange(n)
    frame = pd.DataFrame({"step": t, "epoch": t / steps_per_epoch, "lr": schedule(t)})
    buf = io.StringIO()
    frame.to_csv(buf, index=False, float_format="%.17g")
    return buf.getvalue().encode()


def full_curve_json(schedule: Curve, n: int) -> bytes:
    t = np.arange(n)
    return json.dumps({"schedule": schedule.to_dict(), "steps": n, "lr": schedule(t).tolist()}).encode()


def summary_metrics(summary: dict, container=st):
    cols = container.columns(6)
    fmt = lambda v: "—" if v is None else f"{v:.4g}"  # noqa: E731
    cols[0].metric("peak lr", fmt(summary["peak_lr"]), help=f"reached at step {summary['peak_step']:,}")
    cols[1].metric("peak at step", f"{summary['peak_step']:,}")
    cols[2].metric("lr at step 0", fmt(summary["lr_at_0"]))
    cols[3].metric("lr at warmup end", fmt(summary["lr_at_warmup_end"]),
                   help=f"the lr of step {summary['warmup_steps']:,}, the first after the warmup")
    cols[4].metric("lr at last step", fmt(summary["lr_at_last"]), help=f"step {summary['last_step']:,}")
    cols[5].metric("mean lr", fmt(summary["mean_lr"]), help=f"area under the curve: {summary['area']:.4g} lr·steps")


def formula_block(schedule, container=st):
    w, d = schedule.warmup.entry, schedule.decay.entry
    container.markdown(f"**Warmup — {w.title}.** {w.summary}")
    container.latex(w.formula)
    container.markdown(f"**Decay — {d.title}.** {d.summary}")
    container.latex(d.formula)
    container.markdown(f"**Convention — {schedule.convention}.** {CONVENTIONS[schedule.convention]}")
    container.caption(f"References: {w.reference} · {d.reference}")


def curve_trace(schedule: Curve, n: int, name: str):
    steps, values, summary = curve_points(schedule.to_json(), n)
    return Trace(name, steps, values, warmup_end=summary["warmup_steps"]), summary
