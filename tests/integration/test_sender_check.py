"""A subject files interchanges only as itself or a trader that mandated it.

The envelope's sender (UNB, ISA, the XML declarant, the JSON request's ``sender``) is checked
against the party ids the submitting subject acts as: anything else is rejected with a
``sender`` error saying where, kept, and nothing of it registered. The local operator may
still file anything, under any sender.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    InterchangeStatus,
    NotFoundError,
    NotPermittedError,
    Role,
    declaration_search,
    declarations,
    declarations_changes,
    messages,
    submissions,
)
from clearance.app.messages import Interchange, submit
from clearance.store.tables import Declaration, InboundMessage, OutboundMessage
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

BROKER01 = Actor("broker-01", Role.BROKER, party_ids=frozenset({"BROKER01"}))
TRADER_B = Actor("trader-b", Role.TRADER, party_ids=frozenset({"91440300MA5DC8E3L9"}))
X12 = SAMPLES.parent / "x12"


@pytest.fixture
def app(engine: Engine, clock: FixedClock) -> Application:
    return Application(engine, Settings(), clock)


def _declarations(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Declaration)) or 0)


def _raw(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_an_edifact_interchange_from_someone_else_is_refused_where_unb_names_the_sender(
    app: Application, engine: Engine
) -> None:
    outcome = submit(app, TRADER_B, Interchange(_raw("01-import-d96b.edi"), "01.edi"))
    assert outcome.status is InterchangeStatus.REJECTED
    (error,) = outcome.errors
    assert error.code == "sender"
    assert "sender BROKER01 refused" in error.text and "91440300MA5DC8E3L9" in error.text
    assert (error.segment, error.element, error.line) == ("UNB", 2, 1)
    assert error.column is not None and error.column > 1
    assert _declarations(engine) == 0
    with Session(engine) as session:  # kept, rejected, and not filed under the claimed sender
        stored = session.get(InboundMessage, outcome.message_id)
        assert stored is not None
        assert (stored.status, stored.sender, stored.submitted_by) == (
            "rejected",
            "UNKNOWN",
            "trader-b",
        )
    # The subject sees its refused message; the party it claimed to be does not.
    assert [m.message_id for m in messages.list_messages(app, TRADER_B)] == [outcome.message_id]
    assert messages.list_messages(app, BROKER01) == []


def _outbound(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(OutboundMessage)) or 0)


def test_a_refused_edifact_sender_is_answered_with_a_contrl_code_23(
    app: Application, engine: Engine
) -> None:
    outcome = submit(app, TRADER_B, Interchange(_raw("01-import-d96b.edi"), "01.edi"))
    ack = outcome.acknowledgement
    assert ack is not None and ack.format == "edifact"
    # To the interchange's sender, rejecting it (4) with 23, unknown interchange sender, at UNB.
    assert "UNB+UNOC:3+CNCUSTOMS:ZZZ+BROKER01:ZZZ+" in ack.text
    assert "UCI+IC0000001+BROKER01:ZZZ+CNCUSTOMS:ZZZ+4+23+UNB+3'" in ack.text
    assert [e.code for e in ack.errors] == ["sender"]
    # Returned to the submitter only: nothing is stored for delivery to the claimed sender.
    assert _outbound(engine) == 0 and _declarations(engine) == 0


def test_a_refused_x12_sender_is_answered_with_a_ta1_note_006(
    app: Application, engine: Engine
) -> None:
    raw = (X12 / "01-manifest-v123e-4010.x12").read_bytes()
    outcome = submit(app, BROKER01, Interchange(raw, "manifest.x12"))
    ack = outcome.acknowledgement
    assert ack is not None and ack.format == "x12"
    assert "TA1*000000101*261128*0930*R*006~" in ack.text
    assert ack.text.startswith("ISA*") and "*ZZ*COSU " in ack.text
    assert _outbound(engine) == 0


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("dec-dms-import.xml", "<ValidationCode>sender</ValidationCode>"),
        ("decmessage-import.xml", "[sender]"),
    ],
)
def test_a_refused_xml_sender_is_answered_in_its_answer_format(
    app: Application, engine: Engine, name: str, words: str
) -> None:
    raw = (SAMPLES.parent / "xml" / name).read_bytes()
    outcome = submit(app, BROKER01, Interchange(raw, name))
    assert outcome.status is InterchangeStatus.REJECTED
    ack = outcome.acknowledgement
    assert ack is not None and ack.format == "xml"
    assert words in ack.text and "refused" in ack.text
    assert _outbound(engine) == 0 and _declarations(engine) == 0


def test_a_refused_json_sender_is_answered_with_a_rejected_answer(app: Application) -> None:
    request = json.dumps(
        {"type": "cancellation", "sender_reference": "CAN-1", "sender": "BROKER01",
         "number": "220120260000000001", "reason": "x"}
    ).encode()  # fmt: skip
    outcome = submit(app, TRADER_B, Interchange(request, "request.json"))
    ack = outcome.acknowledgement
    assert ack is not None and ack.format == "json"
    answer = json.loads(ack.text)
    assert answer["status"] == "rejected" and answer["number"] is None
    assert answer["in_reply_to"] == "CAN-1"
    assert [r["code"] for r in answer["reasons"]] == ["sender"]


def test_the_sender_itself_is_accepted_and_owns_what_it_sent(
    app: Application, engine: Engine
) -> None:
    outcome = submit(app, BROKER01, Interchange(_raw("01-import-d96b.edi"), "01.edi"))
    assert outcome.status is InterchangeStatus.ACCEPTED
    (declaration,) = outcome.declarations
    assert declaration.number is not None
    with Session(engine) as session:
        row = session.scalars(select(Declaration)).one()
        assert (row.sender, row.trader_id, row.submitted_by) == (
            "BROKER01",
            "91310000MA1FL0XQ8W",
            "broker-01",
        )
    assert declarations.show(app, BROKER01, declaration.number).sender == "BROKER01"


def test_a_subject_cannot_cancel_another_senders_declaration(
    app: Application, engine: Engine
) -> None:
    submit(app, BROKER01, Interchange(_raw("01-import-d96b.edi"), "01.edi"))
    before = declarations.list_declarations(app, LOCAL_OPERATOR)
    # Sample 07 amends and cancels BROKER01's declarations; trader B sends it as itself.
    outcome = submit(app, TRADER_B, Interchange(_raw("07-amend-and-cancel-d96b.edi"), "07.edi"))
    assert outcome.status is InterchangeStatus.REJECTED
    assert [e.code for e in outcome.errors] == ["sender"]
    with pytest.raises(NotPermittedError):  # nor by naming the sender to file under
        submit(app, TRADER_B, Interchange(_raw("07-amend-and-cancel-d96b.edi"), sender="BROKER01"))
    assert declarations.list_declarations(app, LOCAL_OPERATOR) == before


def test_naming_another_of_its_own_ids_does_not_launder_a_foreign_envelope(
    app: Application,
) -> None:
    broker = Actor("broker-01", Role.BROKER, party_ids=frozenset({"BROKER01", "BROKER02"}))
    outcome = submit(app, broker, Interchange(_raw("02-export-d99b-utf8.edi"), sender="BROKER02"))
    assert outcome.status is InterchangeStatus.REJECTED
    assert "sender 91440300MA5DC8E3L9 refused" in outcome.errors[0].text


def test_the_operator_may_still_file_anything(app: Application) -> None:
    outcome = submit(app, LOCAL_OPERATOR, Interchange(_raw("01-import-d96b.edi"), sender="X9"))
    assert outcome.status is InterchangeStatus.ACCEPTED and outcome.sender == "X9"


def test_an_x12_interchange_is_checked_at_isa06(app: Application) -> None:
    raw = (X12 / "01-manifest-v123e-4010.x12").read_bytes()
    refused = submit(app, BROKER01, Interchange(raw, "manifest.x12"))
    assert refused.status is InterchangeStatus.REJECTED
    (error,) = refused.errors
    assert (error.code, error.segment, error.element) == ("sender", "ISA", 6)
    # ISA*00*<10>*00*<10>*ZZ*COSU: the sender id starts in column 36 of line 1.
    assert (error.line, error.column) == (1, 36)
    assert raw.splitlines()[0][35:39] == b"COSU"
    assert "sender COSU refused" in error.text
    carrier = Actor("cosco", Role.TRADER, party_ids=frozenset({"COSU"}))
    assert submit(app, carrier, Interchange(raw, "manifest.x12")).status is not (
        InterchangeStatus.REJECTED
    )


def test_a_json_request_names_its_sender(app: Application) -> None:
    request = json.dumps(
        {"kind": "invalidate", "sender_reference": "CAN-1", "sender": "BROKER01",
         "declaration_number": "220120260000000001", "reason": "x"}
    ).encode()  # fmt: skip
    outcome = submit(app, TRADER_B, Interchange(request, "request.json"))
    assert outcome.status is InterchangeStatus.REJECTED
    assert [(e.code, e.segment) for e in outcome.errors] == [("sender", "sender")]


def test_a_queued_submission_is_checked_when_it_is_processed(
    app: Application, engine: Engine
) -> None:
    from clearance.app import queueing, subjects
    from clearance.app.subjects import NewSubject

    if engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL a worker processes the job (tests/operations cover it)")
    # The worker works out the submitter's senders from the store when it processes the job.
    for actor, party in ((TRADER_B, "91440300MA5DC8E3L9"), (BROKER01, "edi:BROKER01")):
        new = NewSubject(actor.subject, actor.subject, actor.role, party_ids=[party])
        subjects.add_subject(app, LOCAL_OPERATOR, new)
    queued = queueing.enqueue(app, TRADER_B, Interchange(_raw("01-import-d96b.edi"), "01.edi"))
    assert queued.outcome is not None
    assert queued.outcome.status is InterchangeStatus.REJECTED
    assert [e.code for e in queued.outcome.errors] == ["sender"]
    assert _declarations(engine) == 0
    accepted = queueing.enqueue(app, BROKER01, Interchange(_raw("01-import-d96b.edi"), "01.edi"))
    assert accepted.outcome is not None
    assert accepted.outcome.status is InterchangeStatus.ACCEPTED
    with Session(engine) as session:
        assert session.scalars(select(Declaration.submitted_by)).one() == "broker-01"


#: The declarant of decmessage-import.xml: customs code 3122480123 first, then its USCC.
DECLARANT_CODE, DECLARANT_USCC = "3122480123", "913100006072103486"
#: Subjects of the firm: one registered with its customs code, one with its USCC, and one
#: registered with both (what pairs the two ids: a message's word alone does not).
BY_CODE = Actor("pujiang-code", Role.TRADER, party_ids=frozenset({DECLARANT_CODE}))
BY_USCC = Actor("pujiang-uscc", Role.TRADER, party_ids=frozenset({DECLARANT_USCC}))
BY_BOTH = Actor("pujiang", Role.TRADER, party_ids=frozenset({DECLARANT_CODE, DECLARANT_USCC}))


def _decmessage() -> bytes:
    return (SAMPLES.parent / "xml" / "decmessage-import.xml").read_bytes()


@pytest.mark.parametrize(
    ("subject", "sender", "alias"),
    [
        (BY_USCC, DECLARANT_USCC, None),
        (BY_CODE, DECLARANT_CODE, None),
        (BY_BOTH, DECLARANT_USCC, DECLARANT_CODE),
    ],
    ids=["uscc", "code", "both"],
)
def test_a_decmessage_is_filed_under_the_declarant_s_uscc_when_the_subject_holds_it(
    app: Application, engine: Engine, subject: Actor, sender: str, alias: str | None
) -> None:
    outcome = submit(app, subject, Interchange(_decmessage(), "dec.xml"))
    assert outcome.status is InterchangeStatus.ACCEPTED, outcome.errors
    assert outcome.sender == sender
    (declaration,) = outcome.declarations
    assert declaration.number is not None
    # Only ids the subject acts as: the message's pairing of a code with a USCC is trusted
    # only from a subject registered with both.
    with Session(engine) as session:
        row = session.scalars(select(Declaration)).one()
        assert (row.sender, row.sender_alias, row.submitted_by) == (
            sender,
            alias,
            subject.subject,
        )
        message = session.scalars(select(InboundMessage)).one()
        assert (message.sender, message.sender_alias) == (sender, alias)
    assert declarations.show(app, subject, declaration.number).sender == sender


@pytest.mark.parametrize(("first", "second"), [(BY_BOTH, BY_USCC), (BY_USCC, BY_BOTH)])
def test_a_decmessage_resent_by_another_subject_of_the_firm_is_the_same_sender_s_resend(
    app: Application, engine: Engine, first: Actor, second: Actor
) -> None:
    original = submit(app, first, Interchange(_decmessage(), "dec.xml"))
    assert original.status is InterchangeStatus.ACCEPTED, original.errors
    resent = submit(app, second, Interchange(_decmessage(), "dec.xml"))
    assert resent.status is InterchangeStatus.DUPLICATE, resent.errors
    assert original.acknowledgement is not None and resent.acknowledgement is not None
    assert resent.acknowledgement.text == original.acknowledgement.text
    assert [d.number for d in resent.declarations] == [d.number for d in original.declarations]
    assert _declarations(engine) == 1
    with Session(engine) as session:
        stored = session.get(InboundMessage, resent.message_id)
        assert stored is not None and stored.duplicate_of == original.message_id


def test_a_subject_holding_only_the_customs_code_files_nothing_under_the_uscc(
    app: Application, engine: Engine
) -> None:
    """The USCC beside a customs code is the message's word: a subject given only the code
    must not file into the USCC's messages (be seen by its subjects, use up its reference)."""
    by_code = submit(app, BY_CODE, Interchange(_decmessage(), "dec.xml"))
    assert by_code.status is InterchangeStatus.ACCEPTED and by_code.sender == DECLARANT_CODE
    assert messages.list_messages(app, BY_USCC) == []
    (declaration,) = by_code.declarations
    assert declaration.number is not None
    with pytest.raises(NotFoundError):
        declarations.show(app, BY_USCC, declaration.number)
    # The USCC's own message under the same reference is its first, not "already used".
    by_uscc = submit(app, BY_USCC, Interchange(_decmessage() + b"\n", "dec.xml"))
    assert by_uscc.status is InterchangeStatus.ACCEPTED, by_uscc.errors
    assert _declarations(engine) == 2


def test_other_content_under_the_reference_the_firm_s_other_subject_used_is_refused(
    app: Application, engine: Engine
) -> None:
    original = submit(app, BY_BOTH, Interchange(_decmessage(), "dec.xml"))
    assert original.status is InterchangeStatus.ACCEPTED, original.errors
    other = submit(app, BY_USCC, Interchange(_decmessage() + b"\n", "dec.xml"))
    assert other.status is InterchangeStatus.REJECTED
    (error,) = other.errors
    assert "already used by sender " + DECLARANT_USCC in error.text
    assert _declarations(engine) == 1


def test_a_decmessage_of_a_declarant_the_subject_is_not_is_refused_naming_both_ids(
    app: Application, engine: Engine
) -> None:
    # Another firm's USCC (trader B's): neither of the declarant's identifiers.
    outcome = submit(app, TRADER_B, Interchange(_decmessage(), "dec.xml"))
    assert outcome.status is InterchangeStatus.REJECTED
    (error,) = outcome.errors
    assert error.code == "sender"
    assert f"sender {DECLARANT_USCC} / {DECLARANT_CODE} refused" in error.text
    assert _declarations(engine) == 0
    # Kept for its submitter, not filed under (nor aliased to) the firm it claimed to be.
    assert [m.message_id for m in messages.list_messages(app, TRADER_B)] == [outcome.message_id]
    assert messages.list_messages(app, BY_CODE) == messages.list_messages(app, BY_USCC) == []


def test_the_firm_s_subjects_see_its_decmessage_and_no_other_trader_does(
    app: Application,
) -> None:
    # Filed by the subject holding both ids: each of the firm's subjects sees it by the id it
    # holds (the customs-code subject by the alias), not only as its submitter.
    sender = BY_BOTH
    outcome = submit(app, sender, Interchange(_decmessage(), "dec.xml"))
    assert outcome.status is InterchangeStatus.ACCEPTED, outcome.errors
    (declaration,) = outcome.declarations
    assert declaration.number is not None
    for subject in (BY_CODE, BY_USCC, BY_BOTH):
        listed = [m.message_id for m in messages.list_messages(app, subject)]
        assert listed == [outcome.message_id]
        raw = submissions.raw_message(app, subject, outcome.message_id)
        assert raw.content == _decmessage()
        assert declarations.show(app, subject, declaration.number).number == declaration.number
        for party in (DECLARANT_CODE, DECLARANT_USCC):  # found as the sender by either id
            wanted = declaration_search.DeclarationFilter(trader=party)
            page = declaration_search.search(app, subject, wanted)
            assert [d.number for d in page.declarations] == [declaration.number]
    assert messages.list_messages(app, TRADER_B) == []
    with pytest.raises(NotFoundError):
        submissions.raw_message(app, TRADER_B, outcome.message_id)
    with pytest.raises(NotFoundError):
        declarations.show(app, TRADER_B, declaration.number)


def test_the_customs_code_subject_cancels_the_firm_s_declaration_filed_under_its_uscc(
    app: Application,
) -> None:
    outcome = submit(app, BY_BOTH, Interchange(_decmessage(), "dec.xml"))
    (declaration,) = outcome.declarations
    assert declaration.number is not None
    cancelled = declarations_changes.invalidate(app, BY_CODE, declaration.number, "wrong goods")
    assert cancelled.status is InterchangeStatus.ACCEPTED, cancelled.errors
    (change,) = cancelled.declarations
    assert change.status == "invalidated", change.reasons


def test_the_operator_files_a_decmessage_under_the_declarant_s_uscc(app: Application) -> None:
    outcome = submit(app, LOCAL_OPERATOR, Interchange(_decmessage(), "dec.xml"))
    assert outcome.status is InterchangeStatus.ACCEPTED and outcome.sender == DECLARANT_USCC
