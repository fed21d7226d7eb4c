"""Entities built from the typed columns without validation equal the validated ones."""

from __future__ import annotations

import pytest

from tanlian.connectors.bundle import load_bundle
from tanlian.graph.columns import arrow_to_records
from tanlian.graph.entity_build import arrow_to_entities
from tanlian.graph.model import BUNDLE_TYPES, Factor, Flow
from tanlian.graph.table_import import graph_tables
from tanlian.seed_data.library import demo_park_path


@pytest.fixture(scope="module")
def demo_tables():
    graph = load_bundle(demo_park_path()).graph
    graph.factors["f_x"] = Factor.model_validate(
        {"id": "f_x", "unit": "t", "kgco2e": 2.5, "gases": {"CO2": 2.0, "CH4": 0.01}, "class": "steel", "note": "extra"}
    )
    flow = next(iter(graph.flows.values()))
    graph.flows[flow.id] = Flow.model_validate({**flow.record(), "supplier_ref": "PO-17", "capital": "yes"})
    return graph_tables(graph)


@pytest.mark.parametrize("etype", BUNDLE_TYPES, ids=lambda t: t.file)
def test_built_entities_equal_validated_ones(demo_tables, etype):
    table = demo_tables[etype.type_name]
    assert table.num_rows > 0
    fast = arrow_to_entities(etype, table)
    slow = [etype.model_validate(r) for r in arrow_to_records(etype, table)]
    assert fast == slow
    assert [e.record() for e in fast] == [e.record() for e in slow]
    assert [e.model_extra for e in fast] == [e.model_extra for e in slow]
    if etype is Flow:
        assert any(e.model_extra.get("supplier_ref") == "PO-17" and e.capital is True for e in fast)
        assert all(e.factor_id is None or isinstance(e.factor_id, str) for e in fast)
