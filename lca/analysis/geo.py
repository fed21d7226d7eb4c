"""Distances between enterprises (km) from their WGS84 coordinates."""

from __future__ import annotations

import math

from tanlian.graph.model import Enterprise

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius R1 (IUGG)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def road_distance_km(a: Enterprise | None, b: Enterprise | None, detour: float = 1.0) -> float | None:
    """Great-circle km × ``detour`` between two enterprises, None when a coordinate is missing."""
    if a is None or b is None or None in (a.lat, a.lon, b.lat, b.lon):
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon) * detour
