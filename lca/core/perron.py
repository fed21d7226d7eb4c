"""Perron root (spectral radius) of a non-negative irreducible matrix, computed exactly.

Used to report how non-productive a supply loop is; whether a loop is productive is decided by
a certificate (see :mod:`tanlian.lca.core.solve`), never by a bound of this root.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

DENSE_EIG_MAX = 400  # products: dense eigenvalues below this size
ROOT_RTOL = 1e-12  # Collatz–Wielandt bounds this close (relative) give the root (Noda)
EIGS_TOL = 1e-13  # ARPACK's relative accuracy of the eigenvalue
EIGS_MAX_ITER = 1000
NODA_MAX_ITER = 100


def collatz_wielandt(S: sp.spmatrix, x: np.ndarray) -> tuple[float, float]:
    """Bounds ``min (Sx)_i / x_i ≤ ρ(S) ≤ max (Sx)_i / x_i`` for a positive vector ``x``."""
    ratio = (S @ x) / x
    return float(ratio.min()), float(ratio.max())


def _noda(S: sp.csc_matrix) -> float:
    """Noda's inverse iteration with the Collatz–Wielandt upper bound as shift.

    Converges superlinearly on irreducible non-negative matrices; each step factorises
    ``hi·I − S`` (a nonsingular M-matrix while ``hi > ρ``, so its inverse is positive).
    """
    n = S.shape[0]
    eye = sp.identity(n, format="csc")
    x = np.ones(n)
    lo, hi = collatz_wielandt(S, x)
    for _ in range(NODA_MAX_ITER):
        if hi - lo <= ROOT_RTOL * hi:
            break
        try:
            z = spla.splu((hi * eye - S).tocsc()).solve(x)
        except RuntimeError:  # exactly singular: hi is the root
            return hi
        if not np.all(z > 0):  # rounding near convergence: the bounds so far stand
            break
        x = z / z.max()
        lo, hi = collatz_wielandt(S, x)
    return hi


def perron_root(S: sp.spmatrix) -> float:
    """ρ(S) of a non-negative irreducible (n, n) matrix.

    Dense eigenvalues up to ``DENSE_EIG_MAX``; above, ARPACK's largest-modulus eigenvalue
    (for a non-negative matrix its modulus is ρ, Perron–Frobenius); when ARPACK does not converge
    (rings and other periodic loops, whose eigenvalues all share one modulus), Noda's iteration,
    stopped when the Collatz–Wielandt bounds agree to ``ROOT_RTOL``.
    """
    n = S.shape[0]
    if n == 0:
        return 0.0
    if n <= DENSE_EIG_MAX:
        return float(np.max(np.abs(np.linalg.eigvals(S.toarray()))))
    S = sp.csc_matrix(S, dtype=float)
    try:
        vals = spla.eigs(S, k=1, which="LM", tol=EIGS_TOL, maxiter=EIGS_MAX_ITER, return_eigenvectors=False)
        return float(abs(vals[0]))
    except (spla.ArpackNoConvergence, spla.ArpackError):
        pass
    return _noda(S)
