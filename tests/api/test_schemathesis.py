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
    # a schema cannot say "a valid bundle archive": random uploads are rightly rejected with 422
    excluded = [positive_data_acceptance] if case.operation.path == "/v1/imports" else []
    case.call_and_validate(headers=HEADERS, excluded_checks=excluded)
