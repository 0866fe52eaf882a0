"""Every table of the store, for Alembic and for code that needs the whole metadata.

Each area keeps its tables in its own module on the shared :class:`Base`; importing this
module registers them all.
"""

from __future__ import annotations

from clearance.store import (
    api_tables,
    control_tables,
    fx_tables,
    housekeeping_tables,
    identity_tables,
    manifest_tables,
    office_tables,
    officer_tables,
    operations_tables,
    rebate_version_tables,
    statistics_request_tables,
    statistics_tables,
    tables,
    tariff_tables,
    webhook_tables,
)
from clearance.store.tables import Base

metadata = Base.metadata

__all__ = [
    "Base",
    "api_tables",
    "control_tables",
    "fx_tables",
    "housekeeping_tables",
    "identity_tables",
    "manifest_tables",
    "metadata",
    "office_tables",
    "officer_tables",
    "operations_tables",
    "rebate_version_tables",
    "statistics_request_tables",
    "statistics_tables",
    "tables",
    "tariff_tables",
    "webhook_tables",
]
