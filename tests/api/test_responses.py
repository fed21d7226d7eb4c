"""The bulk JSON response writes the same bytes as FastAPI's JSONResponse."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from tanlian.api.responses import BulkJSONResponse


def test_bulk_json_is_byte_identical_to_json_response():
    body = {
        "items": [
            {"flow": "F1", "from": "factor:ore", "to": "钢厂", "quantity": 0.1 + 0.2, "embodied_kgco2e": 1e-300},
            {"flow": "F2", "quantity": 12345678901234567890.0, "unit": None, "ok": True, "n": 3},
        ],
        "total": 2,
    }
    assert BulkJSONResponse(body).body == JSONResponse(body).body
    assert BulkJSONResponse(body).headers["content-type"] == "application/json"
