"""Domain exceptions. Names say what went wrong; every one carries the data a user needs to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class TanlianError(Exception):
    """Base class of every error Tanlian raises on purpose."""


@dataclass(frozen=True)
class RowError:
    """One problem in an input file: where it is and why it is wrong.

    ``row`` is the line number as a spreadsheet shows it (header = 1, first data row = 2);
    ``None`` when the problem concerns the whole file.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        col = f" [{self.column}]" if self.column else ""
        val = f" value {self.value!r}:" if self.value not in (None, "") else ""
        return f"{where}{col}{val} {self.reason}"


class ValidationFailed(TanlianError):
    """Input data has one or more invalid rows; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        head = "; ".join(str(e) for e in self.errors[:5])
        more = f" (+{len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} invalid input(s): {head}{more}")


class NotFound(TanlianError):
    """An entity asked for by id does not exist."""

    def __init__(self, kind: str, id: str):
        self.kind, self.id = kind, id
        super().__init__(f"{kind} {id!r} not found")


class Conflict(TanlianError):
    """A write would break a uniqueness or consistency rule."""


class StoreConflict(Conflict):
    """A write was based on a revision of the store that is no longer the current one."""

    def __init__(self, expected: int, actual: int):
        self.expected, self.actual = expected, actual
        super().__init__(f"the store changed meanwhile (revision {actual}, expected {expected}): reload and retry")


class StoreEmpty(Conflict):
    """A command or route needs data but the store (or the year asked for) holds none."""

    def __init__(self, detail: str = ""):
        message = "the store is empty: run `tanlian import` or `tanlian demo`"
        super().__init__(message + (f" ({detail})" if detail else ""))


class OldStoreLayout(TanlianError):
    """The store file has the JSON-blob layout of Tanlian ≤ 0.x: it must be migrated first."""

    def __init__(self, path: str, hint: str):
        self.path = path
        super().__init__(f"{path} has the old JSON-blob store layout; migrate it with: {hint}")


class StoreUnavailable(TanlianError):
    """The graph store cannot be reached."""

    def __init__(self, address: str, cause: str):
        self.address, self.cause = address, cause
        super().__init__(f"graph store at {address} unavailable: {cause}")


class UnitError(TanlianError, ValueError):
    """A unit string is unknown or cannot be converted to the unit required."""


class AllocationError(TanlianError):
    """An enterprise's allocation rule lacks the data it needs."""

    def __init__(self, enterprise: str, message: str):
        self.enterprise = enterprise
        super().__init__(f"enterprise {enterprise!r}: {message}")


class NonProductiveLoop(TanlianError):
    """A supply loop needs at least one unit of a product to make one unit of itself."""

    def __init__(self, products: list[str], spectral_radius: float):
        self.products, self.spectral_radius = products, spectral_radius
        super().__init__(
            "non-productive supply loop (spectral radius "
            f"{spectral_radius:.4g} >= 1) among products: {', '.join(products)}"
        )


class SolveDidNotConverge(TanlianError):
    """Neither the iterative nor the direct solver reached the tolerance."""


class AccessDenied(TanlianError):
    """The principal may not see or change this resource."""


class NegativeIntensity(TanlianError):
    """A solve gave intensities below zero although every burden was ≥ 0 (a loop that is not
    productive, or a numerical failure): the numbers cannot be used."""

    def __init__(self, products: list[str], worst: float):
        self.products, self.worst = products, worst
        shown = ", ".join(products[:20]) + (f" (+{len(products) - 20} more)" if len(products) > 20 else "")
        super().__init__(f"negative intensities (down to {worst:.4g} per unit) for products: {shown}")
