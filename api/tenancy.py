"""What a writer may change through the API, checked inside the write transaction (issue 13).

* A **platform admin** writes everything.
* A **park admin** of park P writes the enterprises of P and the outside enterprises (no park)
  that P created — the API records the creator as ``owner_park`` when it makes one — plus their
  products, activities, residuals, needs, the flows they consume and the sales of their products.
  It may add factors but not change one the store or the default library already has (factors
  are shared by every tenant), and it may delete a factor only while the store holds no other
  park's data.

:class:`TenancyGuard` is passed to ``GraphStore.import_tables(guard=...)``: the store calls it with
the records as they are inside the write transaction and the changes about to be written, so a
concurrent write cannot slip between the check and the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tanlian.api.auth import Principal
from tanlian.errors import AccessDenied
from tanlian.graph.model import Factor
from tanlian.graph.store import Changes, entity_type

Records = Mapping[str, Mapping[str, dict[str, Any]]]
#: entity types owned by one enterprise through their ``enterprise`` field
_OWNED = ("product", "activity", "residual", "need")


def park_of_record(ent: Mapping[str, Any] | None) -> str | None:
    """The park an enterprise record belongs to for writing: its park, else the park that created it."""
    if ent is None:
        return None
    return ent.get("park") or ent.get("owner_park")


def stamp_owners(enterprises: pa.Table, existing: pa.Table, principal: Principal) -> pa.Table:
    """``enterprises`` (the bundle's, typed columns) with ``owner_park`` filled on the outside
    enterprises that leave it empty: the stored owner (or the stored park, for one leaving a park),
    else — for a new one — the writer's park. ``existing``: the store's enterprise table."""
    outside = pc.and_(pc.is_null(enterprises.column("park")), pc.is_null(enterprises.column("owner_park")))
    rows = pc.indices_nonzero(outside).to_pylist()
    if not rows:
        return enterprises
    stored = {
        r["id"]: r.get("park") or r.get("owner_park")
        for r in existing.filter(pc.is_in(existing.column("id"), value_set=enterprises.column("id"))).to_pylist()
    }
    owners = enterprises.column("owner_park").to_pylist()
    ids = enterprises.column("id").to_pylist()
    for i in rows:
        owners[i] = stored.get(ids[i], principal.park)
    col = enterprises.schema.get_field_index("owner_park")
    return enterprises.set_column(col, "owner_park", pa.array(owners, pa.string()))


class TenancyGuard:
    """Refuses (AccessDenied) changes outside the principal's writable set; records the parks touched."""

    def __init__(self, principal: Principal, library: Mapping[str, Factor]):
        self.principal = principal
        self.library = library
        self.parks: set[str] = set()

    def __call__(self, current: Records, changes: Changes) -> None:
        before = current
        after = _after(current, changes)
        refused = self.check(before, after, changes)
        if refused:
            more = f" (+{len(refused) - 5} more)" if len(refused) > 5 else ""
            raise AccessDenied(f"the bundle writes outside park {self.principal.park}: {'; '.join(refused[:5])}{more}")

    # -- rules -----------------------------------------------------------------------------
    def _mine(self, ent_id: str | None, state: Records) -> bool:
        park = park_of_record(state.get("enterprise", {}).get(ent_id or ""))
        if park:
            self.parks.add(park)
        return self.principal.role == "platform_admin" or (park is not None and park == self.principal.park)

    def _maker(self, product_id: str, state: Records) -> str | None:
        rec = state.get("product", {}).get(product_id)
        return rec.get("enterprise") if rec else None

    def _owner(self, type_name: str, rec: Mapping[str, Any], state: Records) -> list[str | None]:
        """Enterprises whose data ``rec`` is (all must be writable)."""
        if type_name == "enterprise":
            return [rec["id"]]
        if type_name in _OWNED:
            return [rec.get("enterprise")]
        if type_name == "flow":
            return [rec.get("to")]
        if type_name == "sale":
            return [self._maker(rec.get("product", ""), state)]
        return []

    def check(self, before: Records, after: Records, changes: Changes) -> list[str]:
        """Descriptions of the refused changes (empty: allowed)."""
        out: list[str] = []
        admin = self.principal.role == "platform_admin"
        for type_name in changes.upserts:
            for rec in changes.records(type_name):
                rid = rec["id"]
                if type_name == "park":
                    self.parks.add(rid)
                    if not admin and rid != self.principal.park:
                        out.append(f"parks.csv: park {rid}")
                    continue
                if type_name == "factor":
                    if not admin and (rid in before.get("factor", {}) or rid in self.library):
                        out.append(f"factors.csv: factor {rid} would change a factor every tenant uses")
                    continue
                old = before.get(type_name, {}).get(rid)
                owners_old = self._owner(type_name, old, before) if old is not None else []
                owners_new = self._owner(type_name, rec, after)
                if not all(self._mine(e, before) for e in owners_old) or not all(
                    self._mine(e, after) for e in owners_new
                ):
                    out.append(f"{_file(type_name)}: {type_name} {rid} is not data of park {self.principal.park}")
        for type_name, ids in changes.deletes.items():
            for rid in ids:
                if type_name == "park":
                    self.parks.add(rid)
                    if not admin and rid != self.principal.park:
                        out.append(f"parks.csv: park {rid} would be removed")
                elif type_name == "factor":
                    if not admin and _other_parks(before, self.principal.park):
                        out.append(f"factors.csv: factor {rid} would be removed while other parks use the store")
                else:
                    old = before.get(type_name, {}).get(rid) or {"id": rid}
                    if not all(self._mine(e, before) for e in self._owner(type_name, old, before)):
                        out.append(f"{_file(type_name)}: {type_name} {rid} would be removed")
        return out


def _file(type_name: str) -> str:
    return f"{entity_type(type_name).file}.csv"


def _after(current: Records, changes: Changes) -> dict[str, dict[str, dict[str, Any]]]:
    """The records as they will be after ``changes`` (only the types a rule looks up)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for t in ("enterprise", "product"):
        table = dict(current.get(t, {}))
        for i in changes.deletes.get(t, []):
            table.pop(i, None)
        table.update({r["id"]: r for r in changes.records(t)})
        out[t] = table
    return out


def _other_parks(state: Records, park: str | None) -> bool:
    """True when the store holds a park, or an enterprise, that is not ``park``'s."""
    return any(p != park for p in state.get("park", {})) or any(
        park_of_record(e) != park for e in state.get("enterprise", {}).values()
    )
