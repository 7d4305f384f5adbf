"""Your own training function in the lab: compare schedules, or sweep lr × warmup, here or on Ray.

Write a function that trains under a schedule and yields what it measures::

    def train(schedule, seed):
        # schedule(t) is the learning rate of update t, for t = 0 .. schedule.total_steps - 1
        # (or drive a torch optimizer with warmup_core.torch_adapter.attach(optimizer, schedule))
        for t in range(schedule.total_steps):
            ...
            yield {"step": t, "loss": loss}          # optional: "eval_loss", "eval_acc", "lr", "grad_norm", …

or describe a ``torch.nn.Module`` factory and data, the way the built-in tasks are, with
:class:`TorchTrainer`. Then::

    from warmup_core.training import custom
    res = custom.sweep(train, lrs=[0.1, 0.3, 1.0], warmups=[0, 50, 100], steps=300, seeds=[0, 1])
    res.grid()      # final loss, shape (seeds, lrs, warmups); inf where a run diverged
    res.curves()    # [(lrs, steps, losses), …]: what warmup_core.predict.fit_multi_power_law takes
    res = custom.compare(train, [schedule_a, schedule_b], seeds=[0, 1, 2])

Every (schedule, seed) is a run in the lab's SQLite store (``WARMUP_LAB_DB``, else the data
directory), one group per call, so the Train page shows them ("Open a run by id", or the group's
runs under their owner). ``backend="ray"`` runs each cell (or ``cells_per_task`` of them) as a Ray task
with ``num_cpus`` / ``num_gpus``, on a local Ray or on a cluster (``address="auto"`` or
``"ray://head:10001"``); the numbers are the same as ``backend="local"``'s for the same seeds. A call
with the ``group_id`` of a group that stopped half-way (or :func:`resume`) computes only what is
missing. For Ray the function must be picklable: a module-level function, or a :class:`TorchTrainer`.

Rows: ``step`` (int ≥ 0) and ``loss`` are required; the store keeps ``lr`` (default ``schedule(step)``),
``eval_loss``, ``eval_acc``, ``grad_norm``, ``update_norm``, ``wall`` (default: seconds since the run
began), ``sharpness`` and ``sharp_limit``; other keys are dropped. A NaN/inf loss (or, with
``blowup``, one above ``blowup`` × the first loss) ends the run as ``diverged``; an exception is
retried once, then the run is ``failed`` with the error.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..schedule import Schedule, from_dict
from . import backends
from .backends import Cell, Outcome
from .store import METRICS, Store


def default_store() -> Store:
    """The store the Train page reads (``WARMUP_LAB_DB``, else the data directory's ``runs.sqlite``)."""
    return Store(os.environ.get("WARMUP_LAB_DB") or None)


# --- the work a backend runs ---------------------------------------------------------------------

def _number(row: dict, key: str) -> float | None:
    v = row.get(key)
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError(f"row key {key!r} must be a number, got {v!r}")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise ValueError(f"row key {key!r} must be a number, got {v!r}") from None


def clean_row(row, schedule: Schedule, t0: float) -> dict:
    """One row the user's function yielded, checked and reduced to the store's columns."""
    if not isinstance(row, dict):
        raise ValueError(f"the training function must yield dicts, got {type(row).__name__}")
    step = row.get("step")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
        raise ValueError(f"row key 'step' must be an integer >= 0, got {step!r}")
    if "loss" not in row:
        raise ValueError(f"a row needs a 'loss' (got keys {sorted(row)})")
    out = {k: _number(row, k) for k in METRICS if k != "step" and k in row}
    out["step"] = int(step)
    if out.get("lr") is None:
        out["lr"] = float(schedule(int(step)))
    if out.get("wall") is None:
        out["wall"] = time.perf_counter() - t0
    return out


@dataclass
class UserWork:
    """A chunk of cells through the user's ``train(schedule, seed)``: the object a backend runs."""

    train: Callable[[Schedule, int], Iterable[dict]]
    blowup: float | None = None

    def __call__(self, cells: list[Cell]) -> Iterator[tuple]:
        for i, cell in enumerate(cells):
            schedule = from_dict(cell.schedule)
            t0, first, status, message = time.perf_counter(), None, "finished", ""
            rows = iter(self.train(schedule, cell.seed))
            try:
                for raw in rows:
                    row = clean_row(raw, schedule, t0)
                    loss = row["loss"]
                    first = loss if first is None else first
                    bad = loss is None or not math.isfinite(loss)
                    if not bad and self.blowup and loss > self.blowup * max(first, 1e-12):
                        bad, why = True, f"the loss blew up to {loss:.3g} (over {self.blowup:g}× its first value)"
                    else:
                        why = "the loss became NaN/inf"
                    if bad:
                        row["loss"] = loss if loss is not None and math.isfinite(loss) else None
                        yield ("rows", i, [row])
                        status, message = "diverged", f"diverged at step {row['step']}: {why}"
                        break
                    yield ("rows", i, [row])
            finally:
                close = getattr(rows, "close", None)
                if close:
                    close()
            yield ("end", i, status, message)


@dataclass
class TorchTrainer:
    """``train(schedule, seed)`` for a ``torch.nn.Module`` factory and data, the built-in tasks' way.

    ``model()`` is called after ``torch.manual_seed(seed)`` (the same initial weights for every
    schedule of a seed); ``data`` is ``(x_train, y_train, x_eval, y_eval)`` tensors or a function
    returning them (called in the worker, so a Ray task builds its data rather than receiving it);
    ``loss(outputs, targets)`` defaults to mean squared error. Batches are drawn with a generator
    seeded ``seed + 1`` (the same batches for every schedule). The optimizer is one of
    :data:`~.engine.OPTIMIZERS`, driven by the schedule through :func:`warmup_core.torch_adapter.attach`;
    it trains ``schedule.total_steps`` updates, logs about 100 rows and evaluates every ``eval_every``
    steps and at the last one (``eval_acc`` too for classification: targets of dtype long).
    """

    model: Callable
    data: Callable | tuple
    loss: Callable | None = None
    optimizer: str = "sgd"
    momentum: float = 0.9
    weight_decay: float = 0.0
    betas: tuple = (0.9, 0.999)
    batch_size: int = 64
    eval_every: int = 50
    log_every: int = 0

    def __post_init__(self):
        from .engine import OPTIMIZERS

        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid optimizers are {list(OPTIMIZERS)}")
        for name in ("batch_size", "eval_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"parameter {name!r} must be an integer >= 1, got {v!r}")

    def __call__(self, schedule: Schedule, seed: int) -> Iterator[dict]:
        import torch
        from torch.nn import functional as F

        from ..torch_adapter import attach
        from .engine import make_optimizer

        steps = schedule.total_steps
        if not steps:
            raise ValueError("the schedule needs total_steps: the number of updates to train")
        x, y, xe, ye = self.data() if callable(self.data) else self.data
        classify = not y.dtype.is_floating_point
        loss_fn = self.loss or (F.cross_entropy if classify else F.mse_loss)
        torch.manual_seed(seed)
        model = self.model()
        opt = make_optimizer(self, model.parameters(), schedule.base_lr)
        sched = attach(opt, schedule)
        gen = torch.Generator().manual_seed(seed + 1)
        log_every = self.log_every or max(1, steps // 100)
        model.train()
        for t in range(steps):
            idx = torch.randint(0, len(y), (self.batch_size,), generator=gen)
            lr = opt.param_groups[0]["lr"]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            value = float(loss.detach())
            if t % log_every == 0 or t == steps - 1 or not math.isfinite(value):
                row = {"step": t, "lr": lr, "loss": value}
                if t % self.eval_every == 0 or t == steps - 1:
                    model.eval()
                    with torch.no_grad():
                        out = model(xe)
                        row["eval_loss"] = float(loss_fn(out, ye))
                        if classify:
                            row["eval_acc"] = float((out.argmax(-1) == ye).float().mean())
                    model.train()
                yield row


# --- what a call returns -------------------------------------------------------------------------

@dataclass
class Results:
    """A group of runs in the store: the outcome of :func:`compare` / :func:`sweep` / :func:`resume`."""

    store: Store
    outcome: Outcome
    cells: list

    @property
    def group_id(self) -> str:
        return self.outcome.group_id

    @property
    def run_ids(self) -> list[str]:
        return [self.outcome.run_ids[c.key] for c in self.cells]

    def runs(self) -> list[dict]:
        """Each run's store record (status, message, name, …) in the order of the cells."""
        return [self.store.run(r) for r in self.run_ids]

    def final(self) -> np.ndarray:
        """Each cell's final loss: its last ``eval_loss`` (else its last ``loss``); inf if it diverged,
        NaN if it failed or was cancelled."""
        return np.array([final_loss(self.store, r) for r in self.run_ids])

    def grid(self) -> np.ndarray:
        """A sweep's final losses as ``(seeds, lrs, warmups)``."""
        info = [c.info for c in self.cells]
        if not all("lr" in d and "warmup" in d for d in info):
            raise ValueError("grid() is for sweeps (cells with an lr and a warmup); use final() for a comparison")
        seeds = sorted({c.seed for c in self.cells})
        lrs = sorted({d["lr"] for d in info})
        warmups = sorted({d["warmup"] for d in info})
        out = np.full((len(seeds), len(lrs), len(warmups)), np.nan)
        for c, v in zip(self.cells, self.final()):
            out[seeds.index(c.seed), lrs.index(c.info["lr"]), warmups.index(c.info["warmup"])] = v
        return out

    def curves(self, metric: str = "loss", include_diverged: bool = False) -> list[tuple]:
        return curves(self.store, self.group_id, metric, include_diverged)


def final_loss(store: Store, run_id: str) -> float:
    run = store.run(run_id)
    if run is None or run["status"] not in backends.DONE:
        return math.nan
    if run["status"] == "diverged":
        return math.inf
    rows = store.metrics(run_id)
    evals = [r["eval_loss"] for r in rows if r["eval_loss"] is not None]
    losses = [r["loss"] for r in rows if r["loss"] is not None]
    return float(evals[-1] if evals else losses[-1] if losses else math.nan)


def curves(store: Store, group_id: str, metric: str = "loss", include_diverged: bool = False) -> list[tuple]:
    """The group's finished runs as ``(lrs, steps, losses)``: ``lrs[t]`` the schedule's lr of update
    ``t`` for every ``t`` of the run, ``steps`` the logged steps, ``losses`` ``metric`` at them (float64)
    — the curves ``warmup_core.predict.fit_multi_power_law`` fits."""
    out = []
    for r in store.runs(group_id=group_id):
        if r["status"] != "finished" and not (include_diverged and r["status"] == "diverged"):
            continue
        schedule = from_dict(store.config(r["id"])["schedule"])
        rows = [m for m in store.metrics(r["id"]) if m[metric] is not None]
        if not rows:
            continue
        lrs = np.asarray(schedule(np.arange(schedule.total_steps or rows[-1]["step"] + 1)), dtype=np.float64)
        out.append((lrs, np.array([m["step"] for m in rows], dtype=np.int64),
                    np.array([m[metric] for m in rows], dtype=np.float64)))
    return out


# --- comparisons and sweeps ----------------------------------------------------------------------

def _as_schedule(s) -> Schedule:
    s = from_dict(s) if isinstance(s, dict) else s
    if not getattr(s, "total_steps", None):
        raise ValueError("every schedule needs total_steps (the number of updates to train)")
    return s


def _seeds(seeds) -> list[int]:
    seeds = [seeds] if isinstance(seeds, int) else list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < 2**31 for s in seeds):
        raise ValueError(f"seeds must be integers in [0, 2**31), got {seeds!r}")
    return seeds


def run_cells(train: Callable, cells: list[Cell], *, kind: str, store: Store | str | None = None,
              group_id: str | None = None, owner: str = "lab", blowup: float | None = None, **backend) -> Results:
    """Compute ``cells`` through ``train`` on a backend (keywords of :func:`backends.execute`)."""
    if not callable(train):
        raise ValueError("train must be a function train(schedule, seed) -> iterable of rows")
    store = store if isinstance(store, Store) else (Store(store) if store else default_store())
    group_id = group_id or uuid.uuid4().hex[:8]
    config = {"kind": kind, "train": getattr(train, "__qualname__", type(train).__name__),
              "optimizer": getattr(train, "optimizer", "custom")}
    out = backends.execute(UserWork(train, blowup), cells, store=store, group_id=group_id, owner=owner, config=config,
                           **backend)
    return Results(store, out, cells)


def compare(train: Callable, schedules: Sequence, seeds: int | Sequence[int] = (0,), names: Sequence[str] | None = None,
            **kwargs) -> Results:
    """Train every schedule with every seed (one run each, one group). ``names`` label the schedules;
    other keywords: ``store``, ``group_id``, ``owner``, ``blowup``, ``backend``, ``address``, ``num_cpus``,
    ``num_gpus``, ``cells_per_task``."""
    scheds = [_as_schedule(s) for s in schedules]
    if not scheds:
        raise ValueError("give at least one schedule to compare")
    names = list(names) if names is not None else [f"schedule {i}" for i in range(len(scheds))]
    if len(names) != len(scheds):
        raise ValueError(f"{len(names)} names for {len(scheds)} schedules")
    cells = [Cell(f"{i}|seed={seed}", f"{names[i]} · seed {seed}", s.to_dict(), seed, s.total_steps,
                  {"schedule_index": i})
             for seed in _seeds(seeds) for i, s in enumerate(scheds)]
    return run_cells(train, cells, kind="compare", **kwargs)


def sweep_cells(lrs: Sequence[float], warmups: Sequence[int], steps: int, seeds=(0,),
                decay: str = "cosine") -> list[Cell]:
    """The cells of an lr × warmup map: linear warmup to each target lr, then ``decay`` (the built-in map's
    schedules, :func:`warmup_core.training.sweep.schedules`), for each seed; lr-major order."""
    from .sweep import schedules

    lrs, warmups = [float(v) for v in lrs], [int(w) for w in warmups]
    if not lrs or not warmups:
        raise ValueError("give at least one lr and one warmup length")
    if any(not math.isfinite(v) or v <= 0 for v in lrs):
        raise ValueError(f"learning rates must be finite and > 0, got {lrs!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1 or any(not 0 <= w < steps for w in warmups):
        raise ValueError(f"steps must be an integer >= 1 and warmups in [0, steps), got {steps!r}, {warmups!r}")
    scheds = schedules(lrs, warmups, steps, decay)
    pairs = [(lr, w) for lr in lrs for w in warmups]
    return [Cell(f"lr={lr!r}|warmup={w}|seed={seed}", f"lr {lr:g} · warmup {w} · seed {seed}", s.to_dict(), seed, steps,
                 {"lr": lr, "warmup": w})
            for seed in _seeds(seeds) for (lr, w), s in zip(pairs, scheds)]


def sweep(train: Callable, lrs: Sequence[float], warmups: Sequence[int], steps: int, seeds=(0,),
          decay: str = "cosine", **kwargs) -> Results:
    """The lr × warmup map of ``train``: one run per (lr, warmup, seed); ``grid()`` gives the map."""
    return run_cells(train, sweep_cells(lrs, warmups, steps, seeds, decay), kind="sweep", **kwargs)


def stored_cells(store: Store, group_id: str) -> list[Cell]:
    """A group's cells, read back from the store (what :func:`resume` recomputes)."""
    cells = []
    for r in store.runs(group_id=group_id):
        cfg = store.config(r["id"])
        if "cell" not in cfg:
            continue
        info = {k: v for k, v in cfg.items() if k not in ("kind", "train", "cell", "name", "schedule", "seed", "steps")}
        cells.append(Cell(cfg["cell"], cfg.get("name", r["name"]), cfg["schedule"], int(cfg["seed"]), int(cfg["steps"]),
                          info))
    if not cells:
        raise ValueError(f"there is no sweep or comparison with group id {group_id!r} in {store.path}")
    return cells


def resume(train: Callable, group_id: str, store: Store | str | None = None, **kwargs) -> Results:
    """Finish a group a stopped driver left: only its cells not finished or diverged are computed."""
    store = store if isinstance(store, Store) else (Store(store) if store else default_store())
    cells = stored_cells(store, group_id)
    kind = store.config(next(iter(store.runs(group_id=group_id)))["id"]).get("kind", "compare")
    if kind not in ("compare", "sweep"):
        raise ValueError(f"group {group_id!r} is a {kind} of the lab's own tasks: run it again with its group id "
                         "(map_runs.run_map(..., group_id=...) or python -m warmup_core.training.map_runs --resume)")
    return run_cells(train, cells, kind=kind, store=store, group_id=group_id, **kwargs)


def cancel(group_id: str, store: Store | str | None = None) -> int:
    """Cancel what is left of a group (from any process); returns how many runs were cancelled."""
    store = store if isinstance(store, Store) else (Store(store) if store else default_store())
    return backends.cancel(store, group_id)
