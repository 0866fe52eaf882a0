"""Set-up of the FX tests: the sample tariff (its exchange rates) and released declarations
written straight into the store, so the figures can be checked by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from clearance.app import Application
from clearance.assessment import tariff_store
from clearance.store.tables import Declaration, DeclarationItem, InboundMessage
from core.clock import FixedClock
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
#: Wednesday 2026-07-15 in Shanghai: the notice date; the last complete month is June.
INSTANT = datetime(2026, 7, 15, 2, 0, tzinfo=UTC)
EXPORTER = "91440300MA5DC8E3L9"  # office 5316: district 53 (threshold ±25%)
OTHER = "91310000MA1FL0XQ8W"
SMALL = "91110108MA01G0FB5Q"


def application(engine: Engine) -> Application:
    """The application over ``engine`` at :data:`INSTANT`, with the sample tariff loaded."""
    with Session(engine) as session:
        tariff_store.load_file(session, ROOT / "samples" / "tariffs" / "cn-extract.jsonl", INSTANT)
        session.commit()
    return Application(engine, Settings(), FixedClock(INSTANT))


def add_declaration(
    engine: Engine,
    number: str,
    trader: str,
    day: date,
    items: list[tuple[str, str]],
    *,
    direction: str = "export",
    office: str = "2201",
    status: str = "released",
    version: int = 1,
) -> None:
    """A declaration of ``trader`` (as consignor or consignee) with items (value, currency)."""
    role = "consignor" if direction == "export" else "consignee"
    canonical = {
        "direction": direction,
        "parties": [{"role": role, "identifiers": [{"scheme": "uscc", "value": trader}]}],
    }
    with Session(engine) as session:
        message = InboundMessage(
            sender="BROKER1",
            channel="test",
            sha256="0" * 64,
            size=0,
            raw=b"",
            received_at=INSTANT,
            status="accepted",
        )
        session.add(message)
        session.flush()
        row = Declaration(
            number=number,
            sender="BROKER1",
            sender_reference=number[-6:],
            message_reference="1",
            inbound_message_id=message.id,
            direction=direction,
            office=office,
            status=status,
            accepted_on=day,
            version=version,
            canonical=json.dumps(canonical),
            registered_at=INSTANT,
            updated_at=INSTANT,
        )
        session.add(row)
        session.flush()
        for sequence, (value, currency) in enumerate(items, start=1):
            session.add(
                DeclarationItem(
                    declaration_id=row.id,
                    sequence=sequence,
                    commodity_code="8471300000",
                    value=Decimal(value),
                    currency=currency,
                )
            )
        session.commit()


def set_declaration(engine: Engine, number: str, **values: object) -> None:
    """Change stored columns of ``number`` (an amendment or invalidation after release)."""
    with Session(engine) as session:
        row = session.query(Declaration).filter_by(number=number).one()
        for key, value in values.items():
            setattr(row, key, value)
        session.commit()
