"""Cross-row checks of a bundle: references resolve, units convert, amounts are consistent.

Rows are already valid on their own (:mod:`tanlian.graph.row_tables`); these checks look across
tables and against what the store holds (upsert mode) and the default factor library. They run
over the typed columns as joins and group-bys (:mod:`table_ops`): a unit pair is converted once,
a factor looked up once per distinct id, and a Python loop only runs over the rows in error (and
over the few enterprises with several outputs, whose allocation is checked with the real rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, get_args

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.connectors.flow_checks import check_flows
from tanlian.connectors.table_ops import (
    cells_at,
    conversions,
    equals,
    factor_or_nan,
    gather,
    given,
    ids_of,
    isin,
    merged,
    nums,
    per_distinct,
    truthy,
)
from tanlian.errors import AllocationError, RowError
from tanlian.graph.entity_build import arrow_to_entities
from tanlian.graph.model import ENTITY_TYPES, Carrier, Enterprise, Factor, Product
from tanlian.graph.row_tables import RowTable
from tanlian.lca.core.allocation import allocate
from tanlian.lca.core.columnar import codes, col
from tanlian.units import is_mass

ENERGY_ACTIVITIES = ("fuel", "electricity", "heat", "steam")
CARRIERS = " | ".join(get_args(Carrier))


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


@dataclass
class Checker:
    """Runs every cross-table check over the bundle's tables and collects errors and warnings.

    ``new``: the bundle's rows by type name; ``old``: the store's tables of the bundle's year
    (empty in replace mode); ``library``: the default factors."""

    new: Mapping[str, RowTable]
    old: Mapping[str, pa.Table]
    library: dict[str, Factor]
    gases: dict[str, str]
    materials: set[str] | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # -- lookups --------------------------------------------------------------------------
    def t(self, type_name: str) -> pa.Table:
        return self.new[type_name].table

    @cached_property
    def factors(self) -> dict[str, Factor]:
        """Factors by id: the bundle's, then the store's, then the library's."""
        out = dict(self.library)
        for table in (self.old["factor"], self.t("factor")):
            out.update((f.id, f) for f in arrow_to_entities(Factor, table))
        return out

    @cached_property
    def enterprise_ids(self) -> pa.Array:
        return ids_of(self.t("enterprise"), self.old["enterprise"])

    @cached_property
    def products(self) -> tuple[pa.Table, np.ndarray]:
        """Every product the bundle sees (the bundle's rows win) and its row in the bundle (-1: stored)."""
        return merged(self.t("product"), self.old["product"])

    def err(self, type_name: str, rows: np.ndarray, column: str | None, values: Sequence[Any], reasons: Any) -> None:
        """An error per row of the bundle's ``type_name`` table (``rows``: positions; -1: a stored row)."""
        lines = self.new[type_name].lines
        file = f"{ENTITY_TYPES[type_name].file}.csv"
        for k, i in enumerate(np.asarray(rows, np.int64).tolist()):
            v = _py(values[k])
            why = reasons if isinstance(reasons, str) else reasons[k]
            self.errors.append(
                RowError(file, int(lines[i]) if i >= 0 else None, column, None if v is None else str(v), why)
            )

    def unknown(self, type_name: str, column: str, known: pa.Array, reason: str) -> None:
        a = col(self.t(type_name), column)
        bad = np.flatnonzero(given(a) & ~isin(a, known))
        self.err(type_name, bad, column, cells_at(a, bad), reason)

    def unit_errors(
        self, type_name: str, rows: np.ndarray, units: np.ndarray, targets: Sequence[str], whats: Sequence[str]
    ) -> None:
        reasons = [
            f"cannot convert {u!r} to {t!r}, the unit of {w}" for u, t, w in zip(units, targets, whats, strict=True)
        ]
        self.err(type_name, rows, "unit", units, reasons)

    # -- checks ---------------------------------------------------------------------------
    def run(self) -> Checker:
        self.parks()
        self.products_()
        self.allocation()
        self.activities()
        self.flows()
        self.sales()
        self.symbiosis()
        return self

    def parks(self) -> None:
        new, old = self.t("park"), self.old["park"]
        years = set(col(new, "year").to_pylist()) | set(col(old, "year").to_pylist())
        if len(years) > 1:
            rows = np.arange(new.num_rows)
            self.err(
                "park",
                rows,
                "year",
                col(new, "year").to_pylist(),
                f"all parks of a bundle share one accounting year (found {sorted(years)})",
            )
        why = (
            "unknown park (add it to parks.csv)"
            if new.num_rows
            else "parks.csv is required when an enterprise names a park"
        )
        self.unknown("enterprise", "park", ids_of(new, old), why)

    def products_(self) -> None:
        t = self.t("product")
        self.unknown("product", "enterprise", self.enterprise_ids, "unknown enterprise")
        kind, carrier = col(t, "kind"), col(t, "carrier")
        energy = pc.equal(kind, "energy").to_numpy(zero_copy_only=False)
        has = given(carrier)
        rows = np.flatnonzero(energy & ~has)
        self.err("product", rows, "carrier", [None] * len(rows), f"required for kind=energy: {CARRIERS}")
        rows = np.flatnonzero(~energy & has)
        kinds = cells_at(kind, rows)
        self.err(
            "product",
            rows,
            "carrier",
            cells_at(carrier, rows),
            [f"only energy products have a carrier (this one is kind={k})" for k in kinds],
        )
        waste = pc.equal(kind, "waste").to_numpy(zero_copy_only=False) & truthy(col(t, "price_cny"))
        for pid in cells_at(col(t, "id"), np.flatnonzero(waste)):
            self.warnings.append(f"products.csv: waste product {pid} has a price; waste carries no burden (cut-off)")

    def allocation(self) -> None:
        """Every enterprise with several outputs has the data its allocation rule needs (only those
        can fail: one non-waste output takes the whole burden)."""
        products, _ = self.products
        makers = pc.unique(pa.concat_arrays([col(self.t("product"), "enterprise"), col(self.t("enterprise"), "id")]))
        maker = col(products, "enterprise")
        useful = pc.not_equal(col(products, "kind"), "waste")
        counts = pc.value_counts(maker.filter(useful))
        several = counts.field("values").filter(pc.greater_equal(counts.field("counts"), 2))
        candidates = several.filter(pc.is_in(several, value_set=makers))
        if not len(candidates):
            return
        ents, at = merged(self.t("enterprise"), self.old["enterprise"])
        keep = isin(col(ents, "id"), candidates)
        ents, at = ents.filter(pa.array(keep)), at[keep]
        mine = products.filter(pc.is_in(maker, value_set=candidates))
        by_maker: dict[str, list[Product]] = {}
        for p in arrow_to_entities(Product, mine):
            by_maker.setdefault(p.enterprise, []).append(p)
        for pos, ent in sorted(
            zip(at.tolist(), arrow_to_entities(Enterprise, ents), strict=True), key=lambda x: x[1].id
        ):
            try:
                allocate(ent, by_maker.get(ent.id, []))
            except AllocationError as exc:
                self.err("enterprise", np.array([pos]), "allocation", [ent.allocation], str(exc))

    def activities(self) -> None:
        t = self.t("activity")
        self.unknown("activity", "enterprise", self.enterprise_ids, "unknown enterprise")
        typ, item, unit = col(t, "type"), col(t, "item"), col(t, "unit")
        power = equals(typ, "electricity")
        grid = power & equals(item, "grid")
        energy = isin(typ, pa.array(ENERGY_ACTIVITIES)) & ~grid
        known = per_distinct(lambda i: i in self.factors, item, dtype=bool)
        rows = np.flatnonzero(energy & ~known)
        self.err("activity", rows, "item", cells_at(item, rows), "unknown factor")
        kind = per_distinct(lambda i: getattr(self.factors.get(i), "kind", None), item)
        kind_bad = energy & known & per_distinct(lambda k: k not in ("energy", None), pa.array(kind), dtype=bool)
        rows = np.flatnonzero(kind_bad)
        reasons = [
            f"{ty} activities need an energy factor (this one is {k})"
            for ty, k in zip(cells_at(typ, rows), kind[rows], strict=True)
        ]
        self.err("activity", rows, "item", cells_at(item, rows), reasons)
        f_unit = pa.array(per_distinct(lambda i: getattr(self.factors.get(i), "unit", None), item), pa.string())
        rows = np.flatnonzero(energy & known & ~kind_bad & np.isnan(conversions(unit, f_unit)))
        whats = [f"factor {i}" for i in cells_at(item, rows)]
        self.unit_errors("activity", rows, cells_at(unit, rows), cells_at(f_unit, rows), whats)
        rows = np.flatnonzero(grid & np.isnan(conversions(unit, "kWh")))
        self.unit_errors("activity", rows, cells_at(unit, rows), ["kWh"] * len(rows), ["electricity"] * len(rows))
        known_gases = sorted(set(self.gases.values()))
        rows = np.flatnonzero(equals(typ, "process") & ~isin(item, pa.array(known_gases, pa.string())))
        self.err("activity", rows, "item", cells_at(item, rows), f"unknown gas (known: {', '.join(known_gases)})")
        mass = per_distinct(is_mass, unit, dtype=bool)
        rows = np.flatnonzero(isin(typ, pa.array(["process", "removal"])) & ~mass)
        reasons = [f"{ty} quantities are masses of gas (e.g. t, kg)" for ty in cells_at(typ, rows)]
        self.err("activity", rows, "unit", cells_at(unit, rows), reasons)
        self._green(t, power)

    def _green(self, t: pa.Table, power: np.ndarray) -> None:
        """Green electricity of an enterprise is at most its electricity use."""
        mwh = conversions(col(t, "unit"), "MWh")
        rows = np.flatnonzero(power & np.isnan(mwh))
        self.unit_errors(
            "activity", rows, cells_at(col(t, "unit"), rows), ["MWh"] * len(rows), ["electricity"] * len(rows)
        )
        green = power & truthy(col(t, "green_mwh"))
        if not green.any():
            return
        codes = pc.dictionary_encode(col(t, "enterprise"))
        ent, names = codes.indices.to_numpy(zero_copy_only=False), codes.dictionary.to_pylist()
        use = np.where(power & ~np.isnan(mwh), nums(col(t, "quantity")) * np.nan_to_num(mwh), 0.0)
        total_use = np.bincount(ent, use, minlength=len(names))
        gm = np.where(green, nums(col(t, "green_mwh")), 0.0)
        total_green = np.bincount(ent, gm, minlength=len(names))
        last = np.full(len(names), -1)
        last[ent[green]] = np.flatnonzero(green)  # later rows overwrite earlier ones: the last green row
        for e in np.flatnonzero((last >= 0) & (total_green > total_use * (1 + 1e-9))).tolist():
            self.err(
                "activity",
                np.array([last[e]]),
                "green_mwh",
                [float(total_green[e])],
                f"green_mwh above the enterprise's electricity use ({total_use[e]:g} MWh)",
            )

    def flows(self) -> None:
        check_flows(self)

    def sales(self) -> None:
        t = self.t("sale")
        products, _ = self.products
        product, unit = col(t, "product"), col(t, "unit")
        pos = codes(product, col(products, "id"))
        self.unknown("sale", "product", col(products, "id"), "unknown product")
        known = pos >= 0
        p_unit = gather(products, "unit", pos)
        rows = np.flatnonzero(known & np.isnan(conversions(unit, p_unit)))
        whats = [f"product {p}" for p in cells_at(product, rows)]
        self.unit_errors("sale", rows, cells_at(unit, rows), cells_at(p_unit, rows), whats)
        eol = col(t, "eol")
        has_eol = given(eol)
        rows = np.flatnonzero(has_eol & ~per_distinct(lambda e: e in self.factors, eol, dtype=bool))
        self.err("sale", rows, "eol", cells_at(eol, rows), "unknown factor")
        has_mass = pa.array(given(gather(products, "mass_kg", pos)))
        fine = per_distinct(self._eol_ok, p_unit, has_mass, eol, dtype=bool)
        rows = np.flatnonzero(has_eol & known & ~fine)
        reasons = [
            f"factor {e} is per {self.factors[e].unit}; product {p} needs a unit or mass_kg to match"
            for e, p in zip(cells_at(eol, rows), cells_at(product, rows), strict=True)
        ]
        self.err("sale", rows, "eol", cells_at(eol, rows), reasons)

    def _eol_ok(self, p_unit: str | None, has_mass: bool | None, eol: str | None) -> bool:
        """A product's end-of-life factor applies: its unit converts, or it has a mass and the factor is per mass."""
        f = self.factors.get(eol) if eol else None
        if f is None or p_unit is None or not np.isnan(factor_or_nan(p_unit, f.unit)):
            return True
        return bool(has_mass) and is_mass(f.unit)

    def symbiosis(self) -> None:
        for type_name, ref_col in (("residual", "current_treatment"), ("need", "virgin")):
            t = self.t(type_name)
            self.unknown(type_name, "enterprise", self.enterprise_ids, "unknown enterprise")
            if self.materials is not None:
                self.unknown(
                    type_name,
                    "material",
                    pa.array(sorted(self.materials), pa.string()),
                    "unknown material (see seed_data/materials.csv)",
                )
            ref = col(t, ref_col)
            missing = per_distinct(lambda r: bool(r) and r not in self.factors, ref, dtype=bool)
            rows = np.flatnonzero(missing)
            self.err(type_name, rows, ref_col, cells_at(ref, rows), "unknown factor")
