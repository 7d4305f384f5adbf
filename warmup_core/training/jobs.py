"""The job manager: training runs off the page's thread, bounded, cancellable, persisted.

A page holds one shared manager (``st.cache_resource``); every job writes to the SQLite store, and
the page polls the store. Workers are threads of this process; with ``isolate=True`` (the app's
manager) each thread hands its job to a training process of its own and relays cancels to it through
the store. The small models here spend most of a step in Python, holding the GIL: trained in the
server's process, every redraw of the page (about 0.4 s of Python) stalls training for as long
(``bench/bench_browser_train.py``). Nothing here calls Streamlit.

A submitted comparison is one job whose runs advance in lock step (:func:`~.engine.train_together`),
so a viewer sees the lines race. ``max_workers`` comparisons run at once and at most ``max_queued``
runs wait, so a shared server stays responsive.

A run belongs to its owner (an opaque token: one browser); only the owner may cancel or delete it
(:class:`~.store.NotOwnerError` otherwise). Each manager holds a lease in the store, renewed by a
heartbeat thread: a second server process on the same database leaves this one's runs alone, and
runs of a process that died are marked ``interrupted`` (see :meth:`~.store.Store.reap`).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .engine import RunConfig, RunResult, train_together
from .store import INTERRUPTED, LEASE_SECONDS, LIVE, Lease, Store, StoreError


class QueueFullError(RuntimeError):
    pass


def torch_threads() -> int:
    """Intra-op threads for training in a server: ``WARMUP_LAB_TORCH_THREADS``, else half the cores
    (at least 1), leaving room for the web server and, on a laptop, the browser drawing the charts."""
    env = os.environ.get("WARMUP_LAB_TORCH_THREADS", "")
    if env.strip().isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 2) // 2)


def _warm_up(threads: int | None = None):
    """torch imports its compiler the first time an optimizer is made (about 2 s of Python holding the
    GIL): done here, in the worker, while the page is being read, the first Start trains at once."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)  # process-wide
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


class JobManager:
    def __init__(self, store: Store | str | None = None, max_workers: int = 1, max_queued: int = 12,
                 runner: Callable = train_together, flush_every: float = 0.25, lease: float = LEASE_SECONDS,
                 threads: int | None = None, isolate: bool = False):
        self.store = store if isinstance(store, Store) else Store(store)
        self._lease = Lease(self.store, lease)  # and runs of servers that stopped are marked interrupted
        self.id = self._lease.id
        self.max_queued = max_queued
        self.runner = runner
        self.flush_every = flush_every
        self.threads = threads
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="warmup-job")
        self.isolate = isolate
        if isolate and runner is not train_together:
            raise ValueError("isolate=True trains with engine.train_together only (a runner made here cannot be "
                             "sent to another process)")
        self._trainers: queue.SimpleQueue[_TrainingProcess] = queue.SimpleQueue()  # idle ones (isolate=True)
        for _ in range(max_workers if isolate else 0):
            self._trainers.put(_TrainingProcess(threads))
        # before the first run is asked for, not after the click
        self._warm = self._pool.submit(self._warm_all) if isolate else self._pool.submit(_warm_up, threads)
        self._stops: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._ray: set[str] = set()  # runs handed to Ray drivers (their threads: _ray_jobs)
        self._ray_jobs: list[threading.Thread] = []

    def _warm_all(self):
        """Wait until every training process is ready (RuntimeError saying why one is not)."""
        trainers = []
        while True:
            try:
                trainers.append(self._trainers.get_nowait())
            except queue.Empty:
                break
        try:
            for t in trainers:
                if (said := t.ready.result()) != "ready":
                    raise RuntimeError(f"the training process did not start: {said}")
        finally:
            for t in trainers:
                self._trainers.put(t)

    def warmed(self, timeout: float | None = None) -> bool:
        """Block until the worker has done what the first run would wait for (True if it has): a page
        is read before its first click; a benchmark or test that starts at once waits here instead."""
        try:
            self._warm.result(timeout)
        except Exception:  # noqa: BLE001 - a timeout, or torch failed to import: the run says why
            return False
        return True

    # --- submitting ------------------------------------------------------------------------------
    def pending(self) -> int:
        """Runs queued or training here (a cancelled one counts until its training has stopped)."""
        with self._lock:
            return len(self._stops)

    def submit(self, owner: str, configs: list[RunConfig], group_id: str | None = None, backend: str = "local",
               address: str | None = None) -> list[str]:
        """Queue a comparison (one run per config, the same group, advancing together); ValueError for
        a bad config or a backend this machine lacks, QueueFullError when the server is busy.

        ``backend="ray"`` makes each run a Ray task (:mod:`.backends`; ``address``: a cluster, else a
        local Ray): the runs are this manager's (its lease covers them), rows stream into the same
        store, and :meth:`cancel` stops a run's task."""
        for c in configs:
            c.validate()
        if not configs:
            raise ValueError("nothing to run: no configurations")
        if backend not in ("local", "ray"):
            raise ValueError(f"unknown backend {backend!r}; valid backends are ['local', 'ray']")
        if backend == "ray":
            from .backends import ray_module

            ray_module()  # ValueError naming the extra to install
        active = self.pending()
        with self._lock:
            if active + len(configs) > self.max_queued:
                raise QueueFullError(f"the server is busy: {active} runs are queued or running (at most "
                                     f"{self.max_queued}); wait for them or cancel some")
            group_id = group_id or uuid.uuid4().hex[:8]
            ids = []
            if backend == "ray":
                from .map_runs import config_cells

                cells = config_cells(list(configs))
                for c, cell in zip(configs, cells):  # the cell key lets backends.execute find the run
                    config = json.dumps({**json.loads(c.to_json()), "cell": cell.key}, sort_keys=True)
                    run_id = self.store.create(owner, group_id, c.name or c.task, config, c.steps, manager=self.id)
                    self._ray.add(run_id)
                    ids.append(run_id)
                self._ray_jobs.append(threading.Thread(target=self._work_ray, args=(group_id, owner, cells, address),
                                                       name="warmup-ray", daemon=True))
                self._ray_jobs[-1].start()
                return ids
            for c in configs:
                run_id = self.store.create(owner, group_id, c.name or c.task, c.to_json(), c.steps, manager=self.id)
                self._stops[run_id] = threading.Event()
                ids.append(run_id)
        self._pool.submit(self._work, ids, list(configs))
        return ids

    def _work_ray(self, group_id: str, owner: str, cells, address):
        """A comparison on Ray: one task per run, driven from this thread (cancel marks a run cancelled
        in the store, which the driver polls; shutdown stops every task)."""
        from .backends import execute
        from .map_runs import EngineWork

        try:
            execute(EngineWork(), cells, store=self.store, group_id=group_id, owner=owner,
                    config={"kind": "compare"}, backend="ray", address=address, num_cpus=1,
                    should_stop=self._closing.is_set, stopped_as=INTERRUPTED)
        except Exception as e:  # noqa: BLE001 - Ray failed to start: the runs say why
            traceback.print_exc()
            for r in self.store.runs(group_id=group_id):
                if r["status"] in LIVE:
                    self.store.update(r["id"], status="failed", message=f"Ray: {type(e).__name__}: {e}",
                                      finished=time.time())

    def cancel(self, run_id: str, owner: str):
        """Stop a run (NotOwnerError for anyone but its owner); a no-op for a run that has ended."""
        run = self.store.check_owner(run_id, owner)
        if run_id in self._ray:  # its Ray driver polls the store and cancels the task
            if run["status"] in LIVE:
                self.store.update(run_id, status="cancelled", message="cancelled by the user", finished=time.time())
            return
        with self._lock:
            ev = self._stops.get(run_id)
        if ev is not None:
            ev.set()
        elif run["status"] == "running":  # held by another server process: it polls this flag
            self.store.request_stop(run_id)
        if run["status"] == "queued":
            self.store.update(run_id, status="cancelled", message="cancelled before it started",
                              finished=time.time())
            with self._lock:
                self._stops.pop(run_id, None)  # its job skips it

    def delete(self, run_id: str, owner: str):
        """Cancel (if live) and delete a run with its metrics; NotOwnerError for anyone but its owner."""
        self.cancel(run_id, owner)
        self.store.delete(run_id, owner)

    def wait(self, run_ids, timeout=60.0) -> bool:
        """Block until the runs end (tests and the CLI); True if they all did."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            runs = self.store.runs(ids=run_ids)
            if all(r["status"] not in LIVE for r in runs):
                return True
            time.sleep(0.05)
        return False

    def shutdown(self):
        """Stop every run (they are recorded ``interrupted``) and give the lease back."""
        self._closing.set()
        with self._lock:
            for ev in self._stops.values():
                ev.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        while True:
            try:
                self._trainers.get_nowait().close()
            except queue.Empty:
                break
        for t in self._ray_jobs:
            t.join(timeout=30)
        try:
            self._lease.close()
        except StoreError:
            traceback.print_exc()

    # --- the worker --------------------------------------------------------------------------------
    def _work(self, run_ids: list[str], cfgs: list[RunConfig]):
        if self.threads is not None and not self.isolate:
            import torch

            torch.set_num_threads(self.threads)  # process-wide; set from the worker so imports stay lazy
        todo = []
        for run_id, cfg in zip(run_ids, cfgs):
            with self._lock:
                stop = self._stops.get(run_id)
            run = self.store.run(run_id)
            if stop is None or stop.is_set() or run is None or run["status"] != "queued":
                with self._lock:  # cancelled (or deleted) while it waited
                    self._stops.pop(run_id, None)
                continue
            todo.append((run_id, cfg, stop))
        if not todo:
            return
        now = time.time()
        for run_id, _, _ in todo:
            self.store.update(run_id, status="running", started=now)
        if not self.isolate:
            train_group(self.store, todo, self.runner, self.flush_every, self._closing.is_set, self._ended)
        else:
            self._work_elsewhere(todo)

    def _ended(self, run_id: str):
        with self._lock:
            ev = self._stops.pop(run_id, None)  # ended: nothing left to cancel
        if ev is not None:
            ev.set()

    def _work_elsewhere(self, todo: list[tuple[str, RunConfig, threading.Event]]):
        """Train ``todo`` in an idle training process; meanwhile relay a cancel (or this manager's
        shutdown) to it through the store, and note each run that has ended there."""
        trainer = self._trainers.get()  # an idle one, warmed (the first may still be starting)
        for run_id, _, stop in todo:
            if stop.is_set():  # cancelled (or the server stopping) while it waited for the process
                status, message = INTERRUPTED if self._closing.is_set() else ("cancelled", "cancelled by the user")
                self.store.update(run_id, status=status, message=message, finished=time.time())
                self._ended(run_id)
        todo = [t for t in todo if not t[2].is_set()]
        if not todo:
            self._trainers.put(trainer)
            return
        ids = [run_id for run_id, _, _ in todo]
        relayed: set[str] = set()
        try:
            reply = trainer.run({"path": str(self.store.path), "flush_every": self.flush_every,
                                 "runs": [[run_id, c.to_json()] for run_id, c, _ in todo]})
            while True:
                try:
                    outcome = reply.result(timeout=self.flush_every)
                    break
                except TimeoutError:
                    pass
                for r in self.store.runs(ids=ids):
                    if r["status"] not in LIVE:
                        self._ended(r["id"])
                    elif r["id"] not in relayed and (self._closing.is_set() or not self._live(r["id"])):
                        self.store.request_stop(r["id"])
                        relayed.add(r["id"])
        except Exception as e:  # noqa: BLE001 - the store failed here: the process's runs still end
            traceback.print_exc()
            outcome = f"{type(e).__name__}: {e}"
        if outcome != "done":  # the process died (killed, out of memory) or its job failed: its runs say so
            if not trainer.alive():
                trainer = _TrainingProcess(self.threads)
            for run_id in ids:
                self._fail_if_live(run_id, f"the training process stopped: {outcome}")
        self._trainers.put(trainer)
        for run_id in ids:
            run = self.store.run(run_id)
            if self._closing.is_set() and run is not None and run["status"] == "cancelled":
                status, message = INTERRUPTED
                self.store.update(run_id, status=status, message=message)
            self._ended(run_id)

    def _live(self, run_id: str) -> bool:
        """False once the run was cancelled here (its event set)."""
        with self._lock:
            ev = self._stops.get(run_id)
        return ev is not None and not ev.is_set()

    def _fail_if_live(self, run_id: str, message: str):
        run = self.store.run(run_id)
        if run is not None and run["status"] in LIVE:
            self.store.update(run_id, status="failed", message=message, finished=time.time())


def train_group(store: Store, todo: list[tuple[str, RunConfig, threading.Event]], runner: Callable,
                flush_every: float, closing: Callable[[], bool], ended: Callable[[str], None],
                orphaned: Callable[[], bool] = lambda: False):
    """Train ``todo`` (run id, config, stop event) together with ``runner``, writing each run's rows and
    its end to ``store``; ``ended(run_id)`` as each run ends. A run stopped while ``closing()`` is
    recorded ``interrupted``, not ``cancelled``."""
    loggers = [_Logger(store, run_id, stop, flush_every, orphaned) for run_id, _, stop in todo]
    done: set[int] = set()

    def should_stop(logger):
        return lambda: logger.stop.is_set()

    def on_end(i, outcome):
        run_id, logger = todo[i][0], loggers[i]
        done.add(i)
        try:
            logger.flush()
            if isinstance(outcome, RunResult):
                status, message = outcome.status, "; ".join(m for m in (logger.note, outcome.message) if m)
                if status == "cancelled" and closing():
                    status, message = INTERRUPTED
                store.update(run_id, status=status, message=message, device=outcome.device, finished=time.time())
            else:  # a bad task or file: recorded for the page, never raised into it
                store.update(run_id, status="failed", message=f"{type(outcome).__name__}: {outcome}",
                             finished=time.time())
        except StoreError:
            traceback.print_exc()
        finally:
            logger.stop.set()
            ended(run_id)

    try:
        runner([c for _, c, _ in todo], [lg.log for lg in loggers], [should_stop(lg) for lg in loggers], on_end)
    except Exception as e:  # noqa: BLE001 - the runner itself broke: every run still open fails
        traceback.print_exc()
        for i in range(len(todo)):
            if i not in done:
                on_end(i, e)


def train_elsewhere(path: str, runs: list[list[str]], flush_every: float):
    """A training process's job (:mod:`.worker`): its own connection to the store; a cancel arrives as
    the store's stop flag, read at every flush, as does the server's end (its process gone: this one is
    orphaned, and its runs end ``interrupted``)."""
    parent = os.getppid()

    def orphaned() -> bool:
        return os.getppid() != parent

    group = [(run_id, RunConfig.from_json(cfg), threading.Event()) for run_id, cfg in runs]
    train_group(Store(path), group, train_together, flush_every, closing=orphaned, ended=lambda run_id: None,
                orphaned=orphaned)


class _TrainingProcess:
    """``python -m warmup_core.training.worker``: started with the manager, warmed while the page is read,
    then given one job after another (a JSON line each way). A fresh interpreter, not
    ``multiprocessing``: Streamlit makes the page its ``__main__``, which a spawned child would run."""

    def __init__(self, threads: int | None):
        root = str(Path(__file__).resolve().parents[2])  # where warmup_core is, wherever the server started
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        self.proc = subprocess.Popen([sys.executable, "-m", "warmup_core.training.worker", str(threads or 0)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.ready: Future = Future()
        self._reply: Future | None = None
        threading.Thread(target=self._read, name="warmup-trainer", daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not self.ready.done():
                self.ready.set_result(line)
            elif self._reply is not None and not self._reply.done():
                self._reply.set_result(line)
        code = self.proc.wait()
        for f in (self.ready, self._reply):
            if f is not None and not f.done():
                f.set_result(f"it exited with code {code}")

    def run(self, job: dict) -> Future:
        """Send a job; the future's result is ``"done"``, or why not."""
        self._reply = Future()
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
        except OSError as e:
            self._reply.set_result(f"it could not be reached ({e})")
        return self._reply

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self):
        """Stop it at once: the manager closes only an idle process (its runs have ended)."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdin.close()


class _Logger:
    """Buffers one run's metric rows and writes them every ``flush_every`` seconds (the first at once);
    at each flush it also picks up a cancel requested by another server process."""

    def __init__(self, store: Store, run_id: str, stop: threading.Event, flush_every: float,
                 orphaned: Callable[[], bool] = lambda: False):
        self.store, self.run_id, self.stop, self.flush_every = store, run_id, stop, flush_every
        self.orphaned = orphaned
        self.buf: list[dict] = []
        self.last = None
        self.note = ""  # what the run said before it started (e.g. its sharpness interval): kept at its end

    def log(self, row: dict):
        if "note" in row:
            self.note = row["note"]
            self.store.update(self.run_id, message=row["note"])
            return
        self.buf.append(row)
        now = time.perf_counter()
        if self.last is None or now - self.last >= self.flush_every:
            self.flush()
            self.last = now
            if self.store.stop_requested(self.run_id) or self.orphaned():
                self.stop.set()

    def flush(self):
        self.store.add_metrics(self.run_id, self.buf)
        self.buf.clear()
