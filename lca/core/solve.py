"""Pure array functions: all-product intensities in one block-triangular sweep, exact loop checks.

``M`` is (n, n) sparse, ``M[i, j]`` = units of i per unit of j (≥ 0). ``B`` is (n, k) dense:
k right-hand sides (gases, or Monte Carlo samples) in kgCO2e per unit. The solution ``Y``
satisfies ``Y = B + Mᵀ Y``.

Method (docs/method.md): the products are ordered by the topological levels of their strongly
connected blocks (:mod:`tanlian.lca.core.blocks`); one sweep solves level after level, a sparse
product for single products, a factorisation (small loops) or a refined Krylov solve (large
loops) per loop block (:mod:`tanlian.lca.core.loop_solvers`). A loop block ``S`` (the block of
``Mᵀ``) is productive iff ``ρ(S) < 1`` iff ``w = (I − S)⁻¹ 1`` exists and is > 0; the check
accepts it only with the certificate ``w > 0`` and ``max (S w)_i / w_i < 1 − LOOP_MARGIN``
(Collatz–Wielandt: that maximum bounds ``ρ`` from above, whatever the accuracy of ``w``), and
otherwise computes ``ρ`` exactly (:mod:`tanlian.lca.core.perron`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from tanlian.errors import NegativeIntensity, SolveDidNotConverge
from tanlian.lca.core.blocks import BlockStructure
from tanlian.lca.core.loop_solvers import DIRECT_MAX, DirectBlocks, KrylovBlock, relative_residual
from tanlian.lca.core.perron import perron_root

LOOP_MARGIN = 1e-12  # a loop with ρ ≥ 1 − LOOP_MARGIN is not productive
RESIDUAL_RTOL = 1e-10  # per-product residual, relative to |B_j| + |Y_j| + (Mᵀ|Y|)_j (floored)
NEGATIVE_RTOL = 1e-10  # Y_j below −NEGATIVE_RTOL × that same scale is negative


_blas_lock = threading.Lock()
_blas_limited = False
#: OpenBLAS threads a dot product of more than 10 000 entries (``interface/dot.c``); a system of at
#: most this many products never calls BLAS on longer vectors, so it skips the limit (threadpoolctl
#: scans the loaded libraries: ~30 ms of a CLI command's start-up).
BLAS_THREADED_MIN = 10_000


def single_thread_blas() -> None:
    """Limit BLAS to one thread in this process (once; idempotent).

    The solver's BLAS calls are level-1 (the dot products and norms of the Krylov methods, the
    residual checks): memory-bound, so a second thread gains little, while OpenBLAS threads every
    one above a few thousand entries and, on cores shared with other work (server threads, other
    processes), each call then waits for its woken threads to be scheduled. At 100k products
    one all-product solve took 1.05 s instead of 0.17 s, ``Z`` of Monte Carlo 1.7–11 s instead of
    0.4 s (bench/README.md). Process-wide rather than per call: a per-call limit restored by one
    thread would lift another thread's limit mid-solve.
    """
    global _blas_limited
    with _blas_lock:
        if not _blas_limited:
            threadpool_limits(limits=1, user_api="blas")
            _blas_limited = True


@dataclass(frozen=True)
class SolveInfo:
    method: str  # "sweep", then "+lu", "+bicgstab", "+gmres-ilu", "+splu-fallback": the loop solvers used
    iterations: int  # Krylov iterations (0 when every loop was factorised)
    residual: float  # max over products of |B - (I - Mᵀ) Y| / (|B| + |Y| + Mᵀ|Y|)


def loop_components(M: sp.spmatrix) -> list[np.ndarray]:
    """Index arrays of the supply loops: strongly connected components with a cycle."""
    st = BlockStructure.of(sp.csr_matrix(M).T.tocsr())
    return [st.loop_indices(k) for k in range(st.block_start.size)]


def spectral_radius(S: sp.spmatrix) -> float:
    """Perron root of a non-negative irreducible matrix (exact: see :func:`perron.perron_root`)."""
    return perron_root(S)


@dataclass
class _Part:
    """Loop blocks of one level solved together: permuted positions and their solver."""

    positions: np.ndarray
    solver: DirectBlocks | KrylovBlock
    segments: np.ndarray  # start of each block inside ``positions`` (local)
    blocks: np.ndarray  # loop block numbers, one per segment


class Solver:
    """Solves ``(I - Mᵀ) Y = B`` for any B (several columns at once: gases, Monte Carlo samples).

    The block structure and every loop factorisation are computed once and reused for later
    right-hand sides. ``Solver(M.T)`` solves ``(I - M) x = d`` (supply vectors). ``names``
    (product ids by index) make errors name products rather than indices.
    """

    def __init__(self, M: sp.spmatrix, names: Sequence[str] | None = None):
        if M.shape[0] > BLAS_THREADED_MIN:  # smaller vectors never reach a threaded BLAS call
            single_thread_blas()
        self.MT = sp.csr_matrix(sp.csr_matrix(M).T, dtype=float)
        self.names = names
        self.structure = BlockStructure.of(self.MT)
        self._parts: dict[int, list[_Part]] | None = None

    def _name(self, i: int) -> str:
        return str(self.names[i]) if self.names is not None else f"#{i}"

    @property
    def parts(self) -> dict[int, list[_Part]]:
        """Loop solvers by level: small blocks of a level together (LU), each large one alone."""
        if self._parts is None:
            st, parts = self.structure, {}
            size = st.block_stop - st.block_start
            for level in np.unique(st.block_level):
                ks = np.flatnonzero(st.block_level == level)
                small, large = ks[size[ks] <= DIRECT_MAX], ks[size[ks] > DIRECT_MAX]
                found = []
                if small.size:
                    pos = np.concatenate([np.arange(st.block_start[k], st.block_stop[k]) for k in small])
                    seg = np.concatenate([[0], np.cumsum(size[small])[:-1]])
                    found.append(_Part(pos, DirectBlocks(st.inner[pos][:, pos]), seg, small))
                for k in large:
                    pos = np.arange(st.block_start[k], st.block_stop[k])
                    found.append(_Part(pos, KrylovBlock(st.inner[pos][:, pos]), np.array([0]), np.array([k])))
                parts[int(level)] = found
            self._parts = parts
        return self._parts

    def non_productive_loops(self) -> list[tuple[np.ndarray, float]]:
        """Loops whose spectral radius is ≥ 1 − LOOP_MARGIN, with that radius (exact)."""
        st, bad = self.structure, []
        for level_parts in self.parts.values():
            for part in level_parts:
                m = part.positions.size
                w, _ = part.solver.solve(np.ones((m, 1)), exact=False)
                certified = np.zeros(part.segments.size, bool)
                if w is not None and np.all(np.isfinite(w)):
                    w = w[:, 0]
                    u = part.solver.S @ w
                    with np.errstate(divide="ignore", invalid="ignore"):
                        ok = (w > 0) & (u < (1 - LOOP_MARGIN) * w)
                    certified = np.logical_and.reduceat(ok, part.segments)
                for k, ok_k in zip(part.blocks, certified, strict=True):
                    if ok_k:
                        continue
                    pos = np.arange(st.block_start[k], st.block_stop[k])
                    rho = perron_root(st.inner[pos][:, pos])
                    if rho >= 1 - LOOP_MARGIN:
                        bad.append((st.loop_indices(k), rho))
        return bad

    def solve(self, B: np.ndarray) -> tuple[np.ndarray, SolveInfo]:
        n, st = self.MT.shape[0], self.structure
        B2 = np.asarray(B, dtype=float).reshape(n, -1)
        Bp = B2[st.perm]
        Yp = np.zeros_like(Bp)
        iterations, methods = 0, set()
        parts = self.parts
        for level, rows in enumerate(st.rows):
            s, e = st.level_starts[level], st.level_starts[level + 1]
            rhs = Bp[s:e] + rows @ Yp if rows.nnz else Bp[s:e].copy()
            for part in parts.get(level, ()):
                loc = part.positions - s
                X, it = part.solver.solve(rhs[loc])
                rhs[loc] = X
                iterations += it
                methods.add(part.solver.method)
            Yp[s:e] = rhs
        Y = np.empty_like(Yp)
        Y[st.perm] = Yp
        method = "sweep" + "".join(f"+{m}" for m in sorted(methods))
        residual = self._check(B2, Y, method)
        return Y.reshape(np.shape(B)), SolveInfo(method, iterations, residual)

    def _check(self, B2: np.ndarray, Y: np.ndarray, method: str) -> float:
        """Per-product relative residual ≤ RESIDUAL_RTOL and no negative intensity from B ≥ 0."""
        if not np.all(np.isfinite(Y)):
            rows = np.flatnonzero(~np.isfinite(Y).all(axis=1))
            raise SolveDidNotConverge(f"non-finite result after {method} for products: {self._names(rows)}")
        absY = np.abs(Y)
        scale = np.abs(B2) + absY + self.MT @ absY
        rel = relative_residual(np.abs(B2 - Y + self.MT @ Y), scale)
        worst = rel.max(axis=1) if rel.size else np.zeros(0)
        if worst.size and worst.max() > RESIDUAL_RTOL:
            rows = np.flatnonzero(worst > RESIDUAL_RTOL)
            raise SolveDidNotConverge(
                f"relative residual {worst.max():.3g} > {RESIDUAL_RTOL:g} after {method} for products: "
                f"{self._names(rows)}"
            )
        nonneg = (B2 >= 0).all(axis=0)  # where B ≥ 0 the exact Y is ≥ B ≥ 0
        neg = (Y + NEGATIVE_RTOL * scale < 0) & nonneg[None, :]
        if neg.any():
            rows = np.flatnonzero(neg.any(axis=1))
            raise NegativeIntensity([self._name(int(i)) for i in rows], float(Y[rows].min()))
        return float(worst.max(initial=0.0))

    def _names(self, rows: np.ndarray, limit: int = 20) -> str:
        shown = ", ".join(self._name(int(i)) for i in rows[:limit])
        return shown + (f" (+{rows.size - limit} more)" if rows.size > limit else "")

    def __call__(self, B: np.ndarray) -> np.ndarray:
        return self.solve(B)[0]


def non_productive_loops(M: sp.spmatrix) -> list[tuple[np.ndarray, float]]:
    """Loops whose spectral radius is ≥ 1 (more than one unit of a product per unit of itself)."""
    return Solver(M).non_productive_loops()


def solve_intensities(M: sp.spmatrix, B: np.ndarray) -> tuple[np.ndarray, SolveInfo]:
    """Solve ``(I - Mᵀ) Y = B`` for all products at once (B may have several columns).

    Loops must have been checked with :func:`non_productive_loops` first.
    """
    return Solver(M).solve(B)
