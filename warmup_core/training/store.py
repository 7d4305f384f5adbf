"""Runs and their metrics in an embedded SQLite database: a refresh or a restart loses nothing.

One file: ``WARMUP_LAB_DB`` if set, else ``runs.sqlite`` in the data directory (``WARMUP_LAB_DATA`` or
``~/.cache/warmup-lab``). WAL mode so a page can read while a worker writes; one connection per thread.

This is the public API every backend writes through (the thread-pool :class:`~.jobs.JobManager`, and
any other executor):

* runs: :meth:`Store.create` (status ``queued``), :meth:`Store.update` (``status``, ``step``,
  ``message``, ``device``, ``started``, ``finished``), :meth:`Store.run`, :meth:`Store.runs`,
  :meth:`Store.config` (the run's :class:`~.engine.RunConfig`), :meth:`Store.delete` (owner only);
* metrics: :meth:`Store.add_metrics` (rows keyed by step; it also advances the run's ``step``) and
  :meth:`Store.metrics` (``since_step`` returns only newer rows, for live pages);
* ownership: a run belongs to the opaque ``owner`` token that created it; :meth:`Store.delete` and
  :meth:`~.jobs.JobManager.cancel` refuse anyone else with :class:`NotOwnerError`;
* leases: an executor registers itself (:meth:`Store.register_manager`), heartbeats at least every
  ``lease / 3`` seconds (:meth:`Store.heartbeat`) and creates its runs with ``manager=`` its id.
  :meth:`Store.reap` marks ``interrupted`` only the queued/running runs whose executor stopped
  heartbeating (or, on this host, whose process is gone), so several server processes can share
  one database without touching each other's live runs;
* cancelling across processes: :meth:`Store.request_stop` sets a flag the owning executor polls
  (:meth:`Store.stop_requested`).

Every method raises :class:`StoreError` (never a bare ``sqlite3`` error) with one sentence that says
what is wrong with the file and how to fix it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import socket
import sqlite3
import sys
import threading
import time
import uuid
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, group_id TEXT NOT NULL, name TEXT NOT NULL,
    config TEXT NOT NULL, status TEXT NOT NULL, device TEXT, message TEXT DEFAULT '',
    created REAL NOT NULL, started REAL, finished REAL, steps INTEGER NOT NULL, step INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL, step INTEGER NOT NULL, lr REAL, loss REAL, eval_loss REAL, eval_acc REAL,
    grad_norm REAL, update_norm REAL, wall REAL, sharpness REAL, sharp_limit REAL, PRIMARY KEY (run_id, step)
);
CREATE TABLE IF NOT EXISTS managers (id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,
    heartbeat REAL NOT NULL);
CREATE INDEX IF NOT EXISTS runs_owner ON runs(owner, created);
"""
# columns added after the first release: (table, column, type) — older files are migrated on open
ADDED = (("metrics", "sharpness", "REAL"), ("metrics", "sharp_limit", "REAL"), ("runs", "manager", "TEXT"),
         ("runs", "stop", "INTEGER DEFAULT 0"))
METRICS = ("step", "lr", "loss", "eval_loss", "eval_acc", "grad_norm", "update_norm", "wall", "sharpness",
           "sharp_limit")
UPDATABLE = frozenset({"status", "step", "message", "device", "started", "finished"})
LIVE = ("queued", "running")
CANCELLED = ("cancelled", "cancelled by the user")  # (status, message) of a run stopped by its owner
INTERRUPTED = ("interrupted", "the server stopped during the run")  # ... by its server shutting down
LEASE_SECONDS = 15.0


class StoreError(RuntimeError):
    """The run database cannot be used; the message says what is wrong and how to fix it."""


class NotOwnerError(PermissionError):
    """Only the browser (owner token) that started a run may cancel or delete it."""


def default_dir() -> Path:
    return Path(os.environ.get("WARMUP_LAB_DATA") or Path.home() / ".cache" / "warmup-lab")


def default_path() -> Path:
    return Path(os.environ.get("WARMUP_LAB_DB") or default_dir() / "runs.sqlite")


def explain(err: BaseException, path: Path) -> str:
    """One sentence for a person: what is wrong with the database file and how to fix it."""
    text = str(err)
    low = text.lower()
    fix = "or set WARMUP_LAB_DB to another file"
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return f"The run database {path} is damaged or is not a SQLite file ({text}): move it away {fix}."
    if "readonly" in low or "read-only" in low:
        return f"The run database {path} is read-only ({text}): make it (and its folder) writable, {fix}."
    if "locked" in low or "busy" in low:
        return f"The run database {path} is locked by another program ({text}): close that program, {fix}."
    if "unable to open" in low or isinstance(err, OSError):
        return f"The run database {path} cannot be opened ({text}): check that its folder exists and is writable, " \
               f"{fix}."
    return f"The run database {path} cannot be used ({type(err).__name__}: {text}): {fix}."


def _guarded(method):
    """Every public method: a sqlite3/OS error becomes a StoreError saying how to fix it."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as e:
            if isinstance(e, NotOwnerError):  # a PermissionError, hence an OSError: not the file's fault
                raise
            raise StoreError(explain(e, self.path)) from e

    return wrapper


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True


class Store:
    """The run database (see the module docstring for the API). ``timeout``: seconds to wait for a
    lock held by another process before giving up with a :class:`StoreError`."""

    def __init__(self, path: str | Path | None = None, timeout: float = 5.0):
        self.path = Path(path) if path else default_path()
        self.timeout = timeout
        self._local = threading.local()
        self._open()

    @_guarded
    def _open(self):
        if self.path.is_dir():
            raise StoreError(f"The run database {self.path} is a folder, not a file: set WARMUP_LAB_DB to a file "
                             "path.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        c = self._conn()
        c.executescript(SCHEMA)
        for table, col, kind in ADDED:  # databases written before these columns existed
            if col not in {r[1] for r in c.execute(f"PRAGMA table_info({table})")}:
                c.execute(f"ALTER TABLE {table} ADD COLUMN {col} {kind}")
        for table in ("runs", "metrics", "managers"):  # walks every page: a damaged file fails now, not later
            c.execute(f"SELECT count(*) FROM {table}").fetchone()
        c.execute("BEGIN IMMEDIATE")  # a write now: read-only or locked files fail here, not mid-run
        try:
            c.execute("DELETE FROM managers WHERE id = 'write probe'")
            c.execute("INSERT INTO managers (id, host, pid, heartbeat) VALUES ('write probe', '', 0, 0)")
        finally:
            c.execute("ROLLBACK")

    def _conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            c.row_factory = sqlite3.Row
            self._local.conn = c
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
        return c

    # --- runs ------------------------------------------------------------------------------------
    @_guarded
    def create(self, owner: str, group_id: str, name: str, config_json: str, steps: int,
               manager: str | None = None) -> str:
        run_id = uuid.uuid4().hex[:12]
        self._conn().execute(
            "INSERT INTO runs (id, owner, group_id, name, config, status, created, steps, manager) "
            "VALUES (?,?,?,?,?,?,?,?,?)", (run_id, owner, group_id, name, config_json, "queued", time.time(), steps,
                                           manager))
        return run_id

    @_guarded
    def update(self, run_id: str, **fields):
        if not fields:
            return
        bad = set(fields) - UPDATABLE
        if bad:
            raise ValueError(f"cannot update {sorted(bad)}; updatable fields are {sorted(UPDATABLE)}")
        cols = ", ".join(f"{k} = ?" for k in fields)
        self._conn().execute(f"UPDATE runs SET {cols} WHERE id = ?", (*fields.values(), run_id))

    @_guarded
    def run(self, run_id: str) -> dict | None:
        row = self._conn().execute("SELECT * FROM runs WHERE id = ?", (str(run_id),)).fetchone()
        return dict(row) if row else None

    @_guarded
    def runs(self, owner: str | None = None, group_id: str | None = None, ids=None) -> list[dict]:
        """Runs in the order they were created, filtered by owner, group and/or a list of ids."""
        q, conds, args = "SELECT * FROM runs", [], []
        if owner is not None:
            conds.append("owner = ?")
            args.append(owner)
        if group_id is not None:
            conds.append("group_id = ?")
            args.append(group_id)
        if ids is not None:
            ids = [str(i) for i in ids]
            conds.append(f"id IN ({', '.join('?' * len(ids))})")
            args += ids
        if conds:
            q += " WHERE " + " AND ".join(conds)
        return [dict(r) for r in self._conn().execute(q + " ORDER BY created, rowid", args)]

    def owns(self, run_id: str, owner: str) -> bool:
        run = self.run(run_id)
        return run is not None and run["owner"] == owner

    def check_owner(self, run_id: str, owner: str) -> dict:
        """The run, if ``owner`` owns it; NotOwnerError (or KeyError when there is no such run) otherwise."""
        run = self.run(run_id)
        if run is None:
            raise KeyError(f"there is no run with id {run_id!r}")
        if run["owner"] != owner:
            raise NotOwnerError(f"run {run_id} ({run['name']}) belongs to another browser: only its owner can "
                                "cancel or delete it")
        return run

    @_guarded
    def delete(self, run_id: str, owner: str):
        self.check_owner(run_id, owner)
        c = self._conn()
        c.execute("DELETE FROM metrics WHERE run_id = ?", (run_id,))
        c.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    @_guarded
    def request_stop(self, run_id: str):
        self._conn().execute("UPDATE runs SET stop = 1 WHERE id = ?", (run_id,))

    @_guarded
    def stop_requested(self, run_id: str) -> bool:
        """True once a stop was asked for, or the run was deleted (nothing left to train for)."""
        row = self._conn().execute("SELECT stop FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row is None or bool(row[0])

    # --- leases: which executor holds which run ----------------------------------------------------
    @_guarded
    def register_manager(self, manager_id: str):
        self._conn().execute("INSERT OR REPLACE INTO managers (id, host, pid, heartbeat) VALUES (?,?,?,?)",
                             (manager_id, socket.gethostname(), os.getpid(), time.time()))

    @_guarded
    def heartbeat(self, manager_id: str):
        self._conn().execute("UPDATE managers SET heartbeat = ? WHERE id = ?", (time.time(), manager_id))

    @_guarded
    def release_manager(self, manager_id: str):
        """A clean stop: the executor's unfinished runs are interrupted and its lease is dropped."""
        c = self._conn()
        c.execute("UPDATE runs SET status = 'interrupted', message = 'the server stopped during the run', "
                  "finished = ? WHERE manager = ? AND status IN ('queued', 'running')", (time.time(), manager_id))
        c.execute("DELETE FROM managers WHERE id = ?", (manager_id,))

    @_guarded
    def reap(self, lease: float = LEASE_SECONDS) -> int:
        """Mark ``interrupted`` the queued/running runs no live executor holds; returns how many.

        An executor is live while its heartbeat is younger than ``lease`` seconds and, on this host,
        its process exists. Runs without an executor (written before leases existed) are orphans."""
        c = self._conn()
        host, now = socket.gethostname(), time.time()
        dead = [r["id"] for r in c.execute("SELECT id, host, pid, heartbeat FROM managers")
                if r["heartbeat"] < now - lease or (r["host"] == host and not _alive(r["pid"]))]
        for mid in dead:
            c.execute("DELETE FROM managers WHERE id = ?", (mid,))
        cur = c.execute("UPDATE runs SET status = 'interrupted', message = 'the server that ran it stopped', "
                        "finished = ? WHERE status IN ('queued', 'running') AND (manager IS NULL OR manager NOT IN "
                        "(SELECT id FROM managers))", (now,))
        return cur.rowcount

    # --- metrics ---------------------------------------------------------------------------------
    @_guarded
    def add_metrics(self, run_id: str, rows: list[dict]):
        if not rows:
            return
        marks = ", ".join("?" * (len(METRICS) + 1))
        c = self._conn()
        c.executemany(f"INSERT OR REPLACE INTO metrics (run_id, {', '.join(METRICS)}) SELECT {marks} "
                      "WHERE EXISTS (SELECT 1 FROM runs WHERE id = ?)",  # a deleted run's last rows: dropped
                      [(run_id, *(r.get(k) for k in METRICS), run_id) for r in rows])
        c.execute("UPDATE runs SET step = ? WHERE id = ?", (max(r["step"] for r in rows), run_id))

    @_guarded
    def metrics(self, run_id: str, since_step: int = -1) -> list[dict]:
        """Metric rows of a run in step order; only those after ``since_step`` (a live page's cursor)."""
        cur = self._conn().execute(f"SELECT {', '.join(METRICS)} FROM metrics WHERE run_id = ? AND step > ? "
                                   "ORDER BY step", (run_id, since_step))
        return [dict(r) for r in cur]

    def record(self, run_id: str) -> dict | None:
        """The run's config record as written (parsed JSON): a RunConfig's fields, or, for a cell of a
        backend's group (``training.backends``: your own function's sweeps, the map), the cell's keys
        (``kind``, ``cell``, ``schedule``, ``seed``, ``steps``, …)."""
        r = self.run(run_id)
        return json.loads(r["config"]) if r else None

    def config(self, run_id: str):
        """The run's :class:`~.engine.RunConfig` (parsed from its record once, here at the edge); for a
        backend's cell, the RunConfig it ran (built-in tasks) or None (a run of your own function)."""
        from .engine import RunConfig

        d = self.record(run_id)
        if d is None or "cell" not in d:
            return RunConfig.from_json(json.dumps(d)) if d else None
        if "run" in d:  # a built-in run sent to a backend (map_runs.config_cells)
            return RunConfig.from_json(json.dumps(d["run"]))
        if d.get("kind") == "map":  # a cell of the built-in lr x warmup map
            return RunConfig(task=d["task"], schedule=d["schedule"], optimizer="sgd", steps=d["steps"],
                             batch_size=d["batch_size"], seed=d["seed"], momentum=d["momentum"], blowup=d["blowup"],
                             eval_every=d["steps"], name=d.get("name", ""))
        if "train" in d:  # a run of your own training function (training.custom): no engine config
            return None
        names = {f.name for f in dataclasses.fields(RunConfig)}  # a RunConfig's record with its cell key
        return RunConfig.from_json(json.dumps({k: v for k, v in d.items() if k in names}))


class Lease:
    """An executor's hold on its runs: registers in ``store``, renews the lease from a daemon thread
    every ``lease / 5`` seconds (reaping the runs of executors that stopped), and on :meth:`close`
    marks its unfinished runs ``interrupted`` and drops the lease. Create runs with
    ``store.create(..., manager=lease.id)``. Also a context manager."""

    def __init__(self, store: Store, lease: float = LEASE_SECONDS):
        self.store, self.lease, self.id = store, lease, uuid.uuid4().hex[:12]
        store.register_manager(self.id)
        store.reap(lease)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="warmup-lease", daemon=True)
        self._thread.start()

    def _beat(self):
        while not self._closed.wait(self.lease / 5):
            try:
                self.store.heartbeat(self.id)
                self.store.reap(self.lease)
            except StoreError as e:  # locked for a moment: the next beat retries well within the lease
                print(f"warmup-lab: lease heartbeat failed: {e}", file=sys.stderr)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self):
        if self._closed.is_set():
            return
        self._closed.set()
        self._thread.join(timeout=5)
        self.store.release_manager(self.id)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc):
        self.close()
