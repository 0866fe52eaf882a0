"""Scheduled sweeps: daily cadence at a local time of day, statistics refresh, quota period
roll-over, licence and certificate expiry, FX indicators; each effect once per slot."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR, Actor, Application, NotPermittedError, Role, housekeeping
from clearance.app import events as event_cases
from clearance.app import scheduler as scheduler_cases
from clearance.assessment import tariff_store
from clearance.decisions import registry_store
from clearance.intake.pipeline import Pipeline
from clearance.scheduling.slots import daily_slot_of, next_daily
from clearance.store.control_tables import LedgerHead
from clearance.store.operations_tables import JobSlot
from clearance.store.statistics_tables import StatFact
from core.clock import FixedClock, as_utc
from core.settings import Settings
from tests.integration.invalidation_support import export_with_licence, prepare_export, release
from tests.integration.test_controls_support import INSTANT, ROOT
from tests.operations.housekeeping_support import MovableClock, clean_queue, events, run_slot

pytestmark = pytest.mark.db

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- cadence -----------------------------------------------------------------------------


def test_a_daily_slot_is_the_last_local_time_of_day_and_the_next_is_tomorrows() -> None:
    at = time(0, 5)
    # 2026-12-05 15:00 UTC is 23:00 in Shanghai: today's 00:05 (16:05 UTC the day before).
    now = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
    slot = daily_slot_of(now, at, SHANGHAI)
    assert slot == datetime(2026, 12, 4, 16, 5, tzinfo=UTC)
    assert slot.astimezone(SHANGHAI).date() == date(2026, 12, 5)
    # Not run yet: due now (a scheduler started late runs today's once); run: tomorrow 00:05.
    assert next_daily(None, at, SHANGHAI, now) == slot
    assert next_daily(slot, at, SHANGHAI, now) == datetime(2026, 12, 5, 16, 5, tzinfo=UTC)
    # At 16:05 UTC the Shanghai date turns to the 6th: a new slot.
    later = datetime(2026, 12, 5, 16, 5, tzinfo=UTC)
    assert daily_slot_of(later, at, SHANGHAI) == datetime(2026, 12, 5, 16, 5, tzinfo=UTC)
    assert daily_slot_of(later - timedelta(seconds=1), at, SHANGHAI) == slot
    # SQLite gives stored instants back naive (UTC): the same answer.
    assert next_daily(slot.replace(tzinfo=None), at, SHANGHAI, now) == next_daily(
        slot, at, SHANGHAI, now
    )


def test_a_daily_slot_follows_the_zone_across_a_clock_change() -> None:
    paris, at = ZoneInfo("Europe/Paris"), time(3, 0)
    # The night of 2026-10-25 Paris goes from UTC+2 to UTC+1: 03:00 local is 02:00 UTC.
    now = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    assert daily_slot_of(now, at, paris) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    before = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert daily_slot_of(before, at, paris) == datetime(2026, 10, 24, 1, 0, tzinfo=UTC)


def test_customs_jobs_shows_each_cadence_and_a_daily_slot_runs_once_a_day(
    engine: Engine,
) -> None:
    clean_queue(engine)
    clock = MovableClock(datetime(2026, 12, 5, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    app = Application(engine, Settings(), clock)
    statuses = {s.job: s for s in scheduler_cases.job_statuses(app, LOCAL_OPERATOR)}
    assert statuses["quota_rollover"].cadence == "daily 00:05 Asia/Shanghai"
    assert statuses["statistics_refresh"].cadence == "every 30s"
    assert statuses["raw_retention"].next_run == datetime(2026, 12, 4, 19, 0, tzinfo=UTC)
    assert run_slot(app, "expiry_sweep") is not None
    clock.advance(timedelta(minutes=59))  # still the 5th in Shanghai: the same slot
    assert run_slot(app, "expiry_sweep") is None
    status = {s.job: s for s in scheduler_cases.job_statuses(app, LOCAL_OPERATOR)}["expiry_sweep"]
    assert (status.runs, status.last_status) == (1, "done")
    assert status.next_run == datetime(2026, 12, 5, 16, 15, tzinfo=UTC)  # 00:15 on the 6th
    clock.advance(timedelta(minutes=20))  # 00:19 on the 6th in Shanghai: the next slot
    assert run_slot(app, "expiry_sweep") is not None
    with Session(engine) as session:
        slots = session.scalars(select(JobSlot.slot).order_by(JobSlot.slot)).all()
    assert [as_utc(s) for s in slots] == [
        datetime(2026, 12, 4, 16, 15, tzinfo=UTC),
        datetime(2026, 12, 5, 16, 15, tzinfo=UTC),
    ]


def test_housekeeping_is_the_operators() -> None:
    # Refused before the application is touched (None would fail otherwise).
    with pytest.raises(NotPermittedError):
        housekeeping.expiry_sweep(None, Actor("T1", Role.TRADER))  # type: ignore[arg-type]
    officer = Actor("O1", Role.OFFICER)
    with pytest.raises(NotPermittedError):
        scheduler_cases.fire_by_hand(None, officer, "raw_retention")  # type: ignore[arg-type]


# --- statistics --------------------------------------------------------------------------


def test_a_release_reaches_the_statistics_at_the_next_slot_once(
    engine: Engine, tmp_path: Path
) -> None:
    clean_queue(engine)
    prepare_export(engine, tmp_path)
    clock = MovableClock(INSTANT)
    app = Application(engine, Settings(), clock)
    (d,) = Pipeline.standard(engine, Settings(), clock).submit(export_with_licence()).declarations
    assert d.number is not None
    release(engine, d.number, INSTANT)
    assert _facts(engine) == 0
    assert run_slot(app, "statistics_refresh") is not None
    counted = _facts(engine)
    assert counted >= 1
    assert run_slot(app, "statistics_refresh") is None  # same 30 s slot
    clock.advance(timedelta(seconds=30))
    assert run_slot(app, "statistics_refresh") is not None  # next slot: nothing new
    assert _facts(engine) == counted


def _facts(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(StatFact)) or 0)


# --- quota periods -----------------------------------------------------------------------


#: The sample's quotas of 2026 (CN-WHEAT-2025 ended) and their volumes.
CURRENT = {
    "CN-COTTON-2026": Decimal("894000"),
    "CN-MAIZE-2026": Decimal("7200000"),
    "CN-RICE-2026": Decimal("5320000"),
    "CN-SUGAR-2026": Decimal("1945000"),
    "CN-SUGAR-ILLUS-2026": Decimal("10"),
    "CN-UREA-2026": Decimal("3300000"),
    "CN-WHEAT-2026": Decimal("9636000"),
    "CN-WOOL-2026": Decimal("287000"),
}


def test_quota_periods_open_with_their_volume_and_close_once(engine: Engine) -> None:
    clean_queue(engine)
    with Session(engine) as session:
        tariff_store.load_file(session, ROOT / "samples" / "tariffs" / "cn-extract.jsonl", INSTANT)
        session.commit()
    clock = MovableClock(INSTANT)  # 2026-06-15: the 2026 quotas run, wheat 2025 ended
    app = Application(engine, Settings(), clock)
    assert run_slot(app, "quota_rollover") is not None
    opened = events(engine, "quota_period_opened")
    closed = events(engine, "quota_period_closed")
    assert sorted(e["order_number"] for e in opened) == sorted(CURRENT)
    assert [e["order_number"] for e in closed] == ["CN-WHEAT-2025"]
    assert closed[0]["consumed"] == "0" and closed[0]["unused"] == "9636000"
    wheat = next(e for e in opened if e["order_number"] == "CN-WHEAT-2026")
    assert wheat["available"] == "9636000" and wheat["unit"] == "t"
    with Session(engine) as session:
        heads = {
            h.key: h.quantity for h in session.scalars(select(LedgerHead)).all()
        }  # the new periods' balances exist before any declaration draws
    assert heads == {f"quota:{order}": volume for order, volume in CURRENT.items()}
    assert run_slot(app, "quota_rollover") is None  # the same day's slot
    clock.advance(timedelta(days=1))
    assert run_slot(app, "quota_rollover") is not None  # the next day: nothing new
    assert len(events(engine, "quota_period_opened")) == len(CURRENT)
    assert len(events(engine, "quota_period_closed")) == 1
    clock.set(datetime(2027, 1, 1, 0, 0, tzinfo=UTC))  # 08:00 on 1 January in Shanghai
    housekeeping.quota_rollover(app, LOCAL_OPERATOR)
    ended = [e["order_number"] for e in events(engine, "quota_period_closed")]
    assert ended == ["CN-WHEAT-2025", *sorted(CURRENT)]


# --- expiry ------------------------------------------------------------------------------

HOLDER = "91310000MA1FL0XQ8W"


def _licence(number: str, valid_to: str, status: str = "active") -> dict[str, object]:
    return {
        "record": "licence",
        "number": number,
        "type_code": "7",
        "holder_uscc": HOLDER,
        "direction": "import",
        "commodity_codes": ["1511100000"],
        "quantity": "1000",
        "unit": "KGM",
        "max_uses": 12,
        "valid_from": "2026-01-01",
        "valid_to": valid_to,
        "status": status,
    }


def _certificate(number: str, valid_to: str) -> dict[str, object]:
    return {
        "record": "certificate",
        "number": number,
        "agreement": "ACFTA",
        "issuing_country": "VN",
        "exporter_name": "VIETNAM SEAFOOD EXPORT JSC",
        "importer_uscc": HOLDER,
        "issue_date": "2026-01-10",
        "valid_to": valid_to,
        "lines": [{"line": 1, "hs_code": "030617", "quantity": "6000", "unit": "KGM"}],
    }


def _register(engine: Engine, records: list[dict[str, object]]) -> None:
    content = "".join(json.dumps(r) + "\n" for r in records).encode()
    with Session(engine) as session:
        registry_store.load_sources(session, [("expiry.jsonl", content)], INSTANT)
        session.commit()


def test_expired_and_expiring_documents_are_announced_once_each(engine: Engine) -> None:
    clean_queue(engine)
    _register(
        engine,
        [
            _licence("L-EXPIRED", "2026-06-10"),
            _licence("L-SOON", "2026-07-01"),  # 16 days after 2026-06-15
            _licence("L-LATER", "2026-12-31"),
            _licence("L-REVOKED", "2026-06-01", status="revoked"),  # stopped counting before
            _certificate("C-EXPIRED", "2026-06-14"),
            _certificate("C-SOON", "2026-06-20"),
        ],
    )
    clock = MovableClock(INSTANT)  # 2026-06-15 10:00 in Shanghai
    app = Application(engine, Settings(expiry_warning_days=30), clock)
    assert run_slot(app, "expiry_sweep") is not None
    assert [e["number"] for e in events(engine, "licence_expired")] == ["L-EXPIRED"]
    assert [e["number"] for e in events(engine, "licence_expiring")] == ["L-SOON"]
    assert [e["number"] for e in events(engine, "certificate_expired")] == ["C-EXPIRED"]
    soon = events(engine, "certificate_expiring")
    assert [(e["number"], e["days_left"], e["party"]) for e in soon] == [("C-SOON", 5, HOLDER)]
    # The same slot does not run again; a later run announces nothing twice.
    assert run_slot(app, "expiry_sweep") is None
    again = housekeeping.expiry_sweep(app, LOCAL_OPERATOR)
    assert (again.licences_expired, again.licences_expiring) == (0, 0)
    # Days later: what was expiring has expired, announced once more as expired.
    clock.set(datetime(2026, 7, 2, 2, 0, tzinfo=UTC))
    assert run_slot(app, "expiry_sweep") is not None
    assert [e["number"] for e in events(engine, "licence_expired")] == ["L-EXPIRED", "L-SOON"]
    assert [e["number"] for e in events(engine, "certificate_expired")] == [
        "C-EXPIRED",
        "C-SOON",
    ]
    assert len(events(engine, "licence_expiring")) == 1
    # An agency extends L-SOON: its new end is announced when it nears.
    _register(engine, [_licence("L-SOON", "2026-07-20"), _licence("L-LATER", "2026-12-31")])
    done = housekeeping.expiry_sweep(app, LOCAL_OPERATOR)
    assert done.licences_expiring == 1
    assert events(engine, "licence_expiring")[-1]["valid_to"] == "2026-07-20"


def test_expiry_events_are_the_operators_only(engine: Engine) -> None:
    clean_queue(engine)
    _register(engine, [_licence("L-EXPIRED", "2026-06-10")])
    app = Application(engine, Settings(), FixedClock(INSTANT))
    housekeeping.expiry_sweep(app, LOCAL_OPERATOR)
    trader = Actor("T1", Role.TRADER, party_ids=frozenset({HOLDER}))
    assert "licence_expired" not in [e.kind for e in event_cases.pull(app, trader).events]
    assert "licence_expired" in [e.kind for e in event_cases.pull(app, LOCAL_OPERATOR).events]


# --- FX ----------------------------------------------------------------------------------


def test_fx_indicators_run_for_the_last_complete_month_and_write_nothing_twice(
    engine: Engine,
) -> None:
    clean_queue(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    first = housekeeping.fx_indicators(app, LOCAL_OPERATOR)
    assert first.period_to == "2026-05"
    assert run_slot(app, "fx_indicators") is not None
    assert run_slot(app, "fx_indicators") is None
    again = housekeeping.fx_indicators(app, LOCAL_OPERATOR)
    assert again.notices == 0
