"""Propose Brightway activities for the factors a graph buys, as a brightway_links.csv to review.

For every factor referenced by a ``factor:`` flow (not spend-based, not energy), the candidates
are the activities of the project (databases written by Tanlian's own export excluded) whose
unit converts to the factor's (waste treatments, with a negative production, only for ``waste``
factors). They are ranked by ``match`` = 0.8 × name similarity (difflib
ratio of the factor's name to the activity's name and reference product) + 0.2 × location
(1 for the factor's region, 0.5 for ``RoW`` / ``GLO``, else 0). Chosen candidates are scored in
one pass (``kgco2e`` per unit of the activity's reference product) next to the factor's own
value, so a reviewer sees how much each link would change.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

import pandas as pd

from tanlian.connectors.brightway import BW_PREFIX, LINK_COLUMNS, REVIEW_COLUMNS, bw_unit
from tanlian.connectors.brightway_project import BrightwayProject, bw_quiet, method_text, parse_method
from tanlian.errors import UnitError
from tanlian.graph.model import Factor, Graph
from tanlian.lca.core.factors import FactorBook
from tanlian.settings import GwpSet
from tanlian.units import convertible

SKIPPED_KINDS = ("energy", "spend")


def linkable_factors(graph: Graph) -> list[Factor]:
    """Factors bought through ``factor:`` flows that an activity could stand for."""
    book = FactorBook.for_graph(graph)
    ids = {f.factor_id for f in graph.flows.values() if f.factor_id and not f.factor_id.startswith(BW_PREFIX)}
    return [book.get(i) for i in sorted(ids) if book.get(i).kind not in SKIPPED_KINDS]


def _location_score(location: str, region: str | None) -> float:
    want = (region or "CN").split("-")[0]  # CN-East → CN
    if location and location.split("-")[0] == want:
        return 1.0
    return 0.5 if location in ("RoW", "GLO") else 0.0


def candidates_for(f: Factor, pool: list[dict], n: int, is_treatment: Callable[[dict], bool]) -> list[dict]:
    """The ``n`` best activities of ``pool`` for factor ``f``: unit-compatible, and waste treatments
    (negative production) only for ``waste`` factors."""
    text = (f.name or f.id.replace("_", " ")).lower()
    ranked = []
    for node in pool:
        try:
            unit = bw_unit(node["unit"])
        except UnitError:
            continue
        if not convertible(f.unit, unit):
            continue
        label = f"{node['name']} {node['reference product']}".lower()
        sim = SequenceMatcher(None, text, label).ratio()
        match = 0.8 * sim + 0.2 * _location_score(node["location"], f.region)
        ranked.append((round(match, 4), node["database"], node["code"], {**node, "unit": unit}))
    ranked.sort(key=lambda t: (-t[0], t[1], t[2]))
    chosen = []
    for match, _, _, node in ranked:  # the production sign needs a query: only for the best ones
        if is_treatment(node) == (f.kind == "waste"):
            chosen.append({**node, "match": match})
            if len(chosen) == n:
                break
    return chosen


@bw_quiet
def propose_links(
    graph: Graph,
    project: str,
    method: str | None = None,
    gwp: GwpSet = "AR6",
    databases: list[str] | None = None,
    candidates: int = 1,
) -> tuple[pd.DataFrame, list[str]]:
    """A brightway_links table (one row per factor and candidate) and warnings for factors without one."""
    bw = BrightwayProject(project)
    m = parse_method(method) or bw.default_method(gwp)
    names = databases or [d for d in bw.bd.databases if not bw.bd.databases[d].get("tanlian")]
    pool = [
        {
            "database": d,
            "code": node["code"],
            "name": node.get("name") or "",
            "reference product": node.get("reference product") or node.get("name") or "",
            "location": node.get("location") or "",
            "unit": node.get("unit") or "",
        }
        for d in names
        for node in bw.bd.Database(d)
        if node.get("type", "process") in bw.bd.labels.process_node_types
    ]
    signs: dict[tuple[str, str], bool] = {}

    def treatment(node: dict) -> bool:
        key = (node["database"], node["code"])
        if key not in signs:
            signs[key] = bw.production_amount(bw.bd.get_node(database=key[0], code=key[1])) < 0
        return signs[key]

    rows, warnings = [], []
    for f in linkable_factors(graph):
        found = candidates_for(f, pool, candidates, treatment)
        if not found:
            warnings.append(f"factor {f.id}: no activity with a unit convertible to {f.unit}")
        for c in found:
            rows.append(
                {
                    "factor": f.id,
                    "database": c["database"],
                    "code": c["code"],
                    "method": method_text(m),
                    "factor_name": f.name or "",
                    "factor_unit": f.unit,
                    "factor_kgco2e": f.kgco2e,
                    "activity": c["name"],
                    "reference_product": c["reference product"],
                    "location": c["location"],
                    "unit": c["unit"],
                    "match": c["match"],
                }
            )
    if rows:
        scores, _ = bw.scores([(r["database"], r["code"], m) for r in rows])
        for r in rows:
            r["kgco2e"] = scores[(r["database"], r["code"], m)].kgco2e
    return pd.DataFrame(rows, columns=[*LINK_COLUMNS, *REVIEW_COLUMNS]), warnings
