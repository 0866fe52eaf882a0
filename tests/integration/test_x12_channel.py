"""The X12 channel through the pipeline: 309 manifests in; TA1, 997/999 and 355 out."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.cli import main
from clearance.flow.outcome import InterchangeStatus, SubmissionOutcome
from clearance.intake.pipeline import Pipeline, detect_format
from clearance.store.manifest_tables import Manifest, ManifestBill
from clearance.store.tables import Event, InboundMessage, OutboundMessage
from core.clock import FixedClock
from core.settings import Settings

pytestmark = pytest.mark.db

X12 = Path(__file__).resolve().parents[2] / "samples" / "x12"
SAMPLE_01 = X12 / "01-manifest-v123e-4010.x12"


def submit(engine: Engine, clock: FixedClock, raw: bytes, **kw: Any) -> SubmissionOutcome:
    return Pipeline(engine, Settings(), clock).submit(raw, **kw)


def body(text: str) -> list[str]:
    """The segments of an answer without its ISA/GS/GE/IEA envelope (our control numbers)."""
    terminator = text[105]  # the character after ISA16
    segments = [s.strip() for s in text.split(terminator) if s.strip()]
    return [s for s in segments if s[:3] not in ("ISA", "GS*", "GE*", "IEA")]


def stored_answers(engine: Engine, message_id: int) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(OutboundMessage.message_type, OutboundMessage.content)
            .where(OutboundMessage.inbound_message_id == message_id)
            .order_by(OutboundMessage.id)
        )
        return [(kind, text) for kind, text in rows]


def count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


@pytest.mark.parametrize(
    ("stem", "status", "answers", "manifests"),
    [
        ("01-manifest-v123e-4010", "accepted", ["997", "355"], 1),
        ("02-manifest-v123e-5010-utf8", "accepted", ["999", "355"], 1),
        ("03-wrong-se-count-4010", "rejected", ["997"], 0),
        ("04-empty-segment-5010", "accepted", ["999", "355", "355"], 2),
        ("05-unknown-version-00403", "rejected", ["TA1"], 0),
        ("06-isa-short-sender", "rejected", ["TA1"], 0),
        ("07-content-errors-4010", "accepted", ["997", "355"], 0),
    ],
)
def test_every_sample_is_answered_as_its_golden_files(
    engine: Engine, clock: FixedClock, stem: str, status: str, answers: list[str], manifests: int
) -> None:
    outcome = submit(engine, clock, (X12 / f"{stem}.x12").read_bytes(), filename=stem)
    assert (outcome.format, outcome.status.value) == ("x12", status)
    stored = stored_answers(engine, outcome.message_id)
    assert [kind for kind, _ in stored] == answers
    assert outcome.acknowledgement is not None
    assert outcome.acknowledgement.text == stored[0][1]  # the 997/999/TA1 comes first
    for kind, text in stored:  # every answer with a golden file matches it inside the envelope
        golden = X12 / f"{stem}.{kind.lower()}.x12"
        if golden.is_file() and kind in ("997", "999", "TA1", "355"):
            assert body(text) == body(golden.read_text(encoding="utf-8")), (stem, kind)
    assert count(engine, Manifest) == manifests
    with Session(engine) as session:
        inbound = session.get(InboundMessage, outcome.message_id)
        assert inbound is not None and (inbound.status, inbound.format) == (status, "x12")


def test_wrong_segment_count_is_ak5_code_4_with_its_position(
    engine: Engine, clock: FixedClock
) -> None:
    outcome = submit(engine, clock, (X12 / "03-wrong-se-count-4010.x12").read_bytes())
    assert outcome.status is InterchangeStatus.REJECTED
    (error,) = outcome.errors
    assert (error.code, error.segment, error.line, error.column) == ("4", "SE", 36, 1)
    assert outcome.acknowledgement is not None
    assert body(outcome.acknowledgement.text)[2:5] == ["AK2*309*0001", "AK5*R*4", "AK9*R*1*1*0"]
    (summary,) = outcome.manifests
    assert (summary["status"], summary["manifest_id"], summary["response"]) == (
        "rejected",
        None,
        None,
    )


def test_empty_segment_is_ik5_e_and_both_sets_are_stored(engine: Engine, clock: FixedClock) -> None:
    outcome = submit(engine, clock, (X12 / "04-empty-segment-5010.x12").read_bytes())
    assert outcome.acknowledgement is not None
    segments = body(outcome.acknowledgement.text)
    assert "IK5*E" in segments and "AK9*E*2*2*2" in segments
    (warning,) = outcome.errors
    assert warning.code == "empty" and warning.line == 14 and warning.text.startswith("warning")
    assert [m["voyage"] for m in outcome.manifests] == ["V123E", "V124W"]


@pytest.mark.parametrize(
    ("stem", "note"), [("05-unknown-version-00403", "003"), ("06-isa-short-sender", "006")]
)
def test_isa_problems_are_answered_with_a_ta1_r(
    engine: Engine, clock: FixedClock, stem: str, note: str
) -> None:
    outcome = submit(engine, clock, (X12 / f"{stem}.x12").read_bytes())
    assert outcome.status is InterchangeStatus.REJECTED
    assert [e.code for e in outcome.errors] == [note]
    assert outcome.acknowledgement is not None
    (ta1,) = body(outcome.acknowledgement.text)
    assert ta1.split("*")[4:] == ["R", note]


def test_a_309_is_stored_as_a_manifest_with_its_bills(engine: Engine, clock: FixedClock) -> None:
    outcome = submit(engine, clock, SAMPLE_01.read_bytes())
    (summary,) = outcome.manifests
    assert summary["status"] == "accepted" and summary["voyage"] == "V123E"
    assert summary["bills"] == ["COSU6123456780", "COSU6123456791", "COSU6123456802"]
    assert summary["response"] is not None and "K3*MANIFEST ACCEPTED 3 BILLS" in summary["response"]
    with Session(engine) as session:
        manifest = session.scalars(select(Manifest)).one()
        assert manifest.id == summary["manifest_id"]
        assert (manifest.sender, manifest.carrier, manifest.conveyance_name) == (
            "COSU",
            "COSU",
            "COSCO SHIPPING ARIES",
        )
        assert (manifest.port_of_discharge, manifest.arrival_date.isoformat()) == (
            "CNSHA",
            "2026-12-01",
        )
        assert (
            json.loads(manifest.canonical)
            == json.loads((X12 / "01-manifest-v123e-4010.canonical.json").read_text())[0]
        )
        bill = session.scalars(
            select(ManifestBill).where(ManifestBill.bill_number == "COSU6123456780")
        ).one()
        assert (bill.quantity, bill.quantity_unit) == (Decimal(1200), "CTN")
        assert (bill.gross_weight, bill.weight_unit) == (Decimal("16650.5"), "KGM")
        assert bill.containers == "CSQU3054383" and bill.voyage == "V123E"
        assert bill.consignee_name == "SHANGHAI OCEAN FOODS TRADING CO LTD"
        kinds = session.scalars(select(Event.kind).order_by(Event.id)).all()
    assert count(engine, ManifestBill) == 3
    assert kinds == ["received", "syntax_accepted", "manifest_received"]


def test_content_errors_reject_the_manifest_in_a_355_not_the_interchange(
    engine: Engine, clock: FixedClock
) -> None:
    outcome = submit(engine, clock, (X12 / "07-content-errors-4010.x12").read_bytes())
    assert outcome.status is InterchangeStatus.ACCEPTED and outcome.errors == []
    (summary,) = outcome.manifests
    assert summary["status"] == "rejected"
    codes = [e["code"] for e in summary["errors"]]
    assert codes == [
        "invalid_container",
        "invalid_commodity_code",
        "bill_count_mismatch",
        "bill_count_mismatch",
    ]
    assert summary["errors"][0]["line"] == 15 and summary["errors"][0]["segment"] == "VID"
    assert "K3*MANIFEST REJECTED 4 ERRORS IN 3 BILLS" in body(summary["response"])


def test_a_resend_gets_the_original_answers(engine: Engine, clock: FixedClock) -> None:
    raw = SAMPLE_01.read_bytes()
    first = submit(engine, clock, raw)
    again = submit(engine, clock, raw)
    assert again.status is InterchangeStatus.DUPLICATE
    assert again.acknowledgement is not None and first.acknowledgement is not None
    assert again.acknowledgement.text == first.acknowledgement.text
    assert again.manifests == first.manifests
    assert count(engine, Manifest) == 1
    assert stored_answers(engine, again.message_id) == []


def test_a_reused_control_number_with_other_content_is_rejected(
    engine: Engine, clock: FixedClock
) -> None:
    raw = SAMPLE_01.read_bytes()
    submit(engine, clock, raw)
    outcome = submit(engine, clock, raw.replace(b"*1200*CTN*", b"*1300*CTN*"))
    assert outcome.status is InterchangeStatus.REJECTED
    (error,) = outcome.errors
    assert (error.code, error.segment, error.element, error.line) == ("025", "ISA", 13, 1)
    assert outcome.acknowledgement is not None
    (ta1,) = body(outcome.acknowledgement.text)
    assert ta1 == "TA1*000000101*261128*0930*R*025"
    assert count(engine, Manifest) == 1 and outcome.manifests == []


def test_the_same_control_number_from_another_sender_is_processed(
    engine: Engine, clock: FixedClock
) -> None:
    raw = SAMPLE_01.read_bytes()
    submit(engine, clock, raw)
    other = submit(engine, clock, raw, sender="OOLU")
    assert other.status is InterchangeStatus.ACCEPTED and other.sender == "OOLU"
    assert count(engine, Manifest) == 2


def test_a_requested_ta1_follows_the_997(engine: Engine, clock: FixedClock) -> None:
    raw = SAMPLE_01.read_bytes().replace(b"*000000101*0*P*", b"*000000101*1*P*", 1)
    outcome = submit(engine, clock, raw)
    kinds = [kind for kind, _ in stored_answers(engine, outcome.message_id)]
    assert kinds == ["997", "TA1", "355"]
    ta1 = body(stored_answers(engine, outcome.message_id)[1][1])
    assert ta1 == ["TA1*000000101*261128*0930*A*000"]


def test_outgoing_control_numbers_never_repeat(engine: Engine, clock: FixedClock) -> None:
    for name in ("01-manifest-v123e-4010", "04-empty-segment-5010"):
        submit(engine, clock, (X12 / f"{name}.x12").read_bytes())
    with Session(engine) as session:
        refs = session.scalars(select(OutboundMessage.control_reference)).all()
    assert len(refs) == 5 and len(set(refs)) == 5
    assert all(len(r) == 9 and r.isdigit() for r in refs)


def test_format_detection_skips_a_bom_and_white_space() -> None:
    assert detect_format(b"\xef\xbb\xbf\r\n  ISA*00*") == "x12"
    assert detect_format(SAMPLE_01.read_bytes()) == "x12"


def test_submit_json_has_the_same_contract_for_x12(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    edifact = Path(__file__).resolve().parents[2] / "samples" / "edifact" / "01-import-d96b.edi"
    assert main(["submit", "--json", str(edifact), str(SAMPLE_01)]) == 0
    declaration, manifest = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert declaration.keys() == manifest.keys()
    assert (manifest["format"], manifest["message_type"], manifest["status"]) == (
        "x12",
        "309",
        "accepted",
    )
    assert manifest["sender"] == "COSU" and manifest["control_reference"] == "000000101"
    assert manifest["acknowledgement"]["format"] == "x12"
    assert manifest["declarations"] == [] and declaration["manifests"] == []
    (summary,) = manifest["manifests"]
    assert summary.keys() >= {"message_reference", "status", "manifest_id", "voyage", "bills"}


@pytest.mark.parametrize("terminator", ["§", "…"])
def test_answers_to_a_multibyte_terminator_have_a_106_byte_isa_pyx12_reads(
    engine: Engine, clock: FixedClock, terminator: str
) -> None:
    """Delimiters in our answers are single bytes, whatever the sender used."""
    import io

    from pyx12 import x12file

    raw = SAMPLE_01.read_text(encoding="utf-8").replace("~", terminator).encode()
    outcome = submit(engine, clock, raw)
    assert outcome.status is InterchangeStatus.ACCEPTED, outcome.to_json()
    answers = stored_answers(engine, outcome.message_id)
    assert [kind for kind, _ in answers] == ["997", "355"]
    for _, text in answers:
        data = text.encode("utf-8")
        assert data.startswith(b"ISA") and len(data.split(b"\n", 1)[0]) == 106
        assert all(len(c.encode()) == 1 for c in (text[3], text[104], text[105]))
        reader = x12file.X12Reader(io.StringIO(text))
        segments = [seg.get_seg_id() for seg in reader]
        errors = reader.pop_errors()
        assert segments[0] == "ISA" and segments[-1] == "IEA" and not errors, errors


@pytest.mark.parametrize(("set_id", "version"), [("997", "004010"), ("999", "005010")])
def test_an_inbound_acknowledgement_is_not_acknowledged(
    engine: Engine, clock: FixedClock, set_id: str, version: str
) -> None:
    from tests.unit.x12.helpers import interchange

    ak1 = "AK1*SO*1" if set_id == "997" else "AK1*AQ*1*005010"
    sets = [(ak1, "AK9*A*1*1*1")]
    text = interchange(sets, set_id=set_id, version=version).replace("GS*SO", "GS*FA")
    outcome = submit(engine, clock, text.replace("GS*AQ", "GS*FA").encode())
    assert outcome.status is InterchangeStatus.ACCEPTED, outcome.to_json()
    assert stored_answers(engine, outcome.message_id) == []
    assert outcome.acknowledgement is None and outcome.manifests == []
