"""Product carbon labels: ``/v1/products/{id}/label.{json,svg,pdf}`` and the public ``/labels/{pfId}``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["labels"])
