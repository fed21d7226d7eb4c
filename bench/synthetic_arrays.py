"""Synthetic all-product linear systems straight from arrays (no graph), for the LCA solver bench.

``synthetic_system(n)`` returns ``(M, b)`` in the layout of :mod:`tanlian.lca.core.system`:
``M[i, j]`` = units of product ``i`` used per unit of product ``j`` (CSR, ≥ 0) and
``b[j, g]`` = kg of gas ``g`` (CO2, CH4, N2O) emitted per unit of ``j``.

The supply graph is tiered: tier 0 holds final products, the last (small) tier raw materials
with no inputs. Every other product takes ``inputs_per_product`` inputs from deeper tiers,
coefficients uniform in ``[0, 0.2 / inputs_per_product]``. A ``loop_fraction`` of the products
below tier 0 also take one input from a shallower tier (a back-edge), which closes supply
loops. Every column of ``M`` sums to at most ``0.2 + 0.2 / inputs_per_product < 1``, so every
loop is productive.
"""

from __future__ import annotations

from types import SimpleNamespace

import bw_processing as bwp
import numpy as np
import scipy.sparse as sp

from tanlian.lca.core.datapackage import to_datapackage
from tanlian.lca.core.perron import perron_root
from tanlian.lca.core.solve import loop_components
from tanlian.lca.core.system import BIOSPHERE_OFFSET

GASES = ["CO2", "CH4", "N2O"]
GWP_AR6 = np.array([1.0, 27.0, 273.0])  # GWP100, AR6 (CH4 non-fossil)
RAW_SHARE = 0.02  # share of products in the deepest (input-free) tier


def tier_starts(n: int, n_tiers: int = 10) -> np.ndarray:
    """First product index of each tier, plus ``n`` at the end (tiers ordered shallow → deep)."""
    if n <= 1:
        return np.array([0, n])
    t = max(2, min(n_tiers, n))
    n_raw = max(1, round(RAW_SHARE * n))
    upper = np.linspace(0, n - n_raw, t).round().astype(np.int64)  # t-1 equal tiers, then raw
    return np.unique(np.concatenate([upper, [n]]))


def synthetic_system(
    n_products: int,
    inputs_per_product: int = 4,
    loop_fraction: float = 0.02,
    seed: int = 0,
    n_tiers: int = 10,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """(M, b): a tiered supply graph with a few supply loops, and kg of 3 gases per unit."""
    n, k = int(n_products), int(inputs_per_product)
    rng = np.random.default_rng(seed)
    starts = tier_starts(n, n_tiers)
    tier = np.searchsorted(starts, np.arange(n), side="right") - 1
    deepest = len(starts) - 2

    # forward edges: products above the raw tier take k inputs from any deeper tier
    consumers = np.flatnonzero(tier < deepest)
    cols = np.repeat(consumers, k)
    lo = starts[tier[cols] + 1]
    rows = lo + (rng.random(cols.size) * (n - lo)).astype(np.int64)
    vals = rng.uniform(0.0, 0.2 / max(k, 1), cols.size)

    # back-edges: a loop_fraction of the products below tier 0 take one input from a shallower tier
    candidates = np.flatnonzero(tier > 0)
    n_loop = min(candidates.size, round(loop_fraction * n))
    if n_loop:
        b_cols = rng.choice(candidates, size=n_loop, replace=False)
        hi = starts[tier[b_cols]]
        b_rows = (rng.random(n_loop) * hi).astype(np.int64)
        cols = np.concatenate([cols, b_cols])
        rows = np.concatenate([rows, b_rows])
        vals = np.concatenate([vals, rng.uniform(0.0, 0.2 / max(k, 1), n_loop)])

    M = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))  # duplicates are summed
    M.sum_duplicates()

    b = np.zeros((n, 3))
    b[:, 0] = rng.lognormal(0.0, 1.0, n)  # kg CO2 per unit
    b[:, 1] = np.where(rng.random(n) < 0.3, rng.exponential(0.01, n), 0.0)  # kg CH4
    b[:, 2] = np.where(rng.random(n) < 0.1, rng.exponential(0.001, n), 0.0)  # kg N2O
    return M, b


def tight_system(
    n_products: int, radius: float = 0.99, loop_fraction: float = 0.1, seed: int = 0
) -> tuple[sp.csr_matrix, np.ndarray]:
    """:func:`synthetic_system` with more back-edges (``loop_fraction``), then the coefficients
    inside every supply loop scaled so that the loop's spectral radius is ``radius``.

    The back-edges join most products below tier 0 into one large loop; at radius 0.99 a unit of
    demand circulates ~100 times through it, which is what makes the Neumann series slow and the
    LU of the loop fill in.
    """
    M, b = synthetic_system(n_products, loop_fraction=loop_fraction, seed=seed)
    M = sp.csr_matrix(M, copy=True)
    scale = np.ones(M.shape[0])
    for comp in loop_components(M):
        scale[comp] = radius / perron_root(M[comp][:, comp])
    coo = M.tocoo()
    inside = scale[coo.row] == scale[coo.col]  # same factor: same loop (or both outside: 1)
    factor = np.where(inside, scale[coo.row], 1.0)
    return sp.csr_matrix((coo.data * factor, (coo.row, coo.col)), shape=M.shape), b


def system_to_datapackage(M: sp.spmatrix, b: np.ndarray, gwp: np.ndarray = GWP_AR6) -> bwp.Datapackage:
    """The same bw_processing layout as ``tanlian.lca.core.system.to_datapackage`` (which it calls)."""
    n, g = b.shape
    system = SimpleNamespace(
        products=range(n),
        M=sp.csr_matrix(M),
        b_kg=np.asarray(b, dtype=float),
        gases=GASES[:g] if g <= len(GASES) else [f"gas{i}" for i in range(g)],
        gwp=np.asarray(gwp, dtype=float),
    )
    return to_datapackage(system)


def characterization_datapackage(gwp: np.ndarray = GWP_AR6, identifier=("GWP100",)) -> bwp.Datapackage:
    """GWP characterization only, tagged with an ``identifier`` (what ``bw2calc.MultiLCA`` filters on)."""
    gas_ids = BIOSPHERE_OFFSET + np.arange(len(gwp))
    dp = bwp.create_datapackage(sequential=True)
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="tanlian-gwp-" + "-".join(identifier),
        identifier=list(identifier),
        indices_array=np.array(list(zip(gas_ids, gas_ids, strict=True)), dtype=bwp.INDICES_DTYPE),
        data_array=np.asarray(gwp, dtype=float),
    )
    return dp
