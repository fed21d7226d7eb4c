"""Cross-table checks of the flows (the largest table), over columns: references, unit pairs,
transport masses, and the sum of the flows out of each product against its output."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tanlian.connectors.table_ops import cells_at, conversions, gather, given, isin, nums, per_distinct, truthy
from tanlian.graph.model import FACTOR_PREFIX
from tanlian.lca.core.columnar import codes, col
from tanlian.units import convertible, is_mass

if TYPE_CHECKING:
    from tanlian.connectors.validate import Checker


def _per_cny(u: str | None) -> bool:
    return u is not None and (u == "CNY" or convertible(u, "CNY"))


def _transport_service(u: str | None) -> bool:
    return u is not None and convertible(u, "t*km")


def check_flows(c: Checker) -> None:
    """Every check of ``flows.csv`` (errors and warnings go to ``c``)."""
    t = c.t("flow")
    c.unknown("flow", "to", c.enterprise_ids, "unknown enterprise")
    src, unit = col(t, "from"), col(t, "unit")
    is_factor = pc.fill_null(pc.starts_with(src, FACTOR_PREFIX), False).to_numpy(zero_copy_only=False)
    hasq = given(col(t, "quantity")) & given(unit)
    distance = truthy(col(t, "distance_km"))
    mass_unit = per_distinct(is_mass, unit, dtype=bool)
    _factor_flows(c, t, is_factor, hasq, distance, mass_unit)
    out_of, target = _product_flows(c, t, ~is_factor, hasq, distance, mass_unit)
    _outputs(c, out_of, _stored_outflows(c, target))


def _factor_flows(
    c: Checker, t: pa.Table, is_factor: np.ndarray, hasq: np.ndarray, distance: np.ndarray, mass_unit: np.ndarray
) -> None:
    """Flows from ``factor:<id>`` (goods bought outside the graph)."""
    if not is_factor.any():
        return
    src = col(t, "from")
    fid = pc.if_else(
        pa.array(is_factor), pc.utf8_slice_codeunits(src, len(FACTOR_PREFIX)), pa.scalar(None, pa.string())
    )
    kind = per_distinct(lambda i: getattr(c.factors.get(i), "kind", None), fid)
    f_unit = pa.array(per_distinct(lambda i: getattr(c.factors.get(i), "unit", None), fid), pa.string())
    known = per_distinct(lambda i: i in c.factors, fid, dtype=bool)
    rows = np.flatnonzero(is_factor & ~known)
    c.err("flow", rows, "from", cells_at(src, rows), "unknown factor (not in the bundle, the store or the library)")
    ok = is_factor & known
    rows = np.flatnonzero(ok & (kind == "energy"))
    c.err(
        "flow",
        rows,
        "from",
        cells_at(src, rows),
        "flows may not reference energy factors: buying fuel or power is an activity",
    )
    k = conversions(col(t, "unit"), f_unit)
    rows = np.flatnonzero(ok & hasq & np.isnan(k))
    fids = cells_at(fid, rows)
    c.unit_errors("flow", rows, cells_at(col(t, "unit"), rows), cells_at(f_unit, rows), [f"factor {i}" for i in fids])
    rows = np.flatnonzero(ok & distance & ~mass_unit)
    c.err(
        "flow",
        rows,
        "distance_km",
        nums(col(t, "distance_km"))[rows],
        "transport needs a mass: give the quantity in a mass unit",
    )
    per_cny = per_distinct(_per_cny, f_unit, dtype=bool)
    rows = np.flatnonzero(ok & ~given(col(t, "quantity")) & ~per_cny)
    spend, fids, units = cells_at(col(t, "spend_cny"), rows), cells_at(fid, rows), cells_at(f_unit, rows)
    reasons = [f"spend-only flow needs a per-CNY factor ({i} is per {u})" for i, u in zip(fids, units, strict=True)]
    c.err("flow", rows, "spend_cny", spend, reasons)


def _product_flows(
    c: Checker, t: pa.Table, prod: np.ndarray, hasq: np.ndarray, distance: np.ndarray, mass_unit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Flows of products in the graph; returns (quantity out of each merged product in its unit,
    products whose output a stored flow may exceed)."""
    products, at = c.products
    src = col(t, "from")
    pos = np.where(prod, codes(src, col(products, "id")), -1)
    rows = np.flatnonzero(prod & (pos < 0))
    c.err(
        "flow",
        rows,
        "from",
        cells_at(src, rows),
        "unknown product (use factor:<id> for goods bought outside the graph)",
    )
    ok = pos >= 0
    p_unit = gather(products, "unit", pos)
    k = conversions(col(t, "unit"), p_unit)
    rows = np.flatnonzero(ok & hasq & np.isnan(k))
    pids = cells_at(src, rows)
    c.unit_errors("flow", rows, cells_at(col(t, "unit"), rows), cells_at(p_unit, rows), [f"product {p}" for p in pids])
    price = nums(gather(products, "price_cny", pos))
    priced = ~np.isnan(price) & (price != 0)
    rows = np.flatnonzero(ok & ~hasq & ~priced)
    pids = cells_at(src, rows)
    reasons = [f"spend-only flow of product {p}, which has no price_cny" for p in pids]
    c.err("flow", rows, "spend_cny", cells_at(col(t, "spend_cny"), rows), reasons)
    by_qty = ok & hasq & ~np.isnan(k)
    by_spend = ok & ~hasq & priced
    amount = np.zeros(len(pos))
    amount[by_qty] = nums(col(t, "quantity"))[by_qty] * k[by_qty]
    amount[by_spend] = np.nan_to_num(nums(col(t, "spend_cny"))[by_spend]) / price[by_spend]
    counted = by_qty | by_spend
    out_of = np.bincount(pos[counted], amount[counted], minlength=products.num_rows)
    carries = mass_unit | per_distinct(is_mass, p_unit, dtype=bool) | given(gather(products, "mass_kg", pos))
    rows = np.flatnonzero(ok & distance & ~carries)
    units, pids = cells_at(col(t, "unit"), rows), cells_at(src, rows)
    reasons = [
        f"transport needs a mass: {u or 'spend'} is not a mass and product {p} has no mass_kg"
        for u, p in zip(units, pids, strict=True)
    ]
    c.err("flow", rows, "distance_km", nums(col(t, "distance_km"))[rows], reasons)
    service = ok & per_distinct(_transport_service, p_unit, dtype=bool)
    to = col(t, "to")
    buys = isin(to, to.filter(pa.array(service))) if service.any() else np.zeros(len(pos), bool)
    rows = np.flatnonzero(ok & distance & buys & ~service)
    for fid, ent in zip(cells_at(col(t, "id"), rows), cells_at(to, rows), strict=True):
        c.warnings.append(
            f"flows.csv: flow {fid} carries distance_km and {ent} also buys transport as a service; "
            "count the transport once (DECISIONS 18)"
        )
    target = np.zeros(products.num_rows, bool)
    target[pos[counted]] = True
    target[at >= 0] = True
    return out_of, target


def _stored_outflows(c: Checker, target: np.ndarray) -> np.ndarray:
    """Quantity (in each merged product's unit) of the stored flows out of ``target`` products that
    the bundle keeps (flows of the same id in the bundle replace them)."""
    products, _ = c.products
    old = c.old["flow"]
    if not old.num_rows or not products.num_rows:
        return np.zeros(products.num_rows)
    pos = codes(col(old, "from"), col(products, "id"))
    keep = ~isin(col(old, "id"), col(c.t("flow"), "id")) & (pos >= 0)
    keep[keep] &= target[pos[keep]]
    qty_given = given(col(old, "quantity"))
    k = conversions(col(old, "unit"), gather(products, "unit", pos))
    price = nums(gather(products, "price_cny", pos))
    by_qty = keep & qty_given & given(col(old, "unit")) & ~np.isnan(k)
    by_spend = keep & ~qty_given & ~np.isnan(price) & (price != 0)
    amount = np.zeros(len(pos))
    amount[by_qty] = nums(col(old, "quantity"))[by_qty] * k[by_qty]
    amount[by_spend] = np.nan_to_num(nums(col(old, "spend_cny"))[by_spend]) / price[by_spend]
    counted = by_qty | by_spend
    return np.bincount(pos[counted], amount[counted], minlength=products.num_rows)


def _outputs(c: Checker, out_of: np.ndarray, stored: np.ndarray) -> None:
    """The flows out of a product (the bundle's and the kept stored ones) stay within its output."""
    products, at = c.products
    if not products.num_rows:
        return
    qty = out_of + stored
    output = nums(col(products, "output"))
    over = np.flatnonzero(qty > output * (1 + 1e-9))
    pids, units = cells_at(col(products, "id"), over), cells_at(col(products, "unit"), over)
    for i, pid, unit in sorted(zip(over.tolist(), pids, units, strict=True), key=lambda x: x[1]):
        kept = f" ({stored[i]:g} of them in stored flows)" if stored[i] else ""
        reason = f"flows out of {pid} sum to {qty[i]:g} {unit}{kept}, more than its output"
        c.err("product", np.array([at[i]]), "output", [float(output[i])], reason)
