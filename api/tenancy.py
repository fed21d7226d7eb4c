"""What a park admin may write through the API: its own park's data, never another park's.

A bundle uploaded by the admin of park P may hold park P, enterprises of P or outside every park,
and rows whose enterprises are of P or outside every park. Factors are shared by every tenant of
the store, so an upload may add factors but not change one the store or the default library
already has. ``replace`` (make the store equal to the bundle) is allowed only while the store
holds no other park's data.
"""

from __future__ import annotations

from tanlian.graph.model import Graph


def _park_of(enterprise_id: str | None, bundle: Graph, existing: Graph) -> str | None:
    e = existing.enterprises.get(enterprise_id or "") or bundle.enterprises.get(enterprise_id or "")
    return e.park if e else None


def foreign_rows(bundle: Graph, existing: Graph, park: str, library: dict) -> list[str]:
    """Rows of ``bundle`` that would write outside ``park`` (empty when the upload is allowed)."""
    out: list[str] = []

    def other(enterprise_id: str | None) -> bool:
        return _park_of(enterprise_id, bundle, existing) not in (None, park)

    def maker(product_id: str) -> str | None:
        p = existing.products.get(product_id) or bundle.products.get(product_id)
        return p.enterprise if p else None

    out += [f"parks.csv: park {p.id}" for p in bundle.parks.values() if p.id != park]
    for e in bundle.enterprises.values():
        old = existing.enterprises.get(e.id)
        if e.park not in (None, park) or (old is not None and old.park not in (None, park)):
            out.append(f"enterprises.csv: enterprise {e.id} belongs to another park")
    out += [f"products.csv: product {p.id}" for p in bundle.products.values() if other(p.enterprise)]
    for table in ("activities", "residuals", "needs"):
        out += [f"{table}.csv: {r.id}" for r in getattr(bundle, table).values() if other(r.enterprise)]
    out += [f"flows.csv: flow {f.id}" for f in bundle.flows.values() if other(f.to) or other(maker(f.source))]
    out += [f"sales.csv: sale {s.id}" for s in bundle.sales.values() if other(maker(s.product))]
    for f in bundle.factors.values():
        shared = existing.factors.get(f.id) or library.get(f.id)
        if shared is not None and shared.record() != f.record():
            out.append(f"factors.csv: factor {f.id} would change a factor every tenant uses")
    return out


def other_parks_present(existing: Graph, park: str) -> bool:
    """True when the store holds a park, or an enterprise of a park, other than ``park``."""
    return any(p != park for p in existing.parks) or any(
        e.park not in (None, park) for e in existing.enterprises.values()
    )
