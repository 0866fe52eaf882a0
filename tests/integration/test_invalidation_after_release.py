"""Invalidation after release, only in the listed cases of the declaration's regime.

A released export whose exit is not confirmed may be cancelled (EXPORT_NOT_EXITED): it is
invalidated, its consumed licence amount goes back exactly once, its rebate records are never
sent. Imports, exports whose exit was confirmed and (EU/UK) exports past 150 days are refused
with the listed cases and why each does not apply. Every date comes from the injected clock.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR
from clearance.app.queries import show_declaration
from clearance.cli import main
from clearance.flow.outcome import DeclarationOutcome
from clearance.intake.pipeline import Pipeline
from clearance.rebates import records as rebates
from clearance.store.control_tables import (
    REBATE_AWAITING,
    REBATE_CONFIRMED,
    REBATE_INVALIDATED,
    RebateRecord,
)
from core.clock import FixedClock
from core.settings import Settings
from tests.concurrency import DEADLINE, lock_waits
from tests.integration.invalidation_support import (
    balance,
    changed,
    entries,
    events,
    export_with_licence,
    import_cancellation,
    prepare_export,
    release,
    status,
)
from tests.integration.test_controls_support import CONTROLS, INSTANT, pipeline

pytestmark = pytest.mark.db

DAY = timedelta(days=1)
CASE = "EXPORT_NOT_EXITED"


def _released_export(engine: Engine, tmp_path: Path, settings: Settings | None = None) -> str:
    """The licence export, registered and released by an officer at INSTANT; its number."""
    prepare_export(engine, tmp_path)
    p = Pipeline.standard(engine, settings or Settings(), FixedClock(INSTANT))
    (d,) = p.submit(export_with_licence()).declarations
    assert d.number is not None and d.status in ("registered", "documents_required"), d.to_json()
    release(engine, d.number, INSTANT, settings)
    assert status(engine, d.number) == "released"
    return d.number


def _cancel(
    engine: Engine, number: str, days: int, ref: str, settings: Settings | None = None
) -> DeclarationOutcome:
    """Submit a cancellation of ``number`` ``days`` after INSTANT; its declaration outcome."""
    p = Pipeline.standard(engine, settings or Settings(), FixedClock(INSTANT + days * DAY))
    (d,) = p.submit(changed(export_with_licence(), number, "1", ref)).declarations
    return d


def test_a_released_export_not_exited_is_invalidated_and_gives_its_licence_back_once(
    engine: Engine, tmp_path: Path
) -> None:
    number = _released_export(engine, tmp_path)
    before = balance(engine)
    assert (before.totals.reserved, before.totals.consumed) == (Decimal(0), Decimal(300))
    assert before.available == Decimal(700) and before.uses_available == 11

    d = _cancel(engine, number, 10, "CAN1")

    assert d.status == "invalidated" and d.function == "cancellation" and d.reasons == []
    # The same CUSRES as an invalidation before release: BGM 1225 = 1, no GIS.
    assert d.response is not None and f"BGM+962+{number}+1'" in d.response
    assert "GIS+" not in d.response
    assert status(engine, number) == "invalidated"
    assert entries(engine, number) == [
        ("reserve", "300", 1),
        ("consume", "300", 1),
        ("return", "300", 1),
    ]
    after = balance(engine)
    assert (after.totals.reserved, after.totals.consumed) == (Decimal(0), Decimal(0))
    assert after.available == Decimal(1000) and after.uses_available == 12
    (event,) = events(engine, number, "invalidated")
    assert event == {
        "version": 2,
        "after_release": True,
        "listed_case": CASE,
        "regime": "cn",
        "released_on": "2026-06-15",
        "days_since_release": 10,
    }
    with Session(engine) as session:
        shown = show_declaration(session, LOCAL_OPERATOR, number).as_json()
    assert shown is not None
    assert [v["function"] for v in shown["versions"]] == ["original", "cancellation"]
    assert [i["sequence"] for i in shown["declaration"]["items"]] == [1, 2]

    again = _cancel(engine, number, 11, "CAN2")
    assert again.status == "rejected"
    assert again.reasons[0].text == f"declaration {number} is already invalidated"
    (event,) = events(engine, number, "change_refused")
    assert (event["status"], event["version"]) == ("invalidated", 2)
    assert len(entries(engine, number)) == 3  # given back exactly once
    assert balance(engine).available == Decimal(1000)


def test_an_invalidated_export_never_reaches_the_tax_authority(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number = _released_export(engine, tmp_path)
    with Session(engine) as session:
        awaiting = session.scalars(select(RebateRecord.status)).all()
    assert awaiting and set(awaiting) == {REBATE_AWAITING}
    assert _cancel(engine, number, 3, "CAN1").status == "invalidated"

    with Session(engine) as session:
        voided = session.scalars(select(RebateRecord.status)).all()
        assert set(voided) == {REBATE_INVALIDATED}
        with pytest.raises(
            rebates.ExitConfirmationError, match="is invalidated: its goods cannot exit"
        ):
            rebates.confirm_exit(session, number, INSTANT + 4 * DAY)
        session.rollback()
        # Even a record marked confirmed by other means is never claimed for a batch.
        session.execute(update(RebateRecord).values(status=REBATE_CONFIRMED))
        _, sent = rebates.export_batch(session, INSTANT.date(), INSTANT.date(), INSTANT)
        assert sent == []
        session.rollback()
    assert events(engine, number, "exit_confirmed") == []

    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["rebates", "confirm-exit", number]) == 1
    _, err = capsys.readouterr()
    assert f"declaration {number} is invalidated: its goods cannot exit" in err


def test_a_released_export_whose_exit_was_confirmed_is_not_invalidated(
    engine: Engine, tmp_path: Path
) -> None:
    number = _released_export(engine, tmp_path)
    with Session(engine) as session:
        done = rebates.confirm_exit(session, number, INSTANT + 5 * DAY)
        again = rebates.confirm_exit(session, number, INSTANT + 6 * DAY)
        session.commit()
    assert done.records == 2 and not done.already
    assert again.already and again.records == 0 and again.confirmed_at == INSTANT + 5 * DAY
    assert events(engine, number, "exit_confirmed") == [{"rebate_records": 2}]

    d = _cancel(engine, number, 10, "CAN1")

    assert d.status == "rejected"
    assert d.reasons[0].text == (
        f"declaration {number} is released; invalidation after release only in listed cases: "
        f"{CASE} (export whose exit is not confirmed): exit was confirmed on 2026-06-20"
    )
    assert status(engine, number) == "released"
    assert [kind for kind, _, _ in entries(engine, number)] == ["reserve", "consume"]
    assert events(engine, number, "invalidated") == []
    # Not a silent no-op: the declaration's own history says what was refused and why.
    (refused,) = events(engine, number, "change_refused")
    assert refused == {
        "function": "cancellation",
        "sender_reference": d.sender_reference,
        "status": "released",
        "version": 1,
        "reason": d.reasons[0].text,
    }
    with Session(engine) as session:
        shown = show_declaration(session, LOCAL_OPERATOR, number).as_json()
    assert shown is not None and shown["status"] == "released"
    assert [e["kind"] for e in shown["events"]][-1] == "change_refused"


def test_a_released_import_is_not_invalidated(engine: Engine, tmp_path: Path) -> None:
    prepare_export(engine, tmp_path)
    clock = FixedClock(INSTANT)
    (d,) = (
        pipeline(engine, clock)
        .submit((CONTROLS / "01-valid-licence.edi").read_bytes())
        .declarations
    )
    assert d.number is not None and d.status == "released"  # green and clean

    p = pipeline(engine, FixedClock(INSTANT + DAY))
    (refused,) = p.submit(import_cancellation(d.number)).declarations

    assert refused.status == "rejected"
    assert refused.reasons[0].text == (
        f"declaration {d.number} is released; invalidation after release only in listed "
        f"cases: {CASE} (export whose exit is not confirmed): the declaration is an import"
    )
    assert status(engine, d.number) == "released"
    assert [kind for kind, _, _ in entries(engine, d.number)] == ["reserve", "consume"]
    (event,) = events(engine, d.number, "change_refused")
    assert event["function"] == "cancellation" and event["reason"] == refused.reasons[0].text


def test_an_amendment_after_release_is_still_refused(engine: Engine, tmp_path: Path) -> None:
    number = _released_export(engine, tmp_path)
    p = pipeline(engine, FixedClock(INSTANT + DAY))
    (d,) = p.submit(changed(export_with_licence(), number, "5", "AMD1")).declarations
    assert d.status == "rejected"
    assert d.reasons[0].text == f"declaration {number} is already released"
    assert status(engine, number) == "released"
    (event,) = events(engine, number, "change_refused")
    assert (event["function"], event["reason"]) == ("amendment", d.reasons[0].text)


@pytest.mark.parametrize(("days", "allowed"), [(150, True), (151, False)])
def test_an_eu_export_is_invalidated_within_150_days_of_release_only(
    engine: Engine, tmp_path: Path, days: int, allowed: bool
) -> None:
    eu = Settings(regime="eu")
    number = _released_export(engine, tmp_path, eu)

    d = _cancel(engine, number, days, "CAN1", eu)

    if allowed:
        assert d.status == "invalidated"
        (event,) = events(engine, number, "invalidated")
        assert (event["regime"], event["listed_case"], event["days_since_release"]) == (
            "eu",
            CASE,
            150,
        )
        assert [kind for kind, _, _ in entries(engine, number)][-1] == "return"
    else:
        assert d.status == "rejected"
        assert d.reasons[0].text.endswith(
            f"{CASE} (export whose exit is not confirmed, within 150 days of release): "
            "released on 2026-06-15, 151 days ago (limit 150)"
        )
        assert status(engine, number) == "released"
        assert balance(engine).totals.consumed == Decimal(300)


def test_exit_confirmation_and_cancellation_never_both_succeed(
    engine: Engine, tmp_path: Path
) -> None:
    number = _released_export(engine, tmp_path)
    outcome: list[str] = []
    with Session(engine) as session, lock_waits(engine) as wait_until_waiting:
        rebates.confirm_exit(session, number, INSTANT + DAY)  # the row stays locked …
        worker = threading.Thread(
            target=lambda: outcome.append(_cancel(engine, number, 2, "CAN1").status),
            daemon=True,
        )
        worker.start()
        wait_until_waiting(worker)  # … so the cancellation waits for it
        assert outcome == []
        session.commit()
    worker.join(DEADLINE)
    assert not worker.is_alive(), "the cancellation never finished"
    assert outcome == ["rejected"]
    assert status(engine, number) == "released"
