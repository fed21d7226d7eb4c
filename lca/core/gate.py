"""Gate-to-gate figures per unit: what a product's maker emits itself, as its accounts count it.

``direct_kgco2e_per_unit`` (DECISIONS 13) is the maker's own Scope 1 + Scope 2 per unit. Its
Scope 2 includes electricity, heat, steam and cooling bought from other graph enterprises at the
seller's direct emissions per unit (DECISIONS 14), and its own products consumed in-house carry
its own direct emissions back into its outputs. So with ``M_D`` the part of ``M`` made of those
inputs (rows of Scope-2 energy products, and every input made by the same enterprise), the
direct intensities solve ``(I − M_Dᵀ) D = b_D`` — ``b_D`` the own activities' Scope 1 + 2 per
unit (``own_burden``). ``M_D ≤ M`` element-wise, so the solve exists when the full one does.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from tanlian.graph.model import SCOPE2_CARRIERS, Graph
from tanlian.lca.core.solve import solve_intensities
from tanlian.lca.core.system import System


def makers_and_energy(system: System, graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Per product of ``system``: a code of its maker (equal codes, same enterprise) and whether
    it is Scope-2 energy; from the system's columnar product table (sorted as ``system.products``)
    when it has one, else from the graph's entities."""
    t = system.tables
    if t is not None and t["product"].num_rows == len(system.products):
        P = t["product"]
        maker = pc.dictionary_encode(P.column("enterprise").combine_chunks()).indices.to_numpy(zero_copy_only=False)
        energy = pc.and_(
            pc.equal(P.column("kind"), "energy"),
            pc.is_in(P.column("carrier"), value_set=pa.array(sorted(SCOPE2_CARRIERS), pa.string())),
        )
        return maker, energy.fill_null(False).to_numpy(zero_copy_only=False)
    maker = np.array([graph.products[p].enterprise for p in system.products], dtype=object)
    energy = np.array([graph.products[p].scope2_energy for p in system.products], dtype=bool)
    return maker, energy


def gate_matrix(system: System, graph: Graph) -> sp.csr_matrix:
    """``M_D``: the entries of ``M`` that stay gate to gate (Scope-2 energy, in-house products)."""
    maker, energy = makers_and_energy(system, graph)
    M = system.M.tocoo()
    keep = energy[M.row] | (maker[M.row] == maker[M.col])
    return sp.csr_matrix((M.data[keep], (M.row[keep], M.col[keep])), shape=M.shape)


def gate_to_gate(system: System, graph: Graph, b: np.ndarray) -> np.ndarray:
    """Per-unit figures ``D`` with ``(I − M_Dᵀ) D = b`` (``b``: (n,) or (n, g), per unit)."""
    M_D = gate_matrix(system, graph)
    if M_D.nnz == 0:
        return np.array(b, dtype=float)
    return solve_intensities(M_D, b)[0]


def allocated(system: System, graph: Graph, kg_by_enterprise: Mapping[str, float]) -> np.ndarray:
    """(n,) per unit of each product: its maker's amount × its allocation share / its output."""
    out = np.zeros(len(system.products))
    for e, alloc in system.allocations.items():
        kg = kg_by_enterprise.get(e, 0.0)
        if kg:
            for pid, share in alloc.shares.items():
                out[system.index[pid]] = kg * share / graph.products[pid].output
    return out
