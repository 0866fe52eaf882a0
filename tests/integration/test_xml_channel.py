"""The XML channel through the pipeline: DEC-DMS and DecMessage in, answers in kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.flow.outcome import InterchangeStatus
from clearance.intake.pipeline import Pipeline
from clearance.store.tables import Declaration, InboundMessage, OutboundMessage
from core.clock import FixedClock
from core.settings import Settings

pytestmark = pytest.mark.db

XML = Path(__file__).resolve().parents[2] / "samples" / "xml"
RES = "{urn:wco:datamodel:WCO:RES-DMS:2}"


@pytest.mark.parametrize(
    ("name", "direction", "answer_type"),
    [
        ("dec-dms-import.xml", "import", "RES-DMS"),
        ("dec-dms-export.xml", "export", "RES-DMS"),
        ("decmessage-import.xml", "import", "DEC_RESULT"),
        ("decmessage-export.xml", "export", "DEC_RESULT"),
    ],
)
def test_valid_declarations_are_registered_and_answered_in_their_format(
    engine: Engine, clock: FixedClock, name: str, direction: str, answer_type: str
) -> None:
    outcome = Pipeline(engine, Settings(), clock).submit((XML / name).read_bytes())
    assert outcome.status is InterchangeStatus.ACCEPTED
    assert outcome.format == "xml"
    (declaration,) = outcome.declarations
    assert declaration.status == "registered" and declaration.direction == direction
    assert declaration.number is not None and len(declaration.number) == 18
    assert declaration.response is not None
    answer = etree.fromstring(declaration.response.encode())
    assert declaration.number in declaration.response
    with Session(engine) as session:
        stored = session.scalars(select(OutboundMessage)).one()
        assert (stored.message_type, stored.format) == (answer_type, "xml")
        row = session.scalars(select(Declaration)).one()
        assert row.number == declaration.number
    if answer_type == "RES-DMS":
        assert answer.find(f".//{RES}FunctionCode").text == "01"  # accepted
    else:
        assert answer.findtext("ENTRY_ID") == declaration.number


def test_schema_errors_are_answered_with_their_paths_and_lines(
    engine: Engine, clock: FixedClock
) -> None:
    outcome = Pipeline(engine, Settings(), clock).submit(
        (XML / "decmessage-invalid-schema.xml").read_bytes()
    )
    assert outcome.status is InterchangeStatus.REJECTED
    codes = {e.code for e in outcome.errors}
    assert codes == {"XML004"}
    cts = next(e for e in outcome.errors if e.segment and e.segment.endswith("CodeTS"))
    assert cts.line == 12 and "03046200A0" in cts.text
    assert outcome.acknowledgement is not None
    receipt = etree.fromstring(outcome.acknowledgement.text.encode())
    assert receipt.findtext("ENTRY_ID") in (None, "")
    assert "CodeTS" in outcome.acknowledgement.text


def test_entity_attacks_are_refused_and_kept(engine: Engine, clock: FixedClock) -> None:
    raw = (XML / "dec-dms-entity-attack.xml").read_bytes()
    outcome = Pipeline(engine, Settings(), clock).submit(raw)
    assert outcome.status is InterchangeStatus.REJECTED
    assert outcome.errors[0].code == "XML002"
    with Session(engine) as session:
        assert session.scalars(select(InboundMessage.raw)).one() == raw


def test_unknown_codes_reject_the_declaration_not_the_file(
    engine: Engine, clock: FixedClock
) -> None:
    outcome = Pipeline(engine, Settings(), clock).submit(
        (XML / "decmessage-unknown-codes.xml").read_bytes()
    )
    assert outcome.status is InterchangeStatus.ACCEPTED
    (declaration,) = outcome.declarations
    assert declaration.status == "rejected"
    assert {r.code for r in declaration.reasons} >= {"XML006"}


def test_a_resend_gets_the_original_answer(engine: Engine, clock: FixedClock) -> None:
    pipeline = Pipeline(engine, Settings(), clock)
    raw = (XML / "dec-dms-import.xml").read_bytes()
    first = pipeline.submit(raw)
    again = pipeline.submit(raw)
    assert again.status is InterchangeStatus.DUPLICATE
    assert again.acknowledgement is not None and first.acknowledgement is not None
    assert again.acknowledgement.text == first.acknowledgement.text
    assert [d.number for d in again.declarations] == [d.number for d in first.declarations]


def _invalidation_request(number: str) -> bytes:
    # A CDS-style invalidation request: TypeCode INV, FunctionCode 13, the number in ID, no
    # goods shipment (the direction comes from the number's ninth digit).
    text = (XML / "dec-dms-import.xml").read_text(encoding="utf-8")
    text = text.replace("<FunctionCode>9</FunctionCode>", "<FunctionCode>13</FunctionCode>", 1)
    text = text.replace("<TypeCode>IMA</TypeCode>", "<TypeCode>INV</TypeCode>", 1)
    text = text.replace(
        "<FunctionalReferenceID>GC26IM0001FISH</FunctionalReferenceID>",
        f"<FunctionalReferenceID>GC26IM0001FISHX</FunctionalReferenceID>\n    <ID>{number}</ID>",
        1,
    )
    start, end = text.index("<GoodsShipment>"), text.index("</GoodsShipment>")
    return (text[:start] + text[end + len("</GoodsShipment>") :]).encode()


def test_a_dec_dms_invalidation_request_invalidates_the_declaration(
    engine: Engine, clock: FixedClock
) -> None:
    pipeline = Pipeline(engine, Settings(), clock)
    (registered,) = pipeline.submit((XML / "dec-dms-import.xml").read_bytes()).declarations
    assert registered.number is not None
    outcome = pipeline.submit(_invalidation_request(registered.number))
    (cancelled,) = outcome.declarations
    assert (cancelled.number, cancelled.status) == (registered.number, "invalidated")
    assert cancelled.response is not None
    answer = etree.fromstring(cancelled.response.encode())
    assert answer.find(f".//{RES}FunctionCode").text == "10"  # DMSINV
    with Session(engine) as session:
        row = session.scalars(select(Declaration)).one()
        assert (row.status, row.version) == ("invalidated", 2)
