"""The pipeline on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR
from clearance.app.queries import show_declaration
from clearance.flow.outcome import DeclarationOutcome, InterchangeStatus
from clearance.intake.pipeline import Pipeline, ProcessingError
from clearance.lifecycle.registration import Registered
from clearance.store.tables import (
    Declaration,
    DeclarationItem,
    DeclarationVersion,
    Event,
    InboundMessage,
    InterchangeKey,
    NumberSequence,
    OutboundMessage,
)
from core.clock import FixedClock
from core.errors import CustomsError
from core.settings import Settings
from tests.concurrency import Start, race_threads
from tests.golden_support import SAMPLES, answers, golden_paths, interchanges, process_all

pytestmark = pytest.mark.db

SAMPLE_01 = SAMPLES / "01-import-d96b.edi"


def make_pipeline(engine: Engine, clock: FixedClock, *steps: object) -> Pipeline:
    return Pipeline(engine, Settings(), clock, steps)  # type: ignore[arg-type]


def count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_every_sample_answers_as_its_golden_files(engine: Engine) -> None:
    outcomes = process_all(engine)
    for path in interchanges():
        _, contrl_path, cusres_path = golden_paths(path)
        contrl, cusres = answers(outcomes[path.name])
        assert contrl == contrl_path.read_text(encoding="utf-8"), path.name
        assert cusres == cusres_path.read_text(encoding="utf-8"), path.name


def test_a_resend_is_answered_with_the_original_acknowledgement(
    engine: Engine, clock: FixedClock
) -> None:
    pipeline = make_pipeline(engine, clock)
    first = pipeline.submit(SAMPLE_01.read_bytes())
    again = pipeline.submit(SAMPLE_01.read_bytes())
    assert first.status is InterchangeStatus.ACCEPTED
    assert again.status is InterchangeStatus.DUPLICATE
    assert again.acknowledgement is not None and first.acknowledgement is not None
    assert again.acknowledgement.text == first.acknowledgement.text
    assert [d.number for d in again.declarations] == [d.number for d in first.declarations]
    assert again.declarations[0].response == first.declarations[0].response
    assert count(engine, Declaration) == 1
    assert count(engine, InboundMessage) == 2  # the resend is kept too
    with Session(engine) as session:
        resend = session.get(InboundMessage, again.message_id)
        assert resend is not None and resend.duplicate_of == first.message_id


def test_the_same_reference_with_other_content_is_rejected_with_code_26(
    engine: Engine, clock: FixedClock
) -> None:
    pipeline = make_pipeline(engine, clock)
    pipeline.submit(SAMPLE_01.read_bytes())
    changed = SAMPLE_01.read_bytes().replace(b"MOA+38:16000.00:USD", b"MOA+38:16500.00:USD")
    outcome = pipeline.submit(changed)
    assert outcome.status is InterchangeStatus.REJECTED
    assert [e.code for e in outcome.errors] == ["26"]
    assert outcome.errors[0].segment == "UNB" and outcome.errors[0].line == 1
    assert outcome.acknowledgement is not None
    assert "UCI+IC0000001+BROKER01:ZZZ+CNCUSTOMS:ZZZ+4+26+UNB+6'" in outcome.acknowledgement.text
    assert count(engine, Declaration) == 1


def test_an_interchange_for_another_recipient_is_refused_with_code_7(
    engine: Engine, clock: FixedClock
) -> None:
    raw = SAMPLE_01.read_bytes().replace(b"+CNCUSTOMS:ZZZ+", b"+HKCUSTOMS:ZZZ+", 1)
    outcome = make_pipeline(engine, clock).submit(raw)
    assert outcome.status is InterchangeStatus.REJECTED
    assert [(e.code, e.segment, e.element) for e in outcome.errors] == [("7", "UNB", 3)]
    assert outcome.acknowledgement is not None
    text = outcome.acknowledgement.text
    assert "UCI+IC0000001+BROKER01:ZZZ+HKCUSTOMS:ZZZ+4+7+UNB+4'" in text
    assert "UNB+UNOC:3+CNCUSTOMS:ZZZ+BROKER01:ZZZ+" in text  # still answered by us
    assert count(engine, Declaration) == 0


def test_a_recipient_in_the_routing_table_is_served(engine: Engine, clock: FixedClock) -> None:
    raw = SAMPLE_01.read_bytes().replace(b"+CNCUSTOMS:ZZZ+", b"+CNCUSTOMS-SH:ZZZ+", 1)
    settings = Settings(served_recipients=["CNCUSTOMS-SH"])
    outcome = Pipeline(engine, settings, clock, ()).submit(raw)
    assert outcome.status is InterchangeStatus.ACCEPTED, outcome.to_json()
    assert count(engine, Declaration) == 1


def test_a_failure_mid_pipeline_keeps_the_raw_message_and_nothing_partial(
    engine: Engine, clock: FixedClock
) -> None:
    def explode(session: Session, registered: Registered, outcome: DeclarationOutcome) -> None:
        raise RuntimeError("tariff service unavailable")

    raw = SAMPLE_01.read_bytes()
    with pytest.raises(ProcessingError, match="tariff service unavailable"):
        make_pipeline(engine, clock, explode).submit(raw, filename="01.edi")
    with Session(engine) as session:
        (inbound,) = session.scalars(select(InboundMessage)).all()
        assert inbound.raw == raw and inbound.status == "failed"
        assert inbound.error is not None and "tariff service unavailable" in inbound.error
        kinds = session.scalars(select(Event.kind).order_by(Event.id)).all()
        assert kinds == ["received", "failed"]
    for table in (
        Declaration,
        DeclarationVersion,
        DeclarationItem,
        OutboundMessage,
        InterchangeKey,
        NumberSequence,
    ):
        assert count(engine, table) == 0, table.__name__
    retried = make_pipeline(engine, clock).retry(inbound.id)
    assert retried.status is InterchangeStatus.ACCEPTED
    # On PostgreSQL numbers come from a sequence (ADR 0013): the rolled-back unit's number was
    # never told to anyone and is a gap, never given again; SQLite stays gapless.
    gap = engine.dialect.name == "postgresql"
    assert retried.declarations[0].number == ("220120261000000002" if gap else "220120261000000001")
    with pytest.raises(CustomsError, match="only failed messages are retried"):
        make_pipeline(engine, clock).retry(inbound.id)


def test_input_that_is_not_edifact_is_kept_and_rejected(engine: Engine, clock: FixedClock) -> None:
    outcome = make_pipeline(engine, clock).submit(b"\x00\x01 not an interchange")
    assert outcome.status is InterchangeStatus.REJECTED
    assert outcome.errors[0].code == "format"
    with Session(engine) as session:
        stored = session.get(InboundMessage, outcome.message_id)
        assert stored is not None and stored.raw == b"\x00\x01 not an interchange"


def test_undecodable_bytes_are_named_by_line_and_column(engine: Engine, clock: FixedClock) -> None:
    raw = (
        (SAMPLES / "02-export-d99b-utf8.edi").read_bytes().replace("深圳".encode(), b"\xff\xfe", 1)
    )
    outcome = make_pipeline(engine, clock).submit(raw)
    assert outcome.status is InterchangeStatus.REJECTED
    error = next(e for e in outcome.errors if e.code == "21")
    assert error.line is not None and error.column is not None
    assert raw.splitlines()[error.line - 1].startswith(b"NAD+CZ")
    assert outcome.acknowledgement is not None
    assert "+4+21" in outcome.acknowledgement.text  # UCI: interchange rejected, code 21
    assert count(engine, Declaration) == 0


def test_an_amendment_keeps_the_previous_version_readable(engine: Engine) -> None:
    process_all(engine)
    with Session(engine) as session:
        shown = show_declaration(session, LOCAL_OPERATOR, "220120261000000001").as_json()
        assert shown is not None
        assert [v["function"] for v in shown["versions"]] == ["original", "amendment"]
        versions = session.scalars(
            select(DeclarationVersion.canonical).order_by(DeclarationVersion.id)
        ).all()
    assert '"2700.00"' in versions[0] and '"2950.00"' not in versions[0]
    assert shown["declaration"]["items"][2]["value"]["value"] == "2950.00"
    assert [e["kind"] for e in shown["events"]] == ["registered", "amended"]


def test_a_cancellation_of_an_unknown_number_is_refused(engine: Engine, clock: FixedClock) -> None:
    text = (SAMPLES / "07-amend-and-cancel-d96b.edi").read_text()
    only_cancel = text[: text.index("UNH+C1")] + text[text.index("UNH+C2") :]
    only_cancel = only_cancel.replace("UNZ+2+", "UNZ+1+")
    outcome = make_pipeline(engine, clock).submit(only_cancel.encode())
    (declaration,) = outcome.declarations
    assert declaration.status == "rejected"
    assert declaration.reasons[0].code == "REF"
    assert "220120261000000005 is not known" in declaration.reasons[0].text
    assert declaration.response is not None and "ERC+REF'" in declaration.response


def test_concurrent_submissions_never_share_a_number(engine: Engine, clock: FixedClock) -> None:
    template = SAMPLE_01.read_text()
    files = [template.replace("IC0000001", f"IC{n:07d}").encode() for n in range(100, 112)]

    def worker(chunk: list[bytes], start: Start) -> list[str]:
        pipeline = make_pipeline(engine, clock)
        start()  # the three submit at the same moment
        outcomes = [pipeline.submit(raw) for raw in chunk]
        return [d.number for outcome in outcomes for d in outcome.declarations if d.number]

    numbers = race_threads([partial(worker, files[i::3]) for i in range(3)])
    expected = [f"220120261{n:09d}" for n in range(1, 13)]
    assert sorted(n for chunk in numbers for n in chunk) == expected


def test_every_other_guide_sample_answers_as_its_golden_files(engine: Engine) -> None:
    from tests.golden_support import process_profile_samples

    outcomes = process_profile_samples(engine)
    assert outcomes
    for path, outcome in outcomes.items():
        _, contrl_path, cusres_path = golden_paths(path)
        contrl, cusres = answers(outcome)
        assert contrl == contrl_path.read_text(encoding="utf-8"), path.name
        assert cusres == cusres_path.read_text(encoding="utf-8"), path.name
        assert [d.status for d in outcome.declarations] == ["registered"], path.name


def test_samples_directory_has_every_golden_file() -> None:
    from tests.golden_support import profile_interchanges

    for path in interchanges() + profile_interchanges():
        for golden in golden_paths(path):
            assert golden.is_file(), golden
    assert isinstance(SAMPLES, Path)


def test_a_partners_own_profile_file_maps_what_the_default_cannot(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    """CUSTOMS_EDIFACT_PROFILES + CUSTOMS_PARTNERS: the sender's guide, then it registers."""
    import json

    from edi.edifact.profile import PROFILES_DIR

    body = [
        "UNH+1+CUSDEC:D:99B:UN'",
        "BGM+830+AU-EXP-77+9'",
        "LOC+22+5316'",
        "DTM+137:20261128:102'",
        "MOA+39::AUD'",
        "UNS+D'",
        "CST+1'",
        "LOC+27+AU'",
        "MOA+38:5000.00:AUD'",
        "RFF+HS:5105291000'",
        "UNS+S'",
    ]
    raw = "\n".join(
        [
            "UNB+UNOC:3+AUEXPORTER:ZZZ+CNCUSTOMS:ZZZ+261128:0930+AU000001'",
            *body,
            f"UNT+{len(body) + 1}+1'",
            "UNZ+1+AU000001'",
        ]
    ).encode()
    refused = Pipeline(engine, Settings(), clock, ()).submit(raw)
    (first,) = refused.declarations
    assert first.status == "rejected" and first.direction == "export"
    profile = json.loads((PROFILES_DIR / "default.json").read_text(encoding="utf-8"))
    profile.update(
        name="au-like",
        rules=[
            {
                "segment": "RFF",
                "scope": "item",
                "group": "SG30/SG35",
                "when": {"0.0": "HS"},
                "value": "0.1",
                "field": "commodity_code",
            }
        ],
    )
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "au.json").write_text(json.dumps(profile), encoding="utf-8")
    partners = tmp_path / "partners.toml"
    partners.write_text('[partners.AUEXPORTER]\nprofile = "au-like"\n', encoding="utf-8")
    settings = Settings(edifact_profiles=[str(tmp_path / "profiles")], partners=str(partners))
    again = raw.replace(b"AU000001", b"AU000002")
    outcome = Pipeline(engine, settings, clock, ()).submit(again)
    (declaration,) = outcome.declarations
    assert declaration.status == "registered", [r.text for r in declaration.reasons]
    assert declaration.number is not None and declaration.direction == "export"


def test_a_registered_declaration_carries_the_canonical_text_it_was_stored_as(
    engine: Engine, clock: FixedClock
) -> None:
    """The decision's inputs digest hashes this text instead of serialising the declaration
    again: it must be exactly what was stored and what ``model_dump_json`` gives."""
    seen: list[Registered] = []

    def keep(session: Session, registered: Registered, outcome: DeclarationOutcome) -> None:
        seen.append(registered)

    make_pipeline(engine, clock, keep).submit(SAMPLE_01.read_bytes(), filename="01.edi")
    assert seen
    with Session(engine) as session:
        for registered in seen:
            stored = session.get(Declaration, registered.id)
            assert stored is not None
            assert registered.canonical == stored.canonical
            assert registered.canonical == registered.declaration.model_dump_json()
