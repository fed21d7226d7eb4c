"""Where a footprint applies: exactly one of geographyCountry / geographyCountrySubdivision.

A park enterprise gets its park's province as an ISO 3166-2:CN subdivision (``CN-JS`` for
Jiangsu); other enterprises get the country of their region (``CN-East`` → ``CN``; regions
without a country prefix count as China, the country of Tanlian's parks).
"""

from __future__ import annotations

from tanlian.graph.model import Graph

#: ISO 3166-2:CN codes of provinces, autonomous regions and municipalities (English names, lower case).
CN_SUBDIVISIONS: dict[str, str] = {
    "anhui": "CN-AH", "beijing": "CN-BJ", "chongqing": "CN-CQ", "fujian": "CN-FJ", "gansu": "CN-GS",
    "guangdong": "CN-GD", "guangxi": "CN-GX", "guizhou": "CN-GZ", "hainan": "CN-HI", "hebei": "CN-HE",
    "heilongjiang": "CN-HL", "henan": "CN-HA", "hubei": "CN-HB", "hunan": "CN-HN", "jiangsu": "CN-JS",
    "jiangxi": "CN-JX", "jilin": "CN-JL", "liaoning": "CN-LN", "inner mongolia": "CN-NM", "ningxia": "CN-NX",
    "qinghai": "CN-QH", "shaanxi": "CN-SN", "shandong": "CN-SD", "shanghai": "CN-SH", "shanxi": "CN-SX",
    "sichuan": "CN-SC", "tianjin": "CN-TJ", "tibet": "CN-XZ", "xinjiang": "CN-XJ", "yunnan": "CN-YN",
    "zhejiang": "CN-ZJ", "hong kong": "CN-HK", "macau": "CN-MO", "taiwan": "CN-TW",
}  # fmt: skip


def geography(graph: Graph, enterprise_id: str) -> dict[str, str]:
    """The one PACT geography field of an enterprise's footprints."""
    ent = graph.enterprises[enterprise_id]
    park = graph.parks.get(ent.park or "")
    if park is not None and park.province:
        code = CN_SUBDIVISIONS.get(park.province.strip().lower())
        if code:
            return {"geographyCountrySubdivision": code}
    region = (ent.region or "").strip()
    prefix = region[:2]
    country = (
        prefix.upper() if len(region) >= 2 and prefix.isalpha() and (len(region) == 2 or region[2] == "-") else "CN"
    )
    return {"geographyCountry": country}


def geography_values(pcf: dict) -> list[str]:
    """The geography values a footprint's pcf names (for the ``geography`` filter)."""
    keys = ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion")
    return [pcf[k] for k in keys if pcf.get(k)]
