"""Monte Carlo of one product from its supply vector against the park-wide Monte Carlo."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tanlian.graph.model import Activity, Factor
from tanlian.lca.core.loop_solvers import DIRECT_MAX
from tanlian.lca.core.result import LcaResult, solve_graph
from tanlian.lca.core.uncertainty import (
    contributions,
    monte_carlo,
    percentiles,
    product_percentiles,
    product_samples,
    sample_multipliers,
)

from .builders import random_graph

UNCERTAIN = [  # id, type, spread (GSD for lognormal, RSD for normal), kgCO2 per t
    ("coal", "lognormal", 1.3, 2500.0),
    ("gas", "lognormal", 1.1, 2100.0),
    ("oil", "normal", 0.2, 3100.0),
]


def uncertain_graph(seed: int = 5, n_enterprises: int = 40):
    """A random graph with supply loops whose enterprises burn three uncertain fuels (most burn one
    or two, a few none)."""
    g = random_graph(n_enterprises, seed)
    rng = np.random.default_rng(seed)
    for fid, kind, spread, kg in UNCERTAIN:
        g.factors[fid] = Factor(
            id=fid, unit="t", kgco2e=kg, kind="energy", gases={"CO2": kg}, uncertainty_type=kind, uncertainty=spread
        )
    for e in sorted(g.enterprises):
        for fid, *_ in UNCERTAIN:
            if rng.random() < 0.4:
                a = Activity(enterprise=e, type="fuel", item=fid, quantity=float(rng.uniform(1, 20)), unit="t")
                g.activities[a.id] = a
    return g


@pytest.fixture(scope="module")
def result():
    r = solve_graph(uncertain_graph())
    assert len(r.system.uncertain) == 3 and r.system.D.nnz > 0
    assert r.solver.structure.block_start.size > 0  # the graph has supply loops
    return r


@pytest.mark.parametrize("via", ["rows", "supply"])
def test_contributions_against_a_dense_solve(result, via):
    """Dᵀ x with (I − M) x = e_j, for every j: row j of (I − Mᵀ)⁻¹ D, here from a dense solve."""
    s = result.system
    n = len(s.products)
    dense = np.linalg.solve(np.eye(n) - s.M.T.toarray(), s.D.toarray())
    for j in range(n):
        got = contributions(result, j, via=via)
        np.testing.assert_allclose(got, dense[j], rtol=1e-9, atol=1e-9 * np.abs(dense).max())


def test_same_seed_gives_the_park_wide_samples(result):
    """Same seed → same multipliers: a product's samples are the park-wide samples of its row. Only
    rounding differs: both are solves with per-product residual ≤ 1e-10 (RESIDUAL_RTOL) of the
    intensity scale, so 1e-8 relative is a safe bound."""
    s, n_samples, seed = result.system, 300, 11
    book = result.book
    factors = [book.get(f) for f in s.uncertain]
    mult = sample_multipliers(
        [f.uncertainty_type for f in factors], np.array([f.uncertainty for f in factors]), n_samples, seed
    )
    park = monte_carlo(s.M, s.b.sum(axis=1), s.D, mult, result.solver)
    for j in range(len(s.products)):
        np.testing.assert_allclose(product_samples(result, j, n_samples, seed), park[j], rtol=1e-8)
    p5, p50, p95 = percentiles(result, n_samples, seed)
    for j in range(len(s.products)):
        assert product_percentiles(result, j, n_samples, seed) == pytest.approx((p5[j], p50[j], p95[j]), rel=1e-8)


def test_other_seeds_agree_within_the_sampling_error(result):
    """Per-product percentiles (seed 1) against park-wide ones (seed 2), 2000 draws each.

    A sample q-quantile of n draws has standard error sqrt(q (1 − q) / n) / f(ξ_q), f the density
    at the true quantile; two independent estimates differ by at most 5 × √2 × that (normal
    approximation; a false alarm has probability < 1e-6 per comparison). f(ξ_q) is estimated from
    200 000 reference draws as 2h / (Q(q + h) − Q(q − h)), h = 0.01.
    """
    n, s = 2000, result.system
    p_park = np.stack(percentiles(result, n, seed=2), axis=1)
    qs = np.array([0.05, 0.5, 0.95])
    checked = 0
    for j in range(len(s.products)):
        if not contributions(result, j).any():
            continue
        ref = product_samples(result, j, 200_000, seed=99)
        spread = np.quantile(ref, qs + 0.01) - np.quantile(ref, qs - 0.01)  # = 2h / f(ξ_q)
        se = np.sqrt(qs * (1 - qs) / n) * spread / 0.02
        mine = np.array(product_percentiles(result, j, n, seed=1))
        assert np.all(np.abs(mine - p_park[j]) <= 5 * np.sqrt(2) * se), (s.products[j], mine, p_park[j], se)
        assert mine[0] < mine[1] < mine[2]
        checked += 1
    assert checked > 20


def test_a_product_without_uncertain_inputs_has_no_spread(result):
    s = result.system
    js = [j for j in range(len(s.products)) if not contributions(result, j).any()]
    assert js
    for j in js:
        assert product_percentiles(result, j, 200, 3) == pytest.approx((result.intensity[j],) * 3, rel=1e-12)


class CountingSolver:
    """A result's solver that counts its calls."""

    def __init__(self, solver):
        self.solver, self.calls = solver, 0

    def __call__(self, B):
        self.calls += 1
        time.sleep(0.05)  # keep the first call in flight while the other threads arrive
        return self.solver(B)


def test_concurrent_first_requests_solve_z_once(result):
    """Twenty threads asking for percentiles of a fresh result (no ``Z`` yet): one ``Z`` solve,
    and each thread gets what a lone request gets."""
    fresh = LcaResult(result.source, result.system, result.Y, result.info)
    counting = fresh.factorised = CountingSolver(result.solver)
    out: dict[int, tuple] = {}
    threads = [
        threading.Thread(target=lambda j=j: out.__setitem__(j, product_percentiles(fresh, j, 100, seed=1)))
        for j in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counting.calls == 1
    assert out == {j: product_percentiles(result, j, 100, seed=1) for j in range(20)}


@pytest.fixture(scope="module")
def krylov_result():
    """~800 products whose main supply loop is larger than DIRECT_MAX: Z comes from the Krylov path."""
    r = solve_graph(uncertain_graph(seed=3, n_enterprises=400))
    sizes = r.solver.structure.block_stop - r.solver.structure.block_start
    assert sizes.max() > DIRECT_MAX and ("bicgstab" in r.info.method or "gmres" in r.info.method)
    return r


def test_z_of_a_large_loop_equals_a_dense_solve_and_the_park_wide_samples(krylov_result):
    """Rows of Z (Krylov solve of the loop) against a dense solve (rtol 1e-9, the solver's per-product
    residual bound is 1e-10); a product's samples equal its park-wide samples for the same seed."""
    r, n_samples, seed = krylov_result, 400, 8
    s = r.system
    n = len(s.products)
    dense = np.linalg.solve(np.eye(n) - s.M.T.toarray(), s.D.toarray())
    js = np.random.default_rng(0).choice(n, 40, replace=False)
    for j in js:
        np.testing.assert_allclose(contributions(r, int(j)), dense[j], rtol=1e-9, atol=1e-9 * np.abs(dense).max())
    factors = [r.book.get(f) for f in s.uncertain]
    mult = sample_multipliers(
        [f.uncertainty_type for f in factors], np.array([f.uncertainty for f in factors]), n_samples, seed
    )
    park = monte_carlo(s.M, s.b.sum(axis=1), s.D, mult, r.solver)
    spread = 0
    for j in js:
        mine = product_samples(r, int(j), n_samples, seed)
        np.testing.assert_allclose(mine, park[j], rtol=1e-8)
        p5, p50, p95 = product_percentiles(r, int(j), n_samples, seed)
        if contributions(r, int(j)).any():
            assert p5 < p50 < p95
            spread += 1
    assert spread > 20
