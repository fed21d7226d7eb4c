"""The linear system as a Brightway (bw_processing) datapackage: for the bw2calc agreement checks and
the Brightway export only, so ``bw_processing`` is not imported on the solve path.
"""

from __future__ import annotations

import bw_processing as bwp
import numpy as np

from tanlian.lca.core.system import BIOSPHERE_OFFSET, System


def _indices(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """A bw_processing (row, col) index array, built without a Python loop."""
    out = np.empty(len(rows), dtype=bwp.INDICES_DTYPE)
    out["row"], out["col"] = rows, cols
    return out


def to_datapackage(system: System) -> bwp.Datapackage:
    """The same system as a Brightway datapackage (technosphere, biosphere, characterization).

    Technosphere: production 1 on the diagonal, inputs ``M`` flipped (negative in ``A``).
    Biosphere: kg of each gas per unit of each product. Characterization: GWP100 per gas.
    Product ``j`` has bw id ``j``; gas ``g`` has bw id ``BIOSPHERE_OFFSET + g``.
    """
    n, g = len(system.products), len(system.gases)
    dp = bwp.create_datapackage(sequential=True)
    M = system.M.tocoo()
    diag = np.arange(n)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="tanlian-technosphere",
        indices_array=_indices(np.concatenate([diag, M.row]), np.concatenate([diag, M.col])),
        data_array=np.concatenate([np.ones(n), M.data]).astype(float),
        flip_array=np.concatenate([np.zeros(n, bool), np.ones(M.nnz, bool)]),
    )
    bj, bg = np.nonzero(system.b_kg)
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="tanlian-biosphere",
        indices_array=_indices(BIOSPHERE_OFFSET + bg, bj),
        data_array=system.b_kg[bj, bg].astype(float),
    )
    gas_ids = BIOSPHERE_OFFSET + np.arange(g)
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="tanlian-gwp",
        indices_array=_indices(gas_ids, gas_ids),
        data_array=system.gwp.astype(float),
    )
    return dp
