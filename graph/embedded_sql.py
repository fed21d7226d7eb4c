"""SQL of the embedded store's typed tables: names, the columnar bulk INSERT, the columnar read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from tanlian.graph.changes import YEARLY_NAMES
from tanlian.graph.columns import columns, rows_to_arrow
from tanlian.graph.model import Entity

BATCH = 5000  # rows per executemany call


def table_name(type_name: str) -> str:
    return f"t_{type_name}"


def quote(name: str) -> str:
    """A quoted SQL identifier (column names come from the model, never from data)."""
    return '"' + name.replace('"', '""') + '"'


def insert_rows(type_name: str, table: pa.Table, year: int | None) -> tuple[str, Iterator[list[tuple[Any, ...]]]]:
    """The INSERT for a columnar table (store layout) and its rows in batches of :data:`BATCH`
    (column lists zipped per batch, so memory stays bounded); columns NULL in every row are left
    to their default (fewer values to bind)."""
    names = [n for n, c in zip(table.column_names, table.columns, strict=True) if n == "id" or c.null_count < len(c)]
    keys = (["_year"] if year is not None else []) + names
    marks = ", ".join("?" * len(keys))
    sql = f"INSERT OR REPLACE INTO {table_name(type_name)} ({', '.join(map(quote, keys))}) VALUES ({marks})"

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        for start in range(0, table.num_rows, BATCH):
            part = table.slice(start, BATCH)
            cols = [part.column(n).to_pylist() for n in names]
            if year is not None:
                cols.insert(0, [year] * part.num_rows)
            yield list(zip(*cols, strict=True))

    return sql, batches()


def select_table(db: sqlite3.Cursor | sqlite3.Connection, etype: type[Entity], year: int | None) -> pa.Table:
    """One bundle table of ``year`` (factors: all), sorted by id, as Arrow."""
    cols = ", ".join(quote(c.name) for c in columns(etype))
    sql = f"SELECT {cols}, _extra FROM {table_name(etype.type_name)}"
    if etype.type_name not in YEARLY_NAMES:
        return rows_to_arrow(etype, db.execute(sql + " ORDER BY id").fetchall())
    if year is None:
        return rows_to_arrow(etype, [])
    return rows_to_arrow(etype, db.execute(sql + " WHERE _year=? ORDER BY id", (year,)).fetchall())
