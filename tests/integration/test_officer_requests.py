"""Requests for documents (told to the trader in its own format), the trader's answer, and
examination results.

The answers are compared with golden files in ``samples/officer/expected/``, produced by this
code (``REGEN_OFFICER_GOLDENS=1``) and read against the specifications (docs/officer.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    ConflictError,
    NotFoundError,
    NotPermittedError,
    RefusedError,
    Role,
    declarations,
    officer_requests,
    officer_work,
)
from clearance.app.declarations_changes import amend
from clearance.app.documents import Document
from clearance.app.messages import Interchange, submit
from clearance.intake.pipeline import Pipeline
from clearance.manifests.reconciliation import ManifestReconciliation
from clearance.store.officer_tables import DocumentRequest, Examination, PresentedDocument
from clearance.store.tables import Declaration, OutboundMessage
from core.clock import FixedClock
from core.settings import Settings
from edi.model import Declaration as CanonicalDeclaration
from tests.integration.officer_support import O1, O2, RED, TRADER, flagged, officer_app
from tests.integration.test_controls_support import CONTROLS, INSTANT, prepare

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "samples" / "officer" / "expected"
XML = ROOT / "samples" / "xml"
ASK = officer_requests.RequestDocuments(
    documents=["commercial invoice", "certificate of origin"],
    reason="value and origin to be proven",
    due_on=date(2026, 6, 22),
    version=1,
)
STRANGER = Actor("trader-9", Role.TRADER, party_ids=frozenset({"91110000000000000X"}))


def golden(name: str, text: str | None) -> None:
    """``text`` equals golden file ``name`` (rewritten instead with REGEN_OFFICER_GOLDENS=1)."""
    assert text is not None
    path = EXPECTED / name
    if os.environ.get("REGEN_OFFICER_GOLDENS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def _answers(engine: Engine, number: str) -> list[tuple[str, str]]:
    with Session(engine) as session:
        row = session.scalars(select(Declaration).where(Declaration.number == number)).one()
        return [
            (m.message_type, m.content)
            for m in session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.declaration_id == row.id)
                .order_by(OutboundMessage.id)
            )
        ]


def test_an_edifact_trader_gets_a_cusres_asking_for_the_documents(engine: Engine) -> None:
    app = officer_app(engine)
    number = flagged(engine, RED, "0101")
    with pytest.raises(RefusedError, match="claim it first"):
        officer_requests.request_documents(app, O1, number, ASK)
    officer_work.claim(app, O1, number)
    with pytest.raises(ConflictError, match="claimed by O1"):
        officer_requests.request_documents(app, O2, number, ASK)
    made = officer_requests.request_documents(app, O1, number, ASK)
    assert made.status == "documents_required"
    golden("red-lane.documents-request.cusres.edi", made.response)
    assert "GIS+6'" in (made.response or "")  # UNCL 7365: documents to be produced
    assert _answers(engine, number)[-1] == ("CUSRES", made.response)
    assert declarations.show(app, LOCAL_OPERATOR, number).status == "documents_required"
    (event,) = [e for e in officer_work.history(app, O1, number) if e.kind == "documents_requested"]
    assert event.by == "O1" and event.data["documents"] == ASK.documents
    assert event.data["due_on"] == "2026-06-22" and event.data["previous_status"] == "under_control"


@pytest.mark.parametrize(
    ("sample", "answer_type", "name"),
    [
        ("dec-dms-import.xml", "RES-DMS", "dec-dms.documents-request.res-dms.xml"),
        ("decmessage-import.xml", "DEC_RESULT", "decmessage.documents-request.dec-result.xml"),
    ],
)
def test_an_xml_trader_is_told_in_kind(
    engine: Engine, sample: str, answer_type: str, name: str
) -> None:
    app = officer_app(engine)
    raw = (XML / sample).read_bytes()
    (d,) = submit(app, LOCAL_OPERATOR, Interchange(raw, sample)).declarations
    assert d.number is not None and d.status == "documents_required", d.status
    made = officer_requests.request_documents(app, LOCAL_OPERATOR, d.number, ASK)
    golden(name, made.response)
    assert _answers(engine, d.number)[-1] == (answer_type, made.response)
    assert "certificate of origin" in (made.response or "")


def test_a_json_channel_sender_gets_a_json_response(engine: Engine) -> None:
    app = officer_app(engine)
    raw = (CONTROLS / "08-outlier-price.edi").read_bytes()
    (d,) = submit(app, LOCAL_OPERATOR, Interchange(raw, "08.edi")).declarations
    assert d.number is not None
    shown = declarations.show(app, LOCAL_OPERATOR, d.number).declaration
    edited = CanonicalDeclaration.model_validate({**shown, "remarks": "price corrected"})
    amend(app, TRADER, d.number, edited)
    ask = ASK.model_copy(update={"version": 2})
    made = officer_requests.request_documents(app, LOCAL_OPERATOR, d.number, ask)
    golden("json-channel.documents-request.json", made.response)
    answer = json.loads(made.response or "")
    assert (answer["status"], answer["number"], answer["version"]) == (
        "documents_required",
        d.number,
        2,
    )
    assert [r["code"] for r in answer["reasons"]] == ["DOCREQ", "DOCREQ"]


def test_the_carrier_of_a_manifested_bill_gets_a_350_hold(
    engine: Engine, clock: FixedClock
) -> None:
    settings = Settings()
    customs = Pipeline(
        engine, settings, clock, steps=[ManifestReconciliation.from_settings(settings, clock)]
    )
    customs.submit((ROOT / "samples" / "x12" / "01-manifest-v123e-4010.x12").read_bytes())
    raw = (ROOT / "samples" / "edifact" / "01-import-d96b.edi").read_bytes()
    (d,) = customs.submit(raw).declarations
    assert d.number is not None and d.status == "registered"
    app = Application(engine, settings, clock)
    ask = ASK.model_copy(update={"due_on": date(2026, 12, 4)})
    officer_requests.request_documents(app, LOCAL_OPERATOR, d.number, ask)
    with Session(engine) as session:
        (hold,) = session.scalars(
            select(OutboundMessage.content).where(OutboundMessage.message_type == "350")
        ).all()
    golden("manifested-bill.documents-request.350.x12", hold)
    assert "*1H*" in hold


def test_bad_requests_are_refused_and_store_nothing(engine: Engine) -> None:
    app = officer_app(engine)
    number = flagged(engine, RED, "0201")
    officer_work.claim(app, O1, number)
    past = ASK.model_copy(update={"due_on": date(2026, 6, 1)})
    with pytest.raises(RefusedError, match="in the past"):
        officer_requests.request_documents(app, O1, number, past)
    blank = ASK.model_copy(update={"documents": ["  "]})
    with pytest.raises(RefusedError, match="1 to 70 characters"):
        officer_requests.request_documents(app, O1, number, blank)
    stale = ASK.model_copy(update={"version": 3})
    with pytest.raises(ConflictError, match="version 1, not 3"):
        officer_requests.request_documents(app, O1, number, stale)
    with Session(engine) as session:
        assert session.scalars(select(DocumentRequest)).all() == []


def test_only_the_trader_answers_with_files_kept_as_sent(engine: Engine) -> None:
    settings = Settings(document_max_bytes=1024)
    prepare(engine)
    app = Application(engine, settings, FixedClock(INSTANT))
    number = flagged(engine, RED, "0301")
    officer_work.claim(app, O1, number)
    request_id = officer_requests.request_documents(app, O1, number, ASK).request_id
    invoice = Document("invoice.pdf", b"%PDF-1.7 invoice \x00\xff")
    origin = Document("form-e.pdf", b"%PDF-1.7 form E")
    with pytest.raises(NotFoundError):
        officer_requests.answer_request(app, STRANGER, number, request_id, [invoice])
    with pytest.raises(NotPermittedError):
        officer_requests.answer_request(app, O1, number, request_id, [invoice])
    too_big = Document("scan.tiff", b"x" * 1025)
    with pytest.raises(RefusedError, match=r"scan\.tiff: 1025 bytes"):
        officer_requests.answer_request(app, TRADER, number, request_id, [invoice, too_big])
    with pytest.raises(RefusedError, match="no document request 999"):
        officer_requests.answer_request(app, TRADER, number, 999, [invoice])
    with Session(engine) as session:  # the refused answer stored nothing, not even the invoice
        assert session.scalars(select(PresentedDocument)).all() == []

    presented = officer_requests.answer_request(app, TRADER, number, request_id, [invoice, origin])
    assert [(f.filename, f.size) for f in presented.files] == [
        ("invoice.pdf", 19),
        ("form-e.pdf", 15),
    ]
    with Session(engine) as session:
        kept = session.scalars(select(PresentedDocument).order_by(PresentedDocument.id)).all()
        assert [k.content for k in kept] == [invoice.content, origin.content]
        assert kept[0].sha256 == hashlib.sha256(invoice.content).hexdigest()
        assert session.get(DocumentRequest, request_id).status == "answered"  # type: ignore[union-attr]
    with pytest.raises(RefusedError, match="an answered document request"):
        officer_requests.answer_request(app, TRADER, number, request_id, [invoice])
    (event,) = [e for e in officer_work.history(app, O1, number) if e.kind == "documents_presented"]
    assert event.by == "broker-01" and [f["filename"] for f in event.data["files"]] == [
        "invoice.pdf",
        "form-e.pdf",
    ]


def test_the_claiming_officer_records_an_examination(engine: Engine) -> None:
    app = officer_app(engine)
    number = flagged(engine, RED, "0401")
    officer_work.claim(app, O1, number)
    exam = officer_requests.Examine(
        kind="physical",
        outcome="discrepancy",
        findings="12 cartons more than declared",
        containers=["csqu 305438 3", "MSKU9070323"],
        seals=["SL-778812"],
        version=1,
    )
    with pytest.raises(ConflictError, match="claimed by O1"):
        officer_requests.record_examination(app, O2, number, exam)
    wrong = exam.model_copy(update={"containers": ["CSQU3054383", "MSKU9070324"]})
    with pytest.raises(RefusedError, match=r"container 2 \('MSKU9070324'\).*check digit"):
        officer_requests.record_examination(app, O1, number, wrong)
    with Session(engine) as session:
        assert session.scalars(select(Examination)).all() == []
    done = officer_requests.record_examination(app, O1, number, exam)
    assert done.containers == ["CSQU3054383", "MSKU9070323"]
    with Session(engine) as session:
        stored = session.get(Examination, done.examination_id)
        assert stored is not None and stored.officer == "O1" and stored.outcome == "discrepancy"
        assert json.loads(stored.containers) == done.containers
    (event,) = [
        e for e in officer_work.history(app, O1, number) if e.kind == "examination_recorded"
    ]
    assert event.by == "O1" and event.data["seals"] == ["SL-778812"]
    assert event.data["findings"] == "12 cartons more than declared"
