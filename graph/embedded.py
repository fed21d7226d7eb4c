"""The embedded default store: one SQLite file, no server (``sqlite:///path.db``)."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from tanlian.errors import StoreUnavailable
from tanlian.graph import queries
from tanlian.graph.model import Enterprise
from tanlian.graph.store import Changes, Progress, StoreBase, SupplyEdge

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    type TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (type, id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('revision', '0');
"""
_BATCH = 5000


class EmbeddedStore(StoreBase):
    """GraphStore on a SQLite file. Safe to share between threads (one lock, one connection)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreUnavailable(self.url, str(exc)) from exc

    # -- primitives ----------------------------------------------------------------------
    def revision(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])

    def ping(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(self.url, str(exc)) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _read_all(self, type_name: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT id, data FROM entities WHERE type=?", (type_name,)).fetchall()
        return {i: json.loads(d) for i, d in rows}

    def _read_one(self, type_name: str, id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM entities WHERE type=? AND id=?", (type_name, id)).fetchone()
        return None if row is None else json.loads(row[0])

    def _apply(self, changes: Changes, progress: Progress | None = None) -> int:
        total = sum(map(len, changes.upserts.values())) + sum(map(len, changes.deletes.values()))
        done = 0
        with self._lock:
            cur = self._db.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                for type_name, ids in changes.deletes.items():
                    for i in range(0, len(ids), _BATCH):
                        batch = ids[i : i + _BATCH]
                        cur.executemany("DELETE FROM entities WHERE type=? AND id=?", [(type_name, x) for x in batch])
                        done += len(batch)
                        if progress:
                            progress(done, total)
                for type_name, recs in changes.upserts.items():
                    for i in range(0, len(recs), _BATCH):
                        batch = recs[i : i + _BATCH]
                        cur.executemany(
                            "INSERT OR REPLACE INTO entities (type, id, data) VALUES (?, ?, ?)",
                            [(type_name, r["id"], json.dumps(r, ensure_ascii=False)) for r in batch],
                        )
                        done += len(batch)
                        if progress:
                            progress(done, total)
                cur.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='revision'")
                rev = int(cur.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return rev

    # -- graph queries (networkx over the snapshot) ---------------------------------------
    def upstream(self, product_id: str, depth: int = 3) -> list[SupplyEdge]:
        return queries.upstream(self.snapshot(), product_id, depth)

    def downstream(self, enterprise_id: str, depth: int = 1) -> list[SupplyEdge]:
        return queries.downstream(self.snapshot(), enterprise_id, depth)

    def park_enterprises(self, park_id: str) -> list[Enterprise]:
        return queries.park_enterprises(self.snapshot(), park_id)
