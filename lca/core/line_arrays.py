"""Burden lines and flow amounts as arrays (vectorised; see :mod:`tanlian.lca.core.columnar`).

Activities are computed per group of (type, item, unit, region), flows per factor and per
transport mode; amounts and order equal those of :mod:`tanlian.lca.core.burden`, whose
:class:`~tanlian.lca.core.burden.BurdenLine` objects are built only when accounting asks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.errors import NotFound
from tanlian.graph.model import FACTOR_PREFIX
from tanlian.lca.core.burden import MissingMass
from tanlian.lca.core.columnar import codes, col, floats, unit_factors
from tanlian.lca.core.factors import UNSPECIFIED, FactorBook
from tanlian.units import conversion_factor, is_mass


class Names:
    """Codes of names (gases, factor ids) in order of first use; ``None`` is code -1."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._index: dict[str, int] = {}

    def code(self, name: str | None) -> int:
        if name is None:
            return -1
        k = self._index.get(name)
        if k is None:
            k = self._index[name] = len(self.names)
            self.names.append(name)
        return k

    def recode(self, codes_: np.ndarray, names: list[str]) -> np.ndarray:
        """``codes_`` of ``names`` as codes of this instance (-1 stays -1)."""
        table = np.array([*(self.code(n) for n in names), -1], dtype=np.int64)
        return table[np.where(codes_ >= 0, codes_, len(names))]


@dataclass
class LineArrays:
    """Burden lines as columns: enterprise code, gas (code into ``gas_names``), kg per year,
    direct part, factor (code into ``factor_names``, -1 for none)."""

    ent: np.ndarray
    gas: np.ndarray
    kg: np.ndarray
    direct: np.ndarray
    factor: np.ndarray
    gas_names: list[str]
    factor_names: list[str]

    @staticmethod
    def empty() -> LineArrays:
        z = np.zeros(0, np.int64)
        return LineArrays(z, z, np.zeros(0), np.zeros(0, bool), z, [], [])

    @staticmethod
    def concat(parts: list[LineArrays]) -> LineArrays:
        gases, factors = Names(), Names()
        return LineArrays(
            np.concatenate([p.ent for p in parts]).astype(np.int64),
            np.concatenate([gases.recode(p.gas, p.gas_names) for p in parts]),
            np.concatenate([p.kg for p in parts]).astype(float),
            np.concatenate([p.direct for p in parts]).astype(bool),
            np.concatenate([factors.recode(p.factor, p.factor_names) for p in parts]),
            gases.names,
            factors.names,
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
    parts: list[tuple[np.ndarray, int, str, np.ndarray, bool, str | None]] = []  # rows, order, gas, kg, direct, factor
    for (t, i, u, r), rows in groups([types, items, units, regions]):
        k = {"t": t, "i": i, "u": u, "r": r}
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
        return LineArrays.empty()
    pos = np.concatenate([p[0] for p in parts])
    sub = np.concatenate([np.full(p[0].size, p[1]) for p in parts])
    kg = np.concatenate([p[3] for p in parts])
    order = np.lexsort((sub, pos))
    order = order[kg[order] != 0]  # as _factor_lines: no line for a zero amount
    gases, factors = Names(), Names()
    gas = np.concatenate([np.full(p[0].size, gases.code(p[2])) for p in parts])
    direct = np.concatenate([np.full(p[0].size, p[4]) for p in parts])
    fac = np.concatenate([np.full(p[0].size, factors.code(p[5])) for p in parts])
    return LineArrays(ent[pos[order]], gas[order], kg[order], direct[order], fac[order], gases.names, factors.names)


def groups(keys: list[pa.Array]) -> Iterator[tuple[tuple[Any, ...], np.ndarray]]:
    """The distinct combinations of ``keys`` (equal-length columns; null is a value of its own)
    with the rows holding each (ascending): dictionary codes combined column by column and made
    dense again after each, one stable sort for all groups (no scan per group)."""
    n = len(keys[0]) if keys else 0
    if n == 0:
        return
    combined = np.zeros(n, np.int64)
    codes_: list[np.ndarray] = []
    values: list[list[Any]] = []
    for arr in keys:
        enc = pc.dictionary_encode(arr)
        card = len(enc.dictionary) + 1  # the last code: null
        codes_.append(enc.indices.fill_null(card - 1).to_numpy(zero_copy_only=False).astype(np.int64))
        values.append([*enc.dictionary.to_pylist(), None])
        combined = combined * card + codes_[-1]  # < (groups so far) × card ≤ n × card
        present = np.bincount(combined) > 0
        combined = (np.cumsum(present) - 1)[combined]  # dense again (in value order): no overflow
    order = np.argsort(combined, kind="stable")
    bounds = np.flatnonzero(np.diff(combined[order])) + 1
    for rows in np.split(order, bounds):
        first = int(rows[0])
        yield tuple(v[c[first]] for v, c in zip(values, codes_, strict=True)), rows


def gathered(values: pa.Array, positions: np.ndarray) -> pa.Array:
    """``values[positions]`` as a dictionary array: the distinct values once and their codes
    gathered with numpy, instead of copying a string per position."""
    enc = pc.dictionary_encode(values)
    if enc.indices.null_count:
        return values.take(pa.array(positions))
    return pa.DictionaryArray.from_arrays(pa.array(enc.indices.to_numpy()[positions]), enc.dictionary)


def flow_amounts(flows: pa.Table, products: pa.Table, pid_keys: pa.Array) -> dict[str, Any]:
    """Per flow: source product index (-1 for factors), quantity in the source product's unit."""
    src = codes(col(flows, "from"), pid_keys)
    qty_in, spend = floats(flows, "quantity"), np.nan_to_num(floats(flows, "spend_cny"))
    unit = pc.dictionary_encode(col(flows, "unit"))  # a handful of distinct units: compared once each below
    has_q = ~np.isnan(qty_in) & pc.invert(pc.or_kleene(pc.is_null(unit), pc.equal(unit, ""))).fill_null(False).to_numpy(
        zero_copy_only=False
    )
    is_p = src >= 0
    safe = np.where(is_p, src, 0)
    p_unit = gathered(col(products, "unit"), safe) if len(products) else pa.array([None] * len(src), pa.string())
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
    gases, factors = Names(), Names()
    if is_f.any():
        for fid, rows in factor_rows(frm, is_f):
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
                _add(pos, sub, ent, gas, kg, fac, rows, g_i, to, gases.code(g), qty * per, factors.code(f.id))
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
                _add(pos, sub, ent, gas, kg, fac, rows, 1000 + g_i, to, gases.code(g), tkm * per, factors.code(tf.id))
    if not pos:
        return LineArrays.empty()
    p, s = np.concatenate(pos), np.concatenate(sub)
    order = np.lexsort((s, p))
    kgs = np.concatenate(kg)[order]
    keep = kgs != 0  # as _factor_lines: no line for a zero amount
    order = order[keep]
    return LineArrays(
        np.concatenate(ent)[order],
        np.concatenate(gas)[order],
        kgs[keep],
        np.zeros(order.size, bool),
        np.concatenate(fac)[order],
        gases.names,
        factors.names,
    )


def factor_rows(frm: pa.ChunkedArray | pa.Array, is_f: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """(factor id, row positions in ascending order) for each distinct ``factor:<id>`` among the
    rows where ``is_f``: one stable sort of the dictionary codes, not a scan per factor."""
    idx = np.flatnonzero(is_f)
    fids = pc.utf8_slice_codeunits(frm.take(pa.array(idx)), len(FACTOR_PREFIX)).dictionary_encode()
    codes_ = fids.indices.to_numpy()
    order = np.argsort(codes_, kind="stable")
    bounds = np.flatnonzero(np.diff(codes_[order])) + 1
    for group in np.split(order, bounds):
        yield fids.dictionary[int(codes_[group[0]])].as_py(), idx[group]


def _add(pos, sub, ent, gas, kg, fac, rows, order, to, g: int, amount, factor: int) -> None:
    """Append one gas (code ``g``) of a group of lines (rows of flows) to the column lists."""
    pos.append(rows)
    sub.append(np.full(rows.size, order))
    ent.append(to[rows])
    gas.append(np.full(rows.size, g, dtype=np.int64))
    kg.append(amount)
    fac.append(np.full(rows.size, factor, dtype=np.int64))


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
        for fid, rows in factor_rows(frm, is_f):
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
