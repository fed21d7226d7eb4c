"""Monte Carlo over factor uncertainty: multipliers per factor and the sampled intensities.

Two ways, one random stream (same seed → same multipliers → same samples):

- park-wide (:func:`percentiles`, for reports): every product for every sample, one multi-RHS
  solve of ``(I − Mᵀ) Y = b + D (m − 1)``; (n, S) floats.
- one product (:func:`product_percentiles`, for a footprint): the intensity of j is ``xᵀ b`` with
  ``x`` its supply vector, ``(I − M) x = e_j`` (units of each product per unit of j). A sample is
  ``y_j + cᵀ (m − 1)`` with ``c = Dᵀ x`` (kgCO2e per unit of j due to each uncertain factor): S dot
  products over the factors that reach j; O(n + S·k) memory.

``c`` is row j of ``Z = (I − Mᵀ)⁻¹ D`` (``Dᵀ (I − M)⁻¹ e_j = ((I − Mᵀ)⁻¹ D)ᵀ e_j``). While ``Z`` (n × k
floats) stays under :data:`Z_MAX_ENTRIES` it is solved once per result with the result's own
warmed solver (k columns, like the gases) and every product reads its row; beyond that each product
solves its supply vector with a solver of ``(I − M)`` kept per result. The supply solve's first call
can be slow where a large loop's Krylov method fails on the sparse right-hand side ``e_j`` and falls
back to an ILU or LU factorisation (bench/README.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from tanlian.lca.core.result import LcaResult
from tanlian.lca.core.solve import Solver


def _rows(types: list[str | None], spreads: np.ndarray, n_samples: int, seed: int) -> Iterator[np.ndarray]:
    """The rows of :func:`sample_multipliers`, one factor at a time (same stream, O(S) memory)."""
    rng = np.random.default_rng(seed)
    for t, s in zip(types, spreads, strict=True):
        z = rng.standard_normal(n_samples)
        if t == "lognormal":
            yield np.exp(np.log(s) * z)
        elif t == "normal":
            yield np.maximum(1 + s * z, 0.0)
        else:
            yield np.ones(n_samples)


def sample_multipliers(types: list[str | None], spreads: np.ndarray, n_samples: int, seed: int) -> np.ndarray:
    """(k, S) random multipliers of k factors with median/mean 1.

    ``lognormal``: exp(N(0, ln GSD)); ``normal``: 1 + N(0, RSD), truncated at 0. Row k uses the
    k-th block of S standard normals of ``default_rng(seed)``.
    """
    out = np.ones((len(types), n_samples))
    for k, row in enumerate(_rows(types, spreads, n_samples, seed)):
        out[k] = row
    return out


def monte_carlo(M: sp.spmatrix, b_total: np.ndarray, D: sp.spmatrix, multipliers: np.ndarray, solve=None) -> np.ndarray:
    """(n, S) intensities of every product for S samples, one factorisation, one multi-RHS solve.

    ``b_total`` (n,) kgCO2e per unit; ``D`` (n, k) the part of it due to each uncertain factor.
    """
    B = b_total[:, None] + D @ (multipliers - 1.0)
    solve = solve or Solver(M)
    return solve(np.asarray(B))


def _factor_spreads(result: LcaResult) -> tuple[list[str | None], np.ndarray]:
    book = result.book
    factors = [book.get(f) for f in result.system.uncertain]
    return [f.uncertainty_type for f in factors], np.array([f.uncertainty for f in factors], dtype=float)


def percentiles(result: LcaResult, n_samples: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n,) p5, p50, p95 of every product's intensity (kgCO2e per unit) from ``n_samples`` draws
    (park-wide: for reports; a single footprint uses :func:`product_percentiles`)."""
    s = result.system
    types, spreads = _factor_spreads(result)
    mult = sample_multipliers(types, spreads, n_samples, seed)
    samples = monte_carlo(s.M, s.b.sum(axis=1), s.D, mult, result.solver)
    p5, p50, p95 = np.percentile(samples, [5, 50, 95], axis=1)
    return p5, p50, p95


def supply_solver(result: LcaResult) -> Solver:
    """The solver of ``(I − M) x = d`` (supply vectors) of ``result``, built once per result."""
    s = result.system
    return result.memo.get("uncertainty.supply_solver", lambda: Solver(s.M.T, names=s.products))


#: Largest ``Z = (I − Mᵀ)⁻¹ D`` kept per result (8 M floats = 64 MiB); beyond it: supply vectors.
Z_MAX_ENTRIES = 8 * 2**20


def uncertain_intensities(result: LcaResult) -> np.ndarray:
    """(n, k) ``Z = (I − Mᵀ)⁻¹ D``: kgCO2e per unit of each product due to each uncertain factor,
    solved once per result with its solver."""
    s = result.system
    return result.memo.get("uncertainty.Z", lambda: result.solver(s.D.toarray()).reshape(s.D.shape))


def contributions(result: LcaResult, j: int, via: str = "auto") -> np.ndarray:
    """(k,) kgCO2e per unit of product j due to each uncertain factor: ``Dᵀ x`` with ``(I − M) x = e_j``.

    ``via``: ``"rows"`` (row j of :func:`uncertain_intensities`), ``"supply"`` (solve x), or
    ``"auto"`` (rows while ``Z`` has at most :data:`Z_MAX_ENTRIES` entries)."""
    s = result.system
    n, k = s.D.shape
    if k == 0:
        return np.zeros(0)
    if via == "rows" or (via == "auto" and n * k <= Z_MAX_ENTRIES):
        return uncertain_intensities(result)[j].copy()
    e = np.zeros(n)
    e[j] = 1.0
    x = supply_solver(result)(e)
    return np.asarray(s.D.T @ x).ravel()


def product_samples(result: LcaResult, j: int, n_samples: int, seed: int = 42) -> np.ndarray:
    """(S,) sampled intensities of product j (kgCO2e per unit), the same draws as the park-wide
    :func:`monte_carlo` with ``sample_multipliers(..., seed)``."""
    c = contributions(result, j)
    types, spreads = _factor_spreads(result)
    out = np.full(n_samples, float(result.intensity[j]))
    for k, row in enumerate(_rows(types, spreads, n_samples, seed)):
        if c[k]:
            out += c[k] * (row - 1.0)
    return out


def product_percentiles(result: LcaResult, j: int, n_samples: int, seed: int = 42) -> tuple[float, float, float]:
    """p5, p50, p95 of product j's intensity (kgCO2e per unit). The supply solver is kept per
    result (revision); the API keeps whole footprint bodies per revision, seed and sample count."""
    p5, p50, p95 = np.percentile(product_samples(result, j, n_samples, seed), [5, 50, 95])
    return float(p5), float(p50), float(p95)
