"""Every table of the store, for Alembic and for code that needs the whole metadata.

Each area keeps its tables in its own module on the shared :class:`Base`; importing this
module registers them all.
"""

from __future__ import annotations

# One import per area, so that adding an area is one added line.
import clearance.store.api_tables  # noqa: F401 - the HTTP API's tables
from clearance.store import (
    control_tables,
    fx_tables,
    identity_tables,
    manifest_tables,
    officer_tables,
    tables,
    tariff_tables,
)
from clearance.store.tables import Base

metadata = Base.metadata

__all__ = [
    "Base",
    "control_tables",
    "fx_tables",
    "identity_tables",
    "manifest_tables",
    "metadata",
    "officer_tables",
    "tables",
    "tariff_tables",
]
