"""An existing Brightway 2.5 project, opened through ``bw2data`` (the ``[brightway]`` extra, imported lazily).

Scores linked activities (cradle-to-gate LCIA score per unit of the reference product, one
``bw2calc.MultiLCA`` pass for all of them, optional Monte Carlo for a geometric SD) and caches
them on disk in the project's folder, keyed by every database's stamps and the methods used.
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

import numpy as np

from tanlian.errors import RowError, TanlianError
from tanlian.settings import GwpSet

LINKS_TABLE = "brightway_links"
LINKS_FILE = f"{LINKS_TABLE}.csv"

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


def gwp_of(method: tuple[str, ...]) -> str | None:
    text = " ".join(method).lower()
    if "ar6" in text or "2021" in text:
        return "AR6"
    if "ar5" in text or "2013" in text:
        return "AR5"
    return None


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
        matching = [m for m in found if gwp_of(m) == gwp] or found
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
