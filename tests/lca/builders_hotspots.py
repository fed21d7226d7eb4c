"""Hand-made graphs for hotspot, procurement and scenario tests."""

from __future__ import annotations

import math

from tanlian.graph.model import Activity, Enterprise, Factor, Graph, Park, Product
from tanlian.lca.analysis.geo import EARTH_RADIUS_KM

from .builders import flow, process

ROAD_KG_PER_TKM = 0.1  # kgCO2e per t·km of the test graph's transport_road factor


def lat_at_km(km: float) -> float:
    """Latitude (degrees) of a point ``km`` due north of (0, 0) on the haversine sphere."""
    return math.degrees(km / EARTH_RADIUS_KM)


def mixed_graph() -> Graph:
    """A power plant, a steel maker and a buyer, with energy, factor and transport lines.

    PWR: 1000 MWh of ``power`` from 500 000 kg CO2 (500 kg/MWh direct) + 100 t of factor ``ore``
    (20 kgCO2e/t) → 502 kgCO2e/MWh. STL: 100 t ``steel`` from 50 MWh of power, 100 000 kg CO2,
    200 t ore carried 100 km by road (0.1 kg/t·km) → (25 100 + 100 000 + 4000 + 2000) / 100
    = 1311 kgCO2e/t. BUY: 10 t steel (200 km road), 5 MWh power, 1 t ore.
    """
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="PWR", name="power plant", park="P"),
            Enterprise(id="STL", name="steel", park="P"),
            Enterprise(id="BUY", name="buyer", park="P"),
            Factor(id="ore", unit="t", kgco2e=20, kind="material", **{"class": "ore"}),
            Factor(id="transport_road", unit="t*km", kgco2e=ROAD_KG_PER_TKM, kind="service"),
            Product(id="power", enterprise="PWR", unit="MWh", output=1000, kind="energy", carrier="electricity"),
            Product(id="steel", enterprise="STL", unit="t", output=100, cpc="4112"),
            process("PWR", "CO2", 500_000),
            process("STL", "CO2", 100_000),
            flow("factor:ore", "PWR", 100),
            flow("power", "STL", 50, "MWh"),
            flow("factor:ore", "STL", 200, distance_km=100, mode="road"),
            flow("steel", "BUY", 10, distance_km=200, mode="road"),
            flow("power", "BUY", 5, "MWh"),
            flow("factor:ore", "BUY", 1),
        ]
    )


def suppliers_graph(grid_kwh: float = 0.0) -> Graph:
    """A buyer at (0, 0) buying 100 t of cement class ``3744`` from MID (2.00 t/t, 300 km road).

    NEAR (1.90 tCO2e/t) sits 50 km north, FAR (1.80 tCO2e/t) 1500 km north; road 0.1 kg/t·km.
    Prices CNY/t: MID 410, NEAR 400, FAR 390. ``grid_kwh``: grid electricity of the buyer.
    """
    ents = [
        Park(id="P", name="p", year=2022),
        Enterprise(id="BUY", name="buyer", park="P", lat=0.0, lon=0.0),
        Enterprise(id="MID", name="mid", park="P", lat=lat_at_km(300), lon=0.0),
        Enterprise(id="NEAR", name="near", lat=lat_at_km(50), lon=0.0),
        Enterprise(id="FAR", name="far", lat=lat_at_km(1500), lon=0.0),
        Enterprise(id="HID", name="hidden", lat=lat_at_km(10), lon=0.0, share_footprints=False),
        Factor(id="transport_road", unit="t*km", kgco2e=ROAD_KG_PER_TKM, kind="service"),
        Product(id="c_mid", enterprise="MID", unit="t", output=1000, cpc="3744", price_cny=410),
        Product(id="c_near", enterprise="NEAR", unit="t", output=1000, cpc="3744", price_cny=400),
        Product(id="c_far", enterprise="FAR", unit="t", output=1000, cpc="3744", price_cny=390),
        Product(id="c_hid", enterprise="HID", unit="t", output=1000, cpc="3744"),
        process("MID", "CO2", 2_000_000),
        process("NEAR", "CO2", 1_900_000),
        process("FAR", "CO2", 1_800_000),
        process("HID", "CO2", 1_000_000),
        flow("c_mid", "BUY", 100, id="buy", distance_km=300, mode="road"),
    ]
    if grid_kwh:
        ents.append(Activity(enterprise="BUY", type="electricity", item="grid", quantity=grid_kwh, unit="kWh"))
    return Graph.from_entities(ents)
