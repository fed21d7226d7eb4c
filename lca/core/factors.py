"""Factors as the LCA uses them: the library overlaid by the store's own, GWP sets, grid look-up.

Units: factor values are kg of gas (``gases``) or kgCO2e (``kgco2e``) per one ``unit`` of the
factor. GWP100 values come from ``seed_data/gwp.csv`` (IPCC AR5 WG1 Table 8.A.1; AR6 WG1
Table 7.SM.7).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tanlian.errors import NotFound, TanlianError
from tanlian.graph.model import Factor, Graph
from tanlian.seed_data.library import factor_library, gwp_values
from tanlian.settings import GwpSet

UNSPECIFIED = "CO2e (unspecified)"  # kgCO2e from factors published without a gas split


class MissingFactor(TanlianError):
    """A factor the computation needs is in neither the store nor the library."""


@dataclass
class FactorBook:
    """Effective factors (store overrides library) and their CO2e under one GWP set."""

    factors: dict[str, Factor]
    gwp: GwpSet = "AR6"
    year: int | None = None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def for_graph(cls, graph: Graph, gwp: GwpSet = "AR6") -> FactorBook:
        return cls({**factor_library(), **graph.factors}, gwp, graph.year)

    def get(self, id: str) -> Factor:
        try:
            return self.factors[id]
        except KeyError:
            raise NotFound("factor", id) from None  # in neither the store nor the default library

    def gwp_of(self, gas: str) -> float:
        """GWP100 of a gas in the chosen set (1 for already-characterised kgCO2e)."""
        if gas == UNSPECIFIED:
            return 1.0
        values = gwp_values().get(gas)
        if values is None:
            raise MissingFactor(f"no GWP for gas {gas!r} in seed_data/gwp.csv")
        return values[self.gwp]

    def gas_split(self, f: Factor) -> dict[str, float]:
        """kg of each gas per unit; a factor without gas columns gives its kgCO2e as unspecified."""
        return dict(f.gases) if f.gases else {UNSPECIFIED: f.kgco2e}

    def co2e(self, f: Factor) -> float:
        """kgCO2e per unit with this book's GWP set (recomputed when the factor has gas columns)."""
        return sum(kg * self.gwp_of(g) for g, kg in self.gas_split(f).items())

    def grid(self, region: str | None, residual: bool = False) -> Factor:
        """The grid factor for ``region`` and the accounting year.

        Location-based: class ``grid`` of the region, else the national (``CN``) factor with a
        warning. Market-based residual: class ``grid_residual`` (national). The year is the
        bundle's; when the library has no factor of that year, the latest earlier one is used
        with a warning.
        """
        group = "grid_residual" if residual else "grid"
        candidates = [f for f in self.factors.values() if f.group == group]
        want = "CN" if residual else (region or "CN")  # the residual mix is published nationally
        for reg in dict.fromkeys([want, "CN"]):
            pool = [f for f in candidates if f.region == reg]
            if not pool:
                continue
            exact = [f for f in pool if f.year == self.year]
            earlier = sorted(
                (f for f in pool if self.year is None or (f.year or 0) <= self.year), key=lambda f: f.year or 0
            )
            chosen = exact[0] if exact else (earlier[-1] if earlier else None)
            if chosen is None:
                continue
            if reg != want:
                self._warn(f"no {group} factor for region {want!r}: national factor {chosen.id} used")
            if chosen.year != self.year:
                self._warn(f"no {group} factor for {reg} in {self.year}: {chosen.id} ({chosen.year}) used")
            return chosen
        raise MissingFactor(f"no {group} factor for region {want!r} or CN up to year {self.year}")

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
