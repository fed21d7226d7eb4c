"""Cross-row checks of a bundle: references resolve, units convert, amounts are consistent.

Rows are already valid on their own (``parse.py``); these checks look across tables and
against what the store holds (upsert mode) and the default factor library.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import get_args

from tanlian.errors import AllocationError, RowError, UnitError
from tanlian.graph.model import Carrier, Entity, Factor, Graph, Product
from tanlian.lca.core.allocation import allocate
from tanlian.units import conversion_factor, convertible, is_mass

ENERGY_ACTIVITIES = ("fuel", "electricity", "heat", "steam")
CARRIERS = " | ".join(get_args(Carrier))


@dataclass
class Checker:
    """Runs every cross-table check over ``bundle`` and collects errors and warnings."""

    bundle: Graph
    existing: Graph
    library: dict[str, Factor]
    lines: dict[tuple[str, str], int]
    gases: dict[str, str]
    materials: set[str] | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # -- lookups --------------------------------------------------------------------------
    def _get(self, table: str, id: str):
        return getattr(self.bundle, table).get(id) or getattr(self.existing, table).get(id)

    def factor(self, id: str) -> Factor | None:
        return self.bundle.factors.get(id) or self.existing.factors.get(id) or self.library.get(id)

    def _err(self, e: Entity, column: str | None, value: object, reason: str) -> None:
        line = self.lines.get((e.type_name, e.id))
        self.errors.append(RowError(f"{e.file}.csv", line, column, None if value is None else str(value), reason))

    def _unit(self, e: Entity, column: str, unit: str, target: str, what: str) -> float | None:
        try:
            return conversion_factor(unit, target)
        except UnitError:
            self._err(e, column, unit, f"cannot convert {unit!r} to {target!r}, the unit of {what}")
            return None

    # -- checks ---------------------------------------------------------------------------
    def run(self) -> Checker:
        self.parks()
        self.products()
        self.allocation()
        self.activities()
        self.flows()
        self.sales()
        self.symbiosis()
        return self

    def parks(self) -> None:
        years = {p.year for p in [*self.bundle.parks.values(), *self.existing.parks.values()]}
        if len(years) > 1:
            for p in self.bundle.parks.values():
                self._err(p, "year", p.year, f"all parks of a bundle share one accounting year (found {sorted(years)})")
        for e in self.bundle.enterprises.values():
            if e.park and not self._get("parks", e.park):
                why = (
                    "unknown park (add it to parks.csv)"
                    if self.bundle.parks
                    else "parks.csv is required when an enterprise names a park"
                )
                self._err(e, "park", e.park, why)

    def products(self) -> None:
        for p in self.bundle.products.values():
            if not self._get("enterprises", p.enterprise):
                self._err(p, "enterprise", p.enterprise, "unknown enterprise")
            self._carrier(p)
            if p.kind == "waste" and p.price_cny:
                self.warnings.append(
                    f"products.csv: waste product {p.id} has a price; waste carries no burden (cut-off)"
                )

    def _carrier(self, p: Product) -> None:
        """``carrier`` is required for kind=energy and means nothing for other kinds."""
        if p.kind == "energy" and p.carrier is None:
            self._err(p, "carrier", None, f"required for kind=energy: {CARRIERS}")
        elif p.kind != "energy" and p.carrier is not None:
            self._err(p, "carrier", p.carrier, f"only energy products have a carrier (this one is kind={p.kind})")

    def allocation(self) -> None:
        """Every enterprise with several outputs has the data its allocation rule needs."""
        makers = {p.enterprise for p in self.bundle.products.values()} | set(self.bundle.enterprises)
        merged = {**self.existing.products, **self.bundle.products}  # the bundle's rows win
        by_maker: dict[str, list[Product]] = defaultdict(list)  # grouped once: linear, not a scan per maker
        for p in merged.values():
            by_maker[p.enterprise].append(p)
        for eid in sorted(makers):
            ent = self._get("enterprises", eid)
            if ent is None:
                continue
            products = by_maker.get(eid, [])
            try:
                allocate(ent, products)
            except AllocationError as exc:
                self._err(ent, "allocation", ent.allocation, str(exc))

    def activities(self) -> None:
        power: dict[str, float] = defaultdict(float)
        green: dict[str, list] = defaultdict(list)
        for a in self.bundle.activities.values():
            if not self._get("enterprises", a.enterprise):
                self._err(a, "enterprise", a.enterprise, "unknown enterprise")
            if a.type in ENERGY_ACTIVITIES and not (a.type == "electricity" and a.item == "grid"):
                f = self.factor(a.item)
                if f is None:
                    self._err(a, "item", a.item, "unknown factor")
                elif f.kind not in ("energy", None):
                    self._err(a, "item", a.item, f"{a.type} activities need an energy factor (this one is {f.kind})")
                else:
                    self._unit(a, "unit", a.unit, f.unit, f"factor {f.id}")
            elif a.type == "electricity":
                self._unit(a, "unit", a.unit, "kWh", "electricity")
            elif a.type == "process" and a.item not in self.gases.values():
                self._err(a, "item", a.item, f"unknown gas (known: {', '.join(sorted(self.gases.values()))})")
            if a.type in ("process", "removal") and not is_mass(a.unit):
                self._err(a, "unit", a.unit, f"{a.type} quantities are masses of gas (e.g. t, kg)")
            if a.type == "electricity":
                mwh = self._unit(a, "unit", a.unit, "MWh", "electricity")
                if mwh is not None:
                    power[a.enterprise] += a.quantity * mwh
                if a.green_mwh:
                    green[a.enterprise].append(a)
        for ent, acts in green.items():
            total_green = sum(a.green_mwh or 0 for a in acts)
            if total_green > power[ent] * (1 + 1e-9):
                self._err(
                    acts[-1],
                    "green_mwh",
                    total_green,
                    f"green_mwh above the enterprise's electricity use ({power[ent]:g} MWh)",
                )

    def flows(self) -> None:
        out_of: dict[str, float] = defaultdict(float)
        sources = {f.source for f in self.bundle.flows.values()}
        services = {s for s in sources if self._is_transport_service(s)}  # once per distinct source
        buys_transport = {f.to for f in self.bundle.flows.values() if f.source in services}
        enterprises = {**self.existing.enterprises, **self.bundle.enterprises}
        products = {**self.existing.products, **self.bundle.products}
        for f in self.bundle.flows.values():
            if f.to not in enterprises:
                self._err(f, "to", f.to, "unknown enterprise")
            if f.factor_id is not None:
                self._factor_flow(f)
                continue
            p: Product | None = products.get(f.source)
            if p is None:
                self._err(f, "from", f.source, "unknown product (use factor:<id> for goods bought outside the graph)")
                continue
            if f.quantity is not None and f.unit:
                k = self._unit(f, "unit", f.unit, p.unit, f"product {p.id}")
                if k is not None:
                    out_of[p.id] += f.quantity * k
            elif not p.price_cny:
                self._err(f, "spend_cny", f.spend_cny, f"spend-only flow of product {p.id}, which has no price_cny")
            else:
                out_of[p.id] += (f.spend_cny or 0) / p.price_cny
            if f.distance_km and not _carries_mass(f, p):
                self._err(
                    f,
                    "distance_km",
                    f.distance_km,
                    f"transport needs a mass: {f.unit or 'spend'} is not a mass and product {p.id} has no mass_kg",
                )
            if f.distance_km and f.to in buys_transport and f.source not in services:
                self.warnings.append(
                    f"flows.csv: flow {f.id} carries distance_km and {f.to} also buys transport as a service; "
                    "count the transport once (DECISIONS 18)"
                )
        stored = self._stored_outflows(set(out_of) | set(self.bundle.products))
        for pid in sorted(set(out_of) | set(stored)):
            p = self._get("products", pid)
            qty = out_of.get(pid, 0.0) + stored.get(pid, 0.0)
            if p is not None and qty > p.output * (1 + 1e-9):
                kept = f" ({stored[pid]:g} of them in stored flows)" if stored.get(pid) else ""
                self._err(
                    p, "output", p.output, f"flows out of {pid} sum to {qty:g} {p.unit}{kept}, more than its output"
                )

    def _stored_outflows(self, products: set[str]) -> dict[str, float]:
        """Quantity (in each product's unit) of the stored flows out of ``products`` that the bundle
        keeps (flows of the same id in the bundle replace them)."""
        out: dict[str, float] = defaultdict(float)
        for f in self.existing.flows.values():
            if f.id in self.bundle.flows or f.source not in products:
                continue
            p = self._get("products", f.source)
            if p is None:
                continue
            if f.quantity is not None and f.unit and convertible(f.unit, p.unit):
                out[p.id] += f.quantity * conversion_factor(f.unit, p.unit)
            elif f.quantity is None and p.price_cny:
                out[p.id] += (f.spend_cny or 0) / p.price_cny
        return out

    def _is_transport_service(self, source: str) -> bool:
        p = self._get("products", source)
        return p is not None and convertible(p.unit, "t*km")

    def _factor_flow(self, f) -> None:
        fac = self.factor(f.factor_id)
        if fac is None:
            self._err(f, "from", f.source, "unknown factor (not in the bundle, the store or the library)")
            return
        if fac.kind == "energy":
            self._err(
                f, "from", f.source, "flows may not reference energy factors: buying fuel or power is an activity"
            )
        if f.quantity is not None and f.unit:
            self._unit(f, "unit", f.unit, fac.unit, f"factor {fac.id}")
        if f.distance_km and not (f.unit and is_mass(f.unit)):
            self._err(f, "distance_km", f.distance_km, "transport needs a mass: give the quantity in a mass unit")
        if f.quantity is None and fac.unit != "CNY" and not convertible(fac.unit, "CNY"):
            self._err(
                f, "spend_cny", f.spend_cny, f"spend-only flow needs a per-CNY factor ({fac.id} is per {fac.unit})"
            )

    def sales(self) -> None:
        for s in self.bundle.sales.values():
            p = self._get("products", s.product)
            if p is None:
                self._err(s, "product", s.product, "unknown product")
            else:
                self._unit(s, "unit", s.unit, p.unit, f"product {p.id}")
            if s.eol:
                f = self.factor(s.eol)
                if f is None:
                    self._err(s, "eol", s.eol, "unknown factor")
                elif p is not None and not _eol_convertible(p, f):
                    self._err(
                        s,
                        "eol",
                        s.eol,
                        f"factor {f.id} is per {f.unit}; product {p.id} needs a unit or mass_kg to match",
                    )

    def symbiosis(self) -> None:
        for r in [*self.bundle.residuals.values(), *self.bundle.needs.values()]:
            if not self._get("enterprises", r.enterprise):
                self._err(r, "enterprise", r.enterprise, "unknown enterprise")
            if self.materials is not None and r.material not in self.materials:
                self._err(r, "material", r.material, "unknown material (see seed_data/materials.csv)")
            ref_col = "current_treatment" if r.type_name == "residual" else "virgin"
            ref = getattr(r, ref_col)
            if ref and self.factor(ref) is None:
                self._err(r, ref_col, ref, "unknown factor")


def _carries_mass(f, p: Product) -> bool:
    """The flow's mass is known: a mass unit, a product measured in mass, or the product's mass_kg."""
    return bool((f.unit and is_mass(f.unit)) or is_mass(p.unit) or p.mass_kg is not None)


def _eol_convertible(p: Product, f: Factor) -> bool:
    try:
        conversion_factor(p.unit, f.unit)
        return True
    except UnitError:
        return p.mass_kg is not None and is_mass(f.unit)
