"""Property-based checks of every route against the OpenAPI schema (schemathesis 4): no 5xx, valid bodies.

The schema is loaded at import time (``schemathesis.pytest.from_fixture`` breaks on pytest 9:
``Function`` has no ``_nodeid``), over its own store of the mini bundle in a temporary folder.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tanlian.api.app import create_app
from tanlian.api.auth import issue_token, new_client
from tanlian.graph.embedded import EmbeddedStore
from tanlian.settings import Settings

from .helpers import JWT_SECRET, bearer, load_store

_TMP = Path(tempfile.mkdtemp(prefix="tanlian-st-"))
atexit.register(shutil.rmtree, _TMP, True)
_STORE = EmbeddedStore(_TMP / "st.db")
load_store(_STORE)
_ADMIN, _ = new_client(_STORE, "fuzz", "park_admin", park="P1")
HEADERS = bearer(issue_token(_ADMIN, JWT_SECRET, 3600))
APP = create_app(Settings(store=_STORE.url, jwt_secret=JWT_SECRET), _STORE)

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms(case):
    # a schema cannot say "a valid bundle archive" (or a footprint naming a product): random uploads get 422
    excluded = [positive_data_acceptance] if case.operation.path in ("/v1/imports", "/v1/pact/import") else []
    case.call_and_validate(headers=HEADERS, excluded_checks=excluded)


#: Core routes called with ids that exist in the mini bundle, so the bodies are real 200 responses
#: (random ids mostly give 404s): each body is validated against the route's response model.
CORE_CALLS = [
    ("GET", "/healthz", {}, {}, None),
    ("GET", "/readyz", {}, {}, None),
    ("GET", "/v1/products/{product_id}/footprint", {"product_id": "B1"}, {"mc": 20}, None),
    ("GET", "/v1/edges", {}, {}, None),
    ("GET", "/v1/edges", {}, {"enterprise": "A"}, None),
    ("GET", "/v1/enterprises", {}, {}, None),
    ("GET", "/v1/enterprises/{enterprise_id}", {"enterprise_id": "A"}, {}, None),
    ("GET", "/v1/products", {}, {}, None),
    ("GET", "/v1/products/{product_id}", {"product_id": "A1"}, {}, None),
    ("GET", "/v1/flows", {}, {}, None),
    ("GET", "/v1/flows/{flow_id}", {"flow_id": "F1"}, {}, None),
    ("GET", "/v1/enterprises/{enterprise_id}/scope", {"enterprise_id": "A"}, {}, None),
    ("GET", "/v1/enterprises/{enterprise_id}/hotspots", {"enterprise_id": "B"}, {}, None),
    ("GET", "/v1/flows/{flow_id}/alternatives", {"flow_id": "F1"}, {}, None),
    ("GET", "/v1/parks/{park_id}/inventory", {"park_id": "P1"}, {}, None),
    ("GET", "/v1/parks/{park_id}/indicators", {"park_id": "P1"}, {}, None),
    ("GET", "/v1/parks/{park_id}/symbiosis", {"park_id": "P1"}, {}, None),
    (
        "POST",
        "/v1/scenarios",
        {},
        {},
        {"name": "green power at B", "changes": [{"op": "add_green_power", "enterprise": "B", "green_mwh": 10}]},
    ),
]


def test_core_routes_answer_with_their_declared_models():
    """Every core route has a response model, and its real body conforms to it."""
    for method, path, path_parameters, query, body in CORE_CALLS:
        operation = schema[path][method]
        assert "200" in operation.definition.raw["responses"]
        ok = operation.definition.raw["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok, f"{method} {path}: no response schema"
        kwargs = {"body": body} if body is not None else {}
        case = operation.Case(path_parameters=path_parameters, query=query, **kwargs)
        response = case.call_and_validate(headers=HEADERS)
        assert response.status_code == 200, (method, path, response.text)
