"""FX monitoring use cases: import a bank feed, indicators, classification, one trader's record.

The FX authority (and the operator) import the banks' feeds and classify; officers read
classes as risk information; a trader or broker sees only its own
(:func:`clearance.app.access.visible_fx_trader`).
Clearance never blocks on a class. See docs/fx-monitoring.md.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from clearance.app.access import Permission, require, visible_fx_trader
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.documents import Document
from clearance.app.errors import NotFoundError, RefusedError
from clearance.app.fx_views import (
    ClassificationView,
    ClassifiedTraderView,
    ClassView,
    FeedFileView,
    FeedImportView,
    GoodsFeedView,
    ReasonView,
    TraderFxView,
    TraderIndicatorsView,
)
from clearance.fx import feeds, goods, goods_feed, monitoring, objections
from clearance.fx.bank_feed import BankFeedError
from clearance.fx.valuation import NoRatesError
from clearance.store.fx_tables import FxClass, FxFeedBatch
from core.clock import as_utc
from rules.fx import ClassDecision, FxPolicy, month_of, shipped_policy
from rules.fx.indicators import shift_months
from rules.working_days import CalendarError, installed_calendar


def import_bank_feed(app: Application, actor: Actor, document: Document) -> FeedImportView:
    """Import a bank receipt/payment feed (docs/fx-monitoring.md), all or nothing.

    The file is kept as received first (its own commit); then every row is checked and
    converted to USD at the official rate of its value date. ``RefusedError`` names every
    problem by line and column, and the stored file is marked refused with them. A row whose
    bank reference was imported before with the same content is left as it is.
    """
    require(actor, Permission.FX)
    with app.unit() as session:
        feed_id = feeds.receive(
            session, document.name, document.content, actor.subject, _now(app)
        ).id
    try:
        with app.unit() as session:
            synced = goods.sync_goods(session, _now(app))
            done = feeds.import_feed(session, feed_id)
    except (BankFeedError, NoRatesError, CalendarError) as exc:
        with app.unit() as session:
            feeds.refuse(session, feed_id, exc.message)
        raise RefusedError(f"{exc.message} (kept as bank feed {feed_id})") from exc
    return FeedImportView(
        feed_id=done.feed_id,
        filename=document.name,
        rows=done.rows,
        created=done.created,
        unchanged=done.unchanged,
        receipts=done.receipts,
        payments=done.payments,
        goods_added=synced.originals + synced.corrections + synced.cancellations,
        goods_unvalued=list(synced.unvalued),
    )


def indicators(
    app: Application, actor: Actor, month: date | None = None, trader: str | None = None
) -> list[TraderIndicatorsView]:
    """Every trader's indicators (or one's) for the window ending ``month`` (default: the last
    complete month), after bringing the goods side up to date."""
    require(actor, Permission.FX)
    policy = shipped_policy()
    last = month_of(month) if month is not None else _last_month(app)
    with app.unit() as session:
        try:
            goods.sync_goods(session, _now(app))
            flows = monitoring.load_flows(
                session,
                monitoring.first_month_needed(last, policy),
                last,
                policy,
                installed_calendar(policy.calendar, app.settings.calendars_dir),
                trader,
            )
        except (NoRatesError, CalendarError) as exc:
            raise RefusedError(exc.message) from exc
        return [
            _indicators_view(
                f, monitoring.indicators_json(monitoring.indicators_of(f, last, policy))
            )
            for f in sorted(flows.values(), key=lambda f: f.trader)
        ]


def classify(app: Application, actor: Actor, month: date | None = None) -> ClassificationView:
    """Classify every trader with flows in the window ending ``month`` (default: the last
    complete month) on today's date, appending a notice for each new or changed class.

    A B or C class in force is never lifted before it ends; a trader whose B or C class is in
    force and who has no flows in the window keeps it (nothing is written for it). A class
    given on a granted objection is not raised on figures no stricter than the class objected
    to until that class's term ends (:mod:`clearance.app.fx_objections`).
    """
    require(actor, Permission.FX)
    policy = shipped_policy()
    last = month_of(month) if month is not None else _last_month(app)
    day = today(app)
    results: list[ClassifiedTraderView] = []
    with app.unit() as session:
        try:
            synced = goods.sync_goods(session, _now(app))
            calendar = installed_calendar(policy.calendar, app.settings.calendars_dir)
            flows = monitoring.load_flows(
                session, monitoring.first_month_needed(last, policy), last, policy, calendar
            )
            current = monitoring.current_classes(session)
            # A class given on a granted objection is not raised again on the figures the
            # authority ruled on (rules.fx.Ruling).
            ruled = objections.rulings(session)
            for trader in sorted(flows):
                row = current.get(trader)
                found, decision = monitoring.classify_trader(
                    flows[trader],
                    row,
                    last,
                    day,
                    policy,
                    calendar,
                    None if row is None else ruled.get(row.id),
                )
                if decision.changed:
                    monitoring.record_class(
                        session, trader, decision, found, policy, _now(app), actor.subject
                    )
                results.append(_classified(trader, decision))
        except (NoRatesError, CalendarError) as exc:
            raise RefusedError(exc.message) from exc
    counts = {g: sum(r.grade == g for r in results) for g in "ABC"}
    return ClassificationView(
        period_to=last.strftime("%Y-%m"),
        as_of=day.isoformat(),
        policy_version=_version(policy),
        traders=results,
        counts=counts,
        notices=sum(r.changed for r in results),
        goods_unvalued=list(synced.unvalued),
    )


def show(app: Application, actor: Actor, trader: str, month: date | None = None) -> TraderFxView:
    """A trader's class in force, history and indicators; ``NotFoundError`` for a trader the
    actor may not see (a trader sees only itself) or one never monitored."""
    visible_fx_trader(actor, trader)
    policy = shipped_policy()
    last = month_of(month) if month is not None else _last_month(app)
    with app.read() as session:
        history = [class_view(r) for r in monitoring.class_history(session, trader)]
        try:
            flows = monitoring.load_flows(
                session,
                monitoring.first_month_needed(last, policy),
                last,
                policy,
                installed_calendar(policy.calendar, app.settings.calendars_dir),
                trader,
            ).get(trader)
        except (NoRatesError, CalendarError) as exc:
            raise RefusedError(exc.message) from exc
    if not history and flows is None:
        # Worded as for a trader the actor may not see.
        raise NotFoundError(f"no FX monitoring record for trader {trader}")
    shown = None
    if flows is not None:
        shown = _indicators_view(
            flows, monitoring.indicators_json(monitoring.indicators_of(flows, last, policy))
        )
    return TraderFxView(
        trader=trader, current=history[0] if history else None, history=history, indicators=shown
    )


def export_goods_feed(app: Application, actor: Actor) -> GoodsFeedView:
    """Claim every goods row not sent yet into a new feed batch for the FX authority.

    One unit of work brings the goods side up to date, claims the rows and keeps the files
    with their control record: no row is ever sent twice, and a front door that fails to write
    the files writes them again from the store (:func:`goods_feed`).
    """
    require(actor, Permission.FX)
    with app.unit() as session:
        try:
            goods.sync_goods(session, _now(app))
        except NoRatesError as exc:
            raise RefusedError(exc.message) from exc
        return _feed_view(goods_feed.export_feed(session, _now(app)))


def goods_feed_batch(app: Application, actor: Actor, reference: str) -> GoodsFeedView:
    """Goods feed batch ``reference`` as sent (to write its files again)."""
    require(actor, Permission.FX)
    with app.read() as session:
        batch = goods_feed.find_feed(session, reference)
        if batch is None:
            raise NotFoundError(f"no goods feed {reference}")
        return _feed_view(batch)


def _feed_view(batch: FxFeedBatch) -> GoodsFeedView:
    return GoodsFeedView(
        reference=batch.reference,
        records=batch.record_count,
        originals=batch.originals,
        corrections=batch.corrections,
        cancellations=batch.cancellations,
        value_cny_total=f"{batch.cny_total:.2f}",
        value_usd_total=f"{batch.usd_total:.2f}",
        data_sha256=batch.sha256,
        created_at=as_utc(batch.created_at).isoformat(),
        files=[FeedFileView(name=f.name, content=f.content) for f in goods_feed.files_of(batch)],
    )


def _indicators_view(
    flows: monitoring.TraderFlows, data: dict[str, object]
) -> TraderIndicatorsView:
    return TraderIndicatorsView(trader=flows.trader, district_office=flows.office, indicators=data)


def _classified(trader: str, d: ClassDecision) -> ClassifiedTraderView:
    return ClassifiedTraderView(
        trader=trader,
        grade=d.grade.value,
        computed=d.computed.value,
        changed=d.changed,
        valid_until=None if d.valid_until is None else d.valid_until.isoformat(),
        objection_deadline=None
        if d.objection_deadline is None
        else d.objection_deadline.isoformat(),
        reasons=[ReasonView(code=r.code, text=r.text) for r in d.reasons],
    )


def class_view(row: FxClass) -> ClassView:
    """A class notice as shown (also in an objection's view)."""
    return ClassView(
        trader=row.trader,
        grade=row.grade,
        valid_from=row.valid_from.isoformat(),
        valid_until=None if row.valid_until is None else row.valid_until.isoformat(),
        objection_deadline=None
        if row.objection_deadline is None
        else row.objection_deadline.isoformat(),
        reasons=[ReasonView(**r) for r in json.loads(row.reasons)],
        indicators=json.loads(row.indicators),
        policy_version=row.policy_version,
        classified_at=as_utc(row.classified_at).isoformat(),
    )


def _version(policy: FxPolicy) -> str:
    return f"{policy.id}@{policy.version}"


def _now(app: Application) -> datetime:
    return app.clock.now()


def today(app: Application) -> date:
    """Today in ``CUSTOMS_TIMEZONE``: the date of notices and of objection deadlines."""
    return app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()


def _last_month(app: Application) -> date:
    """The last complete month before today."""
    return shift_months(month_of(today(app)), -1)
