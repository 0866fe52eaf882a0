"""Rebate records carry the goods' quantity and unit, the exporter's USCC and the exit date.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07

Customs sends the tax authority export records with the declaration, item, code, quantity,
FOB in CNY and the exit confirmed (docs/rebates.md); the records had no quantity, no unit, no
exporter and no exit date. Four nullable columns, and for the rows already there what can be
derived from what the store holds:

- ``quantity`` and ``unit``: from the declaration's canonical content (``declarations.
  canonical``: a released declaration is never amended, so it is the content it was released
  with), the item's first statutory quantity, else its declared quantity; NULL when the item
  has neither;
- ``exporter_uscc``: the USCC of the consignor (境内发货人), else of the exporter; NULL when
  neither has one (an EORI or a customs code is not a USCC);
- ``exit_date``: the local day (``CUSTOMS_TIMEZONE`` at migration time, default Asia/Shanghai)
  of the declaration's first ``exit_confirmed`` event; NULL for records whose exit is not
  confirmed, and for those confirmed before exit confirmations were events (no date kept).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

#: The new columns: (name, type), all nullable.
_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("quantity", sa.Numeric(18, 4)),
    ("unit", sa.String(8)),
    ("exporter_uscc", sa.String(18)),
    ("exit_date", sa.Date()),
)


def upgrade() -> None:
    """Add the columns and fill what the stored declarations and events say."""
    with op.batch_alter_table("rebate_records") as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_))
    bind = op.get_bind()
    records = sa.table(
        "rebate_records",
        sa.column("id", sa.BigInteger()),
        sa.column("quantity", sa.Numeric(18, 4)),
        sa.column("unit", sa.String(8)),
        sa.column("exporter_uscc", sa.String(18)),
        sa.column("exit_date", sa.Date()),
    )
    zone = ZoneInfo(os.environ.get("CUSTOMS_TIMEZONE") or "Asia/Shanghai")
    rows = bind.execute(
        sa.text(
            "SELECT r.id, r.item_sequence, d.canonical, "
            "(SELECT min(e.occurred_at) FROM events e WHERE e.kind = 'exit_confirmed' "
            " AND e.declaration_number = r.declaration_number) AS exited "
            "FROM rebate_records r JOIN declarations d ON d.id = r.declaration_id"
        )
    ).all()
    for record_id, sequence, canonical, exited in rows:
        content = json.loads(canonical)
        quantity, unit = _quantity(content, sequence)
        bind.execute(
            records.update()
            .where(records.c.id == record_id)
            .values(
                quantity=quantity,
                unit=unit,
                exporter_uscc=_exporter(content),
                exit_date=_local_day(exited, zone),
            )
        )


def _quantity(content: dict[str, Any], sequence: int) -> tuple[Decimal | None, str | None]:
    item = next((i for i in content.get("items") or [] if i.get("sequence") == sequence), None)
    if item is None:
        return None, None
    found = item.get("statutory_quantity") or item.get("quantity")
    if not found:
        return None, None
    return Decimal(str(found["value"])), str(found["unit"])


def _exporter(content: dict[str, Any]) -> str | None:
    parties = content.get("parties") or []
    for role in ("consignor", "exporter"):
        for party in parties:
            if party.get("role") != role:
                continue
            for identifier in party.get("identifiers") or []:
                if identifier.get("scheme") == "uscc":
                    return str(identifier["value"])
            break  # the first party of the role, as the model's ``party(role)``
    return None


def _local_day(at: Any, zone: ZoneInfo) -> Any:
    if at is None:
        return None
    if isinstance(at, str):  # SQLite returns the text it stored
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:  # stored in UTC without an offset (SQLite)
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    return at.astimezone(zone).date()


def downgrade() -> None:
    """Drop the four columns."""
    with op.batch_alter_table("rebate_records") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
