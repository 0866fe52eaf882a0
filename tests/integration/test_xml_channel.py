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


def test_a_receipt_names_the_declarations_own_office(engine: Engine, clock: FixedClock) -> None:
    """Entry 2305… is answered from 2305, not from the configured office."""
    settings = Settings(office="2201")
    outcome = Pipeline(engine, settings, clock).submit((XML / "decmessage-export.xml").read_bytes())
    (declaration,) = outcome.declarations
    assert declaration.number is not None and declaration.number.startswith("2305")
    receipt = etree.fromstring((declaration.response or "").encode())
    assert receipt.findtext("CUSTOM_MASTER") == "2305"
    assert receipt.findtext("ENTRY_ID") == declaration.number


def _standard(engine: Engine) -> tuple[Pipeline, FixedClock]:
    from tests.integration.test_controls_support import pipeline, prepare

    clock = prepare(engine)
    return pipeline(engine, clock), clock


def test_a_decision_for_business_reasons_carries_errors_with_codes_and_pointers(
    engine: Engine,
) -> None:
    from edi.xml import parse_xml
    from edi.xml.validation import Schema, compiled

    p, _ = _standard(engine)
    outcome = p.submit((XML / "dec-dms-import.xml").read_bytes())
    (declaration,) = outcome.declarations
    assert declaration.status in {"documents_required", "rejected"}, declaration.status
    root = parse_xml((declaration.response or "").encode())
    compiled(Schema.DMS).assertValid(root)
    errors = root.findall(f".//{RES}Error")
    codes = [e.findtext(f"{RES}ValidationCode") for e in errors]
    assert codes == [r.code for r in declaration.reasons] and codes
    item_errors = [
        e
        for e in errors
        if any(p.findtext(f"{RES}DocumentSectionCode") == "68A" for p in e.iter(f"{RES}Pointer"))
    ]
    assert item_errors, "a reason about goods item 1 points at it"
    assert item_errors[0].findtext(f"{RES}Pointer/{RES}SequenceNumeric") == "1"


@pytest.mark.parametrize(
    ("name", "answer_type"),
    [("dec-dms-import.xml", "RES-DMS"), ("decmessage-import.xml", "DEC_RESULT")],
)
def test_an_officer_decision_reaches_an_xml_trader_in_kind(
    engine: Engine, name: str, answer_type: str
) -> None:
    from clearance.officer.actions import decide

    p, clock = _standard(engine)
    (declaration,) = p.submit((XML / name).read_bytes()).declarations
    assert declaration.number is not None
    with Session(engine) as session:
        result = decide(
            session,
            Settings(),
            declaration.number,
            "release",
            "documents seen",
            "officer7",
            clock.now(),
        )
        session.commit()
        stored = session.scalars(
            select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(1)
        ).one()
    assert result["response"] is not None and stored.content == result["response"]
    assert stored.message_type == answer_type
    answer = etree.fromstring(stored.content.encode())
    if answer_type == "RES-DMS":
        assert answer.findtext(f".//{RES}FunctionCode") == "09"  # cleared
        assert answer.findtext(f".//{RES}Error/{RES}ValidationCode") == "OFFICER"
    else:
        assert answer.findtext("CHANNEL") == "P" and "documents seen" in answer.findtext("NOTE")
        assert answer.findtext("CUSTOM_MASTER") == declaration.number[:4]


def test_a_receipt_carries_the_assessed_duties_and_the_reasons_in_chinese(
    engine: Engine,
) -> None:
    """DEC_RESULT gives back what CUSRES TAX/MOA and RES-DMS DutyTaxFee give: every duty line
    of every item; and each control reason in Chinese beside the English."""
    from edi.xml import parse_xml
    from edi.xml.validation import Schema, compiled

    p, _ = _standard(engine)
    (declaration,) = p.submit((XML / "decmessage-import.xml").read_bytes()).declarations
    root = parse_xml((declaration.response or "").encode())
    compiled(Schema.DEC_RESULT).assertValid(root)
    written = [
        (
            int(line.findtext("G_NO") or 0),
            line.findtext("TAX_TYPE"),
            line.findtext("TAX_BASE"),
            line.findtext("TAX_AMOUNT"),
            line.findtext("CURR"),
        )
        for line in root.iterfind("DEC_TAX/TAX_LIST")
    ]
    assessed = [
        (item.sequence, tax, format(base, "f"), format(amount, "f"), currency)
        for item in declaration.items
        for tax, base, amount, currency in item.duty_lines()
    ]
    assert written == assessed and written
    note = root.findtext("NOTE") or ""
    zh = [r for r in declaration.reasons if r.text_zh]
    assert zh, "the standard controls give at least one reason worded in Chinese"
    for reason in zh:
        assert f"[{reason.code}] {reason.text_zh} / {reason.text}" in note
