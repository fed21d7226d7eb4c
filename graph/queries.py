"""Graph questions answered over an in-memory snapshot with networkx.

The embedded store uses these directly; the Neo4j store answers the same questions in Cypher
and the shared contract tests check that both agree.
"""

from __future__ import annotations

import networkx as nx

from tanlian.graph.model import Enterprise, Graph
from tanlian.graph.store import SupplyEdge


def supply_digraph(graph: Graph) -> nx.MultiDiGraph:
    """Enterprises as nodes, one edge supplier → customer per flow (``factor:`` sources as nodes)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(graph.enterprises)
    for f in graph.flows.values():
        prod = graph.products.get(f.source)
        supplier = prod.enterprise if prod else f.source
        g.add_edge(supplier, f.to, key=f.id, flow=f.id, source=f.source, maker=prod.enterprise if prod else None)
    return g


def _tiers(g: nx.MultiDiGraph, start: str, depth: int, upstream: bool) -> list[SupplyEdge]:
    """Breadth-first over supply edges, tier by tier; each flow once, at its smallest depth."""
    seen: dict[str, SupplyEdge] = {}
    frontier, visited = {start}, {start}
    for d in range(1, depth + 1):
        nxt: set[str] = set()
        for node in sorted(frontier):
            edges = g.in_edges(node, data=True) if upstream else g.out_edges(node, data=True)
            for supplier, customer, data in edges:
                if data["flow"] not in seen:
                    seen[data["flow"]] = SupplyEdge(data["flow"], data["source"], data["maker"], customer, d)
                # upstream: only graph makers have suppliers of their own; downstream: every customer
                step = supplier if upstream and data["maker"] else (None if upstream else customer)
                if step is not None and step not in visited:
                    nxt.add(step)
        visited |= nxt
        frontier = nxt
    return sorted(seen.values(), key=lambda e: (e.depth, e.flow))


def upstream(graph: Graph, product_id: str, depth: int = 3) -> list[SupplyEdge]:
    """Every flow into the maker of ``product_id`` and, tier by tier, into its suppliers.

    Depth 1 = the maker's direct inputs. Each flow is reported once, at its smallest depth.
    """
    prod = graph.products.get(product_id)
    if prod is None or depth < 1:
        return []
    return _tiers(supply_digraph(graph), prod.enterprise, depth, upstream=True)


def downstream(graph: Graph, enterprise_id: str, depth: int = 1) -> list[SupplyEdge]:
    """Flows of ``enterprise_id``'s products to customers, then of theirs, up to ``depth`` tiers."""
    if enterprise_id not in graph.enterprises or depth < 1:
        return []
    return _tiers(supply_digraph(graph), enterprise_id, depth, upstream=False)


def park_enterprises(graph: Graph, park_id: str) -> list[Enterprise]:
    """Enterprises inside the park, sorted by id."""
    return [e for k, e in sorted(graph.enterprises.items()) if e.park == park_id]
