"""Graph snapshot → the linear system of all products (sparse arrays and a bw_processing package).

``M[i, j]``: units of product i used per unit of product j (allocated to j).
``b_kg[j, g]``: kg of gas g emitted per unit of j by its maker's own burden (allocated).
Intensities ``Y[j, g]`` (kgCO2e of gas g per unit of j) solve ``(I - Mᵀ) Y = b_kg * gwp``;
in Brightway terms the technosphere is ``A = I - M`` and the score of one unit of j is
``C B A⁻¹ e_j``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import bw_processing as bwp
import numpy as np
import scipy.sparse as sp

from tanlian.graph.model import Graph, Product
from tanlian.lca.core.allocation import Allocation, allocate
from tanlian.lca.core.burden import BurdenLine, check_carriers, enterprise_lines, flow_quantity
from tanlian.lca.core.factors import FactorBook
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
    lines: list[BurdenLine]
    gwp_set: GwpSet
    scope2: Scope2Method
    warnings: list[str] = field(default_factory=list)

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
    """Assemble the system from a snapshot: allocate burdens and inputs to each maker's outputs."""
    check_carriers(graph)
    book = FactorBook.for_graph(graph, gwp)
    products = sorted(graph.products)
    index = {p: i for i, p in enumerate(products)}
    outputs = outputs_by_enterprise(graph)
    allocations = {e: allocate(graph.enterprises[e], ps) for e, ps in outputs.items()}
    warnings = [f"{e}: {a.note}" for e, a in allocations.items() if a.note]
    weights = unit_weights(allocations, graph.products, index)

    rows, cols, vals = [], [], []
    for f in graph.flows.values():
        src = graph.products.get(f.source)
        if src is None:
            continue
        q = flow_quantity(f, src.unit, src.price_cny)
        for j, w in weights.get(f.to, ()):
            rows.append(index[src.id])
            cols.append(j)
            vals.append(q * w)
    n = len(products)
    M = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()

    lines = enterprise_lines(graph, book)
    used = [ln for ln in lines if ln.scope2_method in (None, scope2)]
    gases = sorted({ln.gas for ln in used})
    g_index = {g: k for k, g in enumerate(gases)}
    gwp_vec = np.array([book.gwp_of(g) for g in gases], dtype=float)
    b_kg = np.zeros((n, len(gases)))
    b_direct = np.zeros((n, len(gases)))
    unc = sorted({ln.factor for ln in used if ln.factor and book.get(ln.factor).uncertainty_type})
    u_index = {f: k for k, f in enumerate(unc)}
    d_rows, d_cols, d_vals = [], [], []
    add_burden(used, weights, g_index, b_kg, b_direct)
    for ln in used:
        if ln.factor not in u_index:
            continue
        for j, w in weights.get(ln.enterprise, ()):
            d_rows.append(j)
            d_cols.append(u_index[ln.factor])
            d_vals.append(ln.kg * w * gwp_vec[g_index[ln.gas]])
    D = sp.coo_matrix((d_vals, (d_rows, d_cols)), shape=(n, len(unc))).tocsr()
    return System(
        products, M, gases, gwp_vec, b_kg, b_direct, unc, D, allocations, lines, gwp, scope2, warnings + book.warnings
    )


def _indices(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """A bw_processing (row, col) index array, built without a Python loop."""
    out = np.empty(len(rows), dtype=bwp.INDICES_DTYPE)
    out["row"], out["col"] = rows, cols
    return out


def to_datapackage(system: System) -> bwp.Datapackage:
    """The same system as a Brightway datapackage (technosphere, biosphere, characterization).

    Technosphere: production 1 on the diagonal, inputs ``M`` flipped (negative in ``A``).
    Biosphere: kg of each gas per unit of each product. Characterization: GWP100 per gas.
    Product ``j`` has bw id ``j``; gas ``g`` has bw id ``BIOSPHERE_OFFSET + g``.
    """
    n, g = len(system.products), len(system.gases)
    dp = bwp.create_datapackage(sequential=True)
    M = system.M.tocoo()
    diag = np.arange(n)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="tanlian-technosphere",
        indices_array=_indices(np.concatenate([diag, M.row]), np.concatenate([diag, M.col])),
        data_array=np.concatenate([np.ones(n), M.data]).astype(float),
        flip_array=np.concatenate([np.zeros(n, bool), np.ones(M.nnz, bool)]),
    )
    bj, bg = np.nonzero(system.b_kg)
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="tanlian-biosphere",
        indices_array=_indices(BIOSPHERE_OFFSET + bg, bj),
        data_array=system.b_kg[bj, bg].astype(float),
    )
    gas_ids = BIOSPHERE_OFFSET + np.arange(g)
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="tanlian-gwp",
        indices_array=_indices(gas_ids, gas_ids),
        data_array=system.gwp.astype(float),
    )
    return dp
