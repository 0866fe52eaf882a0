"""Set-up of the invalidation-after-release tests: an export that draws on a licence.

Sample 02 (export, on the scenario date, waiting for an officer because of a SAN-004 warning)
cites an export licence of its own on item 1 (300 NAR of laptops), so that release consumes
a ledger amount and an invalidation after release must give it back.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.decisions import registry_store
from clearance.ledgers.accounts import balances, lock_heads
from clearance.officer import actions as officer
from clearance.store.control_tables import LedgerEntry
from clearance.store.tables import Declaration, Event
from core.settings import Settings
from rules.ledger import Balance
from tests.integration.test_controls_support import (
    CONTROLS,
    INSTANT,
    REGISTRY_FILES,
    export_interchange,
    prepare,
)

LICENCE = "26-XK-TEST01"
LICENCE_KEY = f"licence:{LICENCE}"
_EXPORT_LICENCE = {
    "record": "licence",
    "number": LICENCE,
    "type_code": "4",
    "holder_uscc": "91440300MA5DC8E3L9",
    "holder_name": "深圳前海电子科技有限公司",
    "direction": "export",
    "commodity_codes": ["8471"],
    "quantity": "1000",
    "unit": "NAR",
    "max_uses": 12,
    "tolerance": "0",
    "valid_from": "2026-01-01",
    "valid_to": "2026-12-31",
    "status": "active",
    "issuer": "MOFCOM",
}


def prepare_export(engine: Engine, tmp_path: Path) -> None:
    """Sample tariff and registries, plus the export licence the test export cites."""
    prepare(engine)
    extra = tmp_path / "export-licence.jsonl"
    extra.write_text(json.dumps(_EXPORT_LICENCE, ensure_ascii=False) + "\n", encoding="utf-8")
    with Session(engine) as session:
        registry_store.load_files(session, [*REGISTRY_FILES, extra], INSTANT)
        session.commit()


def export_with_licence() -> bytes:
    """The export interchange (reference EX20260615001), item 1 citing :data:`LICENCE`."""
    text = export_interchange().decode()
    text = text.replace("MOA+146:500.00:USD'", f"MOA+146:500.00:USD'\nDOC+811+{LICENCE}'")
    return text.replace("UNT+43+", "UNT+44+").encode()


def changed(original: bytes, number: str, function: str, reference: str) -> bytes:
    """``original`` (one D99B message, ``export_with_licence``'s shape) as a change of
    ``number``: BGM function 1 (cancellation) or 5 (amendment), in interchange ``reference``."""
    text = original.decode()
    bgm = text[text.index("BGM+") : text.index("'", text.index("BGM+"))]
    text = text.replace(bgm, bgm[: bgm.rindex("+")] + f"+{function}")
    text = text.replace("RFF+BM:", f"RFF+AAE:{number}'\nRFF+BM:", 1)
    count = text[text.index("UNT+") + 4 : text.index("+", text.index("UNT+") + 4)]
    text = text.replace(f"UNT+{count}+", f"UNT+{int(count) + 1}+")
    old = text[text.index("UNZ+1+") + 6 : text.index("'", text.index("UNZ+1+"))]
    return text.replace(old, reference).encode()


def import_cancellation(number: str) -> bytes:
    """A cancellation of control sample 01 (an import drawing on licence 26-AA-310047)."""
    text = (CONTROLS / "01-valid-licence.edi").read_text(encoding="utf-8")
    text = text.replace("BGM+929+CTL-0001+9", "BGM+929+CTL-0001+1")
    text = text.replace("DTM+137:20260615:102'", f"DTM+137:20260615:102'\nRFF+AAE:{number}'")
    return text.replace("UNT+22+", "UNT+23+").replace("CTL0001", "CTL0001C").encode()


def release(engine: Engine, number: str, at: datetime, settings: Settings | None = None) -> None:
    """An officer releases ``number`` at ``at``."""
    with Session(engine) as session:
        officer.decide(session, settings or Settings(), number, "release", "ok", "OF1", at)
        session.commit()


def balance(engine: Engine, key: str = LICENCE_KEY) -> Balance:
    """The derived balance of ledger ``key`` (reserved, consumed, available)."""
    with Session(engine) as session:
        return balances(session, lock_heads(session, [key]))[key]


def entries(engine: Engine, number: str) -> list[tuple[str, str, int]]:
    """``number``'s ledger entries in booking order: (kind, quantity, uses)."""
    with Session(engine) as session:
        rows = session.execute(
            select(LedgerEntry.kind, LedgerEntry.quantity, LedgerEntry.uses)
            .where(LedgerEntry.declaration_number == number)
            .order_by(LedgerEntry.id)
        ).all()
    return [(kind, f"{quantity.normalize():f}", uses) for kind, quantity, uses in rows]


def status(engine: Engine, number: str) -> str:
    """The stored status of ``number``."""
    with Session(engine) as session:
        return str(session.scalar(select(Declaration.status).where(Declaration.number == number)))


def events(engine: Engine, number: str, kind: str) -> list[dict[str, Any]]:
    """The data of ``number``'s events of ``kind``, oldest first."""
    with Session(engine) as session:
        rows = session.scalars(
            select(Event.data)
            .where(Event.declaration_number == number, Event.kind == kind)
            .order_by(Event.id)
        ).all()
    return [json.loads(data) for data in rows]
