"""Block-triangular structure of ``(I - Mᵀ)``: strongly connected blocks in topological levels.

Product ``j`` depends on product ``i`` when ``M[i, j] > 0`` (``i`` is an input of ``j``). The
strongly connected components of that graph are the supply loops (and single products); their
condensation is acyclic. :class:`BlockStructure` orders the products by *level* (a product's
level is one more than the deepest level of the components it depends on), so that every
product depends only on products of lower levels or of its own block. Products of one level
are solved together: a sparse product for the single products, one factorisation or Krylov
solve per loop block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


def _gather(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The concatenated column indices of ``rows`` of a CSR pattern (vectorised)."""
    starts, stops = indptr[rows], indptr[rows + 1]
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return indices[:0]
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return indices[np.arange(total) + offsets]


def component_levels(labels: np.ndarray, ncomp: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Level of each component of an acyclic condensation with edges ``src → dst`` (Kahn's
    algorithm, one vectorised round per level)."""
    keep = src != dst
    C = sp.csr_matrix((np.ones(int(keep.sum()), np.float32), (src[keep], dst[keep])), shape=(ncomp, ncomp))
    indptr, targets = C.indptr, C.indices  # one entry per distinct component edge
    indeg = np.bincount(targets, minlength=ncomp)
    level = np.full(ncomp, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        reached, times = np.unique(_gather(indptr, targets, frontier), return_counts=True)
        indeg[reached] -= times
        frontier = reached[indeg[reached] == 0]
        depth += 1
    if (level < 0).any():  # cannot happen for a condensation; guards against a wrong labelling
        raise ValueError("the component graph has a cycle")
    return level


@dataclass(frozen=True)
class BlockStructure:
    """Products permuted into topological level order, loop blocks contiguous.

    ``perm[p]`` is the original index of permuted position ``p``. ``level_starts`` bound the
    levels in permuted positions. ``rows[l]`` holds rows ``level_starts[l]:level_starts[l+1]``
    of the permuted ``Mᵀ`` (CSR, all columns). ``inner`` is the part of the permuted ``Mᵀ``
    inside loop blocks. Loop block ``k`` spans permuted positions ``block_start[k]:block_stop[k]``
    in level ``block_level[k]``.
    """

    perm: np.ndarray
    level_starts: np.ndarray
    rows: list[sp.csr_matrix]
    inner: sp.csr_matrix
    block_start: np.ndarray
    block_stop: np.ndarray
    block_level: np.ndarray

    @property
    def n(self) -> int:
        return int(self.perm.size)

    @classmethod
    def of(cls, MT: sp.csr_matrix) -> BlockStructure:
        """The structure of ``(I - MT)``, ``MT`` = ``Mᵀ`` (row ``j`` lists the inputs of ``j``)."""
        n = MT.shape[0]
        MT = sp.csr_matrix(MT)
        MT.eliminate_zeros()
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, np.zeros(1, np.int64), [], sp.csr_matrix((0, 0)), empty, empty, empty)
        ncomp, labels = connected_components(MT, directed=True, connection="strong")
        coo = MT.tocoo()
        # edge input (column) → consumer (row)
        comp_level = component_levels(labels, ncomp, labels[coo.col], labels[coo.row])
        node_level = comp_level[labels]
        perm = np.argsort(node_level * ncomp + labels, kind="stable")
        nlevels = int(comp_level.max()) + 1
        level_starts = np.searchsorted(node_level[perm], np.arange(nlevels + 1))
        P = MT[perm][:, perm]
        rows = [P[level_starts[k] : level_starts[k + 1]] for k in range(nlevels)]
        lab_p = labels[perm]
        sizes = np.bincount(labels, minlength=ncomp)
        self_loop = np.zeros(ncomp, bool)
        self_loop[labels[coo.row[coo.row == coo.col]]] = True
        boundary = np.concatenate([[True], lab_p[1:] != lab_p[:-1]])
        first = np.flatnonzero(boundary)
        comp_of_run = lab_p[first]
        is_loop = (sizes[comp_of_run] > 1) | self_loop[comp_of_run]
        start = first[is_loop]
        stop = start + sizes[comp_of_run[is_loop]]
        # the entries inside loop blocks, from the rows of loop products only
        in_loop = np.flatnonzero(is_loop[np.cumsum(boundary) - 1])
        sub = P[in_loop].tocoo()
        rows_p = in_loop[sub.row]
        same = lab_p[rows_p] == lab_p[sub.col]
        inner = sp.csr_matrix((sub.data[same], (rows_p[same], sub.col[same])), shape=(n, n))
        return cls(perm, level_starts, rows, inner, start, stop, node_level[perm][start])

    def loop_indices(self, k: int) -> np.ndarray:
        """Original product indices of loop block ``k``."""
        return self.perm[self.block_start[k] : self.block_stop[k]]
