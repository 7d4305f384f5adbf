"""Compare several named strategies: the strategy list (immutable values and pure edits), their
traces, tables and downloads, and one configuration as each library runs it. The page only wires
these to its widgets."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from warmup_core import Decay, LRSchedule, Schedule, Warmup, compat, from_dict, from_json
from warmup_core.downsample import downsample_indices
from warmup_core.libraries import same_settings
from warmup_core.pairs import built_from, leaves

from . import explore, safe, share, widgets
from .figures import Trace, relative_values
from .presets import PRESETS

MAX_STRATEGIES = 12
SESSION_KEY = "compare.strategies"  # the Compare page's strategies: ui.compare_page.Editor("compare")'s list
MODES = ("Overlay", "Small multiples", "Against a baseline")
MAX_NAME = 60


@dataclass(frozen=True)
class Strategy:
    """One named schedule; ``preset`` is the library preset it still is, if any. A schedule that is not a
    warmup + decay pair (a join or product of parts, from a config) is read-only: drawn, shared and
    downloaded like the others, never edited by the controls."""

    name: str
    schedule: LRSchedule
    preset: str | None = None

    @property
    def editable(self) -> bool:
        return isinstance(self.schedule, Schedule)

    def read_only_reason(self) -> str:
        """One line (plain text) saying why the controls cannot edit it."""
        return (f"“{self.name}” is read-only: its schedule is a {built_from(self.schedule)}, not a warmup + decay "
                "pair the controls can edit. It is drawn, shared and downloaded like the others; Delete removes it.")

    def to_dict(self) -> dict:
        d = {"name": self.name, "schedule": self.schedule.to_dict()}
        if self.preset:
            d["preset"] = self.preset
        return d


def session_strategies(session) -> tuple | None:
    """Compare's strategies in this session, for the other pages (None: Compare was not opened yet)."""
    return session.get(SESSION_KEY)


def default_strategies(total=10_000, lr=0.1, warmup=500) -> tuple[Strategy, ...]:
    """The classic trio of the warmup papers: none, gradual (linear) and constant."""
    cos = Decay("cosine")
    return (Strategy("no warmup", Schedule(lr, Warmup(), cos, "prepend", total)),
            Strategy("linear warmup", Schedule(lr, Warmup("linear", warmup), cos, "prepend", total)),
            Strategy("constant warmup", Schedule(lr, Warmup("constant", warmup, factor=0.1), cos, "prepend", total)))


def from_link(items) -> tuple[tuple[Strategy, ...], list[str]]:
    """Strategies from a link and the notes to show (lengths capped); raises ValueError naming what
    is wrong before anything changes."""
    if not isinstance(items, list) or not items:
        raise ValueError("strategies must be a non-empty list")
    if len(items) > MAX_STRATEGIES:
        raise ValueError(f"at most {MAX_STRATEGIES} strategies, got {len(items)}")
    out, notes = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not {"name", "schedule"} <= set(item) <= {"name", "schedule", "preset"}:
            raise ValueError(f"strategy {i + 1} must have 'name' and 'schedule' (and optionally 'preset')")
        name = item["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise ValueError(f"strategy {i + 1} needs a name of 1 to {MAX_NAME} characters")
        if name in [s.name for s in out]:
            raise ValueError(f"two strategies are called {safe.clip(repr(name), 70)}")
        preset = item.get("preset")
        if preset is not None and preset not in PRESETS:
            raise ValueError(f"strategy {i + 1}: unknown library preset {safe.clip(repr(preset), 70)}")
        s = from_dict(item["schedule"])
        if s.total_steps is None:
            raise ValueError(f"strategy {i + 1} must be a schedule with total_steps")
        if leaves(s) > share.MAX_PARTS:
            raise ValueError(f"strategy {i + 1} is built from {leaves(s)} parts; at most {share.MAX_PARTS}")
        s, note = share.cap_length(s, f"Strategy “{name}”")
        try:
            widgets.check_evaluable(s)
        except ValueError as e:
            raise ValueError(f"strategy {i + 1}: {e}") from None
        notes += [note] if note else []
        out.append(Strategy(name, s, preset))
    return tuple(out), notes


# --- editing the list: pure functions returning (new list, name to select) -----------------------

def unique_name(name: str, taken) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name} ({i})" in taken:
        i += 1
    return f"{name} ({i})"


def find(strategies, name) -> Strategy:
    for s in strategies:
        if s.name == name:
            return s
    raise ValueError(f"there is no strategy called {safe.clip(repr(name), 70)}")


def add(strategies, item: Strategy):
    if len(strategies) >= MAX_STRATEGIES:
        raise ValueError(f"at most {MAX_STRATEGIES} strategies; delete one first")
    name = unique_name(item.name[:MAX_NAME], [s.name for s in strategies])
    return (*strategies, Strategy(name, item.schedule, item.preset)), name


def add_preset(strategies, label: str):
    from .presets import short_name

    return add(strategies, Strategy(short_name(label), PRESETS[label].schedule(), label))


def duplicate(strategies, name: str):
    cur = find(strategies, name)
    return add(strategies, Strategy(f"{name} copy", cur.schedule, cur.preset))


def delete(strategies, name: str):
    if len(strategies) <= 1:
        raise ValueError("the last strategy cannot be deleted")
    find(strategies, name)
    rest = tuple(s for s in strategies if s.name != name)
    return rest, rest[0].name


def rename(strategies, old: str, new: str):
    new = new.strip()
    if not new or len(new) > MAX_NAME:
        raise ValueError(f"a name needs 1 to {MAX_NAME} characters")
    if new != old and new in [s.name for s in strategies]:
        raise ValueError(f"there is already a strategy called {safe.clip(repr(new), 70)}")
    find(strategies, old)
    return tuple(Strategy(new, s.schedule, s.preset) if s.name == old else s for s in strategies), new


def update(strategies, name: str, schedule: Schedule, preset: str | None):
    """The list after the selected strategy was edited in the controls, and its (new) name. A
    strategy named after a library it no longer is gets " (custom)" added to its name."""
    from .presets import short_name

    cur = find(strategies, name)
    if cur.schedule == schedule and cur.preset == preset:
        return strategies, name
    new_name = name
    if cur.preset and not preset and name.startswith(short_name(cur.preset)):
        new_name = unique_name(f"{name} (custom)"[:MAX_NAME], [s.name for s in strategies])
    return tuple(Strategy(new_name, schedule, preset) if s.name == name else s for s in strategies), new_name


# --- what the page draws ------------------------------------------------------------------------

def traces(strategies) -> list[Trace]:
    out = []
    for item in strategies:
        p = explore.points(item.schedule)
        out.append(Trace(item.name, p.steps, p.values, warmup_end=item.schedule.warmup_end))
    return out


@st.cache_data(max_entries=64, show_spinner=False)
def _relative(schedule_json: str, base_json: str, mode: str):
    s, base = from_json(schedule_json), from_json(base_json)
    n = min(s.total_steps, base.total_steps)
    t = np.arange(n, dtype=np.float64)
    rel = relative_values(s(t), base(t), mode)
    del t
    bps = np.concatenate([s.breakpoints(n - 1), base.breakpoints(n - 1)])
    idx = downsample_indices(np.nan_to_num(rel, nan=0.0), bps)
    return idx, rel[idx]


def relative_traces(strategies, baseline: str, mode: str) -> list[Trace]:
    """Every other strategy against the baseline, on the steps both cover (one pair in memory at a time)."""
    base = find(strategies, baseline).schedule.to_json()
    return [Trace(item.name, *_relative(item.schedule.to_json(), base, mode))
            for item in strategies if item.name != baseline]


def summary_table(strategies) -> pd.DataFrame:
    rows = []
    for item in strategies:
        s, m = item.schedule, explore.summary(item.schedule)
        if item.editable:
            what = {"from": item.preset or "custom", "warmup": f"{s.warmup.entry.title} ({s.warmup.steps:,} steps)",
                    "decay": s.decay.entry.title, "convention": s.convention}
        else:
            what = {"from": "config (read-only)", "warmup": "—",
                    "decay": built_from(s), "convention": "—"}
        rows.append({"strategy": item.name, **what, "peak lr": m["peak_lr"],
                     "peak step": m["peak_step"], "lr at step 0": m["lr_at_0"],
                     "lr at end of warmup": m["lr_at_warmup_end"], "lr at last step": m["lr_at_last"],
                     "mean lr": m["mean_lr"], "area (lr·steps)": m["area"]})
    return pd.DataFrame(rows)


NUMBER_COLUMNS = ("peak lr", "lr at step 0", "lr at end of warmup", "lr at last step", "mean lr", "area (lr·steps)")
# the table in two parts, each narrow enough for a desktop's main column (twelve columns were cut off)
WHAT_COLUMNS = ("strategy", "from", "warmup", "decay", "convention")
KEY_COLUMNS = ("strategy", "peak lr", "peak step") + NUMBER_COLUMNS[1:]


def curves_frame(strategies, steps=None) -> pd.DataFrame:
    """Every curve side by side at ``steps`` (default: all); NaN past a curve's end."""
    n = max(s.schedule.total_steps for s in strategies)
    steps = np.arange(n) if steps is None else np.asarray(steps)
    frame = pd.DataFrame({"step": steps})
    for item in strategies:
        col = np.full(len(steps), np.nan)
        inside = steps < item.schedule.total_steps
        col[inside] = item.schedule(steps[inside].astype(np.float64))
        frame[item.name] = col
    return frame


def curves_csv(strategies) -> bytes:
    """All full curves side by side (built only when the download is clicked)."""
    buf = io.StringIO()
    curves_frame(strategies).to_csv(buf, index=False, float_format="%.17g")
    return buf.getvalue().encode()


def curves_parquet(strategies) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(curves_frame(strategies), preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def csv_size(strategies, sample: int = 2000) -> int:
    """The bytes :func:`curves_csv` would produce, estimated from evenly spaced rows."""
    n = max(s.schedule.total_steps for s in strategies)
    if n <= sample:
        return len(curves_csv(strategies))
    steps = np.unique(np.linspace(0, n - 1, sample).round().astype(np.int64))
    buf = io.StringIO()
    curves_frame(strategies, steps).to_csv(buf, index=False, float_format="%.17g")
    header, body = buf.getvalue().split("\n", 1)
    return round(len(body) / len(steps) * n) + len(header) + 1


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
    return pd.DataFrame(rows)


def differs(frame: pd.DataFrame, column: str, rtol=1e-6) -> pd.Series:
    """True where a value is not the most common value of its column."""
    vals = frame[column].to_numpy(dtype=np.float64)
    rounded = np.round(vals / (np.abs(vals).max() or 1.0) / rtol)
    common = pd.Series(rounded).mode().iloc[0]
    return pd.Series(rounded != common, index=frame.index)


def library_traces(versions: dict, total: int) -> list[Trace]:
    """Each library's curve to 1.2 N, reduced, keeping step 0, the last step and its peak."""
    after = int(total * 1.2)
    out = []
    for label, (s, _) in versions.items():
        y = s(np.arange(after + 1, dtype=np.float64))
        idx = np.unique(np.concatenate([downsample_indices(y, s.breakpoints(after)),
                                        [0, total - 1, int(np.argmax(y[:total]))]]))
        out.append(Trace(label, idx, y[idx]))
    return out


def styled_disagreements(frame: pd.DataFrame):
    """The table with the cells that differ from the most common value shaded."""
    flagged = {c: differs(frame, c) for c in frame.columns if c not in ("library", "call")}
    return frame.style.apply(lambda col: ["background-color: #FFE8CC" if v else "" for v in flagged[col.name]]
                             if col.name in flagged else [""] * len(col)).format(
        {c: "{:.4g}" for c in flagged if c != "peak step"})
