"""Runs and their metrics in an embedded SQLite database: a refresh or a restart loses nothing.

One file (``runs.sqlite`` in the data directory, ``WARMUP_LAB_DATA`` or ``~/.cache/warmup-lab``);
WAL mode so the page can read while a worker writes; one connection per thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
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
CREATE INDEX IF NOT EXISTS runs_owner ON runs(owner, created);
"""
METRICS = ("step", "lr", "loss", "eval_loss", "eval_acc", "grad_norm", "update_norm", "wall", "sharpness",
           "sharp_limit")


def default_dir() -> Path:
    return Path(os.environ.get("WARMUP_LAB_DATA") or Path.home() / ".cache" / "warmup-lab")


class Store:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_dir() / "runs.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        c = self._conn()
        c.executescript(SCHEMA)
        have = {r[1] for r in c.execute("PRAGMA table_info(metrics)")}
        for col in ("sharpness", "sharp_limit"):  # databases written before these columns existed
            if col not in have:
                c.execute(f"ALTER TABLE metrics ADD COLUMN {col} REAL")

    def _conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.row_factory = sqlite3.Row
            self._local.conn = c
        return c

    # --- runs ------------------------------------------------------------------------------------
    def create(self, owner: str, group_id: str, name: str, config_json: str, steps: int) -> str:
        run_id = uuid.uuid4().hex[:12]
        self._conn().execute(
            "INSERT INTO runs (id, owner, group_id, name, config, status, created, steps) VALUES (?,?,?,?,?,?,?,?)",
            (run_id, owner, group_id, name, config_json, "queued", time.time(), steps))
        return run_id

    def update(self, run_id: str, **fields):
        if not fields:
            return
        cols = ", ".join(f"{k} = ?" for k in fields)
        self._conn().execute(f"UPDATE runs SET {cols} WHERE id = ?", (*fields.values(), run_id))

    def run(self, run_id: str) -> dict | None:
        row = self._conn().execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else None

    def runs(self, owner: str | None = None, group_id: str | None = None) -> list[dict]:
        q, args = "SELECT * FROM runs", []
        conds = []
        if owner is not None:
            conds.append("owner = ?")
            args.append(owner)
        if group_id is not None:
            conds.append("group_id = ?")
            args.append(group_id)
        if conds:
            q += " WHERE " + " AND ".join(conds)
        return [dict(r) for r in self._conn().execute(q + " ORDER BY created, rowid", args)]

    def delete(self, run_id: str):
        c = self._conn()
        c.execute("DELETE FROM metrics WHERE run_id = ?", (run_id,))
        c.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    def mark_interrupted(self):
        """Runs a previous process left queued or running can never finish: say so."""
        self._conn().execute("UPDATE runs SET status = 'interrupted', message = 'the server stopped during the run' "
                             "WHERE status IN ('queued', 'running')")

    # --- metrics ---------------------------------------------------------------------------------
    def add_metrics(self, run_id: str, rows: list[dict]):
        if not rows:
            return
        marks = ", ".join("?" * (len(METRICS) + 1))
        self._conn().executemany(f"INSERT OR REPLACE INTO metrics (run_id, {', '.join(METRICS)}) VALUES ({marks})",
                                 [(run_id, *(r.get(k) for k in METRICS)) for r in rows])
        self.update(run_id, step=max(r["step"] for r in rows))

    def metrics(self, run_id: str, since_step: int = -1) -> list[dict]:
        cur = self._conn().execute(f"SELECT {', '.join(METRICS)} FROM metrics WHERE run_id = ? AND step > ? "
                                   "ORDER BY step", (run_id, since_step))
        return [dict(r) for r in cur]

    def config(self, run_id: str) -> dict:
        r = self.run(run_id)
        return json.loads(r["config"]) if r else {}
