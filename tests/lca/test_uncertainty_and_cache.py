"""Monte Carlo over factor uncertainty, and result caching per store revision."""

from __future__ import annotations

import numpy as np
import pytest

from tanlian.api.schemas.footprints import footprint_body
from tanlian.graph.model import Factor, Flow, Park
from tanlian.lca.core.cache import ResultCache
from tanlian.lca.core.result import solve_graph
from tanlian.lca.core.solve import solve_intensities
from tanlian.lca.core.uncertainty import sample_multipliers

from .builders import chain_graph


def uncertain_chain(gsd: float = 1.2):
    g = chain_graph()
    g.factors["fuel"] = g.factors["fuel"].model_copy(update={"uncertainty_type": "lognormal", "uncertainty": gsd})
    return g


def test_no_uncertainty_gives_the_deterministic_value():
    r = solve_graph(chain_graph())
    fp = footprint_body(r, "z", mc=200)
    assert fp["p5"] == pytest.approx(fp["kgco2e_per_unit"], rel=1e-12)
    assert fp["p95"] == pytest.approx(fp["kgco2e_per_unit"], rel=1e-12)


def test_monte_carlo_is_reproducible_and_brackets_the_median():
    r = solve_graph(uncertain_chain())
    a, b = footprint_body(r, "z", mc=500, seed=7), footprint_body(r, "z", mc=500, seed=7)
    assert (a["p5"], a["p50"], a["p95"]) == (b["p5"], b["p50"], b["p95"])
    assert a["p5"] < a["kgco2e_per_unit"] < a["p95"]
    # only x's fuel is uncertain (lognormal, median 1): x = 1000 × m, so its p50 is close to 1000
    x = footprint_body(r, "x", mc=4000, seed=1)
    assert x["p50"] == pytest.approx(1000, rel=0.02)
    assert x["p95"] / x["p50"] == pytest.approx(1.2**1.645, rel=0.03)  # lognormal 95th percentile


def test_vectorised_samples_equal_one_solve_per_sample():
    r = solve_graph(uncertain_chain(1.5))
    s = r.system
    mult = sample_multipliers(["lognormal"], np.array([1.5]), 5, seed=3)
    from tanlian.lca.core.uncertainty import monte_carlo

    batch = monte_carlo(s.M, s.b.sum(axis=1), s.D, mult)
    for k in range(5):
        g = uncertain_chain(1.5)
        f = g.factors["fuel"]
        g.factors["fuel"] = f.model_copy(update={"gases": {"CO2": f.gases["CO2"] * mult[0, k]}})
        one = solve_graph(g)
        np.testing.assert_allclose(batch[:, k], one.intensity, rtol=1e-12)


def test_normal_multipliers_are_truncated_at_zero():
    m = sample_multipliers(["normal"], np.array([2.0]), 10_000, seed=0)
    assert m.min() >= 0 and (m == 0).any()


def test_solver_factorises_slow_loops():
    import scipy.sparse as sp

    M = sp.csr_matrix(np.array([[0.0, 0.99], [0.999, 0.0]]))
    Y, info = solve_intensities(M, np.array([[1.0], [2.0]]))
    exact = np.linalg.solve(np.eye(2) - M.T.toarray(), [[1.0], [2.0]])
    assert info.method == "sweep+lu"
    np.testing.assert_allclose(Y, exact, rtol=1e-12)


def test_results_are_cached_per_revision_and_invalidated_by_writes(store):
    store.import_graph(chain_graph())
    cache = ResultCache()
    r1 = cache.get(store)
    assert cache.get(store) is r1
    assert cache.get(store, gwp="AR5") is not r1
    store.upsert([Park(id="P2", name="other", year=2022)])  # any write
    r2 = cache.get(store)
    assert r2 is not r1 and r2.intensity.tolist() == r1.intensity.tolist()
    store.upsert(
        [
            Flow.model_validate({"id": "extra", "from": "factor:fuel", "to": "Y", "quantity": 1, "unit": "t"}),
            Factor(id="fuel", unit="t", kgco2e=2000, kind="material", gases={"CO2": 2000}),
        ]
    )
    r3 = cache.get(store)
    assert footprint_body(r3, "y1")["kgco2e_per_unit"] > footprint_body(r2, "y1")["kgco2e_per_unit"]
