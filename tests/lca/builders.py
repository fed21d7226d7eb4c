"""Small graphs built in code for hand-solved LCA tests."""

from __future__ import annotations

from tanlian.graph.model import Activity, Enterprise, Factor, Flow, Graph, Park, Product


def flow(src: str, to: str, qty: float, unit: str = "t", **kw) -> Flow:
    return Flow.model_validate({"from": src, "to": to, "quantity": qty, "unit": unit, **kw})


def process(ent: str, gas: str, kg: float) -> Activity:
    return Activity(enterprise=ent, type="process", item=gas, quantity=kg, unit="kg")


def loop_graph() -> Graph:
    """A needs 0.2 B per unit; B needs 0.5 A per unit; own burdens 10 and 4 kgCO2 per unit."""
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="EA", name="a", park="P"),
            Enterprise(id="EB", name="b", park="P"),
            Product(id="A", enterprise="EA", unit="t", output=100),
            Product(id="B", enterprise="EB", unit="t", output=50),
            process("EA", "CO2", 1000),
            process("EB", "CO2", 200),
            flow("B", "EA", 20),
            flow("A", "EB", 25),
        ]
    )


def chain_graph() -> Graph:
    """X (10 t of x from 5 t fuel at 2000 kgCO2/t) → Y (y1, y2 by economic value) → Z."""
    return Graph.from_entities(
        [
            Park(id="P", name="p", year=2022),
            Enterprise(id="X", name="x", park="P"),
            Enterprise(id="Y", name="y", park="P", allocation="economic"),
            Enterprise(id="Z", name="z"),
            Factor(id="fuel", unit="t", kgco2e=2000, kind="energy", gases={"CO2": 2000}),
            Product(id="x", enterprise="X", unit="t", output=10),
            Product(id="y1", enterprise="Y", unit="t", output=100, price_cny=30, mass_kg=1000),
            Product(id="y2", enterprise="Y", unit="t", output=50, price_cny=40, mass_kg=1000),
            Product(id="ys", enterprise="Y", unit="t", output=5, kind="waste"),
            Product(id="z", enterprise="Z", unit="piece", output=20),
            Activity(enterprise="X", type="fuel", item="fuel", quantity=5, unit="t"),
            process("Y", "CH4", 100),
            process("Z", "CO2", 500),
            flow("x", "Y", 8000, "kg"),
            flow("y1", "Z", 60),
            flow("y2", "Z", 10),
        ]
    )


def random_graph(n_enterprises: int, seed: int, inputs: int = 4) -> Graph:
    """A random graph with loops: 1–3 products per enterprise, ~``inputs`` inputs each, 3 gases."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ents, prods = [], []
    for e in range(n_enterprises):
        ents.append(Enterprise(id=f"E{e}", name=f"e{e}", allocation=["economic", "mass"][e % 2]))
        for k in range(int(rng.integers(1, 4))):
            prods.append(
                Product(
                    id=f"P{e}_{k}",
                    enterprise=f"E{e}",
                    unit="t",
                    output=float(rng.uniform(50, 500)),
                    price_cny=float(rng.uniform(1, 9)),
                )
            )
    entities: list = [*ents, *prods]
    for e in range(n_enterprises):
        if rng.random() < 0.1:
            continue  # a few enterprises with no burden of their own
        entities.append(process(f"E{e}", ["CO2", "CH4", "N2O"][e % 3], float(rng.uniform(1, 1e4))))
        for src in rng.choice(len(prods), size=inputs, replace=False):
            p = prods[src]
            entities.append(flow(p.id, f"E{e}", float(rng.uniform(0.0, 0.2) * p.output / inputs)))
    return Graph.from_entities(entities)
