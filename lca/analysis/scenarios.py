"""What-if scenarios: change a copy of the graph, re-solve, and report every number that moved.

The store and the solved result are never written to: changes go to a copy-on-write copy of
the snapshot (new dicts; changed entities re-validated copies). Re-solving reuses what it can:

* when no change touches the matrix ``M`` (green power, a factor value, a factor flow's quantity
  or supplier, transport distances), only the own-burden lines and ``b`` rows of the affected
  enterprises are recomputed, ``M`` and the allocations are kept, and the result's solver of
  ``I − Mᵀ`` is reused (its block structure and the loop factorisations it already holds);
* when ``M`` changes (a graph product's flow quantity or supplier), the system is rebuilt and
  solved from scratch (allocation and matrix assembly, loop check, solve).

Numbers are kgCO2e (per unit for intensities, per year for enterprises and parks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tanlian.errors import NotFound, TanlianError
from tanlian.graph.model import FACTOR_PREFIX, Factor, Graph, Product, TransportMode
from tanlian.lca.accounting.park import MEMBER_TOTALS, park_inventory
from tanlian.lca.accounting.scope import scope1_by_gas, scope2, scope3_lines
from tanlian.lca.analysis.geo import road_distance_km
from tanlian.lca.analysis.procurement import unit_of
from tanlian.lca.core.burden import activity_lines, flow_lines
from tanlian.lca.core.factors import FactorBook
from tanlian.lca.core.override import apply_overrides
from tanlian.lca.core.result import LcaResult, solve_graph
from tanlian.lca.core.sharing import class_average
from tanlian.lca.core.solve import SolveInfo
from tanlian.lca.core.system import add_burden, unit_weights
from tanlian.units import conversion_factor, is_mass

REL_CHANGED = 1e-9


class ScenarioError(TanlianError):
    """A scenario change cannot be applied to the graph (unknown id, unit mismatch, too much green power)."""


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SwitchSupplier(_Op):
    op: Literal["switch_supplier"]
    flow: str
    to: str  # product id, factor id or factor:<id>
    distance_km: float | None = Field(None, ge=0)
    mode: TransportMode | None = None


class SetQuantity(_Op):
    op: Literal["set_quantity"]
    flow: str
    quantity: float = Field(ge=0, allow_inf_nan=False)  # in the flow's unit


class AddGreenPower(_Op):
    op: Literal["add_green_power"]
    enterprise: str
    green_mwh: float = Field(gt=0, allow_inf_nan=False)


class ReplaceFactor(_Op):
    op: Literal["replace_factor"]
    factor: str
    kgco2e: float = Field(ge=0, allow_inf_nan=False)  # per unit of the factor, gas split dropped


Change = Annotated[SwitchSupplier | SetQuantity | AddGreenPower | ReplaceFactor, Field(discriminator="op")]


class Scenario(BaseModel):
    """A named list of changes (the JSON document of ``tanlian scenario``)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    changes: list[Change] = Field(min_length=1)


@dataclass
class Applied:
    graph: Graph
    touches_matrix: bool
    enterprises: set[str]  # enterprises whose own burden lines may have changed


def copy_graph(graph: Graph) -> Graph:
    """A copy whose dicts are new: replacing an entity never touches ``graph``."""
    return Graph(**{name: dict(getattr(graph, name)) for name in graph.__dataclass_fields__})


def _revalidated(entity, **changes):
    """A validated copy of ``entity`` with ``changes`` (bundle-format keys)."""
    try:
        return type(entity).model_validate({**entity.record(), **changes})
    except ValidationError as exc:
        raise ScenarioError(f"{entity.type_name} {entity.id!r}: {exc.errors()[0]['msg']}") from None


#: (product id, buyer enterprise id) → whether the reader may see the product's exact footprint.
Exact = Callable[[str, str], bool]
#: Prefix of the factor that stands in for a product whose exact footprint the reader may not see.
STAND_IN_PREFIX = "stand_in|"


def _has_mass(flow_unit: str | None, p: Product) -> bool:
    """Goods whose mass is known (a freight leg can be computed): a mass unit or ``mass_kg``."""
    return is_mass(flow_unit) or is_mass(p.unit) or p.mass_kg is not None


def stand_in(result: LcaResult, g: Graph, product_id: str) -> str:
    """``factor:<id>`` of a factor added to ``g`` that carries the class average of ``product_id``
    (or its energy carrier's factor); NotFound — as for a missing product — when there is none."""
    avg = class_average(result, product_id)
    if avg is None:
        raise NotFound("product or factor", product_id)  # as for an id that does not exist
    p = g.products[product_id]
    fid = STAND_IN_PREFIX + product_id
    g.factors[fid] = Factor.model_validate(
        {"id": fid, "name": avg.basis, "unit": p.unit, "kgco2e": avg.kgco2e_per_unit, "kind": "material"}
    )
    return FACTOR_PREFIX + fid


def apply_changes(result: LcaResult, scenario: Scenario, detour: float = 1.0, exact: Exact | None = None) -> Applied:
    """The changed copy of ``result.graph`` and what the changes touch. ``exact(product, buyer)``:
    whether the reader may see that product's exact footprint as bought by ``buyer``; a switch to
    one it may not see uses the product's class average instead (and no distance from its maker's
    location)."""
    g = copy_graph(result.graph)
    touches, ents = False, set()
    for ch in scenario.changes:
        if isinstance(ch, SwitchSupplier | SetQuantity):
            f = g.flows.get(ch.flow)
            if f is None:
                raise NotFound("flow", ch.flow)
            ents.add(f.to)
            touches |= f.source in g.products
        if isinstance(ch, SwitchSupplier):
            to = ch.to if ch.to in g.products or ch.to.startswith(FACTOR_PREFIX) else FACTOR_PREFIX + ch.to
            if to.startswith(STAND_IN_PREFIX, len(FACTOR_PREFIX)):
                raise NotFound("factor", to[len(FACTOR_PREFIX) :])
            if to in g.products and exact is not None and not exact(to, f.to):
                to = stand_in(result, g, to)
                unit = g.factors[to[len(FACTOR_PREFIX) :]].unit
            elif to.startswith(FACTOR_PREFIX):
                try:
                    unit = result.book.get(to[len(FACTOR_PREFIX) :]).unit
                except NotFound:
                    raise NotFound("product or factor", ch.to) from None
            else:
                unit = g.products[to].unit
                touches = True
            if f.unit:
                conversion_factor(f.unit, unit)  # UnitError when the goods are not comparable
            km, mode = ch.distance_km, ch.mode or ("road" if ch.distance_km is not None else None)
            massive = _has_mass(f.unit, g.products[to]) if to in g.products else is_mass(f.unit) or is_mass(unit)
            if km is None and g.maker(to) and massive:
                # a graph supplier of goods with a mass: road from its coordinates
                km = road_distance_km(g.enterprises.get(g.maker(to)), g.enterprises.get(f.to), detour)
                mode = mode or "road"
            elif km is None and g.maker(to):  # power, heat, steam: grid or pipe, no freight leg
                km, mode = None, None
            elif km is None:  # a market factor has no location: keep the current delivery
                km, mode = f.distance_km, f.mode
            if km and not massive:
                raise ScenarioError(
                    f"flow {f.id!r}: a delivery distance needs a mass (the flow's unit, or mass_kg of {ch.to})"
                )
            g.flows[f.id] = _revalidated(f, **{"from": to, "distance_km": km or None, "mode": mode if km else None})
        elif isinstance(ch, SetQuantity):
            unit = f.unit or unit_of(result, f.source)
            g.flows[f.id] = _revalidated(f, quantity=ch.quantity, unit=unit, spend_cny=None)
        elif isinstance(ch, AddGreenPower):
            _add_green(g, ch)
            ents.add(ch.enterprise)
        elif isinstance(ch, ReplaceFactor):
            base = result.book.get(ch.factor)
            g.factors[ch.factor] = _revalidated(base, kgco2e=ch.kgco2e, gases={})
            ents |= {ln.enterprise for ln in result.system.lines if ln.factor == ch.factor}
            if ch.factor.startswith("transport_"):
                ents |= {f.to for f in g.flows.values() if f.distance_km and f"transport_{f.mode}" == ch.factor}
    return Applied(g, touches, ents)


def _add_green(g: Graph, ch: AddGreenPower) -> None:
    """Spread ``green_mwh`` over the enterprise's grid electricity, up to its use (DECISIONS 5)."""
    if ch.enterprise not in g.enterprises:
        raise NotFound("enterprise", ch.enterprise)
    left = ch.green_mwh
    for a in sorted(
        (
            a
            for a in g.activities.values()
            if a.enterprise == ch.enterprise and a.type == "electricity" and a.item == "grid"
        ),
        key=lambda a: a.id,
    ):
        room = a.quantity * conversion_factor(a.unit, "MWh") - (a.green_mwh or 0.0)
        add = min(room, left)
        if add > 0:
            g.activities[a.id] = _revalidated(a, green_mwh=(a.green_mwh or 0.0) + add)
            left -= add
    if left > 1e-9 * ch.green_mwh:
        raise ScenarioError(
            f"enterprise {ch.enterprise!r}: {ch.green_mwh:g} MWh green power is more than "
            f"its grid electricity ({ch.green_mwh - left:g} MWh could be covered)"
        )


def resolve_b_only(result: LcaResult, graph: Graph, enterprises: set[str]) -> LcaResult:
    """Re-solve after changes that leave ``M`` alone: recompute the own-burden lines of
    ``enterprises`` and reuse ``result.solver``."""
    s, book = result.system, FactorBook.for_graph(graph, result.system.gwp_set)
    new_lines = []
    for a in graph.activities.values():
        if a.enterprise in enterprises:
            ent = graph.enterprises.get(a.enterprise)
            new_lines += activity_lines(a, ent.region if ent else None, book)
    for f in graph.flows.values():
        if f.to in enterprises:
            new_lines += flow_lines(f, graph, book)
    lines = [ln for ln in s.lines if ln.enterprise not in enterprises] + new_lines
    used = [ln for ln in new_lines if ln.scope2_method in (None, s.scope2)]
    gases = list(s.gases) + sorted({ln.gas for ln in used} - set(s.gases))
    g_index = {g: k for k, g in enumerate(gases)}
    extra = len(gases) - len(s.gases)
    gwp = np.concatenate([s.gwp, [book.gwp_of(g) for g in gases[len(s.gases) :]]])
    b_kg = np.pad(s.b_kg, ((0, 0), (0, extra)))
    b_direct = np.pad(s.b_direct_kg, ((0, 0), (0, extra)))
    changed_allocations = {e: s.allocations[e] for e in enterprises & set(s.allocations)}
    weights = unit_weights(changed_allocations, graph.products, s.index)
    rows = [j for ws in weights.values() for j, _ in ws]
    b_kg[rows] = 0.0
    b_direct[rows] = 0.0
    add_burden(used, weights, g_index, b_kg, b_direct)
    system = replace(s, gases=gases, gwp=gwp, b_kg=b_kg, b_direct_kg=b_direct, lines=lines, warnings=list(s.warnings))
    # supplier footprints fix their products' intensity again (their rows were just recomputed);
    # M already has their columns emptied, so the solver stays valid
    system = apply_overrides(system, result.overrides)
    Y, info = result.solver.solve(system.b)  # same M: the solver (and any LU it holds) stays valid
    info = SolveInfo(f"{info.method}-same-matrix", info.iterations, info.residual)
    return LcaResult(graph, system, Y, info, factorised=result.solver, overrides=result.overrides)


def resolve(result: LcaResult, applied: Applied) -> LcaResult:
    """The solved result of the changed graph, reusing the factorisation when ``M`` is unchanged."""
    if applied.touches_matrix:
        return solve_graph(applied.graph, result.system.gwp_set, result.system.scope2, result.overrides)
    return resolve_b_only(result, applied.graph, applied.enterprises)


# ---------------------------------------------------------------- before / after report


def triple(before: float, after: float) -> dict[str, float]:
    return {"before": before, "after": after, "delta": after - before}


def changed(before: float, after: float) -> bool:
    """True when two numbers differ by more than ``REL_CHANGED`` relative."""
    return after != before and abs(after - before) > REL_CHANGED * max(abs(before), abs(after))


def enterprise_totals(result: LcaResult, enterprise: str) -> dict[str, float]:
    """Scope 1, both Scope 2 figures and Scope 3 (all categories) in kgCO2e per year."""
    return {
        "scope1_kgco2e": sum(scope1_by_gas(result, enterprise).values()),
        "scope2_location_kgco2e": scope2(result, enterprise, "location"),
        "scope2_market_kgco2e": scope2(result, enterprise, "market"),
        "scope3_kgco2e": sum(ln.kgco2e for ln in scope3_lines(result, enterprise)),
    }


def _diff(before: dict[str, float], after: dict[str, float]) -> dict[str, dict]:
    return {k: triple(before[k], after[k]) for k in before if changed(before[k], after[k])}


def run_scenario(
    result: LcaResult,
    scenario: Scenario,
    *,
    parks: bool = True,
    detour: float = 1.0,
    exact: Exact | None = None,
) -> dict:
    """Apply ``scenario`` to a copy of the graph, re-solve and report what changed (``exact``: see
    :func:`apply_changes`)."""
    applied = apply_changes(result, scenario, detour, exact)
    after = resolve(result, applied)
    s0, s1 = result.system, after.system
    y0, y1 = result.intensity, after.intensity
    products = {
        p: triple(float(y0[i]), float(y1[s1.index[p]]))
        for i, p in enumerate(s0.products)
        if changed(float(y0[i]), float(y1[s1.index[p]]))
    }
    moved = set(products)
    ents = set(applied.enterprises)
    for g in (result.graph, applied.graph):
        ents |= {f.to for f in g.flows.values() if f.source in moved}
    enterprises = {}
    for e in sorted(ents & set(applied.graph.enterprises)):
        d = _diff(enterprise_totals(result, e), enterprise_totals(after, e))
        if d:
            enterprises[e] = d
    out = {
        "scenario": scenario.name,
        "solve": {
            "method": after.info.method,
            "matrix_changed": applied.touches_matrix,
            "residual": after.info.residual,
        },
        "products": products,
        "enterprises": enterprises,
    }
    if parks:
        out["parks"] = {}
        for p in sorted(applied.graph.parks):
            b, a = park_inventory(result, p), park_inventory(after, p)
            d = _diff({k: b[k] for k in MEMBER_TOTALS}, {k: a[k] for k in MEMBER_TOTALS})
            if d:
                out["parks"][p] = d
    out["warnings"] = [w for w in after.warnings if w not in result.warnings]
    return out
