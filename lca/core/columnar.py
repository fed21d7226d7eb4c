"""Columnar snapshot → the all-product linear system with vectorised code (numpy, pyarrow compute).

No Python object per flow: ids are matched with ``pyarrow.compute.index_in``, units converted
once per distinct (from, to) pair, the allocation weights laid out as a CSR over enterprises and
``M`` / ``b`` assembled by ``np.repeat`` and ``np.add.at`` (in the order of the old loops, so the
sums are the same). Per enterprise or per activity (a few per enterprise) Python work remains:
allocation objects, the odd multi-output enterprise whose rule needs the general
:func:`~tanlian.lca.core.allocation.allocate`, and the activity lines (grid look-ups).
The burden lines of flows (purchases from factors, transport) enter ``b`` as arrays; the
:class:`BurdenLine` objects that accounting reads are built only when first asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.errors import NotFound, TanlianError
from tanlian.graph.columns import arrow_to_records, rows_to_arrow, to_row
from tanlian.graph.model import BUNDLE_TYPES, FACTOR_PREFIX, Enterprise, Factor, Graph, Product
from tanlian.lca.core.allocation import Allocation, allocate
from tanlian.lca.core.burden import BurdenLine, MissingCarrier, MissingMass, enterprise_lines
from tanlian.lca.core.factors import UNSPECIFIED, FactorBook
from tanlian.seed_data.library import factor_library
from tanlian.settings import GwpSet
from tanlian.units import conversion_factor, is_mass


class LazyLines(Sequence[BurdenLine]):
    """The burden lines of a system, built on first use (accounting, hotspots, exports)."""

    def __init__(self, build: Callable[[], list[BurdenLine]]):
        self._build, self._lines = build, None

    def _get(self) -> list[BurdenLine]:
        if self._lines is None:
            self._lines = self._build()
        return self._lines

    def __getitem__(self, i: Any) -> Any:
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[BurdenLine]:
        return iter(self._get())


# ------------------------------------------------------------------------------ column helpers
def col(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def floats(table: pa.Table, name: str) -> np.ndarray:
    """A numeric column as float64, NaN for null."""
    return col(table, name).cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)


def codes(values: pa.Array, keys: pa.Array) -> np.ndarray:
    """Position of each value in ``keys`` (-1 when absent or null)."""
    return pc.index_in(values, value_set=keys).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def unit_factors(src: pa.Array, dst: pa.Array, need: np.ndarray) -> np.ndarray:
    """Factor from ``src[i]`` to ``dst[i]`` units where ``need`` (NaN elsewhere): one
    :func:`conversion_factor` call per distinct (src, dst) pair."""
    out = np.full(len(src), np.nan)
    idx = np.flatnonzero(need)
    if idx.size == 0:
        return out
    s = pc.dictionary_encode(src.take(pa.array(idx)))
    d = pc.dictionary_encode(dst.take(pa.array(idx)))
    sd, dd = s.dictionary.to_pylist(), d.dictionary.to_pylist()
    pair = s.indices.to_numpy().astype(np.int64) * len(dd) + d.indices.to_numpy()
    uniq, inv = np.unique(pair, return_inverse=True)
    values = np.array([conversion_factor(sd[p // len(dd)], dd[p % len(dd)]) for p in uniq.tolist()])
    out[idx] = values[inv]
    return out


def _records(table: pa.Table, etype: type, rows: np.ndarray | None = None) -> list[dict]:
    return arrow_to_records(etype, table if rows is None else table.take(pa.array(rows)))


# ------------------------------------------------------------------------------ pieces
@dataclass(frozen=True)
class Weights:
    """Per enterprise (code e), the outputs carrying its burden: ``j[ptr[e]:ptr[e+1]]`` with the
    part of one unit of the enterprise's burden carried by one unit of each (share / output)."""

    ptr: np.ndarray
    j: np.ndarray
    w: np.ndarray

    def expand(self, ent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For items of enterprises ``ent``: (item position, product j, weight), item by item."""
        ent = np.where(ent >= 0, ent, len(self.ptr) - 2)  # unknown enterprise: the last, empty slot
        start, cnt = self.ptr[ent], self.ptr[ent + 1] - self.ptr[ent]
        item = np.repeat(np.arange(len(ent)), cnt)
        first = np.repeat(np.cumsum(cnt) - cnt, cnt)
        off = np.arange(item.size) - first + np.repeat(start, cnt)
        return item, self.j[off], self.w[off]


def check_carriers(products: pa.Table) -> None:
    kind, carrier = col(products, "kind"), col(products, "carrier")
    bad = pc.and_(pc.equal(kind, "energy"), pc.is_null(carrier))
    missing = sorted(col(products, "id").filter(bad).to_pylist())
    if missing:
        raise MissingCarrier(
            f"energy products without a carrier (electricity | heat | steam | cooling | fuel): {', '.join(missing)}; "
            "add the products.csv column 'carrier' and import again"
        )


class Allocations(Mapping[str, Allocation]):
    """Allocation of every enterprise making products (in enterprise id order), each
    :class:`Allocation` built from the share array on first access."""

    def __init__(self, keys, done, pids, share, order, bounds, single, code) -> None:
        self._keys, self._done, self._pids, self._share = keys, done, pids, share
        self._order, self._bounds, self._single, self._code = order, bounds, single, code

    def __getitem__(self, e: str) -> Allocation:
        if e not in self._done:
            i = self._code.get(e)
            if i is None or self._bounds[i] == self._bounds[i + 1]:
                raise KeyError(e)
            rows = self._order[self._bounds[i] : self._bounds[i + 1]].tolist()
            rule = "single" if self._single[i] else "economic"
            self._done[e] = Allocation({self._pids[j]: float(self._share[j]) for j in rows}, rule)
        return self._done[e]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def notes(self) -> list[str]:
        """``"<enterprise>: <note>"`` of every allocation with a note (fallbacks, no output), in key order."""
        return [f"{e}: {self._done[e].note}" for e in self._keys if e in self._done and self._done[e].note]

    def __len__(self) -> int:
        return len(self._keys)


def allocations(products: pa.Table, enterprises: pa.Table, pids: list[str]) -> tuple[Allocations, Weights]:
    """Allocation of every enterprise making products, vectorised for single-output enterprises
    and economic allocation with every price given; the general rule for the others."""
    n, ne = products.num_rows, enterprises.num_rows
    ent = codes(col(products, "enterprise"), col(enterprises, "id"))
    if (ent < 0).any():
        unknown = sorted({pids[i] for i in np.flatnonzero(ent < 0)})
        raise TanlianError(f"products of unknown enterprises: {unknown[:10]}")
    useful = pc.not_equal(col(products, "kind"), "waste").fill_null(True).to_numpy(zero_copy_only=False)
    output, price = floats(products, "output"), floats(products, "price_cny")
    rule_e = np.array(col(enterprises, "allocation").fill_null("economic").to_pylist(), dtype=object)
    n_useful = np.bincount(ent[useful], minlength=ne)
    unpriced = np.bincount(ent[useful & ~(price > 0)], minlength=ne)
    makes = np.bincount(ent, minlength=ne) > 0
    single = n_useful == 1
    economic = (n_useful > 1) & (rule_e == "economic") & (unpriced == 0)
    share = np.zeros(n)
    share[useful & single[ent]] = 1.0
    econ_p = useful & economic[ent]
    weight = np.where(econ_p, output * np.where(econ_p, price, 0.0), 0.0)
    total = np.bincount(ent, weights=weight, minlength=ne)
    share[econ_p] = weight[econ_p] / total[ent[econ_p]]

    order = np.argsort(ent, kind="stable")
    bounds = np.searchsorted(ent[order], np.arange(ne + 1))
    ent_ids = col(enterprises, "id").to_pylist()
    made = np.flatnonzero(makes)
    general = made[~single[made] & ~economic[made] & (n_useful[made] > 0)]
    done: dict[str, Allocation] = {}
    for e in general.tolist():  # the general rule: entity objects for these enterprises only
        rows = order[bounds[e] : bounds[e + 1]]
        ent_obj = Enterprise.model_validate(_records(enterprises, Enterprise, np.array([e]))[0])
        alloc = allocate(ent_obj, [Product.model_validate(r) for r in _records(products, Product, rows)])
        share[rows] = [alloc.shares[pids[i]] for i in rows]
        done[ent_ids[e]] = alloc
    for e in made[n_useful[made] == 0].tolist():
        rows = order[bounds[e] : bounds[e + 1]].tolist()
        done[ent_ids[e]] = Allocation({pids[i]: 0.0 for i in rows}, "none", "no non-waste output: burden not allocated")
    keys = [ent_ids[e] for e in made.tolist()]
    out = Allocations(keys, done, pids, share, order, bounds, single, {k: i for i, k in enumerate(ent_ids)})
    carries = share != 0
    sel = order[carries[order]]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(ent[sel], minlength=ne))]).astype(np.int64)
    ptr = np.concatenate([ptr, [ptr[-1]]])  # a last, empty slot for unknown enterprises
    return out, Weights(ptr, sel.astype(np.int64), share[sel] / output[sel])


def factor_book(snap_factors: pa.Table, parks: pa.Table, gwp: GwpSet) -> FactorBook:
    own = {r["id"]: Factor.model_validate(r) for r in _records(snap_factors, Factor)}
    years = set(col(parks, "year").to_pylist())
    return FactorBook({**factor_library(), **own}, gwp, years.pop() if len(years) == 1 else None)


@dataclass
class LineArrays:
    """Burden lines as columns: enterprise code, gas, kg per year, direct part, factor (or None),
    whether the line is used under the chosen Scope 2 method."""

    ent: np.ndarray
    gas: list[str]
    kg: np.ndarray
    direct: np.ndarray
    factor: list[str | None]

    @staticmethod
    def concat(parts: list[LineArrays]) -> LineArrays:
        return LineArrays(
            np.concatenate([p.ent for p in parts]).astype(np.int64),
            [g for p in parts for g in p.gas],
            np.concatenate([p.kg for p in parts]).astype(float),
            np.concatenate([p.direct for p in parts]).astype(bool),
            [f for p in parts for f in p.factor],
        )


def activity_line_arrays(activities: pa.Table, enterprises: pa.Table, book: FactorBook, scope2: str) -> LineArrays:
    """Lines of the enterprises' own activities, as :func:`~tanlian.lca.core.burden.activity_lines`
    gives them (same amounts, same order), computed per group of (type, item, unit[, region])."""
    a = activities
    ent_keys = col(enterprises, "id")
    ent = codes(col(a, "enterprise"), ent_keys)
    region = None
    if len(ent_keys):  # the consumer's region (null for an activity of an unknown enterprise)
        taken = col(enterprises, "region").take(pa.array(np.where(ent >= 0, ent, 0)))
        region = pc.if_else(pa.array(ent >= 0), taken, pa.nulls(len(ent), pa.string()))
    qty, green = floats(a, "quantity"), np.nan_to_num(floats(a, "green_mwh"))
    types, items, units = col(a, "type"), col(a, "item"), col(a, "unit")
    regions = region if region is not None else pa.nulls(a.num_rows, pa.string())
    key = pa.table({"t": types, "i": items, "u": units, "r": regions}).group_by(["t", "i", "u", "r"])
    key = key.aggregate([]).to_pylist()
    parts: list[tuple[np.ndarray, int, str, np.ndarray, bool, str | None]] = []  # rows, order, gas, kg, direct, factor
    for k in key:
        m = pc.and_(pc.and_(pc.equal(types, k["t"]), pc.equal(items, k["i"])), pc.equal(units, k["u"]))
        m = pc.and_(m, pc.is_null(regions) if k["r"] is None else pc.equal(regions, k["r"]))
        rows = np.flatnonzero(m.fill_null(False).to_numpy(zero_copy_only=False))
        q = qty[rows]
        if k["t"] == "removal":
            continue
        if k["t"] == "process":
            parts.append((rows, 0, k["i"], q * conversion_factor(k["u"], "kg"), True, None))
            continue
        if k["t"] == "electricity" and k["i"] == "grid":
            kwh = q * conversion_factor(k["u"], "kWh")
            green_kwh = np.minimum(green[rows] * 1000.0, kwh)
            loc, res = book.grid(k["r"]), book.grid(k["r"], residual=True)
            o = 0
            for method, f, amount in (("location", loc, kwh), ("market", res, kwh - green_kwh)):
                for g, per in book.gas_split(f).items():
                    if method == scope2:
                        parts.append((rows, o, g, amount * per, True, f.id))
                    o += 1
            parts.append((rows, o, UNSPECIFIED, kwh * (loc.upstream_kgco2e or 0.0), False, loc.id))
            continue
        f = book.get(k["i"])
        amount = q * conversion_factor(k["u"], f.unit)
        split = book.gas_split(f)
        for o, (g, per) in enumerate(split.items()):
            parts.append((rows, o, g, amount * per, True, f.id))
        parts.append((rows, len(split), UNSPECIFIED, amount * (f.upstream_kgco2e or 0.0), False, f.id))
    if not parts:
        return LineArrays(np.zeros(0, np.int64), [], np.zeros(0), np.zeros(0, bool), [])
    pos = np.concatenate([p[0] for p in parts])
    sub = np.concatenate([np.full(p[0].size, p[1]) for p in parts])
    kg = np.concatenate([p[3] for p in parts])
    order = np.lexsort((sub, pos))
    order = order[kg[order] != 0]  # as _factor_lines: no line for a zero amount
    gas = np.concatenate([np.full(p[0].size, p[2], dtype=object) for p in parts])
    direct = np.concatenate([np.full(p[0].size, p[4]) for p in parts])
    fac = np.concatenate([np.full(p[0].size, p[5], dtype=object) for p in parts])
    return LineArrays(ent[pos[order]], gas[order].tolist(), kg[order], direct[order], fac[order].tolist())


def flow_amounts(flows: pa.Table, products: pa.Table, pid_keys: pa.Array) -> dict[str, Any]:
    """Per flow: source product index (-1 for factors), quantity in the source product's unit."""
    src = codes(col(flows, "from"), pid_keys)
    qty_in, spend = floats(flows, "quantity"), np.nan_to_num(floats(flows, "spend_cny"))
    unit = col(flows, "unit")
    has_q = ~np.isnan(qty_in) & pc.invert(pc.or_kleene(pc.is_null(unit), pc.equal(unit, ""))).fill_null(False).to_numpy(
        zero_copy_only=False
    )
    is_p = src >= 0
    safe = np.where(is_p, src, 0)
    p_unit = col(products, "unit").take(pa.array(safe)) if len(products) else pa.array([None] * len(src), pa.string())
    price = floats(products, "price_cny")[safe] if len(products) else np.full(len(src), np.nan)
    q = np.zeros(len(src))
    conv = unit_factors(unit, p_unit, is_p & has_q)
    q[is_p & has_q] = (qty_in * conv)[is_p & has_q]
    priced = is_p & ~has_q & (price > 0)
    q[priced] = spend[priced] / price[priced]
    cny = is_p & ~has_q & ~(price > 0)
    if cny.any():
        q[cny] = spend[cny] * unit_factors(pa.array(["CNY"] * len(src)), p_unit, cny)[cny]
    return {"src": src, "q": q, "has_q": has_q, "qty_in": qty_in, "spend": spend, "unit": unit, "p_unit": p_unit}


def flow_line_arrays(
    flows: pa.Table, products: pa.Table, to: np.ndarray, amounts: dict[str, Any], book: FactorBook
) -> LineArrays:
    """Purchases from factors and transport (Category 4) of every flow, as arrays, in the order of
    :func:`~tanlian.lca.core.burden.flow_lines` (flow by flow: factor gases, then transport gases).
    ``to``: enterprise code of each flow's customer."""
    frm = col(flows, "from")
    is_f = pc.starts_with(frm, FACTOR_PREFIX).fill_null(False).to_numpy(zero_copy_only=False)
    pos, sub, ent, gas, kg, fac = [], [], [], [], [], []
    if is_f.any():
        idx = np.flatnonzero(is_f)
        fids = pc.utf8_slice_codeunits(frm.take(pa.array(idx)), len(FACTOR_PREFIX)).dictionary_encode()
        for k, fid in enumerate(fids.dictionary.to_pylist()):
            rows = idx[fids.indices.to_numpy() == k]
            f = book.get(fid)
            qty = np.empty(rows.size)
            hq = amounts["has_q"][rows]
            if hq.any():
                k_q = int(hq.sum())
                units = amounts["unit"].take(pa.array(rows[hq]))
                to_f = pa.array([f.unit] * k_q)
                qty[hq] = amounts["qty_in"][rows[hq]] * unit_factors(units, to_f, np.ones(k_q, bool))
            if (~hq).any():
                qty[~hq] = amounts["spend"][rows[~hq]] * conversion_factor("CNY", f.unit)
            for g_i, (g, per) in enumerate(book.gas_split(f).items()):
                _add(pos, sub, ent, gas, kg, fac, rows, g_i, to, g, qty * per, f.id)
    km = np.nan_to_num(floats(flows, "distance_km"))
    moved = np.flatnonzero(km != 0)
    if moved.size:
        mass_t = _mass_t(moved, products, amounts, flows)
        modes = col(flows, "mode").take(pa.array(moved)).dictionary_encode()
        for k, mode in enumerate(modes.dictionary.to_pylist()):
            sel = modes.indices.to_numpy() == k
            rows = moved[sel]
            tf = book.get(f"transport_{mode}")
            tkm = mass_t[sel] * km[rows] * conversion_factor("t*km", tf.unit)
            for g_i, (g, per) in enumerate(book.gas_split(tf).items()):
                _add(pos, sub, ent, gas, kg, fac, rows, 1000 + g_i, to, g, tkm * per, tf.id)
    if not pos:
        return LineArrays(np.zeros(0, np.int64), [], np.zeros(0), np.zeros(0, bool), [])
    p, s = np.concatenate(pos), np.concatenate(sub)
    order = np.lexsort((s, p))
    kgs = np.concatenate(kg)[order]
    keep = kgs != 0  # as _factor_lines: no line for a zero amount
    order = order[keep]
    return LineArrays(
        np.concatenate(ent)[order],
        np.concatenate(gas)[order].tolist(),
        kgs[keep],
        np.zeros(order.size, bool),
        np.concatenate(fac)[order].tolist(),
    )


def _add(pos, sub, ent, gas, kg, fac, rows, order, to, g, amount, factor) -> None:
    """Append one gas of a group of lines (rows of flows) to the column lists."""
    pos.append(rows)
    sub.append(np.full(rows.size, order))
    ent.append(to[rows])
    gas.append(np.full(rows.size, g, dtype=object))
    kg.append(amount)
    fac.append(np.full(rows.size, factor, dtype=object))


def _mass_t(rows: np.ndarray, products: pa.Table, amounts: dict[str, Any], flows: pa.Table) -> np.ndarray:
    """Tonnes carried by the flows ``rows`` (as :func:`~tanlian.lca.core.burden.flow_mass_t`)."""
    unit = amounts["unit"].take(pa.array(rows))
    uniq = [u for u in pc.unique(unit).to_pylist() if u]
    mass_units = pa.array([u for u in uniq if is_mass(u)], pa.string())
    by_unit = pc.is_in(unit, value_set=mass_units).fill_null(False).to_numpy(zero_copy_only=False)
    out = np.full(rows.size, np.nan)
    if by_unit.any():
        conv = unit_factors(unit, pa.array(["t"] * rows.size), by_unit)
        out[by_unit] = np.nan_to_num(amounts["qty_in"][rows[by_unit]]) * conv[by_unit]
    src = amounts["src"][rows]
    rest = ~by_unit & (src >= 0)
    if rest.any():
        p_unit = amounts["p_unit"].take(pa.array(rows))
        pu = [u for u in pc.unique(p_unit.filter(pa.array(rest))).to_pylist() if u]
        p_mass = pc.is_in(p_unit, value_set=pa.array([u for u in pu if is_mass(u)], pa.string())).to_numpy(
            zero_copy_only=False
        )
        q = amounts["q"][rows]
        a = rest & p_mass
        if a.any():
            out[a] = q[a] * unit_factors(p_unit, pa.array(["t"] * rows.size), a)[a]
        mass_kg = floats(products, "mass_kg")[np.where(src >= 0, src, 0)]
        b = rest & ~p_mass & ~np.isnan(mass_kg)
        out[b] = q[b] * mass_kg[b] / 1000.0
    if np.isnan(out).any():
        fid = col(flows, "id").take(pa.array(rows[np.isnan(out)][:1])).to_pylist()[0]
        raise MissingMass(f"flow {fid}: distance_km needs a mass (a mass unit, or mass_kg on the product)")
    return out


def edge_columns(tables: Mapping[str, pa.Table], book: FactorBook, intensity: np.ndarray) -> dict[str, Any]:
    """Every flow sorted by id: source, customer, quantity in the unit of what flows, that unit and
    kgCO2e per unit of it (the product's intensity, or the factor's cradle-to-gate value)."""
    F, P = tables["flow"], tables["product"]
    ids = col(F, "id").to_pylist()
    if ids != sorted(ids):
        order = sorted(range(len(ids)), key=ids.__getitem__)
        F, ids = F.take(pa.array(order, pa.int64())), [ids[i] for i in order]
    amounts = flow_amounts(F, P, col(P, "id"))
    src, q = amounts["src"], amounts["q"].copy()
    unit = np.empty(len(ids), dtype=object)
    per_unit = np.zeros(len(ids))
    is_p = src >= 0
    if is_p.any():
        unit[is_p] = np.array(amounts["p_unit"].filter(pa.array(is_p)).to_pylist(), dtype=object)
        per_unit[is_p] = intensity[src[is_p]]
    frm = col(F, "from")
    is_f = pc.starts_with(frm, FACTOR_PREFIX).fill_null(False).to_numpy(zero_copy_only=False) & ~is_p
    if (~is_p & ~is_f).any():
        raise NotFound("product", frm.filter(pa.array(~is_p & ~is_f))[0].as_py())
    if is_f.any():
        idx = np.flatnonzero(is_f)
        fids = pc.utf8_slice_codeunits(frm.take(pa.array(idx)), len(FACTOR_PREFIX)).dictionary_encode()
        for k, fid in enumerate(fids.dictionary.to_pylist()):
            rows = idx[fids.indices.to_numpy() == k]
            f = book.get(fid)
            hq = amounts["has_q"][rows]
            if hq.any():
                units = amounts["unit"].take(pa.array(rows[hq]))
                to_f = pa.array([f.unit] * int(hq.sum()))
                q[rows[hq]] = amounts["qty_in"][rows[hq]] * unit_factors(units, to_f, np.ones(int(hq.sum()), bool))
            if (~hq).any():
                q[rows[~hq]] = amounts["spend"][rows[~hq]] * conversion_factor("CNY", f.unit)
            unit[rows] = f.unit
            per_unit[rows] = book.co2e(f)
    return {
        "flow": ids,
        "source": frm.to_pylist(),
        "to": col(F, "to").to_pylist(),
        "quantity": q,
        "unit": unit.tolist(),
        "per_unit": per_unit,
    }


def lazy_lines(graph: Callable[[], Graph], book: FactorBook) -> LazyLines:
    return LazyLines(lambda: enterprise_lines(graph(), book))


def tables_of(graph: Graph) -> dict[str, pa.Table]:
    """An in-memory graph as columnar tables (sorted by id, as a store snapshot)."""
    return {
        t.type_name: rows_to_arrow(t, [to_row(t, graph.table(t)[k].record()) for k in sorted(graph.table(t))])
        for t in BUNDLE_TYPES
    }
