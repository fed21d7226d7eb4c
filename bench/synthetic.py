"""A synthetic bundle-like :class:`Graph` for store benchmarks (fixed seed, plain numpy).

``synthetic_graph(n_products)`` builds ``n_products // 10`` enterprises (10 products each) in
``max(1, n_enterprises // 500)`` parks, a small factor library, two activities per enterprise
(electricity and coal), ``inputs_per_product`` supply flows per product and one spend flow from
a ``factor:`` per enterprise. With 25 000 products: 2 500 enterprises, 100 000 product flows.

Product flows go from a product of another enterprise to the enterprise making the consuming
product, in ``t``, unique per (source, customer) as in a bundle (default flow ids). A source
product used ``k`` times gives each customer ``output × U(0.05, 0.9) / k``, so every flow (and
the sum of a product's flows) stays below the output of its source.
"""

from __future__ import annotations

import numpy as np

from tanlian.graph.model import Activity, Enterprise, Factor, Flow, Graph, Park, Product

MODES = ["road", "rail", "sea", "inland_water"]
FACTORS = [  # (id, unit, kgCO2e per unit, kind)
    ("grid-east", "MWh", 570.0, "energy"),
    ("coal", "t", 2660.0, "energy"),
    ("natural-gas", "m**3", 2.16, "energy"),
    ("steel", "t", 2100.0, "material"),
    ("cement", "t", 850.0, "material"),
    ("freight-road", "t*km", 0.11, "service"),
    ("services", "CNY", 0.35, "spend"),
    ("chemicals", "CNY", 0.9, "spend"),
]


def synthetic_graph(n_products: int, inputs_per_product: int = 4, seed: int = 0) -> Graph:
    """A reproducible graph of ``n_products`` products and ≈ ``inputs_per_product`` × that many flows."""
    rng = np.random.default_rng(seed)
    n_ent = max(2, n_products // 10)
    n_parks = max(1, n_ent // 500)

    parks = [Park(id=f"PK{i:02d}", name=f"Park {i}", province="Jiangsu", year=2024) for i in range(n_parks)]
    factors = [Factor(id=f, unit=u, kgco2e=k, kind=kind, source="synthetic") for f, u, k, kind in FACTORS]

    lat = rng.uniform(30.0, 33.0, n_ent)
    lon = rng.uniform(118.0, 122.0, n_ent)
    ent_park = rng.integers(0, n_parks, n_ent)
    ents = [
        Enterprise(
            id=f"E{i:05d}",
            name=f"Enterprise {i}",
            park=parks[ent_park[i]].id,
            region="CN-East",
            lat=round(float(lat[i]), 5),
            lon=round(float(lon[i]), 5),
        )
        for i in range(n_ent)
    ]

    maker = np.arange(n_products) % n_ent  # product j is made by enterprise j % n_ent
    output = np.round(rng.uniform(100.0, 10_000.0, n_products), 1)
    price = np.round(rng.uniform(500.0, 20_000.0, n_products), 2)
    prods = [
        Product(
            id=f"P{j:06d}",
            enterprise=ents[maker[j]].id,
            name=f"Product {j}",
            unit="t",
            output=float(output[j]),
            price_cny=float(price[j]),
            mass_kg=1000.0,
            kind="product",
        )
        for j in range(n_products)
    ]

    # inputs: for each product, `inputs_per_product` distinct sources from other enterprises,
    # never the same (source, customer) pair twice
    pairs: list[tuple[int, int]] = []
    used: set[tuple[int, int]] = set()
    cand = rng.integers(0, n_products, (n_products, inputs_per_product * 3))
    for j in range(n_products):
        customer, got, extra = int(maker[j]), 0, iter(cand[j])
        for _ in range(inputs_per_product * 50):  # tiny graphs may run out of distinct sources
            if got == inputs_per_product:
                break
            src = next(extra, None)
            if src is None:
                src = rng.integers(0, n_products)
            src = int(src)
            if maker[src] == customer or (src, customer) in used:
                continue
            used.add((src, customer))
            pairs.append((src, customer))
            got += 1
    src_idx = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    outdeg = np.bincount(src_idx, minlength=n_products)
    share = rng.uniform(0.05, 0.9, len(pairs))
    qty = np.round(output[src_idx] * share / outdeg[src_idx], 3)
    dist = rng.uniform(5.0, 800.0, len(pairs))
    has_transport = rng.random(len(pairs)) < 0.3
    mode = rng.integers(0, len(MODES), len(pairs))
    flows = []
    for k, (src, customer) in enumerate(pairs):
        row = {"from": prods[src].id, "to": ents[customer].id, "quantity": float(qty[k]), "unit": "t"}
        if has_transport[k]:
            row.update(distance_km=round(float(dist[k]), 1), mode=MODES[mode[k]])
        flows.append(Flow.model_validate(row))

    spend_factor = rng.choice(["services", "chemicals"], n_ent)
    spend = np.round(rng.uniform(1e4, 1e7, n_ent), 2)
    flows += [
        Flow.model_validate({"from": f"factor:{spend_factor[i]}", "to": e.id, "spend_cny": float(spend[i])})
        for i, e in enumerate(ents)
    ]

    mwh = np.round(rng.uniform(100.0, 50_000.0, n_ent), 1)
    coal = np.round(rng.uniform(0.0, 5_000.0, n_ent), 1)
    acts = []
    for i, e in enumerate(ents):
        acts.append(Activity(enterprise=e.id, type="electricity", item="grid-east", quantity=float(mwh[i]), unit="MWh"))
        acts.append(Activity(enterprise=e.id, type="fuel", item="coal", quantity=float(coal[i]), unit="t"))

    return Graph.from_entities([*parks, *ents, *factors, *prods, *acts, *flows])


if __name__ == "__main__":
    import sys

    g = synthetic_graph(int(sys.argv[1]) if len(sys.argv) > 1 else 25_000)
    print(g.counts(), sum(g.counts().values()))
