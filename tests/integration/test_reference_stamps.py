"""The reference data in force (registry load, tariff schedule) is read per interchange.

The pipeline reads which registry load and which schedule version are in force with one
statement per unit of work and keeps the parsed versions per process by content hash
(:mod:`clearance.store.reference_stamps`). A change committed by another process between two
submissions must decide the second: these tests make the change through a second engine (its
own connections and unit of work, as another process would) on both backends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from clearance.app import Actor, Application
from clearance.app.messages import Interchange, submit
from clearance.assessment import tariff_store
from clearance.decisions import registry_store
from clearance.store import reference_stamps
from clearance.store.control_tables import DecisionRow, RulesetRow
from clearance.store.tables import Declaration
from clearance.store.tariff_tables import DeclarationAssessmentRow
from core.clock import FixedClock
from core.db import make_engine
from core.settings import Settings
from tests.integration.test_controls_support import CONTROLS, INSTANT, REGISTRY_FILES, prepare
from tests.integration.test_registry_changes import CERTIFICATE as CHANGES_CERTIFICATE
from tests.sql_support import statements as _statements

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
TARIFF = ROOT / "samples" / "tariffs" / "cn-extract.jsonl"
OPERATOR = Actor.local()
#: A seed under which the office's random sample lets these declarations through, so that
#: the lane is decided by the certificate alone (as in test_registry_changes).
SEED = "registry-changes-1"
#: test_registry_changes' certificate under a number of its own.
CERTIFICATE: dict[str, Any] = {**CHANGES_CERTIFICATE, "number": "E26STAMPS000001"}


def _shrimp(app: Application, reference: str) -> Any:
    """Control sample 06 (ACFTA shrimp from VN, 2000 KGM) citing the certificate above."""
    text = (CONTROLS / "06-expired-certificate.edi").read_text(encoding="utf-8")
    text = text.replace("E251111111111111", CERTIFICATE["number"]).replace("CTL0006", reference)
    (declaration,) = submit(app, OPERATOR, Interchange(text.encode())).declarations
    return declaration


@contextmanager
def _another_process(engine: Engine) -> Iterator[Session]:
    """A unit of work on an engine of its own (own pool and connections), committed."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with Session(other) as session:
            yield session
            session.commit()
    finally:
        other.dispose()


def _stored(engine: Engine, number: str) -> tuple[int | None, str]:
    """The registry load the declaration's decision used and its schedule version."""
    with Session(engine) as session:
        declaration_id = session.scalars(
            select(Declaration.id).where(Declaration.number == number)
        ).one()
        load_id = session.scalars(
            select(DecisionRow.registry_load_id).where(DecisionRow.declaration_id == declaration_id)
        ).one()
        version = session.scalars(
            select(DeclarationAssessmentRow.schedule_version_id).where(
                DeclarationAssessmentRow.declaration_id == declaration_id
            )
        ).one()
    return load_id, version


def test_a_registry_load_committed_elsewhere_decides_the_next_interchange(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(risk_seed=SEED), FixedClock(INSTANT))
    before = _shrimp(app, "S1")
    assert "COO-002" in [f.rule_id for f in before.findings]  # the certificate is unknown
    first_load, _ = _stored(engine, before.number)

    with _another_process(engine) as session:
        sources = [(str(p), p.read_bytes()) for p in REGISTRY_FILES]
        line = (json.dumps(CERTIFICATE) + "\n").encode()
        loaded = registry_store.load_sources(session, [*sources, ("cert.jsonl", line)], INSTANT)
    assert loaded.created and loaded.id != first_load

    after = _shrimp(app, "S2")
    assert (after.status, after.findings) == ("released", [])
    assert _stored(engine, after.number)[0] == loaded.id


def test_a_schedule_loaded_elsewhere_assesses_the_next_interchange(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(risk_seed=SEED), FixedClock(INSTANT))
    before = _shrimp(app, "T1")
    assert _stored(engine, before.number)[1] == "cn-extract-2026.1"

    text = TARIFF.read_text(encoding="utf-8")
    newer = text.replace('"id": "cn-extract-2026.1"', '"id": "cn-extract-2026.2"').replace(
        '"published": "2025-12-20"', '"published": "2026-03-01"'
    )
    assert newer.count("cn-extract-2026.2") == 1 and newer.count("2026-03-01") >= 1
    with _another_process(engine) as session:
        loaded = tariff_store.load_content(session, "cn-2026-2.jsonl", newer.encode(), INSTANT)
    assert loaded.created

    after = _shrimp(app, "T2")
    assert _stored(engine, after.number)[1] == "cn-extract-2026.2"


def test_both_stamps_come_from_one_statement_per_unit(engine: Engine) -> None:
    prepare(engine)
    with Session(engine) as session:
        expected_load = registry_store.in_force(session)
        expected_hash = tariff_store.latest(session, "cn")
        session.rollback()
        assert expected_load is not None and expected_hash is not None

        session.connection()  # the unit's BEGIN is not the read's
        with _statements(engine) as seen:
            schedule = tariff_store.latest_in_unit(session, "cn")
            load_id, _ = registry_store.latest_in_unit(session)
            assert tariff_store.latest_in_unit(session, "cn") is schedule
        assert len(seen) == 1, seen
        assert schedule is expected_hash and load_id == expected_load

        # A regime no schedule has: its own read, the registry stamp kept.
        with _statements(engine) as seen:
            assert reference_stamps.tariff_in_unit(session, "xx") is None
            assert reference_stamps.registry_in_unit(session) is not None
        assert len(seen) == 1, seen

        session.rollback()  # a new unit reads again
        session.connection()
        with _statements(engine) as seen:
            reference_stamps.registry_in_unit(session)
            reference_stamps.tariff_in_unit(session, "cn")
        assert len(seen) == 2, seen


def test_an_empty_store_has_no_stamps(engine: Engine) -> None:
    with Session(engine) as session:
        assert reference_stamps.tariff_in_unit(session, None) is None
        assert reference_stamps.registry_in_unit(session) is None
        assert registry_store.latest_in_unit(session)[0] is None


def test_the_stored_ruleset_comes_with_the_stamps_and_is_read_in_each_unit(
    engine: Engine,
) -> None:
    prepare(engine)
    version = "stamps-test-ruleset"
    with Session(engine) as session:
        session.connection()
        with _statements(engine) as seen:  # first asked: a read of its own
            assert not reference_stamps.ruleset_stored_in_unit(session, version)
            assert not reference_stamps.ruleset_stored_in_unit(session, version)
        assert len(seen) == 1, seen
        session.rollback()

        with _another_process(engine) as other:
            other.add(RulesetRow(ruleset_id="t", version=version, content="{}", loaded_at=INSTANT))

        session.connection()
        with _statements(engine) as seen:  # the next unit: with the stamps, and stored now
            reference_stamps.tariff_in_unit(session, "cn")
            assert reference_stamps.ruleset_stored_in_unit(session, version)
        assert len(seen) == 1, seen


def test_the_stamps_are_read_on_the_drivers_cursor_with_the_values_core_read(
    engine: Engine,
) -> None:
    """Every read of the module runs its driver SQL compiled once (no Core execution: no
    ``before_execute``), and answers what the Core statements answer in the same unit."""
    prepare(engine)
    version = f"stamps-driver-{engine.dialect.name}"  # never asked before: a read of its own
    with Session(engine) as session:
        connection = session.connection()
        registry = connection.execute(
            reference_stamps._REGISTRY_ONLY.statement, {"ruleset": version}
        ).one()
        expected_schedule = connection.scalars(
            reference_stamps._SCHEDULE_OF.statement, {"regime": "cn"}
        ).first()
        expected_any = connection.scalars(reference_stamps._SCHEDULE_ANY.statement).first()
        session.rollback()

        executed: list[object] = []

        def core_execute(*args: Any) -> None:
            executed.append(args[1])

        event.listen(engine, "before_execute", core_execute)
        try:
            session.connection()
            with _statements(engine) as seen:
                stamp = reference_stamps.registry_in_unit(session)
                assert not reference_stamps.ruleset_stored_in_unit(session, version)
                assert reference_stamps.tariff_in_unit(session, "cn") == expected_schedule
                assert reference_stamps.tariff_in_unit(session, None) == expected_any
            session.rollback()
        finally:
            event.remove(engine, "before_execute", core_execute)
    assert executed == []
    assert len(seen) == 4, seen
    assert stamp is not None and (stamp.load_id, stamp.content_hash) == tuple(registry[:2])
    assert expected_schedule is not None and expected_any is not None
