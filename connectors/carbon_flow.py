"""Embodied carbon between enterprises, grouped for a Sankey: park members one by one, outside
suppliers by region, background factors by kind (tCO2e per year).

Each supply edge i→e carries quantity × intensity of what flows (``LcaResult.edges``). Edges are
summed per (source node, consuming member); an enterprise consuming its own product is left out
(no self-loop). Members get a column: how many intra-park supply steps lie before them at most
(loops collapsed), so the picture reads left (outside) to right (final processors).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from tanlian.connectors.chart_text import short_name, text
from tanlian.errors import NotFound
from tanlian.lca.core.result import LcaResult


@dataclass(frozen=True)
class FlowNode:
    key: str  # member id, 'out:<region>' or 'bg:<kind>'
    label: str
    group: str  # 'member', 'outside' or 'background'
    column: int  # 0 for outside and background; 1.. for members


@dataclass(frozen=True)
class FlowLink:
    source: str
    target: str
    tco2e: float  # per year
    crosses: bool  # from outside the park boundary into it


@dataclass(frozen=True)
class CarbonFlows:
    park: str
    park_name: str
    nodes: list[FlowNode]
    links: list[FlowLink]

    @property
    def crossing_tco2e(self) -> float:
        return sum(ln.tco2e for ln in self.links if ln.crosses)

    @property
    def internal_tco2e(self) -> float:
        return sum(ln.tco2e for ln in self.links if not ln.crosses)


def park_inflow_ids(result: LcaResult, park: str) -> list[str]:
    """Flow ids consumed by members of ``park`` (sorted)."""
    members = {e.id for e in result.graph.enterprises.values() if e.park == park}
    return sorted(fid for fid, f in result.graph.flows.items() if f.to in members)


def _source_key(result: LcaResult, source: str, members: set[str]) -> tuple[str, str]:
    """(node key, group) of what flows on an edge."""
    g = result.graph
    maker = g.maker(source)
    if maker in members:
        return maker, "member"
    if maker is not None:
        region = g.enterprises[maker].region if maker in g.enterprises else None
        return f"out:{region or ''}", "outside"
    fid = source.split(":", 1)[1] if ":" in source else source
    try:
        kind = result.book.get(fid).kind or "other"
    except NotFound:  # an unknown factor cannot be on a solved edge; keep the total anyway
        kind = "other"
    return f"bg:{kind}", "background"


def _label(result: LcaResult, key: str, group: str, lang: str) -> str:
    if group == "member":
        return short_name(result.graph.enterprises[key].name, lang, key, limit=18)
    if group == "outside":
        region = key[4:] or text("region_unknown", lang)
        return f"{text('outside_suppliers', lang)} · {region}"
    return f"{text('background', lang)} · {text('kind_' + key[3:], lang)}"


def _columns(members: Iterable[str], links: dict[tuple[str, str], float]) -> dict[str, int]:
    """Longest chain of intra-park supply before each member (strongly connected parts collapsed)."""
    g = nx.DiGraph()
    g.add_nodes_from(members)
    g.add_edges_from((s, t) for (s, t) in links if s in g and t in g)
    dag = nx.condensation(g)
    depth: dict[int, int] = {}
    for c in nx.topological_sort(dag):
        depth[c] = max((depth[p] + 1 for p in dag.predecessors(c)), default=0)
    return {m: 1 + depth[dag.graph["mapping"][m]] for m in g.nodes}


def carbon_flows(result: LcaResult, park: str, flow_ids: Iterable[str], lang: str = "en") -> CarbonFlows:
    """Embodied tCO2e per year on the given flows into ``park`` members, grouped for a Sankey.

    ``flow_ids`` are the edges the viewer may see; flows into enterprises outside the park are
    left out (the picture is of the park's intake)."""
    g = result.graph
    members = {e.id for e in g.enterprises.values() if e.park == park}
    table = result.edges
    sums: dict[tuple[str, str], float] = {}
    groups: dict[str, str] = {}
    for fid in flow_ids:
        f = g.flows[fid]
        if f.to not in members:
            continue
        key, group = _source_key(result, f.source, members)
        if key == f.to:
            continue
        t = float(table.embodied_kgco2e[table.position[fid]]) / 1000
        if t <= 0:
            continue
        groups[key] = group
        groups[f.to] = "member"
        sums[(key, f.to)] = sums.get((key, f.to), 0.0) + t
    cols = _columns([k for k, v in groups.items() if v == "member"], sums)
    order = {"outside": 0, "background": 1, "member": 2}
    nodes = [
        FlowNode(k, _label(result, k, grp, lang), grp, cols.get(k, 0))
        for k, grp in sorted(groups.items(), key=lambda kv: (order[kv[1]], cols.get(kv[0], 0), kv[0]))
    ]
    links = [FlowLink(s, t, v, groups[s] != "member") for (s, t), v in sorted(sums.items())]
    return CarbonFlows(park, g.parks[park].name if park in g.parks else park, nodes, links)
