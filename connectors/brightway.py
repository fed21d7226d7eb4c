"""A Brightway 2.5 project as a factor source, resolved at import time.

A bundle names Brightway activities in two ways: ``factor:bw:<database>:<code>`` in ``flows.csv``
(factor id ``bw:<database>:<code>``), or a ``brightway_links.csv`` table (``factor, database,
code, method``) that backs a factor id of the bundle or the library with an activity. Each linked
activity is scored (cradle-to-gate LCIA score per unit of its reference product, kgCO2e with a
GWP100 method; all of them in one ``bw2calc.MultiLCA`` pass, ``brightway_project.py``) and
written into the bundle as a plain ``Factor`` row before validation, so the LCA core never sees
Brightway.

``bw2data`` (the ``[brightway]`` extra) is imported only when a bundle needs it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from tanlian.connectors.brightway_project import (
    LINKS_FILE,
    LINKS_TABLE,
    BrightwayProject,
    Link,
    Score,
    gwp_of,
    method_text,
    parse_method,
)
from tanlian.errors import RowError, UnitError, ValidationFailed
from tanlian.graph.model import FACTOR_PREFIX
from tanlian.seed_data.library import factor_library
from tanlian.settings import GwpSet, get_settings
from tanlian.units import convertible, parse_unit

BW_PREFIX = "bw:"
#: Columns of brightway_links.csv: the first four are read; the rest are review columns that
#: ``tanlian brightway link`` writes and the import ignores.
LINK_COLUMNS = ("factor", "database", "code", "method")
REVIEW_COLUMNS = (
    "factor_name",
    "factor_unit",
    "factor_kgco2e",
    "activity",
    "reference_product",
    "location",
    "unit",
    "match",
    "kgco2e",
)
#: Brightway / ecoinvent unit names → pint strings of Tanlian's registry.
BW_UNITS = {
    "kilogram": "kg",
    "ton": "t",
    "tonne": "t",
    "gram": "g",
    "kilowatt hour": "kWh",
    "megawatt hour": "MWh",
    "megajoule": "MJ",
    "gigajoule": "GJ",
    "cubic meter": "m**3",
    "litre": "l",
    "liter": "l",
    "square meter": "m**2",
    "meter": "m",
    "kilometer": "km",
    "ton kilometer": "t*km",
    "tonne kilometer": "t*km",
    "person kilometer": "km",
    "unit": "piece",
    "hectare": "ha",
}


def bw_unit(unit: str) -> str:
    """A Brightway unit name as a Tanlian unit string; raises :class:`UnitError` when unknown."""
    u = BW_UNITS.get(str(unit).strip().lower(), str(unit).strip())
    parse_unit(u)
    return u


# -- links named by the bundle --------------------------------------------------------------
def collect_links(tables: dict[str, pd.DataFrame]) -> tuple[list[Link], list[RowError]]:
    """Every link a bundle names: rows of brightway_links.csv and ``factor:bw:`` flows."""
    links, errors = [], []
    df = tables.get(LINKS_TABLE)
    if df is not None:
        df = df.rename(columns=lambda c: str(c).strip())
        unknown = [c for c in df.columns if c not in (*LINK_COLUMNS, *REVIEW_COLUMNS)]
        errors += [RowError(LINKS_FILE, None, c, None, "unknown column") for c in unknown]
        errors += [
            RowError(LINKS_FILE, None, c, None, "missing required column")
            for c in LINK_COLUMNS[:3]
            if c not in df.columns
        ]
        if not errors:
            seen: dict[str, int] = {}
            for i, row in enumerate(df.to_dict(orient="records")):
                line, vals = i + 2, {k: str(v).strip() for k, v in row.items()}
                if not any(vals.values()):
                    continue
                missing = [c for c in LINK_COLUMNS[:3] if not vals.get(c)]
                errors += [RowError(LINKS_FILE, line, c, None, "required value is empty") for c in missing]
                if missing:
                    continue
                if vals["factor"] in seen:
                    why = f"factor linked twice, first on row {seen[vals['factor']]} (keep one candidate per factor)"
                    errors.append(RowError(LINKS_FILE, line, "factor", vals["factor"], why))
                    continue
                seen[vals["factor"]] = line
                method = parse_method(vals.get("method"))
                links.append(Link(vals["factor"], vals["database"], vals["code"], method, LINKS_FILE, line, "factor"))
    flows = tables.get("flows")
    if flows is not None and "from" in flows.columns:
        named = {link.factor for link in links}
        sources = flows["from"].astype(str).str.strip()
        linked = sources.str.startswith(FACTOR_PREFIX + BW_PREFIX).to_numpy(dtype=bool)
        for i, src in zip(linked.nonzero()[0].tolist(), sources[linked].tolist(), strict=True):
            if src[len(FACTOR_PREFIX) :] in named:
                continue
            db, sep, code = src[len(FACTOR_PREFIX + BW_PREFIX) :].partition(":")
            if not (db and sep and code):
                errors.append(RowError("flows.csv", i + 2, "from", src, "write factor:bw:<database>:<code>"))
                continue
            named.add(src[len(FACTOR_PREFIX) :])
            links.append(Link(src[len(FACTOR_PREFIX) :], db, code, None, "flows.csv", i + 2, "from"))
    return links, errors


def resolve_links(
    tables: dict[str, pd.DataFrame],
    project: str | None = None,
    method: str | None = None,
    gwp: GwpSet | None = None,
    iterations: int = 0,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Tables with a ``Factor`` row for every Brightway link (none named: unchanged, no import).

    ``project`` / ``method`` default to TANLIAN_BRIGHTWAY_PROJECT / TANLIAN_BRIGHTWAY_METHOD;
    ``gwp`` picks the default IPCC GWP100 method (AR5 or AR6) when no method is named;
    ``iterations`` > 0 runs that many Monte Carlo draws of the background to derive a lognormal
    geometric SD. Raises :class:`ValidationFailed` naming file, row, column, value and reason.
    """
    links, errors = collect_links(tables)
    if errors:
        raise ValidationFailed(errors)
    if not links:
        return tables, []
    settings = get_settings()
    project = project or settings.brightway_project
    where = links[0]
    if not project:
        why = "a Brightway link needs a project: --brightway-project NAME or TANLIAN_BRIGHTWAY_PROJECT"
        raise ValidationFailed([RowError(where.file, where.row, where.column, where.factor, why)])
    bw = BrightwayProject(project)
    default = parse_method(method or settings.brightway_method) or bw.default_method(gwp or settings.gwp)
    factors = tables.get("factors")
    own = set(factors["id"].astype(str).str.strip()) if factors is not None and "id" in factors else set()
    nodes, errors = {}, []
    for link in links:
        if link.factor in own:
            why = "factor is both in factors.csv and linked to Brightway: keep one"
            errors.append(RowError(link.file, link.row, link.column, link.factor, why))
        err = bw.check(link, link.method or default)
        if err:
            errors.append(err)
        else:
            nodes[link] = bw.node(link)
    if errors:
        raise ValidationFailed(errors)
    scores, _ = bw.scores([(lk.database, lk.code, lk.method or default) for lk in links], iterations)
    rows = []
    for link in links:
        m = link.method or default
        rows.append(factor_row(link, nodes[link], scores[(link.database, link.code, m)], m, bw, errors))
    if errors:
        raise ValidationFailed(errors)
    out = dict(tables)
    new = pd.DataFrame(rows, dtype=str)
    out["factors"] = new if "factors" not in tables else pd.concat([tables["factors"], new], ignore_index=True)
    out["factors"] = out["factors"].fillna("")
    out.pop(LINKS_TABLE, None)
    return out, [f"{len(links)} factor(s) from Brightway project {project!r}, method {method_text(default)!r}"]


def factor_row(link: Link, node: Any, score: Score, method: tuple[str, ...], bw, errors: list[RowError]) -> dict:
    """The factors.csv row for a linked activity (appends to ``errors`` when it cannot be one)."""
    try:
        unit = bw_unit(node.get("unit", ""))
    except UnitError as exc:
        errors.append(RowError(link.file, link.row, link.column, link.factor, f"activity unit: {exc}"))
        return {}
    if not math.isfinite(score.kgco2e) or score.kgco2e < 0:
        why = f"activity {link.database}:{link.code} scores {score.kgco2e:g} kgCO2e per {unit} (must be >= 0)"
        errors.append(RowError(link.file, link.row, link.column, link.factor, why))
        return {}
    replaced = factor_library().get(link.factor)
    if replaced is not None and replaced.kind == "energy":
        why = "energy factors are emissions at the point of use (upstream apart): a cradle-to-gate score cannot be one"
        errors.append(RowError(link.file, link.row, link.column, link.factor, why))
        return {}
    waste = bw.production_amount(node) < 0
    kind = replaced.kind if replaced else ("waste" if waste else "service" if convertible(unit, "t*km") else "material")
    row = {
        "id": link.factor,
        "name": f"{node.get('name')} ({node.get('location', 'GLO')})",
        "unit": unit,
        "kgco2e": repr(float(score.kgco2e)),
        "kind": kind or "",
        "class": (replaced.group if replaced else None) or "",
        "gwp": gwp_of(method) or "",
        "region": str(node.get("location") or ""),
        "source": f"Brightway project {bw.name}, database {link.database} ({bw.version(link.database)}), "
        f"activity {link.code}, method {method_text(method)}",
    }
    if score.gsd and score.gsd > 1:
        row.update(uncertainty_type="lognormal", uncertainty=repr(float(score.gsd)))
    return row


__all__ = [
    "BW_PREFIX",
    "BW_UNITS",
    "LINKS_TABLE",
    "bw_unit",
    "collect_links",
    "resolve_links",
]
