"""Where a sweep's cells run: in this process (``backend="local"``) or as Ray tasks (``backend="ray"``).

A sweep is a list of *cells*, one per (schedule, seed) — for the lr × warmup map one per
(lr, warmup, seed). Every cell is a run in the SQLite store (:class:`~.store.Store`), in one group,
so the Train page lists it and :func:`warmup_core.training.custom.curves` reads it back.

The same *work* object computes a chunk of cells on either backend: a picklable callable
``work(cells) -> iterator of events``; an event is ``("rows", i, [metric rows])`` or
``("end", i, status, message)`` for the chunk's ``i``-th cell. The local backend iterates it here;
the Ray backend runs each chunk as one Ray task (a streaming generator with ``num_cpus`` /
``num_gpus``) and writes the events to the store as they arrive. So both backends compute the same
numbers from the same seeds, and:

* progress streams to the store while a chunk runs (rows are coalesced every ``flush_every`` s);
* :func:`cancel` (from any process: it only writes the store) stops the remaining tasks;
* a chunk whose task raises (or whose worker dies) is retried once, then its unfinished cells are
  marked ``failed`` with the error;
* a driver that stops half-way loses nothing: :func:`execute` on the same group id recomputes only
  the cells that are not ``finished`` or ``diverged``.

Ray is optional (``pip install ray``): it is imported only when ``backend="ray"``.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from .store import CANCELLED, Store

BACKENDS = ("local", "ray")
DONE = ("finished", "diverged")  # a result: never recomputed
RUNNING = ("queued", "running")


@dataclass
class Cell:
    """One run of a sweep: ``key`` names it within its group (stable across restarts)."""

    key: str
    name: str
    schedule: dict  # Schedule.to_dict()
    seed: int
    steps: int
    info: dict = field(default_factory=dict)  # e.g. {"lr": 0.1, "warmup": 50}: kept in the run's config


@dataclass
class Outcome:
    """What :func:`execute` did: the group, each cell's run id and final status."""

    group_id: str
    run_ids: dict  # cell key -> run id
    status: dict  # cell key -> status
    messages: dict  # cell key -> message ('' when none)
    computed: list  # keys of the cells computed by this call (the others were already done)
    seconds: float
    backend: str

    @property
    def failed(self) -> list:
        return [k for k, s in self.status.items() if s == "failed"]


def chunk_cells(cells: Sequence, cells_per_task: int) -> list[list]:
    """Consecutive chunks of at most ``cells_per_task`` cells."""
    n = max(1, int(cells_per_task))
    return [list(cells[i:i + n]) for i in range(0, len(cells), n)]


def coalesce(events: Iterator, flush_every: float) -> Iterator:
    """The events of a chunk with each cell's rows gathered for up to ``flush_every`` seconds, so a Ray
    task sends a few objects a second rather than one per logged step. Order within a cell is kept."""
    pending: dict[int, list] = {}
    last = time.perf_counter()
    for ev in events:
        if ev[0] == "rows":
            pending.setdefault(ev[1], []).extend(ev[2])
            now = time.perf_counter()
            if now - last < flush_every:
                continue
            last = now
            for i, rows in pending.items():
                yield ("rows", i, rows)
            pending.clear()
            continue
        if ev[1] in pending:  # the rows of a cell go before its end
            yield ("rows", ev[1], pending.pop(ev[1]))
        yield ev
    for i, rows in pending.items():
        yield ("rows", i, rows)


def _ray_chunk(work, cells, flush_every):
    """The Ray task: one chunk of cells, its events streamed back as they come."""
    yield from coalesce(work(cells), flush_every)


# --- Ray ---------------------------------------------------------------------------------------

def ray_module():
    try:
        import ray
    except ImportError as e:
        raise ValueError("backend 'ray' needs Ray, an optional extra: pip install ray==2.60.0 "
                         "(README: 'Sweeps on Ray')") from e
    return ray


def connect(address: str | None = None, num_cpus: int | None = None, runtime_env: dict | None = None):
    """``ray.init`` once: a new local Ray (``address=None``), or an existing cluster (``"auto"``,
    ``"ray://head:10001"``). A Ray already initialised in this process is used as it is."""
    ray = ray_module()
    if not ray.is_initialized():
        kwargs = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            kwargs["address"] = address
        elif num_cpus:
            kwargs["num_cpus"] = int(num_cpus)
        if runtime_env:
            kwargs["runtime_env"] = runtime_env
        ray.init(**kwargs)
    return ray


# --- the driver ----------------------------------------------------------------------------------

def cancel(store: Store, group_id: str) -> int:
    """Cancel a group's cells that have not ended (the driver, in whatever process, sees it within a
    poll and cancels their tasks); returns how many were cancelled."""
    n = 0
    for r in reversed(store.runs(group_id=group_id)):  # the last (queued) first: a driver polling meanwhile
        # stops those before it frees a worker by stopping a running one
        if r["status"] in RUNNING + ("interrupted",):
            store.update(r["id"], status="cancelled", message="cancelled by the user", finished=time.time())
            n += 1
    return n


def _prepare(store: Store, owner: str, group_id: str, cells: Sequence[Cell], config: dict) -> tuple[dict, list]:
    """The group's runs: existing ones are found by cell key (a restart), missing ones created.
    Returns (key -> run id, the cells still to compute)."""
    existing = {}
    for r in store.runs(group_id=group_id):
        key = json.loads(r["config"]).get("cell")
        if key is not None:
            existing[key] = r
    run_ids, todo = {}, []
    for c in cells:
        r = existing.get(c.key)
        if r is None:
            cfg = {**config, "cell": c.key, "name": c.name, "schedule": c.schedule, "seed": c.seed, "steps": c.steps,
                   **c.info}
            run_ids[c.key] = store.create(owner, group_id, c.name, json.dumps(cfg, sort_keys=True), c.steps)
            todo.append(c)
            continue
        run_ids[c.key] = r["id"]
        if r["status"] not in DONE:
            store.update(r["id"], status="queued", message="", started=None, finished=None)
            todo.append(c)
    return run_ids, todo


class _Writer:
    """Writes a chunk's events to the store; ignores cells cancelled meanwhile."""

    def __init__(self, store: Store, group_id: str, run_ids: dict, backend: str, on_event=None):
        self.store, self.group_id, self.run_ids, self.backend = store, group_id, run_ids, backend
        self.on_event = on_event
        self.cancelled: set[str] = set()
        self.ended: set[str] = set()
        self.started: set[str] = set()

    def handle(self, cells: list[Cell], ev: tuple):
        c = cells[ev[1]]
        if c.key in self.cancelled or c.key in self.ended:
            return
        rid = self.run_ids[c.key]
        if c.key not in self.started or ev[0] == "end":
            run = self.store.run(rid)  # cancelled (or deleted) since the last poll: never overwrite that
            if run is None or run["status"] == "cancelled":
                self.cancelled.add(c.key)
                return
        if c.key not in self.started:
            self.started.add(c.key)
            self.store.update(rid, status="running", started=time.time(), device=self.backend)
        if ev[0] == "rows":
            self.store.add_metrics(rid, ev[2])
        elif ev[0] == "end":
            self.ended.add(c.key)
            self.store.update(rid, status=ev[2], message=ev[3], finished=time.time())
        if self.on_event is not None:
            self.on_event(c, ev)

    def fail(self, cells: list[Cell], message: str):
        for c in cells:
            if c.key not in self.ended and c.key not in self.cancelled:
                self.ended.add(c.key)
                self.store.update(self.run_ids[c.key], status="failed", message=message, finished=time.time())

    def finish(self, cells: list[Cell]):
        """A chunk that ended normally: a cell it never ended is a bug in the work, said so."""
        self.fail(cells, "the task ended without a result for this cell")

    def poll_cancelled(self, keys) -> set:
        """Cells whose run another process (or :func:`cancel`) marked cancelled."""
        by_id = {self.run_ids[k]: k for k in keys if k not in self.ended}
        status = {r["id"]: r["status"] for r in self.store.runs(group_id=self.group_id)}
        gone = {k for rid, k in by_id.items() if status.get(rid, "cancelled") == "cancelled"}  # deleted: gone too
        self.cancelled |= gone
        return gone


def _error(e: BaseException) -> str:
    cause = getattr(e, "cause", None)  # a RayTaskError carries the task's own exception
    e = cause if isinstance(cause, BaseException) else e
    return f"{type(e).__name__}: {e}".strip()


def execute(work: Callable, cells: Sequence[Cell], *, store: Store | None = None, group_id: str,
            owner: str = "lab", config: dict | None = None, backend: str = "local", address: str | None = None,
            num_cpus: float = 1, num_gpus: float = 0, cells_per_task: int = 1, chunks: list[list[Cell]] | None = None,
            retries: int = 1, flush_every: float = 0.25, poll: float = 0.1,
            should_stop: Callable[[], bool] = lambda: False, stopped_as: tuple[str, str] = CANCELLED,
            ray_init: dict | None = None, on_event: Callable[[Cell, tuple], None] | None = None) -> Outcome:
    """Compute ``cells`` with ``work`` on ``backend``, every event written to ``store`` under ``group_id``.

    Cells of ``group_id`` already finished or diverged are kept (a restarted driver resumes). ``chunks``
    overrides the default grouping (``cells_per_task`` consecutive cells per task). A chunk that raises is
    retried ``retries`` times, then its unended cells are marked ``failed`` with the error. ``on_event(cell,
    event)`` sees every event once it is stored (the CLI prints rows with it). ``stopped_as``: the ``(status,
    message)`` of the runs that ``should_stop`` ends (a server that shuts down passes :data:`~.store.INTERRUPTED`).
    ``ray_init`` holds extra
    ``ray.init`` keywords for a new local Ray (``num_cpus``, ``runtime_env``). If the driver itself stops
    (Ctrl-C), the cells it had not finished are marked ``interrupted`` before the exception goes on.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; valid backends are {list(BACKENDS)}")
    if num_cpus < 0 or num_gpus < 0:
        raise ValueError(f"num_cpus and num_gpus must be >= 0, got {num_cpus!r}, {num_gpus!r}")
    if backend == "ray":
        ray_module()  # no Ray: say so before any run is created
    t0 = time.perf_counter()
    store = store if isinstance(store, Store) else Store(store)
    run_ids, todo = _prepare(store, owner, group_id, cells, config or {})
    todo_keys = {c.key for c in todo}
    plan = [[c for c in ch if c.key in todo_keys] for ch in chunks] if chunks else chunk_cells(todo, cells_per_task)
    plan = [ch for ch in plan if ch]
    writer = _Writer(store, group_id, run_ids, backend if backend == "local" else f"ray:{address or 'local'}",
                     on_event)
    try:
        if backend == "local":
            _run_local(work, plan, writer, retries, flush_every, should_stop, stopped_as)
        else:
            _run_ray(work, plan, writer, retries, flush_every, poll, should_stop, stopped_as, address, num_cpus,
                     num_gpus, dict(ray_init or {}))
    except BaseException:
        for chunk in plan:
            for c in chunk:
                if c.key not in writer.ended and c.key not in writer.cancelled:
                    store.update(run_ids[c.key], status="interrupted", finished=time.time(),
                                 message="the driver stopped: run the group again (resume) to finish it")
        raise
    status, messages = {}, {}
    for c in cells:
        r = store.run(run_ids[c.key]) or {"status": "deleted", "message": ""}
        status[c.key], messages[c.key] = r["status"], r["message"] or ""
    return Outcome(group_id, run_ids, status, messages, [c.key for c in todo], time.perf_counter() - t0, backend)


def _stop_all(writer: _Writer, cells: list[Cell], stopped_as: tuple[str, str] = CANCELLED):
    status, message = stopped_as
    for c in cells:
        if c.key not in writer.ended and c.key not in writer.cancelled:
            writer.cancelled.add(c.key)
            writer.store.update(writer.run_ids[c.key], status=status, message=message, finished=time.time())


def _run_local(work, plan, writer: _Writer, retries, flush_every, should_stop, stopped_as):
    last_poll = 0.0
    for ci, chunk in enumerate(plan):
        for attempt in range(retries + 1):
            cells = [c for c in chunk if c.key not in writer.ended]  # a retry skips the cells that ended
            events = coalesce(work(cells), flush_every)
            try:
                for ev in events:
                    now = time.perf_counter()
                    if now - last_poll > 0.25:
                        last_poll = now
                        writer.poll_cancelled([c.key for c in cells])
                    if should_stop() or all(c.key in writer.cancelled or c.key in writer.ended for c in cells):
                        events.close()
                        break
                    writer.handle(cells, ev)
                else:
                    writer.finish(cells)
            except Exception as e:  # the user's code or data: recorded, never raised into the page
                traceback.print_exc()
                if attempt < retries:
                    continue
                writer.fail(cells, f"{_error(e)} (after {retries + 1} attempts)")
            break
        if should_stop():
            for rest in plan[ci:]:
                _stop_all(writer, rest, stopped_as)
            return


def _run_ray(work, plan, writer: _Writer, retries, flush_every, poll, should_stop, stopped_as, address, num_cpus,
             num_gpus, ray_init):
    ray = connect(address, ray_init.get("num_cpus"), ray_init.get("runtime_env"))
    cells = [c for chunk in plan for c in chunk]
    have = ray.cluster_resources()
    if not address and (num_gpus > have.get("GPU", 0) or num_cpus > have.get("CPU", 0)):  # a local Ray never grows
        message = (f"each task asks for {num_cpus:g} CPU and {num_gpus:g} GPU; this Ray has {have.get('CPU', 0):g} "
                   f"CPU and {have.get('GPU', 0):g} GPU")
        writer.fail(cells, message)
        raise ValueError(message)
    task = ray.remote(_ray_chunk).options(num_cpus=num_cpus, num_gpus=num_gpus, max_retries=0)
    try:
        work_ref = ray.put(work)  # shipped once, shared by every task
    except Exception as e:  # a lock, an open file, a generator…
        message = (f"Ray could not send the training function to its workers ({type(e).__name__}: {e}); define it "
                   "at module level, or use custom.TorchTrainer")
        writer.fail(cells, message)
        raise ValueError(message) from e
    live = {}  # generator -> (chunk index, attempt)
    for ci, chunk in enumerate(plan):
        live[task.remote(work_ref, chunk, flush_every)] = (ci, 0)
    last_poll = 0.0
    try:
        while live:
            if should_stop():
                for gen in reversed(list(live)):
                    ray.cancel(gen, force=True)
                for ci, _ in live.values():
                    _stop_all(writer, plan[ci], stopped_as)
                live.clear()
                break
            now = time.perf_counter()
            if now - last_poll > 0.25:
                last_poll = now
                keys = [c.key for ci, _ in live.values() for c in plan[ci]]
                writer.poll_cancelled(keys)
                for gen, (ci, _) in reversed(list(live.items())):  # the queued ones first: none of them starts
                    if all(c.key in writer.cancelled or c.key in writer.ended for c in plan[ci]):
                        ray.cancel(gen, force=True)
                        del live[gen]
            ready, _ = ray.wait(list(live), num_returns=1, timeout=poll)
            if ready and len(live) > 1:  # and every other task with an event waiting
                ready, _ = ray.wait(list(live), num_returns=len(live), timeout=0)
            for gen in ready:
                ci, attempt = live[gen]
                try:
                    ref = next(gen)
                    writer.handle(plan[ci], ray.get(ref))
                except StopIteration:
                    del live[gen]
                    writer.finish(plan[ci])
                except Exception as e:  # the task raised, or its worker died
                    del live[gen]
                    if attempt < retries:
                        pending = [c for c in plan[ci] if c.key not in writer.ended]
                        plan.append(pending)
                        live[task.remote(work_ref, pending, flush_every)] = (len(plan) - 1, attempt + 1)
                    else:
                        writer.fail(plan[ci], f"{_error(e)} (after {retries + 1} attempts)")
    except BaseException:  # Ctrl-C in the driver: stop the tasks; the store keeps what was done
        for gen in reversed(list(live)):
            ray.cancel(gen, force=True)
        raise
