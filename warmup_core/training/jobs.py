"""The job manager: training runs off the page's thread, bounded, cancellable, persisted.

A page holds one shared manager (``st.cache_resource``); every job writes to the SQLite store, and
the page polls the store. Workers are threads of this process (a torch step releases the GIL);
nothing here calls Streamlit. ``max_workers`` jobs run at once and at most ``max_queued`` wait, so a
shared server stays responsive; a job belongs to its owner (one browser session) and others only
see it if they open it by id.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .engine import RunConfig, train
from .store import Store


class QueueFullError(RuntimeError):
    pass


class JobManager:
    def __init__(self, store: Store | str | None = None, max_workers: int = 1, max_queued: int = 12,
                 runner: Callable = train, flush_every: float = 0.25):
        self.store = store if isinstance(store, Store) else Store(store)
        self.store.mark_interrupted()
        self.max_queued = max_queued
        self.runner = runner
        self.flush_every = flush_every
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="warmup-job")
        self._stops: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    # --- submitting ------------------------------------------------------------------------------
    def pending(self) -> int:
        """Runs queued or running in this process."""
        with self._lock:
            return sum(1 for e in self._stops.values() if not e.is_set())

    def submit(self, owner: str, configs: list[RunConfig], group_id: str | None = None) -> list[str]:
        """Queue a comparison (one job per config, the same group); ValueError for a bad config."""
        for c in configs:
            c.validate()
        active = self.pending()
        with self._lock:
            if active + len(configs) > self.max_queued:
                raise QueueFullError(f"the server is busy: {active} runs are queued or running (at most "
                                f"{self.max_queued}); wait for them or cancel some")
            group_id = group_id or uuid.uuid4().hex[:8]
            ids = []
            for c in configs:
                run_id = self.store.create(owner, group_id, c.name or c.task, c.to_json(), c.steps)
                self._stops[run_id] = threading.Event()
                ids.append(run_id)
        for run_id, c in zip(ids, configs):
            self._pool.submit(self._work, run_id, c)
        return ids

    def cancel(self, run_id: str):
        with self._lock:
            ev = self._stops.get(run_id)
        if ev is not None:
            ev.set()
        run = self.store.run(run_id)
        if run and run["status"] == "queued":
            self.store.update(run_id, status="cancelled", message="cancelled before it started",
                              finished=time.time())

    def wait(self, run_ids, timeout=60.0) -> bool:
        """Block until the runs end (tests and the CLI); True if they all did."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(self.store.run(r)["status"] not in ("queued", "running") for r in run_ids):
                return True
            time.sleep(0.05)
        return False

    def shutdown(self):
        with self._lock:
            for ev in self._stops.values():
                ev.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- the worker --------------------------------------------------------------------------------
    def _work(self, run_id: str, cfg: RunConfig):
        with self._lock:
            stop = self._stops.get(run_id)
        if stop is None or stop.is_set() or self.store.run(run_id)["status"] != "queued":
            with self._lock:  # cancelled while it waited
                self._stops.pop(run_id, None)
            return
        self.store.update(run_id, status="running", started=time.time())
        buf, last = [], [0.0]

        def on_log(row):
            if "note" in row:
                self.store.update(run_id, message=row["note"])
                return
            buf.append(row)
            now = time.perf_counter()
            if now - last[0] >= self.flush_every or len(buf) == 1 and last[0] == 0.0:
                self.store.add_metrics(run_id, buf)
                buf.clear()
                last[0] = now

        try:
            result = self.runner(cfg, on_log=on_log, should_stop=stop.is_set)
            self.store.add_metrics(run_id, buf)
            self.store.update(run_id, status=result.status, message=result.message, device=result.device,
                              finished=time.time())
        except Exception as e:  # a bad task or file: recorded for the page, never raised into it
            self.store.add_metrics(run_id, buf)
            self.store.update(run_id, status="failed", message=f"{type(e).__name__}: {e}", finished=time.time())
            traceback.print_exc()
        finally:
            with self._lock:
                stop.set()
                self._stops.pop(run_id, None)  # ended: nothing left to cancel
