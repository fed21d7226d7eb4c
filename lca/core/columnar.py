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

from tanlian.errors import TanlianError
from tanlian.graph.entity_build import arrow_to_entities
from tanlian.graph.model import Enterprise, Factor, Graph, Product
from tanlian.lca.core.allocation import Allocation, allocate
from tanlian.lca.core.burden import BurdenLine, MissingCarrier, enterprise_lines
from tanlian.lca.core.factors import FactorBook
from tanlian.seed_data.library import factor_library
from tanlian.settings import GwpSet
from tanlian.units import conversion_factor


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


#: Largest (distinct source units × distinct target units) looked up through a table per pair.
PAIR_TABLE_MAX = 1 << 20


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
    if len(sd) * len(dd) <= PAIR_TABLE_MAX:  # a table of every pair: no sort of the rows
        uniq = np.flatnonzero(np.bincount(pair, minlength=len(sd) * len(dd)))
        table = np.full(len(sd) * len(dd), np.nan)
        table[uniq] = [conversion_factor(sd[p // len(dd)], dd[p % len(dd)]) for p in uniq.tolist()]
        out[idx] = table[pair]
        return out
    uniq, inv = np.unique(pair, return_inverse=True)
    values = np.array([conversion_factor(sd[p // len(dd)], dd[p % len(dd)]) for p in uniq.tolist()])
    out[idx] = values[inv]
    return out


def _entities(table: pa.Table, etype: type, rows: np.ndarray | None = None) -> list:
    """Entities of the table's rows (all, or ``rows``), built from the columns (no validation pass)."""
    return arrow_to_entities(etype, table if rows is None else table.take(pa.array(rows)))


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
    :class:`Allocation` built from the share array on first access. The id list and the id →
    code map of 100k enterprises (~30 ms) are built on first use too: a solve needs neither."""

    def __init__(self, ent_ids: pa.Array, made: np.ndarray, done, noted, pids, share, order, bounds, single) -> None:
        self._ent_ids, self._made, self._done, self._noted = ent_ids, made, done, noted
        self._pids, self._share, self._order, self._bounds, self._single = pids, share, order, bounds, single
        self._keys_list: list[str] | None = None
        self._code_map: dict[str, int] | None = None

    @property
    def _keys(self) -> list[str]:
        if self._keys_list is None:
            self._keys_list = self._ent_ids.take(pa.array(self._made, pa.int64())).to_pylist()
        return self._keys_list

    @property
    def _code(self) -> dict[str, int]:
        if self._code_map is None:
            self._code_map = {k: i for i, k in enumerate(self._ent_ids.to_pylist())}
        return self._code_map

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
        return [f"{e}: {self._done[e].note}" for _, e in sorted(self._noted) if self._done[e].note]

    def __len__(self) -> int:
        return int(self._made.size)


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
    rule_economic = pc.equal(col(enterprises, "allocation"), "economic").fill_null(True).to_numpy(zero_copy_only=False)
    n_useful = np.bincount(ent[useful], minlength=ne)
    unpriced = np.bincount(ent[useful & ~(price > 0)], minlength=ne)
    makes = np.bincount(ent, minlength=ne) > 0
    single = n_useful == 1
    economic = (n_useful > 1) & rule_economic & (unpriced == 0)
    share = np.zeros(n)
    share[useful & single[ent]] = 1.0
    econ_p = useful & economic[ent]
    weight = np.where(econ_p, output * np.where(econ_p, price, 0.0), 0.0)
    total = np.bincount(ent, weights=weight, minlength=ne)
    share[econ_p] = weight[econ_p] / total[ent[econ_p]]

    order = np.argsort(ent, kind="stable")
    bounds = np.searchsorted(ent[order], np.arange(ne + 1))
    ent_col = col(enterprises, "id")
    made = np.flatnonzero(makes)
    general = made[~single[made] & ~economic[made] & (n_useful[made] > 0)]
    done: dict[str, Allocation] = {}
    noted: list[tuple[int, str]] = []  # (enterprise code, id) of the allocations built here
    for e in general.tolist():  # the general rule: entity objects for these enterprises only
        rows = order[bounds[e] : bounds[e + 1]]
        ent_obj = _entities(enterprises, Enterprise, np.array([e]))[0]
        alloc = allocate(ent_obj, _entities(products, Product, rows))
        share[rows] = [alloc.shares[pids[i]] for i in rows]
        done[ent_obj.id] = alloc
        noted.append((e, ent_obj.id))
    for e in made[n_useful[made] == 0].tolist():
        rows = order[bounds[e] : bounds[e + 1]].tolist()
        eid = ent_col[e].as_py()
        done[eid] = Allocation({pids[i]: 0.0 for i in rows}, "none", "no non-waste output: burden not allocated")
        noted.append((e, eid))
    out = Allocations(ent_col, made, done, noted, pids, share, order, bounds, single)
    carries = share != 0
    sel = order[carries[order]]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(ent[sel], minlength=ne))]).astype(np.int64)
    ptr = np.concatenate([ptr, [ptr[-1]]])  # a last, empty slot for unknown enterprises
    return out, Weights(ptr, sel.astype(np.int64), share[sel] / output[sel])


def factor_book(snap_factors: pa.Table, parks: pa.Table, gwp: GwpSet) -> FactorBook:
    own = {f.id: f for f in _entities(snap_factors, Factor)}
    years = set(col(parks, "year").to_pylist())
    return FactorBook({**factor_library(), **own}, gwp, years.pop() if len(years) == 1 else None)


def lazy_lines(graph: Callable[[], Graph], book: FactorBook) -> LazyLines:
    return LazyLines(lambda: enterprise_lines(graph(), book))
