"""Your own loss curves, ready to fit: a CSV (``step, lr, loss``), a TensorBoard event file, or runs of
the Train page's store.

The law needs the lr of every step from 0. A Train-page run carries its exact schedule. A CSV or an
event file has the lr at its logged steps only: between them it is interpolated linearly (exact when
every step is logged or the schedule is piecewise linear), and before the first logged step it is held
at the first logged value (say so to the user; log from step 0 to avoid it).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_STEPS = 10_000_000
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Run:
    name: str
    lrs: np.ndarray  # lr of every step 0..T-1
    steps: np.ndarray  # logged steps (indices into lrs)
    losses: np.ndarray
    note: str = ""  # how lrs was obtained

    @property
    def curve(self):
        return self.lrs, self.steps, self.losses


def from_points(name: str, steps, lrs, losses, total_steps: int | None = None) -> Run:
    """A run from logged ``(step, lr, loss)`` points: lrs between logged steps interpolated linearly."""
    steps = np.asarray(steps, dtype=np.float64)
    lrs = np.asarray(lrs, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    if not (steps.shape == lrs.shape == losses.shape) or steps.ndim != 1:
        raise ValueError("step, lr and loss must be columns of the same length")
    ok = np.isfinite(steps) & np.isfinite(lrs) & np.isfinite(losses) & (losses > 0)
    if not ok.all():  # a diverged or unlogged row: drop it, the fit works on the rest
        steps, lrs, losses = steps[ok], lrs[ok], losses[ok]
    if steps.size < 2:
        raise ValueError(f"{name}: fewer than 2 rows with a finite step, lr and a loss > 0")
    if np.any(steps != np.round(steps)) or steps.min() < 0 or steps.max() >= MAX_STEPS:
        raise ValueError(f"{name}: steps must be whole numbers in 0..{MAX_STEPS - 1}")
    if np.any(lrs < 0):
        raise ValueError(f"{name}: learning rates must be >= 0")
    order = np.argsort(steps, kind="stable")
    steps, lrs, losses = steps[order].astype(np.int64), lrs[order], losses[order]
    if np.any(np.diff(steps) == 0):
        raise ValueError(f"{name}: step {int(steps[np.flatnonzero(np.diff(steps) == 0)[0]])} appears twice")
    T = int(total_steps) if total_steps else int(steps[-1]) + 1
    full = np.interp(np.arange(T), steps, lrs)
    every = steps.size == T
    note = "" if every else (f"lr interpolated linearly between the {steps.size} logged steps"
                             + (f"; held at its first logged value before step {steps[0]}" if steps[0] > 0 else ""))
    return Run(name, full, steps, losses, note)


def read_csv(source, name: str | None = None) -> Run:
    """A run from CSV text, bytes, a file object or a path with a header naming ``step``, ``lr``, ``loss``
    (any order, any case, other columns ignored)."""
    if isinstance(source, str | Path) and Path(str(source)).suffix.lower() == ".csv" and Path(str(source)).exists():
        name = name or Path(source).stem
        text = Path(source).read_text(encoding="utf-8", errors="replace")
    elif isinstance(source, bytes):
        text = source.decode("utf-8", errors="replace")
    elif hasattr(source, "read"):
        raw = source.read()
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    else:
        text = str(source)
    name = name or "run"
    rows = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(rows)]
    except StopIteration:
        raise ValueError(f"{name}: the CSV is empty") from None
    missing = [c for c in ("step", "lr", "loss") if c not in header]
    if missing:
        raise ValueError(f"{name}: the CSV header must name step, lr and loss; missing {', '.join(missing)} "
                         f"(found {', '.join(header[:8]) or 'nothing'})")
    cols = [header.index(c) for c in ("step", "lr", "loss")]
    data = []
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            raise ValueError(f"{name}: more than {MAX_ROWS:,} rows")
        if not row or all(not c.strip() for c in row):
            continue
        try:
            data.append([_number(row[c]) for c in cols])
        except (IndexError, ValueError):
            raise ValueError(f"{name}: row {i + 2} is not three numbers step, lr, loss: {row[:3]!r}") from None
    if not data:
        raise ValueError(f"{name}: the CSV has a header but no rows")
    arr = np.array(data, dtype=np.float64)
    return from_points(name, arr[:, 0], arr[:, 1], arr[:, 2])


def _number(s: str) -> float:
    s = s.strip()
    return math.nan if s.lower() in ("", "nan", "none", "null") else float(s)


LOSS_TAGS = ("loss", "train/loss", "train_loss", "training_loss", "loss/train")
LR_TAGS = ("lr", "learning_rate", "train/lr", "train/learning_rate", "lr-adamw", "lr/group0")


def read_tensorboard(path, loss_tag: str | None = None, lr_tag: str | None = None, name: str | None = None) -> Run:
    """A run from a TensorBoard event file (or a directory of them), read with TensorBoard's own
    ``EventAccumulator``. Tags default to the usual names (``loss``, ``train/loss``, ``lr``, ...)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    path = Path(path)
    if not path.exists():
        raise ValueError(f"no such TensorBoard file or directory: {path}")
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "tensors": 0})
    try:
        acc.Reload()
    except Exception as e:  # a corrupt or foreign file: TensorBoard's reader raises its own types
        raise ValueError(f"{path.name}: not a readable TensorBoard event file ({type(e).__name__})") from None
    series = {}
    for tag in acc.Tags().get("scalars", []):
        series[tag] = {e.step: float(e.value) for e in acc.Scalars(tag)}
    for tag in acc.Tags().get("tensors", []):  # TF2 / tf.summary writes scalars as tensors
        from tensorboard.util import tensor_util

        vals = {}
        for e in acc.Tensors(tag):
            arr = tensor_util.make_ndarray(e.tensor_proto)
            if arr.size == 1 and np.issubdtype(arr.dtype, np.number):
                vals[e.step] = float(arr.reshape(()))
        if vals:
            series.setdefault(tag, vals)
    if not series:
        raise ValueError(f"{path.name}: no scalar series in this event file")
    loss_tag = _pick(series, loss_tag, LOSS_TAGS, "loss", path.name)
    lr_tag = _pick(series, lr_tag, LR_TAGS, "lr", path.name)
    steps = sorted(set(series[loss_tag]) & set(series[lr_tag]))
    if len(steps) < 2:
        # lrs logged at other steps than the loss: interpolate the lr at the loss's steps
        lr_steps = sorted(series[lr_tag])
        steps = sorted(series[loss_tag])
        lr_at = np.interp(steps, lr_steps, [series[lr_tag][s] for s in lr_steps])
    else:
        lr_at = [series[lr_tag][s] for s in steps]
    loss = [series[loss_tag][s] for s in steps]
    return from_points(name or path.stem, steps, lr_at, loss)


def _pick(series, wanted, defaults, what, fname):
    if wanted is not None:
        if wanted not in series:
            raise ValueError(f"{fname}: no scalar tag {wanted!r}; tags: {', '.join(sorted(series))}")
        return wanted
    for tag in defaults:
        if tag in series:
            return tag
    raise ValueError(f"{fname}: cannot tell which tag is the {what}; tags: {', '.join(sorted(series))} "
                     f"(name it explicitly)")


def from_rows(name: str, lrs, rows) -> Run:
    """A run from the training engine's logged rows and the exact lr of every step.

    The engine logs the loss of step ``t`` before that step's update, i.e. after the updates ``0..t-1``,
    which the law calls step ``t - 1`` (S1 = lrs[0] + ... + lrs[t-1])."""
    lrs = np.asarray(lrs, dtype=np.float64)
    rows = [r for r in rows if r.get("loss") is not None and r.get("step", 0) >= 1 and r["step"] - 1 < lrs.size]
    steps = np.array([r["step"] for r in rows], dtype=np.int64) - 1
    loss = np.array([r["loss"] for r in rows], dtype=np.float64)
    keep = np.isfinite(loss) & (loss > 0)
    if keep.sum() < 2:
        raise ValueError(f"run {name!r} has fewer than 2 logged losses")
    return Run(name, lrs, steps[keep], loss[keep], "exact schedule from the run's config")


def from_store(store, run_id: str) -> Run:
    """A finished Train-page run: its exact schedule from the run's config, its logged training loss."""
    from ..schedule import from_dict

    run = store.run(run_id)
    if run is None:
        raise ValueError(f"no run {run_id!r} in the store")
    cfg = store.record(run_id)  # the JSON as written: an engine run's, or a cell of your own function's sweep
    lrs = from_dict(cfg["schedule"])(np.arange(int(cfg["steps"]), dtype=np.float64))
    return from_rows(run["name"], lrs, store.metrics(run_id))


def store_runs(store, owner: str | None = None) -> list[dict]:
    """The finished runs a user can fit on: ``[{id, name, task, steps}]``."""
    out = []
    for r in store.runs(owner=owner):
        if r["status"] != "finished":
            continue
        cfg = store.record(r["id"])
        if not isinstance(cfg, dict) or "schedule" not in cfg:  # no lr history to fit on
            continue
        out.append(dict(id=r["id"], name=r["name"], task=cfg.get("task") or cfg.get("train", "?"), steps=r["steps"]))
    return out
