"""Park inventory for the accounting year without double counting (DECISIONS 15–17).

kgCO2e per year. Scope 1 = Σ members' Scope 1. Scope 2 = energy bought from outside the park.
Scope 3 upstream = emissions outside the boundary embodied in what members buy from outside:
intensities are solved again with every in-park product cut out of the system (its intensity
forced to 0), because what in-park products embody is already counted inside the boundary —
as members' Scope 1/2 or as their own boundary-crossing purchases. (DECISIONS 15 zeroes only the
in-park direct burdens; cutting the whole in-park intensity also keeps the upstream of in-park
products that leave the park and come back from being counted twice.) Downstream = members'
categories 9–12 for sales to customers outside the park.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tanlian.errors import NotFound
from tanlian.lca.accounting.scope import removals, scope1_by_gas, scope2, scope3_lines, upstream_lines
from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.solve import solve_intensities

DOWNSTREAM = (9, 10, 11, 12)
#: Totals summed over members, and the park-level totals shown in reports (kgCO2e per year).
MEMBER_TOTALS = (
    "scope1_kgco2e",
    "scope2_location_kgco2e",
    "scope2_market_kgco2e",
    "scope3_upstream_kgco2e",
    "scope3_downstream_kgco2e",
    "removals_kgco2e",
    "net_kgco2e",
)
PARK_TOTALS = (*MEMBER_TOTALS, "intra_park_excluded_kgco2e")


@dataclass(frozen=True)
class Boundary:
    park: str
    members: frozenset[str]

    def inside(self, enterprise: str | None) -> bool:
        return enterprise in self.members


def boundary(result: LcaResult, park: str) -> Boundary:
    if park not in result.graph.parks:
        raise NotFound("park", park)
    return Boundary(park, frozenset(e.id for e in result.graph.enterprises.values() if e.park == park))


def outside_intensity(result: LcaResult, b: Boundary) -> np.ndarray:
    """(n,) kgCO2e per unit with every in-park product's intensity forced to zero."""
    s = result.system
    keep = np.array([not b.inside(result.graph.products[p].enterprise) for p in s.products], dtype=bool)
    y = np.zeros(len(s.products))
    if keep.any():
        idx = np.flatnonzero(keep)
        sub = s.M[idx][:, idx]
        y[idx] = solve_intensities(sub, s.b.sum(axis=1)[idx])[0]
    return y


def member_boundary_scope3(result: LcaResult, b: Boundary, enterprise: str, y_out: np.ndarray) -> float:
    """What this member adds to park Scope 3 upstream: its purchases that cross the boundary."""
    total = 0.0
    for ln in upstream_lines(result, enterprise):
        if ln.method != "supplier-specific":
            total += ln.kgco2e  # background factors, transport, fuel/power upstream: all outside
        elif not b.inside(ln.supplier):
            j = result.idx(ln.counterpart)
            energy = result.graph.products[ln.counterpart].scope2_energy  # its direct part is Scope 2
            per_unit = y_out[j] - (result.direct[j] if energy else 0.0)
            total += ln.quantity * per_unit
    return total


def park_inventory(result: LcaResult, park: str, method: str | None = None) -> dict:
    """Park inventory JSON (``tanlian park``); ``method`` is the Scope 2 method in the net."""
    method = method or result.system.scope2
    b = boundary(result, park)
    g = result.graph
    y_out = outside_intensity(result, b)
    outside = lambda ent: not b.inside(ent)  # noqa: E731
    rows = []
    for e in sorted(b.members):
        s1 = sum(scope1_by_gas(result, e).values())
        s2 = {m: scope2(result, e, m, energy_from=outside) for m in ("location", "market")}
        up = member_boundary_scope3(result, b, e, y_out)
        down = sum(
            ln.kgco2e for ln in scope3_lines(result, e) if ln.category in DOWNSTREAM and not b.inside(ln.counterpart)
        )
        rem = removals(g, e)
        rows.append(
            {
                "enterprise": e,
                "name": g.enterprises[e].name,
                "scope1_kgco2e": s1,
                "scope2_location_kgco2e": s2["location"],
                "scope2_market_kgco2e": s2["market"],
                "scope3_upstream_kgco2e": up,
                "scope3_downstream_kgco2e": down,
                "removals_kgco2e": rem,
                "net_kgco2e": s1 + s2[method] + up + down - rem,
            }
        )
    total = {k: sum(r[k] for r in rows) for k in MEMBER_TOTALS}
    for r in rows:
        r["share"] = r["net_kgco2e"] / total["net_kgco2e"] if total["net_kgco2e"] else None
    intra = sum(q for q in _intra_park_embodied(result, b))
    return {
        "park": park,
        "name": g.parks[park].name,
        "year": g.parks[park].year,
        "gwp": result.system.gwp_set,
        "scope2_method": method,
        **total,
        "intra_park_excluded_kgco2e": intra,
        "by_enterprise": rows,
        "warnings": list(result.warnings),
    }


def _intra_park_embodied(result: LcaResult, b: Boundary):
    """quantity × full intensity of every flow between two members (what a naive sum would add);
    an own product consumed in-house is in no account, so not here either."""
    for f in result.graph.flows.values():
        p = result.graph.products.get(f.source)
        if p is not None and b.inside(p.enterprise) and b.inside(f.to) and p.enterprise != f.to:
            yield result.edge_quantity(f.id)[0] * float(result.intensity[result.idx(p.id)])
