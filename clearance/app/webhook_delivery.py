"""Webhook delivery: new events fanned out to the endpoints, due deliveries posted, signed.

A scheduled job (``webhook_delivery``, every ``CUSTOMS_SCHEDULE_WEBHOOK_SECONDS``; on
PostgreSQL a worker runs it from the queue) and ``customs webhooks deliver`` call
:func:`deliver`. It never runs inside intake's transaction and intake never waits for it: it
reads the event log after intake committed, and it posts with no transaction open, so a
receiver that hangs holds up nothing but its own delivery (for at most the timeout).

1. **Fan-out.** For each active endpoint, the events after its cursor that its owner may see,
   read through :func:`clearance.app.events.pull`: the very filter of ``GET /v1/events``, as
   the owner, so an endpoint never receives an event its owner could not read. Each becomes
   one delivery (unique per endpoint and event) with its body fixed; the cursor moves on in
   the same transaction.
2. **Claim.** Due deliveries are leased (their next attempt pushed past the run's end) in a
   short transaction, so a second run at the same time (a ``deliver`` from the command line
   while the scheduler's runs) does not post them too.
3. **Post**, a few at a time, outside any transaction, with the Standard Webhooks headers.
4. **Record.** 2xx: delivered. 410 Gone: the endpoint is disabled and its pending deliveries
   cancelled. Anything else (an error status, a timeout, a refused connection, an address no
   longer allowed): tried again after the next wait of :mod:`clearance.webhooks.backoff`;
   after the last one (about three days) the delivery has failed and the endpoint is
   disabled, as the receiver has been away for days.

Delivery is at least once: a run that dies after posting and before recording posts again
once the lease ends; the ``webhook-id`` header lets the receiver drop the repeat.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clearance.app import events
from clearance.app.actor import Actor, Role
from clearance.app.context import Application
from clearance.app.errors import NotPermittedError
from clearance.app.identity import actor_of, local_today
from clearance.app.monitoring import WEBHOOK_DELIVERIES, WEBHOOK_DISABLED, WEBHOOK_SECONDS
from clearance.app.views import LogEvent
from clearance.app.webhook_views import WebhookRun
from clearance.app.webhooks import ACTIVE, DISABLED, secret_box, target_policy
from clearance.store.identity_tables import Subject
from clearance.store.tables import Event
from clearance.store.webhook_tables import WebhookDelivery, WebhookEndpoint
from clearance.webhooks import backoff, posting, sealing, signing, targets
from core.logs import get_logger

log = get_logger("clearance.webhooks")
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
CANCELLED = "cancelled"
#: Events read per page and per endpoint in one run's fan-out (the rest in the next run).
FAN_OUT_PAGE = 500
FAN_OUT_PAGES_PER_RUN = 20
#: Deliveries posted at the same time in one run (one slow receiver does not stall others).
CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class _Job:
    """A claimed delivery with what posting it needs."""

    delivery_id: int
    endpoint_id: int
    attempts: int
    message_id: str
    payload: bytes
    url: str
    secret: str | None
    problem: str | None  # why it cannot be posted (a secret that does not open)


@dataclass(frozen=True, slots=True)
class _Result:
    job: _Job
    attempt: posting.Attempt


def deliver(app: Application, actor: Actor) -> WebhookRun:
    """Fan out new events, then post the deliveries that are due (a scheduled job's body)."""
    if actor.role is not Role.OPERATOR:
        raise NotPermittedError("only the operator's scheduler runs webhook deliveries")
    queued = fan_out(app)
    if app.settings.webhook_secret_key is None:
        return WebhookRun(queued=queued, delivered=0, retrying=0, failed=0, endpoints_disabled=0)
    jobs = _claim(app)
    results = _post_all(app, jobs)
    run = _record(app, results)
    run = run.model_copy(update={"queued": queued})
    if jobs:
        log.info("webhooks delivered", **run.as_json())
    return run


def fan_out(app: Application) -> int:
    """Turn the events each active endpoint's owner may see into deliveries; how many."""
    with app.read() as session:
        endpoints = list(
            session.execute(
                select(
                    WebhookEndpoint.id,
                    WebhookEndpoint.owner_subject,
                    WebhookEndpoint.owner_role,
                    WebhookEndpoint.event_types,
                    WebhookEndpoint.event_cursor,
                )
                .where(WebhookEndpoint.status == ACTIVE)
                .order_by(WebhookEndpoint.id)
            )
        )
    made = 0
    for endpoint_id, owner, owner_role, kinds_json, cursor in endpoints:
        owner_actor = _owner(app, owner, owner_role)
        if owner_actor is None:
            # A subject removed or disabled receives nothing more, not even what is pending.
            with app.unit() as session:
                _disable(session, endpoint_id, "its owner is disabled or removed", app.clock.now())
            continue
        kinds = frozenset(json.loads(kinds_json))
        for _ in range(FAN_OUT_PAGES_PER_RUN):
            with app.read() as session:
                # Ids are given in commit order: every event up to this one is committed
                # already, so the page read next sees all of them.
                newest = session.scalar(select(func.max(Event.id))) or 0
            try:
                page = events.pull(app, owner_actor, after=cursor, limit=FAN_OUT_PAGE)
            except NotPermittedError:
                break  # a role that may not read events receives none
            full = len(page.events) == FAN_OUT_PAGE
            # A short page saw every event up to ``newest``: the cursor may pass the ones
            # the owner may not see, so they are not read again at every run.
            next_cursor = page.next_cursor if full else max(page.next_cursor, newest, cursor)
            chosen = [e for e in page.events if not kinds or e.kind in kinds]
            if not _advance(app, endpoint_id, cursor, next_cursor, chosen):
                break  # another run moved this endpoint's cursor: it does this part
            made += len(chosen)
            cursor = next_cursor
            if not full:
                break
    return made


def _owner(app: Application, owner: str, owner_role: str) -> Actor | None:
    """Who the endpoint's events are read as: its owner as it is today."""
    with app.read() as session:
        subject = session.get(Subject, owner)
        if subject is not None:
            return None if subject.disabled else actor_of(session, subject, local_today(app))
    if owner_role == Role.OPERATOR.value:
        return Actor.local(owner)  # the local command line's endpoints
    return None


def _advance(
    app: Application, endpoint_id: int, cursor: int, next_cursor: int, chosen: list[LogEvent]
) -> bool:
    """Store the page's deliveries and move the cursor, if nobody moved it meanwhile."""
    now = app.clock.now()
    with app.unit() as session:
        result = session.execute(
            update(WebhookEndpoint)
            .where(
                WebhookEndpoint.id == endpoint_id,
                WebhookEndpoint.event_cursor == cursor,
                WebhookEndpoint.status == ACTIVE,
            )
            .values(event_cursor=next_cursor)
        )
        if int(result.rowcount or 0) != 1:  # type: ignore[attr-defined]
            return False
        for event in chosen:
            session.add(
                WebhookDelivery(
                    endpoint_id=endpoint_id,
                    event_id=event.id,
                    message_id=f"evt_{event.id}",
                    event_type=event.kind,
                    payload=payload_of(event),
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return True


def payload_of(event: LogEvent) -> str:
    """The body posted for ``event``: the Standard Webhooks shape (type, timestamp, data),
    with the event as ``GET /v1/events`` shows it as data."""
    body = {"type": event.kind, "timestamp": event.occurred_at, "data": event.as_json()}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _claim(app: Application) -> list[_Job]:
    """Lease the due deliveries of active endpoints; open their secrets."""
    now = app.clock.now()
    # Long enough for the whole run's posts even if each one used its three timeouts
    # (connect, send, answer): a concurrent run must not take a delivery still in flight.
    rounds = -(-app.settings.webhook_batch // CONCURRENCY)
    lease = now + timedelta(seconds=rounds * app.settings.webhook_timeout_seconds * 3 + 60)
    box = secret_box(app)
    with app.unit() as session:
        query = (
            select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                WebhookEndpoint.status == ACTIVE,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(app.settings.webhook_batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=WebhookDelivery, skip_locked=True)
        jobs = []
        secrets: dict[int, tuple[str | None, str | None]] = {}
        for delivery, endpoint in session.execute(query).all():
            delivery.next_attempt_at = lease
            if endpoint.id not in secrets:
                secrets[endpoint.id] = _open(box, endpoint)
            secret, problem = secrets[endpoint.id]
            jobs.append(
                _Job(
                    delivery_id=delivery.id,
                    endpoint_id=endpoint.id,
                    attempts=delivery.attempts,
                    message_id=delivery.message_id,
                    payload=delivery.payload.encode("utf-8"),
                    url=endpoint.url,
                    secret=secret,
                    problem=problem,
                )
            )
    return jobs


def _open(box: sealing.SecretBox, endpoint: WebhookEndpoint) -> tuple[str | None, str | None]:
    try:
        return box.open(endpoint.secret_sealed, endpoint.public_id), None
    except sealing.UnsealError as exc:
        return None, f"{exc.message} (rotate the endpoint's secret)"


def _post_all(app: Application, jobs: list[_Job]) -> list[_Result]:
    if not jobs:
        return []
    policy = target_policy(app)
    # Checked again at each run, once per URL: the name may resolve elsewhere than at
    # registration, and the settings may have changed.
    checked: dict[str, targets.Target | str] = {}
    for url in {job.url for job in jobs}:
        try:
            checked[url] = targets.resolve_target(url, policy)
        except targets.TargetRefusedError as exc:
            checked[url] = exc.message
    with posting.new_client(app.settings.webhook_timeout_seconds) as client:

        def one(job: _Job) -> _Result:
            if job.secret is None:
                return _Result(job, posting.Attempt(None, job.problem, 0.0))
            target = checked[job.url]
            if isinstance(target, str):
                return _Result(job, posting.Attempt(None, target, 0.0))
            # Stamped when sent, not when the run began: receivers refuse stale timestamps.
            timestamp = int(app.clock.now().timestamp())
            headers = signing.headers(job.secret, job.message_id, timestamp, job.payload)
            return _Result(job, posting.post(client, target, headers, job.payload))

        with ThreadPoolExecutor(max_workers=min(CONCURRENCY, len(jobs))) as pool:
            return list(pool.map(one, jobs))


def _record(app: Application, results: list[_Result]) -> WebhookRun:
    """Write how each attempt ended; disable endpoints that are gone or gave up."""
    delivered = retrying = failed = 0
    disable: dict[int, str] = {}
    now = app.clock.now()
    with app.unit() as session:
        ids = [result.job.delivery_id for result in results]
        rows = {
            row.id: row
            for row in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
        }
        for result in results:
            row = rows.get(result.job.delivery_id)
            if row is None or row.status != PENDING:
                continue  # the endpoint was removed or disabled meanwhile
            attempt = result.attempt
            WEBHOOK_SECONDS.observe(attempt.seconds)
            row.attempts += 1
            row.last_attempt_at = now
            row.last_status_code = attempt.status
            row.last_error = None if attempt.error is None else attempt.error[:2000]
            if attempt.delivered:
                row.status, row.delivered_at, row.next_attempt_at = DELIVERED, now, None
                delivered += 1
                WEBHOOK_DELIVERIES.labels("delivered").inc()
                continue
            if attempt.gone:
                row.status, row.next_attempt_at = FAILED, None
                disable[row.endpoint_id] = "the receiver answered 410 Gone"
                failed += 1
                WEBHOOK_DELIVERIES.labels("gone").inc()
                continue
            wait = backoff.retry_after(row.attempts)
            if wait is None:
                row.status, row.next_attempt_at = FAILED, None
                disable.setdefault(
                    row.endpoint_id,
                    f"every attempt failed for {backoff.total_span()} (last: {row.last_error})",
                )
                failed += 1
                WEBHOOK_DELIVERIES.labels("failed").inc()
                continue
            row.next_attempt_at = now + wait
            retrying += 1
            WEBHOOK_DELIVERIES.labels("retrying").inc()
            log.warning(
                "webhook delivery failed",
                delivery_id=row.id,
                attempts=row.attempts,
                retry_in_seconds=wait.total_seconds(),
                error=row.last_error,
            )
        for endpoint_id, reason in disable.items():
            _disable(session, endpoint_id, reason, now)
    return WebhookRun(
        queued=0,
        delivered=delivered,
        retrying=retrying,
        failed=failed,
        endpoints_disabled=len(disable),
    )


def _disable(session: Session, endpoint_id: int, reason: str, now: datetime) -> None:
    """Disable an endpoint and cancel what it still had pending (nothing more is sent)."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.status == DISABLED:
        return
    endpoint.status, endpoint.disabled_reason, endpoint.disabled_at = DISABLED, reason, now
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == PENDING)
        .values(status=CANCELLED, next_attempt_at=None)
    )
    WEBHOOK_DISABLED.inc()
    log.warning("webhook endpoint disabled", endpoint=endpoint.public_id, reason=reason)
