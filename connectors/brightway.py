"""A Brightway 2.5 project as a factor source, resolved at import time.

A bundle names Brightway activities in two ways: ``factor:bw:<database>:<code>`` in ``flows.csv``
(factor id ``bw:<database>:<code>``), or a ``brightway_links.csv`` table (``factor, database,
code, method``) that backs a factor id of the bundle or the library with an activity. Each linked
activity is scored (cradle-to-gate LCIA score per unit of its reference product, kgCO2e with a
GWP100 method; all of them in one ``bw2calc.MultiLCA`` pass) and written into the bundle as a
plain ``Factor`` row before validation, so the LCA core never sees Brightway. Scores are cached
on disk in the project's folder, keyed by every database's modification stamps and the method.

``bw2data`` (the ``[brightway]`` extra) is imported only when a bundle needs it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tanlian.errors import RowError, TanlianError, UnitError, ValidationFailed
from tanlian.graph.model import FACTOR_PREFIX
from tanlian.seed_data.library import factor_library
from tanlian.settings import GwpSet, get_settings
from tanlian.units import convertible, parse_unit

BW_PREFIX = "bw:"
LINKS_TABLE = "brightway_links"
LINKS_FILE = f"{LINKS_TABLE}.csv"
#: Columns of brightway_links.csv: the first four are read; the rest are review columns that
#: ``tanlian brightway link`` writes and the import ignores.
LINK_COLUMNS = ("factor", "database", "code", "method")
REVIEW_COLUMNS = (
    "factor_name",
    "factor_unit",
    "factor_kgco2e",
    "activity",
    "reference_product",
    "location",
    "unit",
    "match",
    "kgco2e",
)
#: Brightway / ecoinvent unit names → pint strings of Tanlian's registry.
BW_UNITS = {
    "kilogram": "kg",
    "ton": "t",
    "tonne": "t",
    "gram": "g",
    "kilowatt hour": "kWh",
    "megawatt hour": "MWh",
    "megajoule": "MJ",
    "gigajoule": "GJ",
    "cubic meter": "m**3",
    "litre": "l",
    "liter": "l",
    "square meter": "m**2",
    "meter": "m",
    "kilometer": "km",
    "ton kilometer": "t*km",
    "tonne kilometer": "t*km",
    "person kilometer": "km",
    "unit": "piece",
    "hectare": "ha",
}
MC_SEED = 42
CACHE_KEYS = 8  # score sets kept per project (other methods or iteration counts); stale ones age out


def bw_quiet(fn: Callable) -> Callable:
    """Run ``fn`` with stdout sent to stderr: bw2data prints its log lines on stdout (``--json``)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with contextlib.redirect_stdout(sys.stderr):
            return fn(*args, **kwargs)

    return wrapper


class BrightwayUnavailable(TanlianError):
    """The ``[brightway]`` extra is not installed, or the project cannot be opened."""


@dataclass(frozen=True)
class Link:
    """A factor id backed by a Brightway activity; ``file``/``row``/``column`` say where it was named."""

    factor: str
    database: str
    code: str
    method: tuple[str, ...] | None
    file: str
    row: int
    column: str


@dataclass(frozen=True)
class Score:
    """kgCO2e per unit of an activity's reference product, and its geometric SD (Monte Carlo)."""

    kgco2e: float
    gsd: float | None = None


def parse_method(text: str | None) -> tuple[str, ...] | None:
    """``"IPCC 2021|climate change|GWP100"`` → a method tuple (None for an empty string)."""
    parts = tuple(p.strip() for p in (text or "").split("|") if p.strip())
    return parts or None


def method_text(method: tuple[str, ...]) -> str:
    return "|".join(method)


def bw_unit(unit: str) -> str:
    """A Brightway unit name as a Tanlian unit string; raises :class:`UnitError` when unknown."""
    u = BW_UNITS.get(str(unit).strip().lower(), str(unit).strip())
    parse_unit(u)
    return u


# -- links named by the bundle --------------------------------------------------------------
def collect_links(tables: dict[str, pd.DataFrame]) -> tuple[list[Link], list[RowError]]:
    """Every link a bundle names: rows of brightway_links.csv and ``factor:bw:`` flows."""
    links, errors = [], []
    df = tables.get(LINKS_TABLE)
    if df is not None:
        df = df.rename(columns=lambda c: str(c).strip())
        unknown = [c for c in df.columns if c not in (*LINK_COLUMNS, *REVIEW_COLUMNS)]
        errors += [RowError(LINKS_FILE, None, c, None, "unknown column") for c in unknown]
        errors += [
            RowError(LINKS_FILE, None, c, None, "missing required column")
            for c in LINK_COLUMNS[:3]
            if c not in df.columns
        ]
        if not errors:
            seen: dict[str, int] = {}
            for i, row in enumerate(df.to_dict(orient="records")):
                line, vals = i + 2, {k: str(v).strip() for k, v in row.items()}
                if not any(vals.values()):
                    continue
                missing = [c for c in LINK_COLUMNS[:3] if not vals.get(c)]
                errors += [RowError(LINKS_FILE, line, c, None, "required value is empty") for c in missing]
                if missing:
                    continue
                if vals["factor"] in seen:
                    why = f"factor linked twice, first on row {seen[vals['factor']]} (keep one candidate per factor)"
                    errors.append(RowError(LINKS_FILE, line, "factor", vals["factor"], why))
                    continue
                seen[vals["factor"]] = line
                method = parse_method(vals.get("method"))
                links.append(Link(vals["factor"], vals["database"], vals["code"], method, LINKS_FILE, line, "factor"))
    flows = tables.get("flows")
    if flows is not None and "from" in flows.columns:
        named = {link.factor for link in links}
        for i, src in enumerate(flows["from"].astype(str).str.strip()):
            if not src.startswith(FACTOR_PREFIX + BW_PREFIX) or src[len(FACTOR_PREFIX) :] in named:
                continue
            db, sep, code = src[len(FACTOR_PREFIX + BW_PREFIX) :].partition(":")
            if not (db and sep and code):
                errors.append(RowError("flows.csv", i + 2, "from", src, "write factor:bw:<database>:<code>"))
                continue
            named.add(src[len(FACTOR_PREFIX) :])
            links.append(Link(src[len(FACTOR_PREFIX) :], db, code, None, "flows.csv", i + 2, "from"))
    return links, errors


def resolve_links(
    tables: dict[str, pd.DataFrame],
    project: str | None = None,
    method: str | None = None,
    gwp: GwpSet | None = None,
    iterations: int = 0,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Tables with a ``Factor`` row for every Brightway link (none named: unchanged, no import).

    ``project`` / ``method`` default to TANLIAN_BRIGHTWAY_PROJECT / TANLIAN_BRIGHTWAY_METHOD;
    ``gwp`` picks the default IPCC GWP100 method (AR5 or AR6) when no method is named;
    ``iterations`` > 0 runs that many Monte Carlo draws of the background to derive a lognormal
    geometric SD. Raises :class:`ValidationFailed` naming file, row, column, value and reason.
    """
    links, errors = collect_links(tables)
    if errors:
        raise ValidationFailed(errors)
    if not links:
        return tables, []
    settings = get_settings()
    project = project or settings.brightway_project
    where = links[0]
    if not project:
        why = "a Brightway link needs a project: --brightway-project NAME or TANLIAN_BRIGHTWAY_PROJECT"
        raise ValidationFailed([RowError(where.file, where.row, where.column, where.factor, why)])
    bw = BrightwayProject(project)
    default = parse_method(method or settings.brightway_method) or bw.default_method(gwp or settings.gwp)
    factors = tables.get("factors")
    own = set(factors["id"].astype(str).str.strip()) if factors is not None and "id" in factors else set()
    nodes, errors = {}, []
    for link in links:
        if link.factor in own:
            why = "factor is both in factors.csv and linked to Brightway: keep one"
            errors.append(RowError(link.file, link.row, link.column, link.factor, why))
        err = bw.check(link, link.method or default)
        if err:
            errors.append(err)
        else:
            nodes[link] = bw.node(link)
    if errors:
        raise ValidationFailed(errors)
    scores, _ = bw.scores([(lk.database, lk.code, lk.method or default) for lk in links], iterations)
    rows = []
    for link in links:
        m = link.method or default
        rows.append(factor_row(link, nodes[link], scores[(link.database, link.code, m)], m, bw, errors))
    if errors:
        raise ValidationFailed(errors)
    out = dict(tables)
    new = pd.DataFrame(rows, dtype=str)
    out["factors"] = new if "factors" not in tables else pd.concat([tables["factors"], new], ignore_index=True)
    out["factors"] = out["factors"].fillna("")
    out.pop(LINKS_TABLE, None)
    return out, [f"{len(links)} factor(s) from Brightway project {project!r}, method {method_text(default)!r}"]


def factor_row(link: Link, node: Any, score: Score, method: tuple[str, ...], bw, errors: list[RowError]) -> dict:
    """The factors.csv row for a linked activity (appends to ``errors`` when it cannot be one)."""
    try:
        unit = bw_unit(node.get("unit", ""))
    except UnitError as exc:
        errors.append(RowError(link.file, link.row, link.column, link.factor, f"activity unit: {exc}"))
        return {}
    if not math.isfinite(score.kgco2e) or score.kgco2e < 0:
        why = f"activity {link.database}:{link.code} scores {score.kgco2e:g} kgCO2e per {unit} (must be >= 0)"
        errors.append(RowError(link.file, link.row, link.column, link.factor, why))
        return {}
    replaced = factor_library().get(link.factor)
    waste = bw.production_amount(node) < 0
    kind = replaced.kind if replaced else ("waste" if waste else "service" if convertible(unit, "t*km") else "material")
    row = {
        "id": link.factor,
        "name": f"{node.get('name')} ({node.get('location', 'GLO')})",
        "unit": unit,
        "kgco2e": repr(float(score.kgco2e)),
        "kind": kind or "",
        "class": (replaced.group if replaced else None) or "",
        "gwp": _gwp_of(method) or "",
        "region": str(node.get("location") or ""),
        "source": f"Brightway project {bw.name}, database {link.database} ({bw.version(link.database)}), "
        f"activity {link.code}, method {method_text(method)}",
    }
    if score.gsd and score.gsd > 1:
        row.update(uncertainty_type="lognormal", uncertainty=repr(float(score.gsd)))
    return row


def _gwp_of(method: tuple[str, ...]) -> str | None:
    text = " ".join(method).lower()
    if "ar6" in text or "2021" in text:
        return "AR6"
    if "ar5" in text or "2013" in text:
        return "AR5"
    return None


# -- the project ---------------------------------------------------------------------------
class BrightwayProject:
    """An existing Brightway project, opened through ``bw2data`` (imported here, lazily)."""

    @bw_quiet
    def __init__(self, name: str, *, create: bool = False):
        try:
            import bw2data as bd
        except ImportError as exc:
            raise BrightwayUnavailable("Brightway links need the extra: pip install 'tanlian[brightway]'") from exc
        if name not in bd.projects and not create:
            found = ", ".join(sorted(p.name for p in bd.projects)) or "none"
            raise BrightwayUnavailable(
                f"no Brightway project {name!r} in {bd.projects._base_data_dir} (projects: {found}; "
                "BRIGHTWAY2_DIR chooses the folder)"
            )
        from bw2data.errors import UnknownObject

        bd.projects.set_current(name, update=False)  # creates the project when it is missing
        self.bd, self.name, self.unknown = bd, name, UnknownObject

    def version(self, database: str) -> str:
        meta = self.bd.databases[database]
        return str(meta.get("version") or f"modified {meta.get('modified', '?')}")

    def default_method(self, gwp: GwpSet) -> tuple[str, ...]:
        """The project's IPCC GWP100 method, AR6 (IPCC 2021) or AR5 (IPCC 2013) as ``gwp`` says."""
        found = [m for m in self.bd.methods if _is_gwp100(m)]
        if not found:
            raise BrightwayUnavailable(
                f"project {self.name!r} has no IPCC GWP100 method: name one ('a|b|c', --brightway-method or --method)"
            )
        matching = [m for m in found if _gwp_of(m) == gwp] or found
        excluded = ("no lt", "biogenic", "fossil", "land use", "slcf", "luluc")
        return min(matching, key=lambda m: (any(x in " ".join(m).lower() for x in excluded), len(" ".join(m)), m))

    def check(self, link: Link, method: tuple[str, ...]) -> RowError | None:
        """Why a link cannot be scored (unknown database, activity or method), or None."""
        if link.database not in self.bd.databases:
            why = f"no database {link.database!r} in Brightway project {self.name!r}"
            col = "database" if link.file == LINKS_FILE else link.column
            return RowError(link.file, link.row, col, link.database, why)
        if self.node(link) is None:
            why = f"no activity with code {link.code!r} in database {link.database!r}"
            return RowError(link.file, link.row, "code" if link.file == LINKS_FILE else link.column, link.code, why)
        if tuple(method) not in self.bd.methods:
            why = f"no LCIA method {method_text(method)!r} in Brightway project {self.name!r}"
            col = "method" if link.file == LINKS_FILE and link.method else link.column
            return RowError(link.file, link.row, col, method_text(method), why)
        return None

    def node(self, link: Link):
        try:
            return self.bd.get_node(database=link.database, code=link.code)
        except self.unknown:
            return None

    def production_amount(self, node) -> float:
        """Amount of the reference product per run (1 when the activity has no production exchange)."""
        return float(sum(exc["amount"] for exc in node.production()) or 1.0)

    def cache_key(self, methods: set[tuple[str, ...]], iterations: int) -> str:
        """Stamps of every database of the project (modified, processed, size) and of the methods used."""
        dbs = {d: [m.get("modified"), m.get("processed"), m.get("number")] for d, m in self.bd.databases.items()}
        ms = {}
        for m in sorted(methods):
            path = Path(self.bd.Method(m).filepath_processed())
            ms[method_text(m)] = [self.bd.methods[m].get("num_cfs"), path.stat().st_mtime_ns if path.exists() else None]
        blob = json.dumps({"databases": dbs, "methods": ms, "iterations": iterations, "seed": MC_SEED}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    @property
    def cache_file(self) -> Path:
        return Path(self.bd.projects.dir) / "tanlian" / "scores.json"

    @bw_quiet
    def scores(
        self, keys: list[tuple[str, str, tuple[str, ...]]], iterations: int = 0
    ) -> tuple[dict[tuple, Score], int]:
        """Scores of (database, code, method) keys and how many were computed (the rest: disk cache)."""
        key = self.cache_key({tuple(k[2]) for k in keys}, iterations)
        stored = _read_json(self.cache_file)
        cache = stored.get(key, {})
        todo = sorted({k for k in keys if _ck(k) not in cache})
        if todo:
            cache.update(self._compute(todo, iterations))
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(".tmp")
            stored = {k: v for k, v in stored.items() if k != key}  # other methods' entries stay
            tmp.write_text(json.dumps({**dict(list(stored.items())[-CACHE_KEYS:]), key: cache}))
            os.replace(tmp, self.cache_file)
        return {k: Score(*cache[_ck(k)]) for k in keys}, len(todo)

    def _compute(self, keys: list[tuple[str, str, tuple[str, ...]]], iterations: int) -> dict[str, list]:
        """One MultiLCA over every activity and method (one factorisation); Monte Carlo when asked."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import bw2calc as bc

        nodes = {(db, code): self.bd.get_node(database=db, code=code) for db, code, _ in keys}
        # demand 1 unit of the reference product (-1 for a waste treatment: its production is negative)
        demands = {
            f"{db}|{code}": {n.id: math.copysign(1.0, self.production_amount(n))} for (db, code), n in nodes.items()
        }
        config = {"impact_categories": sorted({tuple(m) for *_, m in keys})}
        data = self.bd.get_multilca_data_objs(demands, config)
        try:
            lca = bc.MultiLCA(demands, config, data)
            lca.lci()
            lca.lcia()
        except Exception as exc:  # bw2calc raises many types (singular matrix, unknown ids, …)
            raise BrightwayUnavailable(f"bw2calc could not score the linked activities: {exc}") from exc
        out = {_ck(k): [float(lca.scores[(k[2], f"{k[0]}|{k[1]}")]), None] for k in keys}
        if iterations > 0:
            mc = bc.MultiLCA(demands, config, data, use_distributions=True, seed_override=MC_SEED)
            mc.lci()
            mc.lcia()
            draws = {k: [] for k in keys}
            for _ in range(iterations):
                next(mc)
                for k in keys:
                    draws[k].append(float(mc.scores[(k[2], f"{k[0]}|{k[1]}")]))
            for k, xs in draws.items():
                a = np.asarray(xs)
                if np.all(a > 0) and np.ptp(a) > 0:
                    out[_ck(k)][1] = float(np.exp(np.std(np.log(a), ddof=1)))
        return out


def _is_gwp100(method: tuple[str, ...]) -> bool:
    text = " ".join(method).lower()
    return "ipcc" in text and re.search(r"gwp\s*-?\s*100", text) is not None


def _ck(key: tuple[str, str, tuple[str, ...]]) -> str:
    return json.dumps([key[0], key[1], list(key[2])])


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
