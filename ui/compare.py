"""Compare several named strategies: state handling, figures and tables (pure where possible)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import streamlit as st

from warmup_core import Decay, Schedule, Warmup, compat, from_dict, from_json
from warmup_core.libraries import _same_settings as same_settings
from warmup_core.reduce import reduce_curve, reduce_indices

from .figures import Trace, relative_values


def default_strategies(total=10_000, lr=0.1, warmup=500):
    """The classic trio of the warmup papers: none, gradual (linear) and constant."""
    cos = Decay("cosine")
    return [
        {"name": "no warmup", "schedule": Schedule(lr, Warmup(), cos, "prepend", total).to_dict()},
        {"name": "linear warmup", "schedule": Schedule(lr, Warmup("linear", warmup), cos, "prepend", total).to_dict()},
        {"name": "constant warmup", "schedule": Schedule(lr, Warmup("constant", warmup, factor=0.1), cos, "prepend",
                                                         total).to_dict()},
    ]


def validate_strategies(items) -> list[dict]:
    """Strategies from a link: a list of {name, schedule}; raises ValueError naming what is wrong."""
    if not isinstance(items, list) or not items:
        raise ValueError("strategies must be a non-empty list")
    if len(items) > 12:
        raise ValueError(f"at most 12 strategies, got {len(items)}")
    out, names = [], set()
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"name", "schedule"}:
            raise ValueError(f"strategy {i + 1} must have exactly 'name' and 'schedule'")
        name = item["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > 60:
            raise ValueError(f"strategy {i + 1} needs a name of 1 to 60 characters")
        if name in names:
            raise ValueError(f"two strategies are called {name!r}")
        names.add(name)
        s = from_dict(item["schedule"])
        if not isinstance(s, Schedule) or s.total_steps is None:
            raise ValueError(f"strategy {name!r} must be a warmup + decay schedule with total_steps")
        out.append({"name": name, "schedule": s.to_dict()})
    return out


def unique_name(name: str, taken) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name} ({i})" in taken:
        i += 1
    return f"{name} ({i})"


# --- editing the list (in place; each returns the name to select) ---------------------------------

def add(strategies: list[dict], schedule_dict: dict, name: str) -> str:
    if len(strategies) >= 12:
        raise ValueError("at most 12 strategies; delete one first")
    name = unique_name(name[:60], [s["name"] for s in strategies])
    strategies.append({"name": name, "schedule": schedule_dict})
    return name


def duplicate(strategies: list[dict], name: str) -> str:
    cur = next(s for s in strategies if s["name"] == name)
    return add(strategies, dict(cur["schedule"]), f"{name} copy")


def delete(strategies: list[dict], name: str) -> str:
    if len(strategies) <= 1:
        raise ValueError("the last strategy cannot be deleted")
    strategies[:] = [s for s in strategies if s["name"] != name]
    return strategies[0]["name"]


def rename(strategies: list[dict], old: str, new: str) -> str:
    new = new.strip()
    if not new or len(new) > 60:
        raise ValueError("a name needs 1 to 60 characters")
    if new != old and new in [s["name"] for s in strategies]:
        raise ValueError(f"there is already a strategy called {new!r}")
    for s in strategies:
        if s["name"] == old:
            s["name"] = new
    return new


@st.cache_data(max_entries=256, show_spinner=False)
def strategy_points(schedule_json: str):
    """Reduced points, summary and warmup end of one schedule, cached on its JSON: a rerun that
    changed one strategy recomputes only that one."""
    s = from_json(schedule_json)
    steps, values, full = reduce_curve(s, s.total_steps)
    return steps, values, s.summary(), s.warmup_end


@st.cache_data(max_entries=8, show_spinner=False)
def full_curve(schedule_json: str) -> np.ndarray:
    s = from_json(schedule_json)
    return s(np.arange(s.total_steps, dtype=np.float64))


def _json(item) -> str:
    return from_dict(item["schedule"]).to_json()


def traces(strategies) -> list[Trace]:
    out = []
    for item in strategies:
        steps, values, _, warmup_end = strategy_points(_json(item))
        out.append(Trace(item["name"], steps, values, warmup_end=warmup_end))
    return out


def relative_traces(strategies, baseline: str, mode: str) -> list[Trace]:
    """Every other strategy against the baseline, on the steps both cover."""
    base_item = next(i for i in strategies if i["name"] == baseline)
    base = full_curve(_json(base_item))
    base_s = from_dict(base_item["schedule"])
    out = []
    for item in strategies:
        if item["name"] == baseline:
            continue
        y = full_curve(_json(item))
        n = min(len(y), len(base))
        rel = relative_values(y[:n], base[:n], mode)
        s = from_dict(item["schedule"])
        bps = np.concatenate([s.breakpoints(n - 1), base_s.breakpoints(n - 1)])
        idx = reduce_indices(np.nan_to_num(rel, nan=0.0), bps)
        out.append(Trace(item["name"], idx, rel[idx]))
    return out


def summary_table(strategies) -> pd.DataFrame:
    rows = []
    for item in strategies:
        s = from_dict(item["schedule"])
        m = strategy_points(s.to_json())[2]
        rows.append({"strategy": item["name"], "warmup": f"{s.warmup.entry.title} ({s.warmup.steps:,} steps)",
                     "decay": s.decay.entry.title, "convention": s.convention, "peak lr": m["peak_lr"],
                     "peak step": m["peak_step"], "lr at step 0": m["lr_at_0"],
                     "lr at end of warmup": m["lr_at_warmup_end"], "lr at last step": m["lr_at_last"],
                     "mean lr": m["mean_lr"], "area (lr·steps)": m["area"]})
    return pd.DataFrame(rows)


def curves_csv(strategies) -> bytes:
    """All full curves side by side (called only when the download is clicked)."""
    curves = {item["name"]: from_dict(item["schedule"]) for item in strategies}
    n = max(c.total_steps for c in curves.values())
    frame = pd.DataFrame({"step": np.arange(n)})
    for name, sched in curves.items():
        col = np.full(n, np.nan)
        col[: sched.total_steps] = sched(np.arange(sched.total_steps, dtype=np.float64))
        frame[name] = col
    buf = io.StringIO()
    frame.to_csv(buf, index=False, float_format="%.17g")
    return buf.getvalue().encode()


# --- "same settings, different libraries" -------------------------------------------------------

def library_versions(lr: float, warmup: int, total: int, min_lr: float = 0.0) -> dict:
    """One nominal configuration ("linear warmup of W steps, cosine to min_lr over N steps") passed to
    each library's own parameters of that name. Returns ``{label: (schedule, how it was called)}``;
    the schedules differ because the libraries read the same words differently."""
    W, N, r = warmup, total, min_lr / lr
    sf = max(1e-3, 1.0 / max(W, 1))
    out = {
        "transformers cosine_with_min_lr": (
            compat.build("transformers", "cosine_with_min_lr", base_lr=lr, num_warmup_steps=W, num_training_steps=N,
                         min_lr=min_lr),
            f"get_scheduler('cosine_with_min_lr', num_warmup_steps={W}, num_training_steps={N}, min_lr={min_lr:g})"),
        "torch SequentialLR": (
            compat.build("torch", "SequentialLR", base_lr=lr, milestones=[W], schedulers=[
                ("LinearLR", {"start_factor": sf, "total_iters": W}),
                ("CosineAnnealingLR", {"T_max": max(N - W, 1), "eta_min": min_lr})]),
            f"SequentialLR([LinearLR(start_factor={sf:.3g}, total_iters={W}), "
            f"CosineAnnealingLR(T_max={max(N - W, 1)}, eta_min={min_lr:g})], milestones=[{W}])"),
        "torch ChainedScheduler": (
            compat.build("torch", "ChainedScheduler", base_lr=lr, schedulers=[
                ("LinearLR", {"start_factor": sf, "total_iters": W}),
                ("CosineAnnealingLR", {"T_max": N, "eta_min": min_lr})]),
            f"ChainedScheduler([LinearLR(start_factor={sf:.3g}, total_iters={W}), "
            f"CosineAnnealingLR(T_max={N}, eta_min={min_lr:g})])"),
        "timm CosineLRScheduler": (
            compat.build("timm", "CosineLRScheduler", base_lr=lr, t_initial=N, warmup_t=W, lr_min=min_lr),
            f"CosineLRScheduler(t_initial={N}, warmup_t={W}, lr_min={min_lr:g})  # warmup_prefix=False"),
        "timm CosineLRScheduler, warmup_prefix": (
            compat.build("timm", "CosineLRScheduler", base_lr=lr, t_initial=max(N - W, 1), warmup_t=W,
                         lr_min=min_lr, warmup_prefix=True),
            f"CosineLRScheduler(t_initial={max(N - W, 1)}, warmup_t={W}, lr_min={min_lr:g}, warmup_prefix=True)"),
        "optax warmup_cosine_decay_schedule": (
            compat.build("optax", "warmup_cosine_decay_schedule", init_value=0.0, peak_value=lr, warmup_steps=W,
                         decay_steps=max(N, W + 1), end_value=min_lr),
            f"warmup_cosine_decay_schedule(0.0, {lr:g}, warmup_steps={W}, decay_steps={max(N, W + 1)}, "
            f"end_value={min_lr:g})"),
        "Keras CosineDecay": (
            compat.build("keras", "CosineDecay", initial_learning_rate=0.0, decay_steps=N, alpha=r,
                         warmup_target=lr, warmup_steps=W),
            f"CosineDecay(0.0, decay_steps={N}, alpha={r:g}, warmup_target={lr:g}, warmup_steps={W})"),
        "nanoGPT get_lr": (
            compat.build("nanogpt", "get_lr", learning_rate=lr, warmup_iters=W, lr_decay_iters=max(N, W + 1),
                         min_lr=min_lr),
            f"get_lr(learning_rate={lr:g}, warmup_iters={W}, lr_decay_iters={max(N, W + 1)}, min_lr={min_lr:g})"),
    }
    out.update(same_settings.versions(lr, W, N, min_lr))  # DeepSpeed, Megatron, NeMo, mmengine, detectron2, Composer
    return out


def disagreements(versions: dict, total: int) -> pd.DataFrame:
    """Where the libraries part ways: step 0, the peak, the last step, and after the end."""
    after = int(total * 1.2)
    rows = []
    for label, (s, call) in versions.items():
        y = s(np.arange(after + 1, dtype=np.float64))
        peak = int(np.argmax(y[:total]))
        rows.append({"library": label, "lr at step 0": y[0], "peak lr": y[peak], "peak step": peak,
                     f"lr at step {total - 1}": y[total - 1], f"lr at step {after} (after the end)": y[after],
                     "call": call})
    frame = pd.DataFrame(rows)
    return frame


def differs(frame: pd.DataFrame, column: str, rtol=1e-6) -> pd.Series:
    """True where a value is not the most common value of its column."""
    vals = frame[column].to_numpy(dtype=np.float64)
    rounded = np.round(vals / (np.abs(vals).max() or 1.0) / rtol)
    common = pd.Series(rounded).mode().iloc[0]
    return pd.Series(rounded != common, index=frame.index)
