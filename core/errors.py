"""Root of the project's exception tree.

Every package defines a small tree under :class:`CustomsError`; each error has a stable
``code`` (used in logs, CLI JSON and problem+json at the HTTP edge).
Expected business outcomes (a rejected declaration, a finding) are *not* exceptions.
"""

from __future__ import annotations


class CustomsError(Exception):
    """Base class of every error the project raises on purpose."""

    code: str = "customs_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(CustomsError):
    """The installation is misconfigured (bad setting, missing database driver)."""

    code = "configuration"


class StoreUnavailableError(CustomsError):
    """The database cannot be reached or opened; the message names it (password hidden)."""

    code = "store_unavailable"


class StoreFullError(StoreUnavailableError):
    """The store's disk is full (PostgreSQL ``53100``, SQLite ``SQLITE_FULL``, ``ENOSPC``).

    A kind of :class:`StoreUnavailableError`: nothing was written, the caller tries again
    later (HTTP 503 with ``Retry-After``), and a queued message stays queued.
    """

    code = "store_full"
