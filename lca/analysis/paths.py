"""Structural path analysis: the largest supply paths of a footprint, loops unrolled.

Pure functions over arrays. ``M`` (n, n) sparse, ``M[i, j]`` = units of i per unit of j;
``b`` (n,) the own burden of each product in kgCO2e per unit; ``y`` (n,) the cradle-to-gate
intensities (kgCO2e per unit, ``y = b + Mᵀ y``). A path ``(n0, n1, …, nk)`` follows inputs
(``n_{t+1}`` is an input of ``n_t``) and carries ``amount × Π M[n_{t+1}, n_t] × b[nk]``
kgCO2e: the own burden of the last node needed by the root through that chain. Paths are
expanded best first (priority = everything upstream of the prefix, ``amount × y``), so the
search stops as soon as no unexpanded prefix can beat the N-th best path.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

CUTOFF_REL = 1e-4  # prefixes carrying less than this share of the total are not expanded
MAX_DEPTH = 12  # edges from the root
MAX_EXPANSIONS = 200_000  # safety cap on popped prefixes


@dataclass(frozen=True)
class PathStart:
    """Where a traversal starts: ``amount`` units of product ``node``.

    ``adjust`` (kgCO2e) is added to the own-burden value of the start node only (e.g. minus the
    seller's direct part of bought energy, which is the buyer's Scope 2, not Scope 3).
    ``prefix`` labels put before the node (e.g. the buying enterprise).
    """

    node: int
    amount: float
    adjust: float = 0.0
    prefix: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawPath:
    nodes: tuple[int, ...]  # product indices, root first
    prefix: tuple[str, ...]
    kgco2e: float
    aggregated: bool  # True: the last node's whole footprint (collapsed tier), else its own burden


def top_paths(
    M: sp.spmatrix,
    b: np.ndarray,
    y: np.ndarray,
    starts: list[PathStart],
    total: float,
    top: int = 10,
    cutoff_rel: float = CUTOFF_REL,
    max_depth: int = MAX_DEPTH,
    collapse_depth: int | None = None,
    max_expansions: int = MAX_EXPANSIONS,
) -> list[RawPath]:
    """The ``top`` paths by kgCO2e carried, largest first.

    ``collapse_depth``: nodes at that depth are leaves carrying their whole footprint
    (``amount × y``), used to stop detail at tier-1 suppliers. ``total`` (kgCO2e) sets the cut-off.
    """
    if top <= 0 or not starts:
        return []
    Mc = sp.csc_matrix(M)
    indptr, indices, data = Mc.indptr, Mc.indices, Mc.data
    floor = abs(total) * cutoff_rel
    tie = itertools.count()
    frontier: list = []
    for s in starts:
        bound = s.amount * y[s.node] + max(s.adjust, 0.0)
        heapq.heappush(frontier, (-bound, next(tie), (s.node,), s.amount, s.adjust, s.prefix))
    best: list = []  # min-heap of (value, tie, RawPath)
    expansions = 0
    while frontier and expansions < max_expansions:
        neg_bound, _, nodes, amount, adjust, prefix = heapq.heappop(frontier)
        bound = -neg_bound
        if bound < floor or (len(best) >= top and bound <= best[0][0]):
            break
        expansions += 1
        node, depth = nodes[-1], len(nodes) - 1
        collapsed = collapse_depth is not None and depth >= collapse_depth
        value = amount * (y[node] if collapsed else b[node]) + (adjust if depth == 0 else 0.0)
        if value > 0 and value >= floor:
            item = (value, next(tie), RawPath(nodes, prefix, float(value), collapsed))
            if len(best) < top:
                heapq.heappush(best, item)
            elif value > best[0][0]:
                heapq.heapreplace(best, item)
        if collapsed or depth >= max_depth:
            continue
        for k in range(indptr[node], indptr[node + 1]):
            child = indices[k]
            child_amount = amount * data[k]
            child_bound = child_amount * y[child]
            if child_bound >= floor and child_bound > 0:
                heapq.heappush(frontier, (-child_bound, next(tie), (*nodes, child), child_amount, 0.0, prefix))
    return [p for _, _, p in sorted(best, key=lambda t: (-t[0], t[1]))]
