"""Agencies: bulk registry changes (one load, all or nothing, errors by line) and the
write-off report of a licence's draw-downs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import Actor, Application, NotFoundError, RefusedError, Role, agencies
from clearance.app.actor import LOCAL_OPERATOR
from clearance.app.documents import Document
from clearance.decisions import registry_store
from clearance.intake.pipeline import Pipeline
from clearance.store.control_tables import RegistryChange, RegistryLoad
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.invalidation_support import (
    _EXPORT_LICENCE,
    LICENCE,
    export_with_licence,
    prepare_export,
    release,
)
from tests.integration.test_controls_support import INSTANT, prepare

pytestmark = pytest.mark.db

SHANGHAI = Actor("mofcom-sh", Role.AGENCY, party_ids=frozenset({"MOFCOM Shanghai"}))


def licence(number: str, **changes: Any) -> dict[str, Any]:
    record = {**_EXPORT_LICENCE, "number": number, "issuer": "MOFCOM Shanghai"}
    return {**record, **changes}


def bulk(*lines: dict[str, Any] | str) -> Document:
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    return Document("bulk.jsonl", text.encode())


def loads(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(RegistryLoad)) or 0)


def test_bulk_adds_amends_revokes_in_one_load(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    before = loads(engine)
    done = agencies.bulk_change(
        app,
        SHANGHAI,
        bulk(
            {"action": "add", "record": licence("26-SH-000001")},
            {"action": "add", "record": licence("26-SH-000002")},
            {
                "action": "amend",
                "record": {
                    **licence("26-AA-310045"),
                    "quantity": "150000",
                    "holder_uscc": "91310000MA1FL0XQ8W",
                    "direction": "import",
                    "commodity_codes": ["1511100000"],
                },
            },
            {"action": "revoke", "kind": "licence", "number": "26-AA-310046", "reason": "expired"},
        ),
    )
    assert (done.added, done.amended, done.revoked) == (2, 1, 1)
    assert loads(engine) == before + 1  # one load for the whole file
    with Session(engine) as session:
        _, registries = registry_store.latest(session)
        assert {"26-SH-000001", "26-SH-000002"} <= set(registries.licences)
        assert str(registries.licences["26-AA-310045"].quantity) == "150000"
        assert registries.licences["26-AA-310046"].status.value == "revoked"
        actions = session.scalars(
            select(RegistryChange.action).where(RegistryChange.load_id == done.load_id)
        ).all()
        assert sorted(actions) == ["add", "add", "amend", "revoke"]


def test_a_bad_file_changes_nothing_and_names_each_line(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    before = loads(engine)
    with pytest.raises(RefusedError) as refused:
        agencies.bulk_change(
            app,
            SHANGHAI,
            bulk(
                {"action": "add", "record": licence("26-SH-000001")},
                '{"action": "add", "record": ',
                {"action": "add", "record": licence("26-AA-310045")},
                {"action": "amend", "record": licence("26-NO-SUCH")},
                {"action": "add", "record": licence("26-SH-000001")},
                {"action": "add", "record": licence("26-SH-000003", quantity="-5")},
                {"action": "revoke", "kind": "licence", "number": "26-AO-320118", "reason": "x"},
                {"action": "add", "record": licence("26-SH-000004", issuer="MOFCOM Jiangsu")},
                {"action": "burn"},
            ),
        )
    message = refused.value.message
    assert "bulk.jsonl:2: column" in message and "invalid JSON" in message
    assert "bulk.jsonl:6: record.quantity" in message
    assert "bulk.jsonl:9: action must be one of add, amend, revoke" in message
    assert loads(engine) == before
    # Line errors come first; then the registry checks of every line (a clean read).
    with pytest.raises(RefusedError) as refused:
        agencies.bulk_change(
            app,
            SHANGHAI,
            bulk(
                {"action": "add", "record": licence("26-SH-000001")},
                {"action": "add", "record": licence("26-AA-310045")},
                {"action": "amend", "record": licence("26-NO-SUCH")},
                {"action": "add", "record": licence("26-SH-000001")},
                {"action": "revoke", "kind": "licence", "number": "26-AO-320118", "reason": "x"},
                {"action": "add", "record": licence("26-SH-000004", issuer="MOFCOM Jiangsu")},
            ),
        )
    message = refused.value.message
    assert "bulk.jsonl:2: licence 26-AA-310045 is in force already: amend it" in message
    assert "bulk.jsonl:3: no licence 26-NO-SUCH in the registry in force" in message
    assert "bulk.jsonl:4: licence 26-SH-000001 is also on line 1" in message
    # Another agency's licence reads as an unknown one; another issuer may not be named.
    assert "bulk.jsonl:5: no licence 26-AO-320118 in the registry in force" in message
    assert "bulk.jsonl:6: an agency may add or amend only licences it issues" in message
    assert loads(engine) == before


def test_write_off_lists_the_draw_downs(engine: Engine, tmp_path: Path) -> None:
    prepare_export(engine, tmp_path)
    (d,) = (
        Pipeline.standard(engine, Settings(), FixedClock(INSTANT))
        .submit(export_with_licence())
        .declarations
    )
    assert d.number is not None
    release(engine, d.number, INSTANT)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    report = agencies.write_off(app, LOCAL_OPERATOR, LICENCE)
    assert (report.ledger.allowance, report.ledger.used, report.ledger.remaining) == (
        "1000",
        "300",
        "700",
    )
    (draw,) = report.draws
    assert (draw.declaration_number, draw.consumed, draw.reserved, draw.returned) == (
        d.number,
        "300",
        "0",
        "0",
    )
    mofcom = Actor("mofcom", Role.AGENCY, party_ids=frozenset({"MOFCOM"}))
    assert agencies.write_off(app, mofcom, LICENCE).draws == report.draws
    with pytest.raises(NotFoundError) as hidden:
        agencies.write_off(app, SHANGHAI, LICENCE)
    with pytest.raises(NotFoundError) as unknown:
        agencies.write_off(app, SHANGHAI, "26-NO-SUCH")
    assert str(hidden.value).replace(LICENCE, "N") == str(unknown.value).replace("26-NO-SUCH", "N")
