"""Every table of the store, for Alembic and for code that needs the whole metadata.

Each area keeps its tables in its own module on the shared :class:`Base`; importing this
module registers them all.
"""

from __future__ import annotations

import clearance.store.statistics_tables  # noqa: F401  (registers the stat_* tables)
from clearance.store import control_tables, manifest_tables, tables, tariff_tables
from clearance.store.tables import Base

metadata = Base.metadata

__all__ = ["Base", "control_tables", "manifest_tables", "metadata", "tables", "tariff_tables"]
