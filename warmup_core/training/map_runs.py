"""The built-in lr × warmup map on a backend: every (lr, warmup, seed) cell a run in the store.

:func:`run_map` is :func:`warmup_core.training.sweep.run` made durable and distributable. With
``batched=True`` (the map's default) a task trains whole rows of the grid (one lr, every warmup)
as the vmap ensemble of ``sweep.run``; each ensemble member's arithmetic does not depend on who
else is in the batch, so any split into tasks gives the local map's numbers exactly (a test checks
it). ``batched=False`` trains each cell with the engine (``sweep.run(batched=False)``'s reference),
streaming its loss curve to the store while it runs.
"""

from __future__ import annotations

import math
import queue
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..schedule import from_dict
from . import backends
from .backends import Cell, Outcome
from .custom import default_store, final_loss, sweep_cells
from .store import Store


@dataclass
class MapWork:
    """A chunk of map cells: the object a backend runs (picklable, no torch state)."""

    task: str = "mlp"
    batch_size: int = 64
    momentum: float = 0.9
    blowup: float = 20.0
    batched: bool = True
    device: str = "cpu"

    def chunks(self, cells: list[Cell], cells_per_task: int) -> list[list[Cell]]:
        """Tasks of whole grid rows (batched: a row is one vmap ensemble) or of single cells."""
        if not self.batched:
            return backends.chunk_cells(cells, cells_per_task)
        rows: dict[tuple, list[Cell]] = {}
        for c in cells:
            rows.setdefault((c.seed, c.info["lr"]), []).append(c)
        out, cur = [], []
        for row in rows.values():
            if cur and len(cur) + len(row) > cells_per_task:
                out.append(cur)
                cur = []
            cur = cur + row
        return out + ([cur] if cur else [])

    def __call__(self, cells: list[Cell]) -> Iterator[tuple]:
        if self.batched:
            yield from self._batched(cells)
            return
        for i, c in enumerate(cells):
            yield from self._engine(i, c)

    def _batched(self, cells):
        from .sweep import run

        for seed in dict.fromkeys(c.seed for c in cells):
            mine = [(i, c) for i, c in enumerate(cells) if c.seed == seed]
            lrs = sorted({c.info["lr"] for _, c in mine})
            warmups = sorted({c.info["warmup"] for _, c in mine})
            steps = mine[0][1].steps
            res = run(lrs, warmups, steps=steps, task=self.task, seed=seed, batch_size=self.batch_size,
                      momentum=self.momentum, blowup=self.blowup, batched=True, device=self.device)
            for i, c in mine:
                a, b = lrs.index(c.info["lr"]), warmups.index(c.info["warmup"])
                if res.diverged[a, b]:
                    yield ("end", i, "diverged", "diverged: the loss became NaN/inf or over "
                                                 f"{self.blowup:g}× its first value")
                    continue
                lr = float(from_dict(c.schedule)(steps - 1))
                yield ("rows", i, [{"step": steps - 1, "lr": lr, "eval_loss": float(res.final_loss[a, b])}])
                yield ("end", i, "finished", "")

    def _engine(self, i, c):
        """One cell through the engine (``sweep.run(batched=False)``'s run), rows streamed as logged."""
        from .engine import RunConfig

        yield from engine_events(i, RunConfig(task=self.task, schedule=c.schedule, optimizer="sgd",
                                              momentum=self.momentum, steps=c.steps, batch_size=self.batch_size,
                                              seed=c.seed, blowup=self.blowup, eval_every=c.steps,
                                              device=self.device))


def engine_events(i: int, cfg) -> Iterator[tuple]:
    """The engine's run of ``cfg`` as a backend's events: it trains in a thread, its rows are yielded as
    they are logged; closing the generator cancels the run."""
    from .engine import train

    q, stop = queue.Queue(), threading.Event()

    def target():
        try:
            q.put(("done", train(cfg, lambda row: None if "note" in row else q.put(("row", row)), stop.is_set)))
        except BaseException as e:  # handed to the generator, raised there
            q.put(("error", e))

    threading.Thread(target=target, daemon=True, name="warmup-cell").start()
    try:
        while True:
            kind, value = q.get()
            if kind == "row":
                yield ("rows", i, [value])
            elif kind == "error":
                raise value
            else:
                yield ("end", i, value.status, value.message)
                return
    finally:
        stop.set()


@dataclass
class EngineWork:
    """Cells that are whole :class:`~.engine.RunConfig` s (the built-in tasks' comparisons): each cell's
    ``info["run"]`` is the config's dict."""

    def __call__(self, cells: list[Cell]) -> Iterator[tuple]:
        from .engine import RunConfig

        for i, c in enumerate(cells):
            run = dict(c.info["run"])
            run["betas"] = tuple(run.get("betas", (0.9, 0.999)))
            yield from engine_events(i, RunConfig(**run))


def config_cells(configs: list) -> list[Cell]:
    """One cell per validated RunConfig (a comparison of built-in runs)."""
    import json

    # the config's JSON, not dataclasses.asdict: that deep-copies the immutable Schedule, which refuses it
    return [Cell(f"{i}|seed={c.seed}", c.name or c.task, c.schedule.to_dict(), c.seed, c.steps,
                 {"run": json.loads(c.validate().to_json()), "optimizer": c.optimizer, "task": c.task})
            for i, c in enumerate(configs)]


@dataclass
class MapRun:
    """A map computed through the store: one :class:`~.sweep.SweepResult` per seed."""

    results: list  # SweepResult per seed, in the order given
    outcome: Outcome

    @property
    def group_id(self) -> str:
        return self.outcome.group_id


def results(store: Store, cells: list[Cell], run_ids: dict, lrs, warmups, seeds, seconds) -> list:
    """The map of each seed from the store: final held-out loss (inf diverged, NaN failed/cancelled)."""
    from .sweep import SweepResult

    out = []
    for seed in seeds:
        grid = np.full((len(lrs), len(warmups)), np.nan)
        status = np.zeros((len(lrs), len(warmups)), dtype=bool)
        for c in cells:
            if c.seed == seed:
                a, b = lrs.index(c.info["lr"]), warmups.index(c.info["warmup"])
                grid[a, b] = final_loss(store, run_ids[c.key])
                status[a, b] = math.isinf(grid[a, b])
        out.append(SweepResult(list(lrs), list(warmups), grid, status, seconds))
    return out


def run_map(lrs: Sequence[float], warmups: Sequence[int], steps: int = 200, task: str = "mlp",
            seeds: int | Sequence[int] = 0, batch_size: int = 64, momentum: float = 0.9, blowup: float = 20.0,
            batched: bool = True, device: str = "cpu", *, backend: str = "local", store: Store | str | None = None,
            group_id: str | None = None, owner: str = "lab", cells_per_task: int | None = None, **execute) -> MapRun:
    """The lr × warmup map of a built-in task, each (lr, warmup, seed) a run in ``store``.

    ``backend="ray"`` makes each task a Ray task (``address``, ``num_cpus``, ``num_gpus`` as in
    :func:`backends.execute`); ``cells_per_task`` defaults to one grid row (batched) or one cell. With
    the ``group_id`` of a map that stopped half-way, only its missing cells are computed."""
    from .tasks import task as check_task

    check_task(task)
    seed_list = [seeds] if isinstance(seeds, int) else list(seeds)
    cells = sweep_cells(lrs, warmups, steps, seed_list)
    lrs, warmups = [float(v) for v in lrs], [int(w) for w in warmups]
    if len(set(lrs)) != len(lrs) or len(set(warmups)) != len(warmups):
        raise ValueError("the learning rates and the warmup lengths must each be distinct")
    work = MapWork(task, batch_size, momentum, blowup, batched, device)
    store = store if isinstance(store, Store) else (Store(store) if store else default_store())
    group_id = group_id or uuid.uuid4().hex[:8]
    per_task = cells_per_task or (len(warmups) if batched else 1)
    config = {"kind": "map", "task": task, "optimizer": "sgd", "momentum": momentum, "batch_size": batch_size,
              "blowup": blowup, "batched": batched}
    t0 = time.perf_counter()
    out = backends.execute(work, cells, store=store, group_id=group_id, owner=owner, config=config, backend=backend,
                           chunks=work.chunks(cells, per_task), **execute)
    return MapRun(results(store, cells, out.run_ids, lrs, warmups, seed_list, time.perf_counter() - t0), out)


# --- command line --------------------------------------------------------------------------------

def run_configs(configs: list, backend: str = "ray", address: str | None = None, store: str | None = None,
                num_cpus: float = 1, num_gpus: float = 0, out=None) -> int:
    """``python -m warmup_core.training --backend ray``: the CLI's comparison, each run a task; prints the
    CLI's JSON lines (a row per logged step as it arrives, then one per run with its status and run id)."""
    import json
    import sys

    out = out or sys.stdout
    cells = config_cells(configs)
    index = {c.key: i for i, c in enumerate(cells)}

    def emit(cell, ev):
        if ev[0] == "rows":
            for row in ev[2]:
                print(json.dumps({"run": index[cell.key], **row}), file=out, flush=True)

    db = store if isinstance(store, Store) else (Store(store) if store else default_store())
    res = backends.execute(EngineWork(), cells, store=db, group_id=uuid.uuid4().hex[:8], owner="cli",
                           config={"kind": "compare"}, backend=backend, address=address, num_cpus=num_cpus,
                           num_gpus=num_gpus, on_event=emit)
    for c, cfg in zip(cells, configs):
        rid = res.run_ids[c.key]
        rows = [m["loss"] for m in db.metrics(rid) if m["loss"] is not None]
        print(json.dumps({"run": index[c.key], "status": res.status[c.key], "steps": (db.run(rid) or {}).get("step"),
                          "final_loss": rows[-1] if rows else None, "device": (db.run(rid) or {}).get("device"),
                          "message": res.messages[c.key], "run_id": rid, "group": res.group_id,
                          "config": json.loads(cfg.to_json())}), file=out, flush=True)
    return 0


def _numbers(flag: str, text: str, kind) -> list:
    try:
        return [kind(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"{flag} takes comma-separated {kind.__name__}s, got {text!r}") from None


def main(argv=None) -> int:
    """``python -m warmup_core.training.map_runs``: the lr × warmup map of a built-in task, here or on Ray."""
    import argparse
    import json

    from .tasks import TASKS

    ap = argparse.ArgumentParser(prog="python -m warmup_core.training.map_runs", description=main.__doc__)
    ap.add_argument("--lrs", default="0.05,0.1,0.2,0.4,0.6,0.8", help="target learning rates, comma-separated")
    ap.add_argument("--warmups", default="0,25,50,100", help="warmup lengths in steps, comma-separated")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--task", default="mlp", choices=sorted(TASKS))
    ap.add_argument("--seeds", default="0", help="comma-separated seeds")
    ap.add_argument("--unbatched", action="store_true", help="one engine run per cell (streams every curve)")
    ap.add_argument("--backend", default="local", choices=backends.BACKENDS)
    ap.add_argument("--address", default=None, help="Ray: auto | ray://head:10001 (default: a new local Ray)")
    ap.add_argument("--num-cpus", type=float, default=1, help="CPUs per Ray task (default 1)")
    ap.add_argument("--num-gpus", type=float, default=0, help="GPUs per Ray task (default 0)")
    ap.add_argument("--device", default="cpu", help="where each task trains: cpu | cuda")
    ap.add_argument("--resume", default=None, metavar="GROUP", help="finish the map with this group id")
    ap.add_argument("--db", default=None, help="the SQLite store (default: the lab's)")
    args = ap.parse_args(argv)
    try:
        lrs, warmups, seeds = _numbers("--lrs", args.lrs, float), _numbers("--warmups", args.warmups, int), \
            _numbers("--seeds", args.seeds, int)
        res = run_map(lrs, warmups, args.steps, args.task, seeds, batched=not args.unbatched, device=args.device,
                      backend=args.backend, store=args.db, group_id=args.resume, address=args.address,
                      num_cpus=args.num_cpus, num_gpus=args.num_gpus)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for seed, r in zip(seeds, res.results):
        print(json.dumps({"group": res.group_id, "seed": seed, "lrs": r.lrs, "warmups": r.warmups,
                          "final_loss": [[None if not math.isfinite(v) else v for v in row] for row in
                                         r.final_loss.tolist()],
                          "diverged": r.diverged.tolist(), "computed": len(res.outcome.computed),
                          "seconds": round(res.outcome.seconds, 3), "backend": args.backend}))
    return 0 if not res.outcome.failed else 1


if __name__ == "__main__":
    sys.exit(main())
