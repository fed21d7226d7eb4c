"""Supplier-specific intensities that replace computed or class-average ones (imported PACT footprints).

An override fixes the cradle-to-gate intensity of one product: its column of ``M`` is emptied
(its own inputs no longer count) and its row of ``B`` holds the supplier's figure as
unspecified kgCO2e, so ``Y_j = value`` and every product using it inherits the supplier's
number through the ordinary solve. Applied to a built system, never inside system building.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from tanlian.graph.model import SupplierFootprint
from tanlian.graph.store import GraphStore
from tanlian.lca.core.factors import UNSPECIFIED
from tanlian.lca.core.system import System


@dataclass(frozen=True)
class Override:
    """A supplier's footprint of one product: kgCO2e per unit of the product's own unit."""

    kgco2e_per_unit: float
    primary_share: float | None = None  # 0–1, the supplier's declared primary-data share
    source: str = ""  # the footprint id it comes from


def overrides_in(store: GraphStore) -> dict[str, Override]:
    """The overrides kept in ``store``: per product, the most recently imported supplier footprint."""
    latest: dict[str, SupplierFootprint] = {}
    for sf in store.list(SupplierFootprint):
        cur = latest.get(sf.product)
        if cur is None or (sf.imported or "", sf.id) > (cur.imported or "", cur.id):
            latest[sf.product] = sf
    return {p: Override(sf.kgco2e_per_unit, sf.primary_data_share, sf.id) for p, sf in latest.items()}


def apply_overrides(system: System, overrides: Mapping[str, Override]) -> System:
    """A copy of ``system`` whose overridden products have the fixed intensity (unknown ids ignored)."""
    rows = [system.index[p] for p in sorted(overrides) if p in system.index]
    if not rows:
        return system
    gases, gwp, b_kg, b_direct = list(system.gases), system.gwp, system.b_kg.copy(), system.b_direct_kg.copy()
    if UNSPECIFIED not in gases:
        gases.append(UNSPECIFIED)
        gwp = np.append(gwp, 1.0)
        b_kg = np.hstack([b_kg, np.zeros((b_kg.shape[0], 1))])
        b_direct = np.hstack([b_direct, np.zeros((b_direct.shape[0], 1))])
    u = gases.index(UNSPECIFIED)
    keep = np.ones(len(system.products))
    keep[rows] = 0.0
    b_kg[rows] = 0.0
    b_direct[rows] = 0.0
    for p in overrides:
        if p in system.index:
            b_kg[system.index[p], u] = overrides[p].kgco2e_per_unit / gwp[u]
    mask = sp.diags(keep)
    return replace(
        system,
        M=sp.csr_matrix(system.M @ mask),
        gases=gases,
        gwp=gwp,
        b_kg=b_kg,
        b_direct_kg=b_direct,
        D=sp.csr_matrix(mask @ system.D),
    )
