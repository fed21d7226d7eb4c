"""Solvers of the supply-loop blocks of one level: ``(I − S) x = r`` with ``S ≥ 0``.

Small blocks are factorised together (a block-diagonal matrix: no fill between blocks, and
SuperLU's fill stays inside each block). A large block is solved by BiCGSTAB, then GMRES with an
incomplete-LU preconditioner if that stalls, and a complete LU only as the last resort. Every
Krylov answer is refined until its componentwise (Oettli–Prager) backward error is at most
``BACKWARD_TOL`` for every product (products whose scale is below ``SCALE_FLOOR`` of the
largest are held to that floor instead of to their own zero): the computed ``x`` is the exact solution for coefficients
and right-hand side each perturbed by at most that relative amount. Because ``I − S`` is a
nonsingular M-matrix (its inverse is ≥ 0), the forward error of product ``j`` is then at most
``2·BACKWARD_TOL·((I − S)⁻¹ x)_j``, i.e. amplified no more than the loop amplifies a unit of
demand (≈ 1 / (1 − ρ)).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

DIRECT_MAX = 500  # products: loop blocks up to this size are factorised (LU); above, Krylov
BACKWARD_TOL = 1e-13  # componentwise backward error every loop solve reaches (per product)
KRYLOV_RTOL = 1e-10  # relative residual reduction asked of each Krylov (refinement) step
KRYLOV_MAX_ITER = 1000  # per Krylov step
REFINE_STEPS = 4  # refinement steps per method before the next method is tried
ILU_DROP_TOL, ILU_FILL = 1e-6, 20
SCALE_FLOOR = 1e-9  # products below this share of the largest scale are held to it (absolute)


def relative_residual(res: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``|res| / (scale + SCALE_FLOOR · max scale)`` per element, the max taken per column.

    ``scale`` is a product's own scale (``|x| + S|x| + |r|``); the floor keeps a product whose
    exact value is 0 (no burden, no inputs) from failing on a 1e-30 left by a Krylov method.
    """
    floor = SCALE_FLOOR * scale.max(axis=0, initial=0.0)
    denom = scale + floor
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(denom > 0, res / denom, np.where(res == 0, 0.0, np.inf))
    return np.where(np.isfinite(res), out, np.inf)


def backward_error(S: sp.csr_matrix, x: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Per-product componentwise backward error ``|r − (I − S)x| / (|x| + S|x| + |r|)``."""
    res = np.abs(r - (x - S @ x))
    return relative_residual(res, np.abs(x) + S @ np.abs(x) + np.abs(r))


class DirectBlocks:
    """Loop blocks of one level factorised as one block-diagonal ``I − S`` (sparse LU)."""

    method = "lu"

    def __init__(self, S: sp.csr_matrix):
        self.S = S
        self.A = sp.identity(S.shape[0], format="csr") - S
        self._lu: spla.SuperLU | None = None

    def solve(self, R: np.ndarray, exact: bool = True) -> tuple[np.ndarray | None, int]:
        """``(x, 0)``; one step of iterative refinement when the first answer is not accurate."""
        try:
            if self._lu is None:
                self._lu = spla.splu(self.A.tocsc())
            X = self._lu.solve(R)
            if backward_error(self.S, X, R).max(initial=0.0) > BACKWARD_TOL:
                X = X + self._lu.solve(R - self.A @ X)
        except RuntimeError:  # exactly singular: a loop with spectral radius 1
            if exact:
                raise
            return None, 0
        return X, 0


class KrylovBlock:
    """One large loop block: BiCGSTAB, then ILU-preconditioned GMRES, then LU (see module doc)."""

    def __init__(self, S: sp.csr_matrix):
        self.S = S
        self.A = sp.identity(S.shape[0], format="csr") - S
        self._ilu: spla.LinearOperator | None = None
        self._lu: spla.SuperLU | None = None
        self.method = "bicgstab"

    def _preconditioner(self) -> spla.LinearOperator:
        if self._ilu is None:
            ilu = spla.spilu(self.A.tocsc(), drop_tol=ILU_DROP_TOL, fill_factor=ILU_FILL)
            self._ilu = spla.LinearOperator(self.A.shape, ilu.solve)
        return self._ilu

    def _refine(self, r: np.ndarray, x: np.ndarray, step) -> tuple[np.ndarray, int, bool]:
        iters = 0
        for _ in range(REFINE_STEPS):
            if backward_error(self.S, x, r).max(initial=0.0) <= BACKWARD_TOL:
                return x, iters, True
            d, n_it, converged = step(r - self.A @ x)
            iters += n_it
            if not np.all(np.isfinite(d)):
                return x, iters, False
            x = x + d
            if not converged:  # stalled: the next method takes over from here
                break
        return x, iters, backward_error(self.S, x, r).max(initial=0.0) <= BACKWARD_TOL

    def _krylov_step(self, method, precondition: bool):
        def step(res: np.ndarray):
            count = [0]

            def tick(_):
                count[0] += 1

            kw = {"M": self._preconditioner(), "callback_type": "pr_norm"} if precondition else {}
            d, info = method(self.A, res, rtol=KRYLOV_RTOL, atol=0.0, maxiter=KRYLOV_MAX_ITER, callback=tick, **kw)
            return d, count[0], info == 0

        return step

    def _column(self, r: np.ndarray, exact: bool) -> tuple[np.ndarray | None, int]:
        x, it1, ok = np.zeros_like(r), 0, False
        if self.method == "bicgstab":  # until a column has needed more, try the plain method first
            x, it1, ok = self._refine(r, x, self._krylov_step(spla.bicgstab, precondition=False))
            if ok:
                return x, it1
        try:
            x, it2, ok = self._refine(r, x, self._krylov_step(spla.gmres, precondition=True))
        except RuntimeError:  # ILU of an exactly singular block
            it2, ok = 0, False
        self.method = "gmres-ilu"
        if ok:
            return x, it1 + it2
        if not exact:
            return None, it1 + it2
        if self._lu is None:
            self._lu = spla.splu(self.A.tocsc())
        self.method = "splu-fallback"
        x = self._lu.solve(r)
        return x + self._lu.solve(r - self.A @ x), it1 + it2

    def solve(self, R: np.ndarray, exact: bool = True) -> tuple[np.ndarray | None, int]:
        """``(X, Krylov iterations)`` for the columns of ``R`` (m, k). With ``exact=False``
        (the productivity certificate) a block the Krylov methods cannot solve gives ``None``
        rather than an LU factorisation."""
        X = np.empty_like(R)
        total = 0
        for c in range(R.shape[1]):
            x, it = self._column(np.ascontiguousarray(R[:, c]), exact)
            total += it
            if x is None:
                return None, total
            X[:, c] = x
        return X, total
