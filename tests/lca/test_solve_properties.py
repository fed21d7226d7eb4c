"""Properties of the array solver on random matrices (hypothesis): it equals a dense solve, and
loop productivity is decided exactly as the spectral radius says."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tanlian.lca.core.solve import non_productive_loops, solve_intensities


@st.composite
def systems(draw, scale_max: float = 0.95):
    n = draw(st.integers(1, 25))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dense = rng.random((n, n)) * (rng.random((n, n)) < draw(st.floats(0.05, 0.5)))
    rho = np.abs(np.linalg.eigvals(dense)).max()
    target = draw(st.floats(0.0, scale_max))
    M = dense * (target / rho) if rho > 1e-6 else dense * 0.1  # acyclic (nilpotent): keep it small
    B = rng.random((n, draw(st.integers(1, 3)))) * 100
    return sp.csr_matrix(M), B


@settings(max_examples=60, deadline=None, derandomize=True)
@given(systems())
def test_solution_equals_a_dense_solve(system):
    M, B = system
    Y, _ = solve_intensities(M, B)
    exact = np.linalg.solve(np.eye(M.shape[0]) - M.T.toarray(), B)
    np.testing.assert_allclose(Y, exact, rtol=1e-9, atol=1e-9)
    assert (Y >= -1e-12).all()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(systems(scale_max=2.0))
def test_non_productive_loops_match_the_spectral_radius(system):
    M, _ = system
    rho = np.abs(np.linalg.eigvals(M.toarray())).max() if M.shape[0] else 0.0
    bad = non_productive_loops(M)
    if rho < 1 - 1e-6:
        assert bad == []
    elif rho > 1 + 1e-6:
        assert bad and max(r for _, r in bad) >= 1


def test_periodic_loop_with_uneven_links():
    """A 4-cycle whose links alternate strong and weak: step sizes shrink and grow in turn, so a
    single step ratio would understate the remaining error."""
    n = 4
    M = np.zeros((n, n))
    for i, w in enumerate([0.99, 1e-3, 0.99, 0.5]):
        M[i, (i + 1) % n] = w
    B = np.array([[1.0], [0.0], [0.0], [0.0]])
    Y, _ = solve_intensities(sp.csr_matrix(M), B)
    exact = np.linalg.solve(np.eye(n) - M.T, B)
    np.testing.assert_allclose(Y, exact, rtol=1e-12)
