"""Manifest reconciliation (舱单核销) and 350 status messages, on a real database.

The EDIFACT sample 01 declares transport document COSU6123456780, voyage V123E, 1200
packages and 16650.5 kg gross; the X12 sample 01 carries that bill on voyage V123E.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from clearance.flow.outcome import DeclarationOutcome, SubmissionOutcome
from clearance.intake.pipeline import Pipeline
from clearance.manifests.reconciliation import ManifestReconciliation, recheck_waiting
from clearance.manifests.x12_status import render_status_350
from clearance.store.manifest_tables import ManifestMatch, ManifestWait
from clearance.store.tables import Declaration, Event, OutboundMessage
from core.clock import FixedClock
from core.settings import Settings
from rules.findings import Severity

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
DECLARATION = (ROOT / "samples" / "edifact" / "01-import-d96b.edi").read_bytes()
MANIFEST = (ROOT / "samples" / "x12" / "01-manifest-v123e-4010.x12").read_bytes()


def pipeline(engine: Engine, clock: FixedClock, settings: Settings | None = None) -> Pipeline:
    settings = settings or Settings()
    step = ManifestReconciliation.from_settings(settings, clock)
    return Pipeline(engine, settings, clock, steps=[step])


def declared(outcome: SubmissionOutcome) -> DeclarationOutcome:
    (declaration,) = outcome.declarations
    assert declaration.number is not None
    return declaration


def rule_ids(declaration: DeclarationOutcome) -> list[str]:
    return [f.rule_id for f in declaration.findings]


def waits(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        rows = session.scalars(select(ManifestWait)).all()
        return [(w.declaration_number, w.transport_document, w.voyage) for w in rows]


def matches(engine: Engine) -> list[tuple[str, list[str]]]:
    with Session(engine) as session:
        rows = session.scalars(select(ManifestMatch).order_by(ManifestMatch.id)).all()
        return [(m.bill_number, [f["rule_id"] for f in json.loads(m.findings)]) for m in rows]


def test_a_declaration_before_its_manifest_waits_and_is_matched_when_it_arrives(
    engine: Engine, clock: FixedClock
) -> None:
    customs = pipeline(engine, clock)
    declaration = declared(customs.submit(DECLARATION))
    (finding,) = declaration.findings
    assert (finding.rule_id, finding.severity) == ("MAN-001", Severity.DOCUMENTS)
    assert finding.evidence == {"transport_document": "COSU6123456780", "voyage": "V123E"}
    assert "舱单未到" in finding.message_zh and "not yet received" in finding.message_en
    assert waits(engine) == [(declaration.number, "COSU6123456780", "V123E")]

    manifest = customs.submit(MANIFEST)
    assert manifest.manifests[0]["matched_declarations"] == [declaration.number]
    assert waits(engine) == []
    assert matches(engine) == [("COSU6123456780", ["MAN-000"])]
    with Session(engine) as session:
        event = session.scalars(select(Event).where(Event.kind == "manifest_matched")).one()
        kinds = session.scalars(
            select(Event.kind).where(Event.inbound_message_id == manifest.message_id)
        ).all()
    assert event.declaration_number == declaration.number
    data = json.loads(event.data)
    assert (data["bill"], data["voyage"], data["findings"]) == (
        "COSU6123456780",
        "V123E",
        ["MAN-000"],
    )
    assert kinds == ["received", "syntax_accepted", "manifest_received", "manifest_matched"]
    resent = customs.submit(MANIFEST)  # a resend is answered as the first time, nothing redone
    assert resent.manifests == manifest.manifests
    assert matches(engine) == [("COSU6123456780", ["MAN-000"])]


def test_recheck_waiting_returns_the_numbers_it_matched(engine: Engine, clock: FixedClock) -> None:
    plain = Pipeline(engine, Settings(), clock)  # registered without the step: no wait row
    number = declared(plain.submit(DECLARATION)).number
    manifest_id = plain.submit(MANIFEST).manifests[0]["manifest_id"]
    with Session(engine) as session, session.begin():
        declaration_id = session.scalars(
            select(Declaration.id).where(Declaration.number == number)
        ).one()
        session.execute(
            insert(ManifestWait).values(
                declaration_id=declaration_id,
                declaration_number=number,
                transport_document="COSU6123456780",
                voyage="V123E",
                since=clock.now(),
            )
        )
    with Session(engine) as session, session.begin():
        assert recheck_waiting(session, manifest_id, clock.now()) == [number]
        assert recheck_waiting(session, manifest_id, clock.now()) == []  # nothing waits now
    assert waits(engine) == []
    with Session(engine) as session:
        (event,) = session.scalars(select(Event).where(Event.kind == "manifest_matched"))
        assert event.declaration_number == number


def test_a_declaration_after_its_manifest_is_matched_at_once(
    engine: Engine, clock: FixedClock
) -> None:
    customs = pipeline(engine, clock)
    customs.submit(MANIFEST)
    declaration = declared(customs.submit(DECLARATION))
    assert rule_ids(declaration) == ["MAN-000"]
    (finding,) = declaration.findings
    assert finding.severity is Severity.INFO
    assert finding.evidence["bill"] == "COSU6123456780"
    assert "bill COSU6123456780" in finding.message_en
    assert waits(engine) == [] and matches(engine) == [("COSU6123456780", ["MAN-000"])]


def test_packages_outside_the_tolerance_are_man_002_with_evidence(
    engine: Engine, clock: FixedClock
) -> None:
    customs = pipeline(engine, clock)
    customs.submit(MANIFEST)
    declaration = declared(customs.submit(DECLARATION.replace(b"PAC+1200++CT", b"PAC+1300++CT")))
    (finding,) = declaration.findings
    assert (finding.rule_id, finding.severity) == ("MAN-002", Severity.DOCUMENTS)
    evidence = dict(finding.evidence)
    assert evidence == {
        "manifest_id": 1,
        "voyage": "V123E",
        "bill": "COSU6123456780",
        "quantity": "packages",
        "declared": "1300",
        "manifest": "1200",
        "unit": "CTN",
        "difference": "100",
        "difference_percent": "8.33",
        "tolerance_percent": "5",
    }
    assert "舱单数量不符" in finding.message_zh


def test_gross_mass_outside_the_tolerance_is_man_002(engine: Engine, clock: FixedClock) -> None:
    customs = pipeline(engine, clock)
    customs.submit(MANIFEST)
    raw = DECLARATION.replace(b"MEA+WT+AAD+KGM:16650.5", b"MEA+WT+AAD+KGM:15000")
    (finding,) = declared(customs.submit(raw)).findings
    assert finding.rule_id == "MAN-002"
    assert (finding.evidence["quantity"], finding.evidence["difference"]) == (
        "gross_mass",
        "-1650.5",
    )
    assert finding.evidence["difference_percent"] == "9.91"


def test_differences_within_the_tolerance_are_matched(engine: Engine, clock: FixedClock) -> None:
    customs = pipeline(engine, clock, Settings(manifest_tolerance_percent=Decimal("10")))
    customs.submit(MANIFEST)
    declaration = declared(customs.submit(DECLARATION.replace(b"PAC+1200++CT", b"PAC+1300++CT")))
    assert rule_ids(declaration) == ["MAN-000"]


def test_weights_in_pounds_are_converted_before_comparing(
    engine: Engine, clock: FixedClock
) -> None:
    customs = pipeline(engine, clock)
    customs.submit(MANIFEST.replace(b"*1200*CTN*16650.5*K*", b"*1200*CTN*36707.6*L*"))
    assert rule_ids(declared(customs.submit(DECLARATION))) == ["MAN-000"]


def test_a_mass_in_a_unit_that_cannot_be_converted_goes_to_an_officer(
    engine: Engine, clock: FixedClock
) -> None:
    customs = pipeline(engine, clock)
    customs.submit(MANIFEST)
    raw = DECLARATION.replace(b"MEA+WT+AAD+KGM:16650.5", b"MEA+WT+AAD+LTR:16650.5")
    (finding,) = declared(customs.submit(raw)).findings
    assert (finding.rule_id, finding.evidence["unit"]) == ("MAN-002", "LTR/KGM")
    assert finding.evidence["difference"] is None


def test_a_mismatch_found_when_the_manifest_arrives_is_stored(
    engine: Engine, clock: FixedClock
) -> None:
    customs = pipeline(engine, clock)
    customs.submit(DECLARATION.replace(b"PAC+1200++CT", b"PAC+1500++CT"))
    customs.submit(MANIFEST)
    assert matches(engine) == [("COSU6123456780", ["MAN-002"])]


def test_another_voyage_does_not_match(engine: Engine, clock: FixedClock) -> None:
    customs = pipeline(engine, clock)
    customs.submit(MANIFEST.replace(b"*V123E*", b"*V999W*"))
    declaration = declared(customs.submit(DECLARATION))
    assert rule_ids(declaration) == ["MAN-001"]
    assert len(waits(engine)) == 1


def test_a_release_is_reported_to_the_carrier_in_a_350(engine: Engine, clock: FixedClock) -> None:
    customs = pipeline(engine, clock)
    customs.submit(MANIFEST)
    number = declared(customs.submit(DECLARATION)).number
    assert number is not None
    with Session(engine) as session, session.begin():
        text = render_status_350(session, number, "release", at=clock.now())
    assert text is not None
    segments = [s.strip() for s in text.split("~") if s.strip()]
    assert segments[0].startswith("ISA*00*          *00*          *ZZ*CNCUSTOMS      *ZZ*COSU")
    assert "ST*350*0001" in segments
    assert "X4*6123456780*1200***20261128*1800*1C**COSU" in segments  # Asia/Shanghai time
    assert f"K1*DECLARATION {number}" in segments
    assert "N7*CSQU*3054383" in segments
    with Session(engine) as session:
        stored = session.scalars(
            select(OutboundMessage).where(OutboundMessage.message_type == "350")
        ).one()
        assert (stored.content, stored.recipient, stored.format) == (text, "COSU", "x12")


def test_a_hold_is_1h_and_unknown_bills_give_none(engine: Engine, clock: FixedClock) -> None:
    customs = pipeline(engine, clock)
    number = declared(customs.submit(DECLARATION)).number
    assert number is not None
    with Session(engine) as session, session.begin():
        assert render_status_350(session, number, "hold", at=clock.now()) is None  # no manifest
        assert render_status_350(session, "220120269999999999", "1H") is None
    customs.submit(MANIFEST)  # the waiting declaration is matched now
    with Session(engine) as session, session.begin():
        text = render_status_350(
            session, number, "1H", at=clock.now(), remarks=("DOCUMENTS REQUIRED",)
        )
    assert text is not None
    assert "X4*6123456780****20261128*1800*1H**COSU~" in text
    assert "K1*DOCUMENTS REQUIRED~" in text
