"""The graph's product system written as a Brightway database (for Brightway / Activity Browser).

Built from :func:`tanlian.lca.core.system.build_system`, so the numbers are the ones Tanlian
solves: one activity per product (production 1 of its declared unit), technosphere inputs
``M[i, j]`` (units of product i per unit of j, **allocation applied**: the maker's inputs times
the product's share / output), the maker's direct emissions (Scope 1: fuel combustion, process
gases) as biosphere exchanges in kg per unit, and every factor the maker uses (grid power,
heat, steam, purchases from ``factor:`` flows, transport per t·km, Category 3 upstream of fuels
and power) as an activity of its own that carries the factor's kg of each gas per unit of the
factor, with its uncertainty. Biosphere flows (one per gas, kg) go in ``<database>_biosphere``;
LCIA methods ``("Tanlian <database>", "GWP100", "AR5" | "AR6")`` characterise them with
``seed_data/gwp.csv``. Scores with either method equal Tanlian's intensities for that GWP set.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from tanlian import __version__
from tanlian.connectors.brightway import BW_UNITS
from tanlian.connectors.brightway_project import BrightwayProject, BrightwayUnavailable, bw_quiet
from tanlian.graph.model import Graph
from tanlian.lca.core.factors import UNSPECIFIED, FactorBook
from tanlian.lca.core.system import build_system, outputs_by_enterprise
from tanlian.seed_data.library import gwp_table
from tanlian.settings import GwpSet, Scope2Method

UPSTREAM = "upstream"  # role of a factor activity carrying only its upstream_kgco2e (Category 3)
_BW_NAMES = {v: k for k, v in reversed(BW_UNITS.items())}


@dataclass(frozen=True)
class ExportSummary:
    """What was written to the Brightway project."""

    project: str
    database: str
    biosphere: str
    methods: list[tuple[str, ...]]
    products: int
    factor_activities: int
    scope2: str


def _bw_unit_name(unit: str) -> str:
    return _BW_NAMES.get(unit, unit)


def _uncertainty(amount: float, kind: str | None, value: float | None) -> dict:
    """stats_arrays fields of an exchange: lognormal (type 2) from a GSD, normal (type 3) from a relative SD."""
    if not kind or not value or amount <= 0:
        return {}
    if kind == "lognormal":
        return {"uncertainty type": 2, "loc": math.log(amount), "scale": math.log(value)}
    return {"uncertainty type": 3, "loc": amount, "scale": value * amount}


def park_database(graph: Graph, database: str, scope2: Scope2Method = "market") -> tuple[dict, dict, list]:
    """(technosphere data, biosphere data, gases) of the graph as bw2data ``Database.write`` dicts."""
    system = build_system(graph, "AR6", scope2)  # kg of each gas do not depend on the GWP set
    book = FactorBook.for_graph(graph)
    bio = f"{database}_biosphere"
    gases = sorted({*system.gases, *gwp_table().index})
    biosphere = {(bio, g): {"name": g, "unit": "kilogram", "type": "emission", "categories": ("air",)} for g in gases}
    outputs = outputs_by_enterprise(graph)
    weights = {}  # enterprise -> [(product id, share / output)]
    for e, alloc in system.allocations.items():
        weights[e] = [(p.id, alloc.shares[p.id] / p.output) for p in outputs[e] if alloc.shares[p.id]]
    exchanges: dict[str, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
    counted, factor_roles = set(), set()
    for ln in system.lines:
        if ln.scope2_method not in (None, scope2):
            continue
        for pid, w in weights.get(ln.enterprise, []):
            if ln.factor is None or ln.scope == 1:  # direct emission (process gas, fuel burnt on site)
                exchanges[pid][("biosphere", (bio, ln.gas))] += ln.kg * w
                continue
            role = UPSTREAM if ln.category == 3 else "factor"
            factor_roles.add((ln.factor, role))
            if (ln.source, ln.factor, role, pid) not in counted:  # one exchange per line group, not per gas
                counted.add((ln.source, ln.factor, role, pid))
                exchanges[pid][("technosphere", (database, _factor_code(ln.factor, role)))] += ln.quantity * w
    M = system.M.tocoo()
    for i, j, v in zip(M.row, M.col, M.data, strict=True):
        exchanges[system.products[j]][("technosphere", (database, system.products[i]))] += float(v)
    data = {}
    for pid in system.products:
        p, ent = graph.products[pid], graph.enterprises.get(graph.products[pid].enterprise)
        alloc = system.allocations.get(p.enterprise)
        share = alloc.shares.get(pid, 0.0) if alloc else 0.0
        data[(database, pid)] = {
            "name": p.name or pid,
            "reference product": p.name or pid,
            "unit": _bw_unit_name(p.unit),
            "location": (ent.region if ent else None) or "GLO",
            "type": "processwithreferenceproduct",
            "enterprise": p.enterprise,
            "park": (ent.park if ent else None) or "",
            "comment": f"Tanlian {__version__}: {p.enterprise}'s inputs and emissions, allocation "
            f"{alloc.rule if alloc else 'none'} (share {share:.6g}), per 1 {p.unit}; Scope 2 {scope2}-based",
            "exchanges": [{"input": (database, pid), "amount": 1.0, "type": "production"}]
            + [{"input": key, "amount": amt, "type": t} for (t, key), amt in sorted(exchanges[pid].items()) if amt],
        }
    for fid, role in sorted(factor_roles):
        f = book.get(fid)
        split = {UNSPECIFIED: f.upstream_kgco2e or 0.0} if role == UPSTREAM else book.gas_split(f)
        code, unc = _factor_code(fid, role), f.uncertainty
        data[(database, code)] = {
            "name": f"{f.name or fid}{' (upstream)' if role == UPSTREAM else ''}",
            "reference product": f.name or fid,
            "unit": _bw_unit_name(f.unit),
            "location": f.region or "GLO",
            "type": "processwithreferenceproduct",
            "comment": f"Tanlian factor {fid}: {f.source or 'no source given'}",
            "exchanges": [{"input": (database, code), "amount": 1.0, "type": "production"}]
            + [
                {"input": (bio, g), "amount": kg, "type": "biosphere", **_uncertainty(kg, f.uncertainty_type, unc)}
                for g, kg in sorted(split.items())
                if kg
            ],
        }
    return data, biosphere, gases


def _factor_code(fid: str, role: str) -> str:
    return f"factor:{fid}" + (f"|{UPSTREAM}" if role == UPSTREAM else "")


@bw_quiet
def export_to_brightway(graph: Graph, project: str, database: str, scope2: Scope2Method = "market") -> ExportSummary:
    """Write the graph's product system into ``project`` (created when missing) as ``database``.

    A database of that name not written by Tanlian is never overwritten (error instead).
    """
    data, biosphere, gases = park_database(graph, database, scope2)
    bw = BrightwayProject(project, create=True)
    bd, bio = bw.bd, f"{database}_biosphere"
    for name in (database, bio):
        if name in bd.databases and not bd.databases[name].get("tanlian"):
            why = f"database {name!r} in project {project!r} was not written by Tanlian: not replaced"
            raise BrightwayUnavailable(why)
    for name, content in ((bio, biosphere), (database, data)):
        db = bd.Database(name)
        db.register(tanlian=__version__, scope2=scope2)
        db.write(content)
    table = gwp_table()
    methods = []
    gwp_sets: tuple[GwpSet, ...] = ("AR5", "AR6")
    for gwp in gwp_sets:
        method = bd.Method((f"Tanlian {database}", "GWP100", gwp))
        about = f"GWP100 {gwp} from Tanlian seed_data/gwp.csv"
        method.register(unit="kg CO2-Eq", description=about, tanlian=__version__)
        cfs = [((bio, g), 1.0 if g == UNSPECIFIED else float(table.at[g, gwp])) for g in gases]
        method.write(cfs)
        methods.append(method.name)
    n_factor = sum(1 for _, code in data if str(code).startswith("factor:"))
    return ExportSummary(project, database, bio, methods, len(data) - n_factor, n_factor, scope2)
