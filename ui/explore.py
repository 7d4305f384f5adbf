"""What the Explore page shows for one schedule: the figure, the key numbers, the formula and the
downloads. The page only wires these to its widgets."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import streamlit as st

from warmup_core import CONVENTIONS, Curve, Schedule, from_json

from . import curves, picker, share, widgets
from .figures import Trace, schedule_figure


@st.cache_data(max_entries=64, show_spinner=False)
def _points(schedule_json: str) -> curves.Points:
    s = from_json(schedule_json)
    return curves.points(s, s.total_steps)


def points(schedule: Schedule) -> curves.Points:
    """Reduced points and summary numbers, cached on the schedule's JSON (a view change is free)."""
    return _points(schedule.to_json())


def summary(schedule: Schedule) -> dict:
    return points(schedule).summary


def sidebar(prefix: str, show, main=None) -> tuple:
    """The Explore controls: library picker, schedule, view (W and the factor in ``main``).
    Returns ``(schedule or None, view)``."""
    with st.sidebar:
        picker.picker(prefix, show, view_prefix=prefix)
        schedule, _ = widgets.schedule_controls(prefix, visible=show, on_edit=picker.follow, main=main)
        return schedule, share.view_controls(prefix, show)


def figure(schedule: Schedule, view: dict, library: str | None = None):
    p = points(schedule)
    title = (f"{schedule.warmup.entry.title} warmup → {schedule.decay.entry.title} decay ({schedule.convention})" +
             (f" — {library}" if library else ""))
    trace = Trace("learning rate", p.steps, p.values, warmup_end=p.summary["warmup_steps"])
    return schedule_figure([trace], title=title, log_y=view["log_y"], x_unit=view["x_unit"],
                           steps_per_epoch=view["steps_per_epoch"])


def summary_metrics(summary: dict, container=st):
    """Six key numbers; three per row so they are never cut off in the main column."""
    fmt = lambda v: "—" if v is None else f"{v:.4g}"  # noqa: E731
    items = [("peak lr", fmt(summary["peak_lr"]), f"reached at step {summary['peak_step']:,}"),
             ("peak at step", f"{summary['peak_step']:,}", None),
             ("lr at step 0", fmt(summary["lr_at_0"]), None),
             ("lr at warmup end", fmt(summary["lr_at_warmup_end"]),
              f"the lr of step {summary['warmup_steps']:,}, the first after the warmup"),
             ("lr at last step", fmt(summary["lr_at_last"]), f"step {summary['last_step']:,}"),
             ("mean lr", fmt(summary["mean_lr"]), f"area under the curve: {summary['area']:.4g} lr·steps")]
    for row in (items[:3], items[3:]):
        for col, (label, value, help_) in zip(container.columns(3), row):
            col.metric(label, value, help=help_)


def formula_block(schedule, container=st):
    w, d = schedule.warmup.entry, schedule.decay.entry
    container.markdown(f"**Warmup — {w.title}.** {w.summary}")
    container.latex(w.formula)
    container.markdown(f"**Decay — {d.title}.** {d.summary}")
    container.latex(d.formula)
    container.markdown(f"**Convention — {schedule.convention}.** {CONVENTIONS[schedule.convention]}")
    container.caption(f"References: {w.reference} · {d.reference}")


# --- downloads -----------------------------------------------------------------------------------

def _frame(schedule: Curve, n: int, steps_per_epoch: int) -> pd.DataFrame:
    t = np.arange(n)
    return pd.DataFrame({"step": t, "epoch": t / steps_per_epoch, "lr": schedule(t.astype(np.float64))})


def full_curve_csv(schedule: Curve, n: int, steps_per_epoch: int = 1) -> bytes:
    buf = io.StringIO()
    _frame(schedule, n, steps_per_epoch).to_csv(buf, index=False, float_format="%.17g")
    return buf.getvalue().encode()


def full_curve_parquet(schedule: Curve, n: int, steps_per_epoch: int = 1) -> bytes:
    """The full curve as Parquet (zstd; steps delta-encoded): a fraction of the CSV, exact float64."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = np.arange(n, dtype=np.int64)
    table = pa.table({"step": t, "lr": schedule(t.astype(np.float64))},
                     metadata={"schedule": schedule.to_json(), "steps_per_epoch": str(steps_per_epoch)})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", use_dictionary=False,
                   column_encoding={"step": "DELTA_BINARY_PACKED", "lr": "BYTE_STREAM_SPLIT"})
    return buf.getvalue()


@st.cache_data(max_entries=64, show_spinner=False)
def _csv_size(schedule_json: str, n: int, steps_per_epoch: int) -> int:
    return csv_size(from_json(schedule_json), n, steps_per_epoch)


def csv_size(schedule: Curve, n: int, steps_per_epoch: int = 1, sample: int = 2000) -> int:
    """The CSV's size in bytes, estimated from evenly spaced rows (without building it)."""
    if n <= sample:
        return len(full_curve_csv(schedule, n, steps_per_epoch))
    t = np.unique(np.linspace(0, n - 1, sample).round().astype(np.int64))
    frame = pd.DataFrame({"step": t, "epoch": t / steps_per_epoch, "lr": schedule(t.astype(np.float64))})
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, float_format="%.17g")
    return round(len(buf.getvalue()) / len(t) * n) + len("step,epoch,lr\n")


def human_bytes(b: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if b < 1000 or unit == "GB":
            return f"{b:,.0f} {unit}" if unit == "bytes" else f"{b:,.1f} {unit}"
        b /= 1000


def downloads(schedule: Schedule, steps_per_epoch: int, prefix: str):
    """Parquet (compact, exact) first; CSV with its size said up front; the files are built on click."""
    n = schedule.total_steps
    c1, c2, c3 = st.columns(3)
    c1.download_button("Full curve (Parquet)", lambda: full_curve_parquet(schedule, n, steps_per_epoch),
                       "schedule.parquet", "application/vnd.apache.parquet", key=f"{prefix}.parquet",
                       on_click="ignore", type="primary",
                       help="Every step's exact float64 lr, compressed. pandas.read_parquet reads it.")
    size = _csv_size(schedule.to_json(), n, steps_per_epoch)
    c2.download_button(f"Full curve (CSV, ≈ {human_bytes(size)})",
                       lambda: full_curve_csv(schedule, n, steps_per_epoch), "schedule.csv", "text/csv",
                       key=f"{prefix}.csv", on_click="ignore")
    c3.download_button("Schedule (JSON)", schedule.to_json().encode(), "schedule.json", "application/json",
                       key=f"{prefix}.json", on_click="ignore",
                       help="The schedule itself; warmup_core.from_json rebuilds it.")
    st.caption(f"{n:,} steps. The CSV would be about {human_bytes(size)}; the Parquet file holds the same exact "
               "values in a fraction of that.")
