"""Bundle import and export: validate a whole bundle, then write it to a store in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tanlian.connectors.brightway import LINKS_TABLE, resolve_links
from tanlian.connectors.tables import read_tables, write_tables
from tanlian.connectors.validate import Checker
from tanlian.errors import RowError, ValidationFailed
from tanlian.graph.model import BUNDLE_TYPES, Enterprise, Factor, Graph, Product
from tanlian.graph.rows import columns_of, parse_table, required_columns
from tanlian.graph.store import GraphStore, ImportSummary, Progress
from tanlian.seed_data.library import factor_library, gas_names, materials

REQUIRED_FILES = (Enterprise.file, Product.file)
#: Tables that are not entities: resolved into entities before validation (brightway_links → factors).
RESOLVED_TABLES = (LINKS_TABLE,)


@dataclass
class Bundle:
    """A validated bundle: its graph and the warnings found while reading it."""

    graph: Graph
    warnings: list[str] = field(default_factory=list)


def load_bundle(path: str | Path, *, existing: Graph | None = None, brightway: dict | None = None) -> Bundle:
    """Read and validate a bundle; raise :class:`ValidationFailed` listing every problem.

    ``existing`` is what the store already holds: references may point into it (upsert mode).
    ``brightway``: keyword arguments of :func:`resolve_links` (project, method, gwp, iterations)
    for bundles that link factors to a Brightway project.
    """
    tables, bw_notes = resolve_links(read_tables(path), **(brightway or {}))
    known = {t.file for t in BUNDLE_TYPES} | set(RESOLVED_TABLES)
    warnings = bw_notes + [f"{name}: unknown table, ignored" for name in sorted(set(tables) - known)]
    errors: list[RowError] = [
        RowError(f"{name}.csv", None, None, None, "required file is missing")
        for name in REQUIRED_FILES
        if name not in tables
    ]
    graph, lines = Graph(), {}
    for etype in BUNDLE_TYPES:
        if etype.file not in tables:
            continue
        rows, errs = parse_table(etype, tables[etype.file], f"{etype.file}.csv", gas_names())
        errors += errs
        for line, ent in rows:
            graph.table(etype)[ent.id] = ent
            lines[(etype.type_name, ent.id)] = line
    checker = Checker(graph, existing or Graph(), factor_library(), lines, gas_names(), set(materials().index)).run()
    errors += checker.errors
    if errors:
        raise ValidationFailed(sorted(errors, key=lambda e: (e.file, e.row or 0, e.column or "")))
    return Bundle(graph, warnings + checker.warnings)


def import_bundle(
    store: GraphStore,
    path: str | Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    brightway: dict | None = None,
) -> tuple[ImportSummary, list[str]]:
    """Validate ``path`` and write it to ``store`` (all or nothing; identical data writes nothing)."""
    bundle = load_bundle(path, existing=None if replace else store.snapshot(), brightway=brightway)
    return store.import_graph(bundle.graph, replace=replace, progress=progress), bundle.warnings


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


__all__ = ["Bundle", "ValidationFailed", "export_bundle", "import_bundle", "load_bundle"]
