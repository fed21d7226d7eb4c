"""The solver on loops larger than the dense-eigenvalue limit (400 products) and with tight
spectral radii (≥ 0.99), against a dense solve; non-productive loops of 1 000+ products are
rejected with their exact radius; negative results are rejected.

Loops of known radius: a strongly connected pattern (a ring, optionally with random chords),
rows scaled to sum to ``rho`` (a non-negative matrix with constant row sums ``rho`` has spectral
radius ``rho``), then a random diagonal similarity ``D S D⁻¹`` (same radius, uneven sums). The
loop is embedded between acyclic upstream and downstream products and the indices shuffled, so
the solver has to find it.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tanlian.errors import NegativeIntensity
from tanlian.lca.core.loop_solvers import DIRECT_MAX
from tanlian.lca.core.perron import DENSE_EIG_MAX
from tanlian.lca.core.solve import Solver, non_productive_loops, solve_intensities


def loop_block(rng: np.random.Generator, n: int, rho: float, chords: float) -> sp.csr_matrix:
    """(n, n) irreducible non-negative block with spectral radius exactly ``rho``."""
    rows = np.arange(n)
    cols = (rows + 1) % n
    extra = int(chords * n)
    rows = np.concatenate([rows, rng.integers(0, n, extra)])
    cols = np.concatenate([cols, rng.integers(0, n, extra)])
    S = sp.csr_matrix((rng.uniform(0.1, 1.0, rows.size), (rows, cols)), shape=(n, n))
    S = sp.diags(rho / np.asarray(S.sum(axis=1)).ravel()) @ S
    d = np.exp(rng.uniform(-2.0, 2.0, n))
    return sp.csr_matrix(sp.diags(d) @ S @ sp.diags(1 / d))


def embedded(rng: np.random.Generator, block: sp.csr_matrix, n_up: int, n_down: int) -> sp.csr_matrix:
    """``M`` with the loop between acyclic upstream and downstream products, indices shuffled.

    Order: upstream, loop, downstream; every edge outside the loop goes from an earlier to a later
    product (``M[i, j] > 0``: i is an input of j), so the loop is the only cycle.
    """
    n_loop = block.shape[0]
    n = n_up + n_loop + n_down
    k = 3 * n
    i, j = rng.integers(0, n, k), rng.integers(0, n, k)
    i, j = np.minimum(i, j), np.maximum(i, j)
    in_loop = (i >= n_up) & (j < n_up + n_loop)
    keep = (i < j) & ~in_loop
    outer = sp.csr_matrix((rng.uniform(0, 0.3, keep.sum()), (i[keep], j[keep])), shape=(n, n))
    inner = sp.block_diag([sp.csr_matrix((n_up, n_up)), block, sp.csr_matrix((n_down, n_down))])
    M = (outer + inner).tocsr()
    p = rng.permutation(n)
    return sp.csr_matrix(M[p][:, p])


@st.composite
def tight_systems(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_loop = draw(st.integers(DENSE_EIG_MAX + 1, 1200))
    rho = draw(st.floats(0.99, 0.9995))
    block = loop_block(rng, n_loop, rho, draw(st.sampled_from([0.0, 0.5, 2.0])))
    M = embedded(rng, block, draw(st.integers(0, 150)), draw(st.integers(0, 150)))
    B = rng.random((M.shape[0], draw(st.integers(1, 3)))) * 100
    return M, B, rho


def dense_solution(M: sp.csr_matrix, B: np.ndarray) -> np.ndarray:
    return np.linalg.solve(np.eye(M.shape[0]) - M.T.toarray(), B)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(tight_systems())
def test_large_tight_loops_equal_a_dense_solve(system):
    M, B, _ = system
    solver = Solver(M)
    assert solver.non_productive_loops() == []
    Y, info = solver.solve(B)
    np.testing.assert_allclose(Y, dense_solution(M, B), rtol=1e-9)
    assert info.residual <= 1e-10
    assert (Y >= 0).all()


@pytest.mark.parametrize("chords", [0.0, 1.0])
def test_krylov_and_lu_paths_agree_with_a_dense_solve(chords):
    """A ring defeats an unpreconditioned Krylov method (every eigenvalue has modulus ρ); the
    solver must still get it right (ILU), and the same loop below DIRECT_MAX is factorised."""
    rng = np.random.default_rng(7)
    for n in (DIRECT_MAX - 100, DIRECT_MAX + 300):
        M = embedded(rng, loop_block(rng, n, 0.995, chords), 40, 40)
        B = rng.random((M.shape[0], 2))
        Y, info = solve_intensities(M, B)
        assert ("lu" in info.method.split("+")) == (n <= DIRECT_MAX)
        assert ("bicgstab" in info.method or "gmres-ilu" in info.method) == (n > DIRECT_MAX)
        np.testing.assert_allclose(Y, dense_solution(M, B), rtol=1e-9)


@st.composite
def non_productive_systems(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_loop = draw(st.integers(1000, 1500))
    rho = draw(st.floats(1.0005, 1.5))
    block = loop_block(rng, n_loop, rho, draw(st.sampled_from([0.0, 0.3])))
    return embedded(rng, block, 30, 30), n_loop, rho


@settings(max_examples=4, deadline=None, derandomize=True)
@given(non_productive_systems())
def test_non_productive_loops_of_1000_products_are_rejected_with_their_radius(system):
    M, n_loop, rho = system
    bad = non_productive_loops(M)
    assert len(bad) == 1
    comp, found = bad[0]
    assert comp.size == n_loop
    assert found == pytest.approx(rho, rel=1e-8)


def test_the_ring_of_the_issue_is_rejected_and_a_slightly_tighter_one_accepted():
    """1 000 products in a ring, radius 1.001 (the old bound let it pass); 0.999 is productive."""
    rng = np.random.default_rng(0)
    for rho, bad in ((1.001, True), (0.999, False)):
        M = loop_block(rng, 1000, rho, 0.0)
        found = non_productive_loops(M)
        assert bool(found) == bad
        if bad:
            assert found[0][1] == pytest.approx(rho, rel=1e-9)


def test_negative_results_are_rejected_naming_the_products():
    """Solving a non-productive ring anyway gives negative intensities: an error, not numbers."""
    rng = np.random.default_rng(1)
    M = loop_block(rng, 1000, 1.001, 0.0)
    names = [f"P{i}" for i in range(1000)]
    with pytest.raises(NegativeIntensity) as exc:
        Solver(M, names=names).solve(np.ones((1000, 1)))
    assert set(exc.value.products) == set(names)
