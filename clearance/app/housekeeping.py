"""Scheduled housekeeping: the use cases the schedule runs (``clearance/app/scheduler.py``).

Each is idempotent for its slot and beyond: run twice, the second run finds the work done
(statistics follow a cursor, quota heads and announcements are made once, rebate records
move to ``transmitted`` with their batch, FX classes are written only when they change,
archived messages are no longer due). Each needs :attr:`Permission.HOUSEKEEPING` (the
operator, and the scheduler acting as it); ``customs jobs --run NAME`` runs one by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clearance.app import fx, statistics
from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.views import View
from clearance.assessment import tariff_store
from clearance.decisions import expiry
from clearance.ledgers import quota_periods, recompute
from clearance.lifecycle import retention
from clearance.rebates import scheduled as scheduled_rebates
from core.logs import get_logger
from rules.ledger import Holding

log = get_logger("clearance.housekeeping")


class StatisticsRefreshed(View):
    """What the scheduled statistics refresh counted."""

    declarations: int
    counted: int
    revised: int
    withdrawn: int
    cursor: int


class QuotasRolledOver(View):
    """Quota periods opened and closed by this run."""

    on: str
    opened: list[str]
    closed: list[str]


class ExpirySwept(View):
    """Announcements made by this run of the expiry sweep."""

    on: str
    licences_expired: int
    licences_expiring: int
    certificates_expired: int
    certificates_expiring: int


class RebateBatchRun(View):
    """The batch built by this run (if any) and the batches whose files were written."""

    up_to: str | None
    built: str | None
    records: int
    written: list[str]


class FxRecomputed(View):
    """The month classified, traders seen and class notices written."""

    period_to: str
    traders: int
    notices: int


class RawRetained(View):
    """What this run moved into archives."""

    cutoff: str | None
    archives: list[str]
    messages: int
    bytes: int


class LedgerDrift(View):
    """One ledger whose running balance is not the sum of its entries (stored vs summed)."""

    key: str
    stored: dict[str, str]
    recomputed: dict[str, str]


class LedgerBalancesChecked(View):
    """The ledgers whose running balance drifted from their entries, and whether repaired."""

    drifted: list[LedgerDrift]
    repaired: bool


def ledger_balances_check(
    app: Application, actor: Actor, repair: bool = False
) -> LedgerBalancesChecked:
    """Recompute every ledger's balance from its entries; name the heads that differ.

    With ``repair`` the heads that differ are set back to their entries' sums (the entries are
    the record), each under its row lock.
    """
    require(actor, Permission.HOUSEKEEPING)
    with app.read() as session:
        found = recompute.drifts(session)
    if repair and found:
        with app.unit() as session:
            found = recompute.repair(session, [d.key for d in found])
    drifted = [
        LedgerDrift(key=d.key, stored=_figures(d.stored), recomputed=_figures(d.recomputed))
        for d in found
    ]
    return LedgerBalancesChecked(drifted=drifted, repaired=repair and bool(found))


def _figures(holding: Holding) -> dict[str, str]:
    return {
        "reserved": _fmt(holding.reserved),
        "consumed": _fmt(holding.consumed),
        "reserved_uses": str(holding.reserved_uses),
        "consumed_uses": str(holding.consumed_uses),
    }


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def statistics_refresh(app: Application, actor: Actor) -> StatisticsRefreshed:
    """Bring what the event log released, amended or invalidated into the statistics."""
    require(actor, Permission.HOUSEKEEPING)
    done = statistics.refresh(app, actor)
    return StatisticsRefreshed(
        declarations=done.declarations,
        counted=done.counted,
        revised=done.revised,
        withdrawn=done.withdrawn,
        cursor=done.cursor,
    )


def quota_rollover(app: Application, actor: Actor) -> QuotasRolledOver:
    """Open today's tariff-quota periods (full volume) and close the ended ones, once each."""
    require(actor, Permission.HOUSEKEEPING)
    today = _today(app)
    with app.unit() as session:
        schedules = tariff_store.latest_of_each_regime(session)
        quotas = [q for schedule in schedules for q in schedule.quotas.values()]
        done = quota_periods.roll_over(session, quotas, today, app.clock.now())
    return QuotasRolledOver(
        on=today.isoformat(), opened=list(done.opened), closed=list(done.closed)
    )


def expiry_sweep(app: Application, actor: Actor) -> ExpirySwept:
    """Announce licences and certificates that expired, or end within the warning window."""
    require(actor, Permission.HOUSEKEEPING)
    today = _today(app)
    with app.unit() as session:
        done = expiry.sweep(session, today, app.settings.expiry_warning_days, app.clock.now())
    return ExpirySwept(
        on=today.isoformat(),
        licences_expired=done.licences_expired,
        licences_expiring=done.licences_expiring,
        certificates_expired=done.certificates_expired,
        certificates_expiring=done.certificates_expiring,
    )


def rebate_batch(app: Application, actor: Actor) -> RebateBatchRun:
    """Batch the confirmed rebate records exported up to yesterday; write unwritten batches.

    Does nothing without ``CUSTOMS_REBATE_BATCH_DIR`` (``customs rebates export`` still works).
    """
    require(actor, Permission.HOUSEKEEPING)
    directory = app.settings.rebate_batch_dir
    if directory is None:
        log.info("no CUSTOMS_REBATE_BATCH_DIR: no scheduled rebate batch")
        return RebateBatchRun(up_to=None, built=None, records=0, written=[])
    up_to = _today(app) - timedelta(days=1)
    with app.unit() as session:
        built = scheduled_rebates.build(session, up_to, app.clock.now())
    written = []
    with app.read() as session:
        pending = scheduled_rebates.unwritten(session)
    for reference in pending:  # one unit each: a batch written is recorded at once
        with app.unit() as session:
            scheduled_rebates.write(session, reference, directory, app.clock.now())
        written.append(reference)
    return RebateBatchRun(
        up_to=up_to.isoformat(),
        built=built.reference if built else None,
        records=built.records if built else 0,
        written=written,
    )


def fx_indicators(app: Application, actor: Actor) -> FxRecomputed:
    """Recompute every trader's FX indicators and class for the last complete month."""
    require(actor, Permission.HOUSEKEEPING)
    done = fx.classify(app, actor)
    return FxRecomputed(period_to=done.period_to, traders=len(done.traders), notices=done.notices)


def raw_retention(app: Application, actor: Actor) -> RawRetained:
    """Move the bytes of finished raw messages older than the retention period into archives.

    Does nothing without ``CUSTOMS_ARCHIVE_ROOT``. Each batch is its own zip and unit of work,
    recorded only after the zip is read back and every member's sha256 checked.
    """
    require(actor, Permission.HOUSEKEEPING)
    root = app.settings.archive_root
    if root is None:
        log.info("no CUSTOMS_ARCHIVE_ROOT: raw messages are not archived")
        return RawRetained(cutoff=None, archives=[], messages=0, bytes=0)
    cutoff = years_before(app.clock.now(), app.settings.raw_retention_years)
    archives, messages, size = [], 0, 0
    while True:
        with app.read() as session:
            batch = retention.due(session, cutoff, app.settings.retention_batch)
        if not batch:
            break
        written = retention.write(root, batch)
        with app.unit() as session:
            messages += retention.record(session, written, app.clock.now())
        archives.append(written.path)
        size += sum(len(d.raw) for d in batch)
    return RawRetained(cutoff=cutoff.isoformat(), archives=archives, messages=messages, bytes=size)


def years_before(now: datetime, years: int) -> datetime:
    """``now`` less ``years`` calendar years (29 February falls back to the 28th)."""
    now = now.astimezone(UTC)
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def _today(app: Application) -> date:
    return app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
