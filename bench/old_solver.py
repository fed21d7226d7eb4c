"""The solver before issue 11 (Jacobi series, sparse-LU fallback, bounded loop check), kept only so
that bench/solver_bench.py can time it against the block sweep. Not used by Tanlian.

Pure array functions: all-product intensities in one transposed solve, loop checks, Monte Carlo.

``M`` is (n, n) sparse, ``M[i, j]`` = units of i per unit of j (≥ 0). ``B`` is (n, k) dense:
k right-hand sides (gases, or Monte Carlo samples) in kgCO2e per unit. The solution ``Y``
satisfies ``Y = B + Mᵀ Y``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import connected_components

from tanlian.errors import SolveDidNotConverge

RTOL = 1e-13  # per element, relative to the element (estimated error of the Jacobi series)
ATOL = 1e-15  # kgCO2e per unit
DENSE_EIG_MAX = 400
RATE_WINDOW = 24  # steps over which the contraction rate is taken (periodic loops)
SLOW_AFTER = 100  # iterations after which a rate still ≥ 0.95 goes to the direct solver


@dataclass(frozen=True)
class SolveInfo:
    method: str  # "jacobi" or "splu"
    iterations: int
    residual: float  # max |B - (I - Mᵀ) Y|


def loop_components(M: sp.csr_matrix) -> list[np.ndarray]:
    """Index arrays of the supply loops: strongly connected components with a cycle."""
    n = M.shape[0]
    if n == 0 or M.nnz == 0:
        return []
    ncomp, labels = connected_components(M, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=ncomp)
    self_loop = np.zeros(ncomp, bool)
    diag = M.diagonal()
    self_loop[labels[diag > 0]] = True
    loops = np.flatnonzero((sizes > 1) | self_loop)
    if loops.size == 0:
        return []
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    return [order[starts[c] : starts[c + 1]] for c in loops]


def spectral_radius(S: sp.spmatrix) -> float:
    """Perron root of a non-negative (irreducible) matrix: dense eig when small, else bounds."""
    n = S.shape[0]
    if n <= DENSE_EIG_MAX:
        return float(np.max(np.abs(np.linalg.eigvals(S.toarray()))))
    x = np.ones(n)
    lo = hi = 0.0
    for _ in range(2000):  # Collatz–Wielandt bounds on the lazy walk (I + S) / 2
        y = S @ x
        ratio = y / x
        lo, hi = float(ratio.min()), float(ratio.max())
        if hi < 1 or lo >= 1 or hi - lo < 1e-12 * max(hi, 1.0):
            break
        x = (x + y) / 2
        x /= x.max()
    return hi if hi < 1 else lo


def non_productive_loops(M: sp.csr_matrix) -> list[tuple[np.ndarray, float]]:
    """Loops whose spectral radius is ≥ 1 (more than one unit of a product per unit of itself)."""
    bad = []
    for comp in loop_components(M):
        S = M[comp][:, comp]
        # cheap sufficient test: the radius is at most the smallest of max row / column sums
        if min(S.sum(axis=0).max(), S.sum(axis=1).max()) < 1:
            continue
        rho = spectral_radius(S)
        if rho >= 1 - 1e-12:
            bad.append((comp, rho))
    return bad


def _jacobi(MT: sp.csr_matrix, B: np.ndarray, max_iter: int) -> tuple[np.ndarray, int] | None:
    """The Neumann series Y ← B + Mᵀ Y, stopped when the estimated remaining error is tiny.

    The remaining error is estimated from the contraction rate: the largest ratio of successive
    step sizes over the last ``RATE_WINDOW`` steps (one ratio alone is fooled by periodic loops,
    whose steps shrink and grow in turn). Exact on acyclic graphs (the step becomes 0). Returns
    None for slow loops (rate ≥ 0.95), which the caller solves directly.
    """
    Y = B.copy()
    ratios: deque[float] = deque(maxlen=RATE_WINDOW)
    prev_step = 0.0
    for it in range(1, max_iter + 1):
        Y_new = B + MT @ Y
        delta = np.abs(Y_new - Y)
        step = float(delta.max(initial=0.0))
        Y = Y_new
        if step == 0.0:
            return Y, it
        if prev_step:
            ratios.append(step / prev_step)
        prev_step = step
        if len(ratios) < 2:
            continue
        rate = max(ratios)
        if rate >= 0.95:  # slow (near-critical) loop, or still growing: the direct solver decides
            if it > SLOW_AFTER:
                return None
            continue
        remaining = delta * (rate / (1 - rate))
        if np.all(remaining <= RTOL * np.abs(Y) + ATOL):
            return Y, it
    return None


def _check(A_T: sp.csr_matrix, B2: np.ndarray, Y: np.ndarray, method: str) -> float:
    """Max residual of ``A_T Y = B``; raise when the solution is not finite or not a solution."""
    residual = float(np.abs(B2 - A_T @ Y).max(initial=0.0))
    scale = max(float(np.abs(B2).max(initial=0.0)), float(np.abs(Y).max(initial=0.0)), 1.0)
    if not np.all(np.isfinite(Y)) or residual > 1e-9 * scale:
        raise SolveDidNotConverge(f"residual {residual:.3g} after {method}")
    return residual


class Solver:
    """Solves ``(I - Mᵀ) Y = B`` for any B (several columns at once: gases, Monte Carlo samples).

    Jacobi/Neumann series first (exact after depth + 1 steps on an acyclic graph, a dozen
    sparse products on typical supply graphs); a sparse LU factorisation only when the series is
    slow, computed once and reused for later right-hand sides. On loop-rich graphs the LU fills
    in badly (10k products: ~15 M factor entries), which is why it is the fallback.
    """

    def __init__(self, M: sp.spmatrix, max_iter: int = 500):
        self.MT = sp.csr_matrix(M.T)
        self.A_T = sp.identity(M.shape[0], format="csr") - self.MT
        self.max_iter = max_iter
        self._lu: spla.SuperLU | None = None

    def solve(self, B: np.ndarray) -> tuple[np.ndarray, SolveInfo]:
        B2 = B.reshape(B.shape[0], -1).astype(float)
        res = None
        if self._lu is None:
            res = _jacobi(self.MT, B2, self.max_iter) if self.MT.shape[0] else (B2.copy(), 0)
        if res is not None:
            Y, it, method = res[0], res[1], "jacobi"
        else:
            if self._lu is None:
                self._lu = spla.splu(self.A_T.tocsc())
            Y, it, method = self._lu.solve(B2), 0, "splu"
        residual = _check(self.A_T, B2, Y, method)
        return Y.reshape(B.shape), SolveInfo(method, it, residual)

    def __call__(self, B: np.ndarray) -> np.ndarray:
        return self.solve(B)[0]


def solve_intensities(M: sp.spmatrix, B: np.ndarray, max_iter: int = 500) -> tuple[np.ndarray, SolveInfo]:
    """Solve ``(I - Mᵀ) Y = B`` for all products at once (B may have several columns).

    Loops must have been checked with :func:`non_productive_loops` first.
    """
    return Solver(M, max_iter).solve(B)
