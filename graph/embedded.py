"""The embedded default store: one SQLite file of typed tables, no server (``sqlite:///tanlian.sqlite``).

Layout (``meta.layout`` = :data:`LAYOUT`): one table per bundle type with one typed column per
field (``t_flow``: ``_year``, ``id``, ``from``, ``to``, ``quantity`` REAL, ...; key ``(_year, id)``;
factors are keyed by ``id`` alone), the extra columns of a row as JSON in ``_extra``; auxiliary
entities (API clients, ...) as JSON records in ``aux`` keyed ``(type, id)``; ``years`` lists the
years that hold rows; ``meta`` the ``revision`` (bundle writes) and ``aux_revision``.

WAL journal: many processes (``tanlian serve --workers N``, CLI commands) share the file; readers
never block the writer. Writes take the write lock first (``BEGIN IMMEDIATE``), so an import reads,
diffs and writes in one serialised transaction. Columnar snapshots are cached per (year, revision)
as Arrow IPC files in ``<file>.snap/`` (see :mod:`tanlian.graph.snapshot`).

A missing file is an empty store: reads never create it, the first write does.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from tanlian.errors import OldStoreLayout, StoreUnavailable
from tanlian.graph import queries
from tanlian.graph.columns import SQL_TYPES, columns, from_row, rows_to_arrow, to_row
from tanlian.graph.embedded_sql import BATCH, insert_rows, quote, select_table, table_name
from tanlian.graph.model import BUNDLE_TYPES, ENTITY_TYPES, Enterprise, Entity
from tanlian.graph.snapshot import TableSnapshot, empty_tables, frozen, load_cached, save_cached
from tanlian.graph.store import (
    AUX_NAMES,
    YEARLY_NAMES,
    Changes,
    Progress,
    StoreBase,
    SupplyEdge,
)

LAYOUT = "tanlian-typed-1"


def _ddl(etype: type[Entity]) -> str:
    yearly = etype.type_name in YEARLY_NAMES
    cols = [f"{quote(c.name)} {SQL_TYPES[c.kind]}{' NOT NULL' if c.name == 'id' else ''}" for c in columns(etype)]
    key = "PRIMARY KEY (_year, id)" if yearly else "PRIMARY KEY (id)"
    head = ["_year INTEGER NOT NULL"] if yearly else []
    return f"CREATE TABLE IF NOT EXISTS {table_name(etype.type_name)} ({', '.join([*head, *cols, '_extra TEXT', key])})"


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS years (year INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS aux (type TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (type, id))",
    *(_ddl(t) for t in BUNDLE_TYPES),
    f"INSERT OR IGNORE INTO meta (key, value) VALUES ('layout', '{LAYOUT}')",
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('revision', '0')",
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('aux_revision', '0')",
]


def migrate_hint(path: str) -> str:
    new = path[: -len(".db")] + ".sqlite" if path.endswith(".db") else path + ".sqlite"
    return f"tanlian store migrate sqlite:///{path} sqlite:///{new}"


def layout_of(db: sqlite3.Connection) -> str | None:
    """``LAYOUT``, ``"json-blob"`` (the old one-table layout), or None for an empty file."""
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" in names:
        row = db.execute("SELECT value FROM meta WHERE key='layout'").fetchone()
        if row:
            return row[0]
    if "entities" in names:
        return "json-blob"
    return None


class _Tx:
    """The embedded store's side of a write transaction (see :class:`tanlian.graph.store.WriteTx`)."""

    def __init__(self, store: EmbeddedStore, cur: sqlite3.Cursor):
        self.store, self.cur = store, cur

    def revision(self) -> int:
        return self.store._meta_int(self.cur, "revision")

    def years(self) -> list[int]:
        return [r[0] for r in self.cur.execute("SELECT year FROM years ORDER BY year")]

    def read_all(self, type_name: str, year: int | None) -> dict[str, dict[str, Any]]:
        return self.store._select(self.cur, type_name, year)

    def read_tables(self, year: int) -> list[pa.Table]:
        """Every bundle table of ``year`` (factors: all) in :data:`BUNDLE_TYPES` order: the
        revision's cached snapshot when there is one (the write lock is held, so it is current)."""
        tables, _ = self.store._tables_at(self.cur, year, self.revision())
        return [tables[t.type_name] for t in BUNDLE_TYPES]

    def apply(self, changes: Changes, progress: Progress | None) -> int:
        return self.store._write(self.cur, changes, progress)


class EmbeddedStore(StoreBase):
    """GraphStore on a SQLite file. Thread-safe: a connection per reading thread, one writer."""

    #: How long a writer waits for another process's write lock before StoreUnavailable (ms).
    BUSY_TIMEOUT_MS = 10_000

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        self._wlock = threading.RLock()
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._clock = threading.Lock()
        self._ready = False
        self.snap_dir = None if self.path == ":memory:" else Path(self.path + ".snap")
        if self.path == ":memory:":
            self._writer = self._connect()  # one connection: the data lives in it
            self._local.db = self._writer
            self._create()
        elif Path(self.path).exists():
            self._check_layout(self._reader())

    # -- connections ----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {int(self.BUSY_TIMEOUT_MS)}")
            if self.path != ":memory:":
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            raise StoreUnavailable(self.url, str(exc)) from exc
        with self._clock:
            self._conns.append(db)
        return db

    def _reader(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            return self._writer
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _check_layout(self, db: sqlite3.Connection) -> None:
        try:
            layout = layout_of(db)
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(self.url, f"not a Tanlian store: {exc}") from exc
        if layout == "json-blob":
            raise OldStoreLayout(self.path, migrate_hint(self.path))
        if layout not in (None, LAYOUT):
            raise StoreUnavailable(self.url, f"unknown store layout {layout!r}")
        self._ready = layout == LAYOUT

    def _create(self) -> None:
        """Create the file and its schema (first write)."""
        if self._ready:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = self._writer_conn()
        self._check_layout(db)
        with self._wlock:
            db.execute("BEGIN IMMEDIATE")
            try:
                for stmt in SCHEMA:
                    db.execute(stmt)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        self._ready = True

    def _writer_conn(self) -> sqlite3.Connection:
        if getattr(self, "_writer", None) is None:
            self._writer = self._connect()
        return self._writer

    def _exists(self) -> bool:
        if not self._ready and self.path != ":memory:" and Path(self.path).exists():
            self._check_layout(self._reader())
        return self._ready

    # -- primitives ----------------------------------------------------------------------
    @staticmethod
    def _meta_int(cur: sqlite3.Cursor | sqlite3.Connection, key: str) -> int:
        row = cur.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return int(row[0]) if row else 0

    def revision(self) -> int:
        return self._meta_int(self._reader(), "revision") if self._exists() else 0

    def aux_revision(self) -> int:
        return self._meta_int(self._reader(), "aux_revision") if self._exists() else 0

    def years(self) -> list[int]:
        if not self._exists():
            return []
        return [r[0] for r in self._reader().execute("SELECT year FROM years ORDER BY year")]

    def ping(self) -> None:
        try:
            if self._exists():
                self._reader().execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(self.url, str(exc)) from exc

    def close(self) -> None:
        with self._clock:
            for db in self._conns:
                db.close()
            self._conns.clear()

    def _select(
        self, db: sqlite3.Cursor | sqlite3.Connection, type_name: str, year: int | None, id: str | None = None
    ) -> dict[str, dict[str, Any]]:
        if type_name in AUX_NAMES or type_name not in ENTITY_TYPES:
            sql, args = "SELECT id, data FROM aux WHERE type=?", [type_name]
            if id is not None:
                sql, args = sql + " AND id=?", [*args, id]
            return {i: json.loads(d) for i, d in db.execute(sql, args)}
        etype = ENTITY_TYPES[type_name]
        cols = ", ".join(quote(c.name) for c in columns(etype))
        sql, args = f"SELECT {cols}, _extra FROM {table_name(type_name)}", []
        where = []
        if type_name in YEARLY_NAMES:
            if year is None:
                return {}
            where, args = ["_year=?"], [year]
        if id is not None:
            where, args = [*where, "id=?"], [*args, id]
        if where:
            sql += " WHERE " + " AND ".join(where)
        out = {}
        for row in db.execute(sql, args):
            rec = from_row(etype, row)
            out[rec["id"]] = rec
        return out

    def _read_all(self, type_name: str, year: int | None = None) -> dict[str, dict[str, Any]]:
        if not self._exists():
            return {}
        if type_name in YEARLY_NAMES:
            year = self._year(year)
        return self._select(self._reader(), type_name, year)

    def _read_one(self, type_name: str, id: str, year: int | None = None) -> dict[str, Any] | None:
        if not self._exists():
            return None
        if type_name in YEARLY_NAMES:
            year = self._year(year)
        return self._select(self._reader(), type_name, year, id).get(id)

    @contextmanager
    def _write_tx(self) -> Iterator[_Tx]:
        self._create()
        with self._wlock:
            cur = self._writer_conn().cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(
                    self.url, f"could not take the write lock within {self.BUSY_TIMEOUT_MS} ms ({exc})"
                ) from exc
            try:
                yield _Tx(self, cur)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def _write(self, cur: sqlite3.Cursor, changes: Changes, progress: Progress | None) -> int:
        """Apply ``changes`` inside the open transaction; bump the revision(s); return the revision."""
        for t in changes.types():
            if t not in ENTITY_TYPES:
                raise ValueError(f"unknown entity type {t!r}")
        total = sum(map(len, changes.upserts.values())) + sum(map(len, changes.deletes.values()))
        done, year = 0, changes.year

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, total)

        for type_name, ids in changes.deletes.items():
            yearly = type_name in YEARLY_NAMES
            if type_name in AUX_NAMES:
                sql = "DELETE FROM aux WHERE type=? AND id=?"
            else:
                sql = f"DELETE FROM {table_name(type_name)} WHERE {'_year=? AND ' if yearly else ''}id=?"
            for i in range(0, len(ids), BATCH):
                batch = ids[i : i + BATCH]
                key = (type_name,) if type_name in AUX_NAMES else ((year,) if yearly else ())
                cur.executemany(sql, [(*key, x) for x in batch])
                step(len(batch))
        for type_name, recs in changes.upserts.items():
            if type_name in AUX_NAMES:
                sql = "INSERT OR REPLACE INTO aux (type, id, data) VALUES (?, ?, ?)"
                rows = [(type_name, r["id"], json.dumps(r, ensure_ascii=False)) for r in recs]
                batches: Iterable[list[tuple[Any, ...]]] = (rows[i : i + BATCH] for i in range(0, len(rows), BATCH))
            else:
                etype = ENTITY_TYPES[type_name]
                table = recs if isinstance(recs, pa.Table) else rows_to_arrow(etype, (to_row(etype, r) for r in recs))
                sql, batches = insert_rows(type_name, table, year if type_name in YEARLY_NAMES else None)
            for batch in batches:
                cur.executemany(sql, batch)
                step(len(batch))
        if year is not None and any(t in YEARLY_NAMES for t in changes.types()):
            self._update_years(cur, year)
        if changes.aux:
            cur.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='aux_revision'")
        if changes.bundle:
            cur.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='revision'")
        return self._meta_int(cur, "revision")

    @staticmethod
    def _update_years(cur: sqlite3.Cursor, year: int) -> None:
        held = any(
            cur.execute(f"SELECT 1 FROM {table_name(t)} WHERE _year=? LIMIT 1", (year,)).fetchone()
            for t in sorted(YEARLY_NAMES)
        )
        if held:
            cur.execute("INSERT OR IGNORE INTO years (year) VALUES (?)", (year,))
        else:
            cur.execute("DELETE FROM years WHERE year=?", (year,))

    # -- columnar snapshot ----------------------------------------------------------------
    def _read_tables(self, year: int | None) -> TableSnapshot:
        if not self._exists():
            return frozen(0, year, empty_tables())
        db = self._reader()
        db.execute("BEGIN")
        try:
            rev = self._meta_int(db, "revision")
            if year is None:
                row = db.execute("SELECT max(year) FROM years").fetchone()
                year = row[0] if row else None
            tables, cached = self._tables_at(db, year, rev)
        finally:
            db.execute("COMMIT")
        if not cached and self.snap_dir and year is not None:
            save_cached(self.snap_dir, year, rev, tables)
        return frozen(rev, year, tables)

    def _tables_at(
        self, db: sqlite3.Cursor | sqlite3.Connection, year: int | None, revision: int
    ) -> tuple[dict[str, pa.Table], bool]:
        """Every bundle table of ``year`` at ``revision`` (read inside the caller's transaction):
        the revision's cached snapshot when there is one, else one ``SELECT`` per table; and
        whether it came from the cache."""
        cached = load_cached(self.snap_dir, year, revision) if self.snap_dir and year is not None else None
        if cached is not None:
            return cached, True
        return {t.type_name: select_table(db, t, year) for t in BUNDLE_TYPES}, False

    def _written(self, year: int | None, revision: int, tables: dict[str, pa.Table]) -> None:
        """Keep the tables an import computed as the snapshot of its revision (no re-read)."""
        if self.snap_dir and year is not None:
            save_cached(self.snap_dir, year, revision, tables)

    # -- graph queries (networkx over the snapshot) ---------------------------------------
    def upstream(self, product_id: str, depth: int = 3, *, year: int | None = None) -> list[SupplyEdge]:
        return queries.upstream(self.snapshot(year), product_id, depth)

    def downstream(self, enterprise_id: str, depth: int = 1, *, year: int | None = None) -> list[SupplyEdge]:
        return queries.downstream(self.snapshot(year), enterprise_id, depth)

    def park_enterprises(self, park_id: str, *, year: int | None = None) -> list[Enterprise]:
        return queries.park_enterprises(self.snapshot(year), park_id)
