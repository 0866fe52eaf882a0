"""The errors a use case raises; each has a stable code that the front doors translate.

A front door maps them without looking inside: ``NotFoundError`` → HTTP 404 (also for
another tenant's object, whose existence is never disclosed), ``RefusedError`` → 422,
``ConflictError`` → 409, ``NotPermittedError`` → 403 (a role that may not call the use case at
all), and :class:`core.errors.StoreUnavailableError` → 503. The CLI prints the message and
exits 1.
"""

from __future__ import annotations

from core.errors import CustomsError, StoreUnavailableError


class NotFoundError(CustomsError):
    """No such object for this actor (unknown, or another tenant's: the same answer)."""

    code = "not_found"


class RefusedError(CustomsError):
    """The request is understood but cannot be carried out as asked (bad input, wrong state)."""

    code = "refused"


class ConflictError(CustomsError):
    """Someone else got there first (a claim held by another officer, a stale version)."""

    code = "conflict"


class NotPermittedError(CustomsError):
    """The actor's role may not call this use case at all."""

    code = "not_permitted"


__all__ = [
    "ConflictError",
    "CustomsError",
    "NotFoundError",
    "NotPermittedError",
    "RefusedError",
    "StoreUnavailableError",
]
