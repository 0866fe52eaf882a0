"""A declaration is numbered only for customs offices of the registry, valid on the day.

The engine fixture loads the sample offices (tests/offices_support.py); each test changes one
office of a sample message and expects the sender's own rejection naming the office and where
the message names it, nothing registered, and the unchanged sample registered as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR, Application, Document, offices
from clearance.flow.outcome import DeclarationOutcome, InterchangeStatus, SubmissionOutcome
from clearance.intake.offices import EMPTY_REGISTRY
from clearance.intake.pipeline import Pipeline
from clearance.store.tables import Declaration
from core.clock import FixedClock
from core.settings import Settings

pytestmark = pytest.mark.db

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EDIFACT = (SAMPLES / "edifact" / "01-import-d96b.edi").read_bytes()
DECMESSAGE = (SAMPLES / "xml" / "decmessage-import.xml").read_bytes()
DEC_DMS = (SAMPLES / "xml" / "dec-dms-import.xml").read_bytes()
DEC_DMS_EXPORT = (SAMPLES / "xml" / "dec-dms-export.xml").read_bytes()


def _submit(engine: Engine, clock: FixedClock, raw: bytes) -> DeclarationOutcome:
    outcome: SubmissionOutcome = Pipeline(engine, Settings(), clock).submit(raw)
    assert outcome.status is InterchangeStatus.ACCEPTED, outcome.errors  # syntax is fine
    (declaration,) = outcome.declarations
    return declaration


def _registered(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Declaration)) or 0


def _load(engine: Engine, clock: FixedClock, line: str) -> None:
    document = Document("offices.jsonl", (line + "\n").encode())
    offices.load(Application(engine, Settings(), clock), LOCAL_OPERATOR, [document])


def test_the_sample_offices_are_accepted_on_every_channel(
    engine: Engine, clock: FixedClock
) -> None:
    for raw in (EDIFACT, DECMESSAGE, DEC_DMS, DEC_DMS_EXPORT):
        declaration = _submit(engine, clock, raw)
        assert declaration.status == "registered", declaration.reasons
        assert declaration.number is not None
    assert _registered(engine) == 4


def test_an_unknown_declaring_office_is_rejected_in_cusres_at_its_loc(
    engine: Engine, clock: FixedClock
) -> None:
    declaration = _submit(engine, clock, EDIFACT.replace(b"LOC+22+2201'", b"LOC+22+9999'"))
    assert (declaration.status, declaration.number) == ("rejected", None)
    (reason,) = declaration.reasons
    assert reason.code == "OFFICE"
    assert reason.text == "declaring office 9999 is not in the customs-offices registry"
    # LOC+22+9999 is line 5 of the sample; C517 (element 2) starts at column 8.
    assert (reason.segment, reason.element, reason.line, reason.column) == ("LOC", 2, 5, 8)
    assert declaration.response is not None
    assert "ERC+OFFICE" in declaration.response and "9999" in declaration.response
    assert _registered(engine) == 0


def test_an_unknown_port_office_is_rejected_too(engine: Engine, clock: FixedClock) -> None:
    declaration = _submit(engine, clock, EDIFACT.replace(b"LOC+41+2248'", b"LOC+41+2299'"))
    assert declaration.status == "rejected"
    (reason,) = declaration.reasons
    assert reason.text == "port of entry/exit office 2299 is not in the customs-offices registry"
    assert (reason.segment, reason.element, reason.line) == ("LOC", 2, 6)
    assert _registered(engine) == 0


def test_an_unknown_decmessage_office_is_rejected_in_dec_result_at_its_element(
    engine: Engine, clock: FixedClock
) -> None:
    raw = DECMESSAGE.replace(
        b"<CustomMaster>2201</CustomMaster>", b"<CustomMaster>9999</CustomMaster>"
    )
    declaration = _submit(engine, clock, raw)
    assert (declaration.status, declaration.number) == ("rejected", None)
    (reason,) = declaration.reasons
    assert (reason.code, reason.segment) == ("XML007", "/DecMessage/DecHead/CustomMaster")
    assert (reason.line, reason.column) == (17, 5)
    assert "declaring office 9999" in reason.text
    assert declaration.response is not None
    receipt = etree.fromstring(declaration.response.encode())
    assert receipt.findtext("ENTRY_ID") in (None, "")
    assert "9999" in declaration.response and "CustomMaster" in declaration.response
    assert _registered(engine) == 0


def test_an_unknown_dec_dms_exit_office_is_rejected_in_res_dms(
    engine: Engine, clock: FixedClock
) -> None:
    raw = DEC_DMS_EXPORT.replace(b"<ID>GB000051</ID>", b"<ID>GB999999</ID>")
    declaration = _submit(engine, clock, raw)
    assert declaration.status == "rejected"
    (reason,) = declaration.reasons
    assert reason.code == "XML007"
    assert reason.segment is not None and reason.segment.endswith("/Declaration/ExitOffice/ID")
    assert (reason.line, reason.column) == (42, 7)
    assert "port of entry/exit office GB999999" in reason.text
    assert declaration.response is not None and "GB999999" in declaration.response
    assert _registered(engine) == 0


def test_an_office_outside_its_validity_is_rejected(engine: Engine, clock: FixedClock) -> None:
    # The golden clock's day is 2026-11-28 (Asia/Shanghai): 2201 closed at the end of 2025.
    _load(
        engine,
        clock,
        '{"code": "2201", "name": "Closed", "country": "CN", "valid_from": "2000-01-01",'
        ' "valid_to": "2025-12-31"}',
    )
    declaration = _submit(engine, clock, EDIFACT)
    assert declaration.status == "rejected"
    (reason,) = declaration.reasons
    assert reason.text == (
        "declaring office 2201 is not valid on 2026-11-28 "
        "(the registry has it from 2000-01-01 to 2025-12-31)"
    )
    # Not open yet is refused the same way.
    _load(
        engine,
        clock,
        '{"code": "2201", "name": "Future", "country": "CN", "valid_from": "2026-11-29"}',
    )
    declaration = _submit(engine, clock, DECMESSAGE)
    assert declaration.status == "rejected"
    assert "not valid on 2026-11-28 (the registry has it from 2026-11-29 on)" in (
        declaration.reasons[0].text
    )
    assert _registered(engine) == 0


@pytest.mark.no_offices
def test_an_empty_registry_rejects_every_declaration_and_says_how_to_load_it(
    engine: Engine, clock: FixedClock
) -> None:
    for raw in (EDIFACT, DECMESSAGE):
        declaration = _submit(engine, clock, raw)
        assert declaration.status == "rejected"
        (reason,) = declaration.reasons
        assert reason.text == EMPTY_REGISTRY
        assert "customs offices load" in reason.text
    assert _registered(engine) == 0


def test_a_declaration_naming_no_office_needs_the_configured_one_registered(
    engine: Engine, clock: FixedClock
) -> None:
    # LOC qualifier 14 is no header field of the profile: the message names no declaring office.
    raw = EDIFACT.replace(b"LOC+22+2201'", b"LOC+14+2201'")
    outcome = Pipeline(engine, Settings(office="2202"), clock).submit(raw)
    (declaration,) = outcome.declarations
    assert declaration.status == "rejected"
    (reason,) = declaration.reasons
    assert reason.text == (
        "the declaration names no declaring office; the configured office 2202 is not in the "
        "customs-offices registry"
    )
    assert (reason.segment, reason.line) == ("BGM", 3)
    again = raw.replace(b"IC0000001", b"IC0000002")  # a new interchange: numbered for 2201
    outcome = Pipeline(engine, Settings(office="2201"), clock).submit(again)
    (declaration,) = outcome.declarations
    assert declaration.status == "registered", declaration.reasons
    assert declaration.number is not None and declaration.number.startswith("2201")
