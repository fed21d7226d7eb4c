"""Bundle import and export: validate a whole bundle, then write it to a store in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa

from tanlian.connectors.brightway import resolve_links
from tanlian.connectors.columns import check_headers, did_you_mean, numeric_extras
from tanlian.connectors.plausibility import check_bounds
from tanlian.connectors.table_ops import cells_at, gather, given, per_distinct
from tanlian.connectors.tables import read_tables, write_tables
from tanlian.connectors.validate import Checker
from tanlian.errors import RowError, ValidationFailed
from tanlian.graph.entity_build import arrow_to_entities
from tanlian.graph.model import BUNDLE_TYPES, Enterprise, Entity, Factor, Graph, Product, Sale
from tanlian.graph.row_tables import RowTable, parse_rows
from tanlian.graph.rows import columns_of, required_columns
from tanlian.graph.snapshot import TableSnapshot, empty_tables
from tanlian.graph.store import GraphStore, ImportSummary, Progress
from tanlian.graph.table_import import graph_tables as graph_arrow
from tanlian.lca.core.columnar import codes, col
from tanlian.seed_data.library import factor_library, gas_names, materials
from tanlian.units import is_mass

REQUIRED_FILES = (Enterprise.file, Product.file)


@dataclass
class Bundle:
    """A validated bundle: its rows as typed columns, the tables it holds and what the import
    summary lists.

    ``data``: every bundle type by type name (:class:`RowTable`: Arrow table in the store's
    layout, file lines); ``notes``: case-only differences accepted, values kept under
    ``--allow-extra`` or ``--allow-implausible``; ``warnings``: everything else worth a look."""

    data: dict[str, RowTable]
    warnings: list[str] = field(default_factory=list)
    tables: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)

    def arrow(self) -> dict[str, pa.Table]:
        """The tables to write (:meth:`GraphStore.import_tables`)."""
        return {name: rt.table for name, rt in self.data.items()}

    @cached_property
    def graph(self) -> Graph:
        """The same rows as pydantic entities (file order), for callers that edit a few of them."""
        g = Graph()
        for etype in BUNDLE_TYPES:
            g.table(etype).update((e.id, e) for e in arrow_to_entities(etype, self.data[etype.type_name].table))
        return g

    @property
    def year(self) -> int | None:
        """The accounting year (the parks' year; one bundle = one year)."""
        return parks_year(self.data["park"])


def parks_year(parks: RowTable) -> int | None:
    """The one year of a bundle's parks (None: no park, or parks of several years)."""
    years = set(parks.table.column("year").to_pylist())
    return years.pop() if len(years) == 1 else None


def _sorted(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda e: (e.file, e.row or 0, e.column or ""))


def load_bundle(
    path: str | Path,
    *,
    existing: TableSnapshot | Graph | Callable[[int | None], TableSnapshot] | None = None,
    year: int | None = None,
    brightway: dict | None = None,
    allow_extra: bool = False,
    allow_implausible: bool = False,
) -> Bundle:
    """Read and validate a bundle; raise :class:`ValidationFailed` listing every problem.

    ``existing`` is what the store already holds (a snapshot, or a graph, or a function giving the
    snapshot of a year — called with the bundle's year: its parks' year, else ``year``):
    references may point into it (upsert mode).
    ``brightway``: keyword arguments of :func:`resolve_links` (project, method, gwp, iterations)
    for bundles that link factors to a Brightway project. ``allow_extra``: unknown tables and
    columns are warnings (columns kept as extra properties), not errors; ``allow_implausible``:
    values beyond their plausibility bound are kept and listed (see :mod:`plausibility`).
    Table and header problems are reported first, alone: rows are not read under a wrong header.
    Rows become typed columns (:func:`parse_rows`), checked across tables as joins (:class:`Checker`).
    """
    headers = check_headers(read_tables(path), gas_names(), allow_extra=allow_extra)
    errors = headers.errors + [
        RowError(f"{name}.csv", None, None, None, "required file is missing")
        for name in REQUIRED_FILES
        if name not in headers.tables
    ]
    if errors:
        raise ValidationFailed(_sorted(errors))
    tables, bw_notes = resolve_links(headers.tables, **(brightway or {}))
    errors, bound_notes = check_bounds(tables, gas_names(), allow=allow_implausible)
    errors += numeric_extras(tables)
    present = frozenset(t.file for t in BUNDLE_TYPES if t.file in tables)
    data: dict[str, RowTable] = {}
    for etype in BUNDLE_TYPES:
        if etype.file in tables:
            # the string frame is dropped once parsed (the sales frame is read again below)
            frame = tables[etype.file] if etype is Sale else tables.pop(etype.file)
            data[etype.type_name], errs = parse_rows(etype, frame, f"{etype.file}.csv", gas_names())
            errors += errs
            del frame
        else:
            data[etype.type_name] = RowTable.empty(etype)
    if callable(existing):
        y = parks_year(data["park"])
        existing = existing(year if y is None else y)
    if existing is None:
        old = empty_tables()
    else:
        old = graph_arrow(existing) if isinstance(existing, Graph) else dict(existing.tables)
    checker = Checker(data, old, factor_library(), gas_names(), set(materials().index)).run()
    errors += checker.errors
    errors += sale_masses(tables.get(Sale.file), checker.products[0])
    if errors:
        raise ValidationFailed(_sorted(errors))
    return Bundle(data, bw_notes + checker.warnings, present, headers.notes + headers.warnings + bound_notes)


def sale_masses(sales: pd.DataFrame | None, products: pa.Table) -> list[RowError]:
    """A sale with a transport distance needs a mass: a product measured in mass, or its ``mass_kg``.

    Vectorised over the rows (``products``: every product the bundle sees, typed columns); one
    mass test per distinct unit. A sale without distance needs none.
    """
    if sales is None or "distance_km" not in sales.columns or "product" not in sales.columns:
        return []
    km = pd.to_numeric(sales["distance_km"].astype(str).str.strip(), errors="coerce")
    moving = (km > 0).to_numpy()
    if not moving.any():
        return []
    pid = sales["product"].astype(str).str.strip()
    pos = codes(pa.array(pid.to_numpy(object), pa.string()), col(products, "id"))
    unit = gather(products, "unit", pos)
    massless = (pos >= 0) & ~given(gather(products, "mass_kg", pos)) & ~per_distinct(is_mass, unit, dtype=bool)
    bad = (moving & massless).nonzero()[0]
    units = cells_at(unit, bad)
    return [
        RowError(
            "sales.csv",
            int(i) + 2,
            "distance_km",
            sales["distance_km"].iloc[i].strip(),
            f"transport needs a mass: product {pid.iloc[i]} is counted in {u} and has no mass_kg",
        )
        for i, u in zip(bad, units, strict=True)
    ]


def replace_guard(bundle: Bundle, held: Callable[[type[Entity]], int], replace_tables: Iterable[str] = ()) -> None:
    """``--replace`` deletes a table the bundle lacks only when ``replace_tables`` names it.

    ``held(etype)``: how many rows of that type the store holds. Raises :class:`ValidationFailed`.
    """
    named = {t.strip() for t in replace_tables if t.strip()}
    files = [t.file for t in BUNDLE_TYPES]
    errors = [
        RowError("--replace-tables", None, None, t, f"unknown table{did_you_mean(t, files)}")
        for t in sorted(named - set(files))
    ]
    for etype in BUNDLE_TYPES:
        if etype.file in bundle.tables or etype.file in named:
            continue
        n = held(etype)
        if n:
            errors.append(
                RowError(
                    f"{etype.file}.csv",
                    None,
                    None,
                    None,
                    f"the bundle has no {etype.file}.csv: --replace would delete the store's {n} {etype.file}; "
                    f"add the file, or pass --replace-tables {etype.file} (API: replace_tables={etype.file}) "
                    "to delete them",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def import_bundle(
    store: GraphStore,
    path: str | Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    brightway: dict | None = None,
    allow_extra: bool = False,
    allow_implausible: bool = False,
    replace_tables: Iterable[str] = (),
    year: int | None = None,
) -> tuple[ImportSummary, list[str]]:
    """Validate ``path`` and write it to ``store`` (all or nothing; identical data writes nothing).

    Returns the summary and the messages to show with it (notes first, then warnings).
    ``year``: the accounting year of a bundle without parks (default: the latest in the store)."""
    bundle = load_bundle(
        path,
        existing=None if replace else store.snapshot_tables,
        year=year,
        brightway=brightway,
        allow_extra=allow_extra,
        allow_implausible=allow_implausible,
    )
    if replace:
        held = store.snapshot_tables(bundle.year if bundle.year is not None else year)
        replace_guard(bundle, lambda etype: held.table(etype).num_rows, replace_tables)
    summary = store.import_tables(bundle.arrow(), replace=replace, progress=progress, year=year)
    return summary, bundle.notes + bundle.warnings


def graph_tables(graph: Graph) -> dict[str, pd.DataFrame]:
    """One DataFrame per non-empty table, columns in the bundle format's order, extras last."""
    tables, records = {}, graph.records()
    for etype in BUNDLE_TYPES:
        recs = records[etype.file]
        if not recs and etype.file not in REQUIRED_FILES:
            continue
        if etype is Factor:
            recs = [{**{k: v for k, v in r.items() if k != "gases"}, **r.get("gases", {})} for r in recs]
        cols = columns_of(etype)
        extra = sorted({k for r in recs for k in r} - set(cols))
        df = pd.DataFrame(recs, columns=cols + extra)
        empty = [c for c in df.columns if df[c].isna().all() and c not in required_columns(etype)]
        tables[etype.file] = df.drop(columns=empty)
    return tables


def export_bundle(graph: Graph, path: str | Path) -> Path:
    """Write ``graph`` as a bundle (CSV folder, or .xlsx) that re-imports to the same graph."""
    return write_tables(graph_tables(graph), path)


__all__ = ["Bundle", "ValidationFailed", "export_bundle", "import_bundle", "load_bundle", "replace_guard"]
