"""Graph snapshot → the linear system of all products (sparse arrays; as a Brightway datapackage in
:mod:`tanlian.lca.core.datapackage`).

``M[i, j]``: units of product i used per unit of product j (allocated to j).
``b_kg[j, g]``: kg of gas g emitted per unit of j by its maker's own burden (allocated).
Intensities ``Y[j, g]`` (kgCO2e of gas g per unit of j) solve ``(I - Mᵀ) Y = b_kg * gwp``;
in Brightway terms the technosphere is ``A = I - M`` and the score of one unit of j is
``C B A⁻¹ e_j``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from tanlian.graph.model import Graph, Product
from tanlian.graph.table_import import graph_tables
from tanlian.lca.core.allocation import Allocation
from tanlian.lca.core.burden import BurdenLine
from tanlian.lca.core.columnar import allocations, check_carriers, codes, col, factor_book, lazy_lines
from tanlian.lca.core.line_arrays import LineArrays, activity_line_arrays, flow_amounts, flow_line_arrays
from tanlian.settings import GwpSet, Scope2Method

BIOSPHERE_OFFSET = 10_000_000  # bw ids of gases: offset + gas index (products use 0..n-1)


@dataclass
class System:
    """All products' linear system for one GWP set and Scope 2 method."""

    products: list[str]
    M: sp.csr_matrix
    gases: list[str]
    gwp: np.ndarray  # (g,) GWP100 per gas, 1 for UNSPECIFIED
    b_kg: np.ndarray  # (n, g) kg gas per unit, own burden, allocated
    b_direct_kg: np.ndarray  # (n, g) Scope 1 + 2 part of b_kg
    uncertain: list[str]  # factor ids with an uncertainty
    D: sp.csr_matrix  # (n, k) kgCO2e per unit contributed by each uncertain factor
    allocations: dict[str, Allocation]
    lines: Sequence[BurdenLine]  # every line, both Scope 2 methods (built on first use)
    gwp_set: GwpSet
    scope2: Scope2Method
    warnings: list[str] = field(default_factory=list)
    #: the columnar tables the system was built from (edge tables read them; None: built elsewhere)
    tables: Mapping[str, pa.Table] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = {p: i for i, p in enumerate(self.products)}

    @property
    def b(self) -> np.ndarray:
        """(n, g) kgCO2e per unit, characterised."""
        return self.b_kg * self.gwp

    @property
    def b_direct(self) -> np.ndarray:
        return self.b_direct_kg * self.gwp


def outputs_by_enterprise(graph: Graph) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for p in graph.products.values():
        out[p.enterprise].append(p)
    return out


def unit_weights(
    allocations: dict[str, Allocation], products: dict[str, Product], index: dict[str, int]
) -> dict[str, list[tuple[int, float]]]:
    """Per enterprise, (product index, allocation share / output) of the outputs that carry burden:
    the part of one unit of the enterprise's burden (or input) carried by one unit of each output."""
    return {
        e: [(index[pid], share / products[pid].output) for pid, share in alloc.shares.items() if share]
        for e, alloc in allocations.items()
    }


def add_burden(
    lines: list[BurdenLine],
    weights: dict[str, list[tuple[int, float]]],
    g_index: dict[str, int],
    b_kg: np.ndarray,
    b_direct_kg: np.ndarray,
) -> None:
    """Add ``lines`` (kg of gas per year) to ``b_kg`` / ``b_direct_kg`` (kg per unit, ``(n, g)``) in place,
    allocated to each maker's outputs by ``weights``; the ``direct`` part also to ``b_direct_kg``."""
    for ln in lines:
        for j, w in weights.get(ln.enterprise, ()):
            b_kg[j, g_index[ln.gas]] += ln.kg * w
            if ln.part == "direct":
                b_direct_kg[j, g_index[ln.gas]] += ln.kg * w


def build_system(graph: Graph, gwp: GwpSet = "AR6", scope2: Scope2Method = "market") -> System:
    """Assemble the system of an in-memory graph (through its columnar tables)."""
    return build_system_tables(graph_tables(graph), gwp, scope2, lambda: graph)


def build_system_tables(
    tables: Mapping[str, pa.Table],
    gwp: GwpSet = "AR6",
    scope2: Scope2Method = "market",
    graph: Callable[[], Graph] | None = None,
) -> System:
    """Assemble the system from columnar tables (a snapshot): allocate burdens and inputs to each
    maker's outputs with vectorised code (:mod:`tanlian.lca.core.columnar`). ``graph`` gives the
    object graph when the burden lines are first asked for."""
    P, E, F = tables["product"], tables["enterprise"], tables["flow"]
    pids = col(P, "id").to_pylist()
    if pids != sorted(pids):
        order = sorted(range(len(pids)), key=pids.__getitem__)
        P, pids = P.take(pa.array(order, pa.int64())), [pids[i] for i in order]
    check_carriers(P)
    book = factor_book(tables["factor"], tables["park"], gwp)
    allocs, W = allocations(P, E, pids)
    warnings = allocs.notes()
    n, ent_keys = len(pids), col(E, "id")

    amounts = flow_amounts(F, P, col(P, "id"))
    prod = np.flatnonzero(amounts["src"] >= 0)
    to = codes(col(F, "to"), ent_keys)
    item, cols, w = W.expand(to[prod])
    rows, vals = amounts["src"][prod][item], amounts["q"][prod][item] * w
    M = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()

    lines = LineArrays.concat(
        [
            activity_line_arrays(tables["activity"], E, book, scope2),
            flow_line_arrays(F, P, to, amounts, book),
        ]
    )
    used = np.flatnonzero(np.bincount(lines.gas, minlength=len(lines.gas_names)))
    gases = sorted(lines.gas_names[c] for c in used)
    g_index = {g: k for k, g in enumerate(gases)}
    gwp_vec = np.array([book.gwp_of(g) for g in gases], dtype=float)
    gas = np.array([g_index.get(g, -1) for g in lines.gas_names], dtype=np.int64)[lines.gas]
    b_kg, b_direct = np.zeros((n, len(gases))), np.zeros((n, len(gases)))
    item, j, w = W.expand(lines.ent)
    add = lines.kg[item] * w
    np.add.at(b_kg, (j, gas[item]), add)
    d = lines.direct[item]
    np.add.at(b_direct, (j[d], gas[item][d]), add[d])

    named = lines.factor[lines.factor >= 0]
    used = np.flatnonzero(np.bincount(named, minlength=len(lines.factor_names)))
    unc = sorted(f for f in (lines.factor_names[c] for c in used) if book.get(f).uncertainty_type)
    u_index = {f: k for k, f in enumerate(unc)}
    u_of = np.array([*(u_index.get(f, -1) for f in lines.factor_names), -1], dtype=np.int64)
    u = u_of[np.where(lines.factor >= 0, lines.factor, len(lines.factor_names))]
    keep = u[item] >= 0 if item.size else np.zeros(0, bool)
    d_vals = add[keep] * gwp_vec[gas[item][keep]] if keep.any() else np.zeros(0)
    D = sp.coo_matrix((d_vals, (j[keep], u[item][keep])), shape=(n, len(unc))).tocsr()
    lazy = lazy_lines(graph or (lambda: Graph()), book)
    tables = {**tables, "product": P}
    return System(
        pids, M, gases, gwp_vec, b_kg, b_direct, unc, D, allocs, lazy, gwp, scope2, warnings + book.warnings, tables
    )
