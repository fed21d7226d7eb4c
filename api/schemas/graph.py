"""Graph bodies: enterprises, products and flows as in the bundle format, one page at a time."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

from tanlian.graph.model import Enterprise, Flow, Product

E = TypeVar("E", Enterprise, Product, Flow)


class Page(BaseModel, Generic[E]):
    """One page of records (bundle-format field names, empty fields left out)."""

    items: list[E]
    total: int
    limit: int
    offset: int


EnterprisePage = Page[Enterprise]
ProductPage = Page[Product]
FlowPage = Page[Flow]
