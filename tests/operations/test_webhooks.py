"""Webhooks end to end through the application layer, against a receiver on 127.0.0.1, on
SQLite and PostgreSQL: signed deliveries, retries at the backoff times (a clock the test
moves, no sleeping), 410 and exhaustion disable, timeouts, tenancy, SSRF, intake never held."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from clearance.app import LOCAL_OPERATOR, Actor, Application, Role, subjects, webhooks
from clearance.app import webhook_delivery as delivery
from clearance.app.errors import NotFoundError, NotPermittedError, RefusedError
from clearance.app.identity import act_as
from clearance.app.messages import Interchange, submit
from clearance.app.scheduler import run_scheduled, scheduled_job
from clearance.app.subjects import NewSubject
from clearance.scheduling import slots
from clearance.scheduling.slots import slot_of
from clearance.webhooks import backoff, sealing
from core.settings import Settings
from tests.golden_support import SAMPLES
from tests.operations.support import empty_queue
from tests.operations.test_mailbox_outbox import MovingClock
from tests.operations.webhook_support import receiver

pytestmark = pytest.mark.db

KEY = sealing.new_key_setting()
SAMPLE = (SAMPLES / "01-import-d96b.edi").read_bytes()


def settings(**changes: object) -> Settings:
    """Webhooks on, and a receiver on loopback over http allowed (as the tests need)."""
    values: dict[str, object] = {
        "webhook_secret_key": KEY,
        "webhook_allow_http": True,
        "webhook_allowed_networks": ["127.0.0.0/8"],
        "webhook_timeout_seconds": 2.0,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def moving_clock() -> MovingClock:
    from tests.conftest import GOLDEN_INSTANT

    return MovingClock(GOLDEN_INSTANT)


@pytest.fixture
def app(engine: Engine, moving_clock: MovingClock) -> Application:
    if engine.dialect.name == "postgresql":
        empty_queue(engine)
    app = Application(engine, settings(), moving_clock)
    for new in (
        NewSubject("broker-01", "Broker 01", Role.BROKER, party_ids=["edi:BROKER01"]),
        NewSubject("broker-02", "Broker 02", Role.BROKER, party_ids=["edi:BROKER02"]),
        NewSubject("agency-01", "Licence office", Role.AGENCY, issuers=["MOFCOM"]),
    ):
        subjects.add_subject(app, LOCAL_OPERATOR, new)
    return app


def actor(app: Application, subject: str) -> Actor:
    return act_as(app, LOCAL_OPERATOR, subject)


def send(app: Application, sender: str = "BROKER01", reference: str = "IC0000001") -> None:
    """``sender`` submits the sample interchange under its own envelope."""
    raw = SAMPLE.replace(b"BROKER01", sender.encode()).replace(b"IC0000001", reference.encode())
    submit(app, actor(app, f"broker-0{sender[-1]}"), Interchange(raw, filename="x.edi"))


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check, recomputed here with hmac (not with the project's code)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(headers["webhook-signature"], expected)


def statuses(app: Application, who: Actor, endpoint_id: str) -> list[tuple[str, int]]:
    rows = webhooks.deliveries(app, who, endpoint_id)
    return [(d.status, d.attempts) for d in reversed(rows)]


def test_events_are_delivered_once_signed_as_the_convention_says(app: Application) -> None:
    broker = actor(app, "broker-01")
    with receiver() as hook:
        created = webhooks.register(app, broker, hook.url)
        send(app)
        run = delivery.deliver(app, LOCAL_OPERATOR)
        again = delivery.deliver(app, LOCAL_OPERATOR)
    assert run.queued == run.delivered == len(hook.received) >= 3
    assert (again.queued, again.delivered) == (0, 0)  # once
    kinds = []
    for got in sorted(hook.received, key=lambda r: int(json.loads(r.body)["data"]["id"])):
        assert verify(created.secret, got.headers, got.body)
        assert got.headers["webhook-timestamp"] == str(int(app.clock.now().timestamp()))
        assert got.path == "/hooks"
        body = json.loads(got.body)
        assert got.headers["webhook-id"] == f"evt_{body['data']['id']}"
        kinds.append(body["type"])
    assert kinds[:2] == ["received", "syntax_accepted"]
    assert {s for s, _ in statuses(app, broker, created.endpoint.id)} == {"delivered"}


def test_events_before_registration_are_not_sent_and_kinds_filter(app: Application) -> None:
    send(app)  # before any endpoint
    broker = actor(app, "broker-01")
    with receiver() as hook:
        webhooks.register(app, broker, hook.url, event_types=["registered"])
        send(app, reference="IC0000002")
        delivery.deliver(app, LOCAL_OPERATOR)
    kinds = {json.loads(r.body)["type"] for r in hook.received}
    assert kinds == {"registered"}
    assert all(json.loads(r.body)["data"]["id"] > 3 for r in hook.received)


def test_a_trader_endpoint_never_receives_another_traders_events(app: Application) -> None:
    one, two = actor(app, "broker-01"), actor(app, "broker-02")
    with receiver() as hook_one, receiver() as hook_two:
        webhooks.register(app, one, hook_one.url)
        webhooks.register(app, two, hook_two.url)
        send(app, "BROKER01", "IC0000001")
        send(app, "BROKER02", "IC0000002")
        delivery.deliver(app, LOCAL_OPERATOR)
    seen_one = {json.loads(r.body)["data"]["id"] for r in hook_one.received}
    seen_two = {json.loads(r.body)["data"]["id"] for r in hook_two.received}
    assert seen_one and seen_two and not seen_one & seen_two
    # Exactly what GET /v1/events shows each of them.
    from clearance.app import events

    assert seen_one == {e.id for e in events.pull(app, one).events}
    assert seen_two == {e.id for e in events.pull(app, two).events}


def test_another_subjects_endpoint_does_not_exist_for_it(app: Application) -> None:
    one, two = actor(app, "broker-01"), actor(app, "broker-02")
    mine = webhooks.register(app, one, "http://127.0.0.1:9/hooks").endpoint.id
    for call in (
        lambda: webhooks.show(app, two, mine),
        lambda: webhooks.remove(app, two, mine),
        lambda: webhooks.rotate_secret(app, two, mine),
        lambda: webhooks.deliveries(app, two, mine),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert webhooks.list_endpoints(app, two) == []
    assert [e.id for e in webhooks.list_endpoints(app, one)] == [mine]
    assert [e.id for e in webhooks.list_endpoints(app, LOCAL_OPERATOR)] == [mine]
    with pytest.raises(NotPermittedError):
        webhooks.register(app, actor(app, "agency-01"), "http://127.0.0.1:9/x")
    with pytest.raises(NotPermittedError):
        delivery.deliver(app, one)  # only the operator's scheduler runs deliveries


def test_a_failing_receiver_is_retried_at_the_backoff_times_then_disabled(
    app: Application, moving_clock: MovingClock
) -> None:
    broker = actor(app, "broker-01")
    with receiver(status=500) as hook:
        endpoint = webhooks.register(app, broker, hook.url, event_types=["received"]).endpoint
        send(app)
        delivery.deliver(app, LOCAL_OPERATOR)
        assert len(hook.received) == 1
        (row,) = webhooks.deliveries(app, broker, endpoint.id)
        assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
        for attempt, wait in enumerate(backoff.RETRY_DELAYS, start=2):
            moving_clock.advance(wait.total_seconds() - 1)
            delivery.deliver(app, LOCAL_OPERATOR)
            assert len(hook.received) == attempt - 1, f"attempt {attempt} came early"
            moving_clock.advance(1)
            delivery.deliver(app, LOCAL_OPERATOR)
            assert len(hook.received) == attempt, f"attempt {attempt} did not come"
        moving_clock.advance(timedelta(days=30).total_seconds())
        delivery.deliver(app, LOCAL_OPERATOR)
        assert len(hook.received) == backoff.MAX_ATTEMPTS  # never again
    ids = {r.headers["webhook-id"] for r in hook.received}
    assert len(ids) == 1  # the same webhook-id on every retry
    (row,) = webhooks.deliveries(app, broker, endpoint.id)
    assert (row.status, row.attempts) == ("failed", backoff.MAX_ATTEMPTS)
    shown = webhooks.show(app, broker, endpoint.id)
    assert shown.status == "disabled"
    assert "every attempt failed" in (shown.disabled_reason or "")


def test_410_gone_disables_the_endpoint_and_cancels_what_is_pending(app: Application) -> None:
    broker = actor(app, "broker-01")
    with receiver(statuses=[500, 410], status=204) as hook:
        endpoint = webhooks.register(app, broker, hook.url).endpoint
        # One at a time, so the 410 comes on the second delivery while others wait.
        app.settings.webhook_batch = 1
        send(app)
        delivery.deliver(app, LOCAL_OPERATOR)  # 500: pending, retried in 5 s
        delivery.deliver(app, LOCAL_OPERATOR)  # the next one: 410
        delivery.deliver(app, LOCAL_OPERATOR)
    assert len(hook.received) == 2
    shown = webhooks.show(app, broker, endpoint.id)
    assert (shown.status, shown.disabled_reason) == ("disabled", "the receiver answered 410 Gone")
    states = [s for s, _ in statuses(app, broker, endpoint.id)]
    assert states[:2] == ["cancelled", "failed"] and set(states[2:]) == {"cancelled"}
    send(app, reference="IC0000002")
    assert delivery.deliver(app, LOCAL_OPERATOR).queued == 0  # a disabled endpoint gets nothing


def test_a_receiver_that_times_out_is_tried_again(
    app: Application, moving_clock: MovingClock
) -> None:
    app.settings.webhook_timeout_seconds = 0.3
    broker = actor(app, "broker-01")
    with receiver(hang_seconds=5) as hook:
        endpoint = webhooks.register(app, broker, hook.url, event_types=["received"]).endpoint
        send(app)
        started = time.monotonic()
        run = delivery.deliver(app, LOCAL_OPERATOR)
        assert time.monotonic() - started < 3
        assert (run.delivered, run.retrying) == (0, 1)
        (row,) = webhooks.deliveries(app, broker, endpoint.id)
        assert row.status == "pending" and (row.last_error or "").startswith("timeout")
        assert row.next_attempt_at == (moving_clock.now() + timedelta(seconds=5)).isoformat()
        hook.hang_seconds = 0
        moving_clock.advance(5)
        assert delivery.deliver(app, LOCAL_OPERATOR).delivered == 1


def test_intake_is_never_held_by_a_receiver_that_hangs(app: Application) -> None:
    app.settings.webhook_timeout_seconds = 5.0
    broker = actor(app, "broker-01")
    with receiver(hang_seconds=8) as hook:
        webhooks.register(app, broker, hook.url)
        send(app)
        runner = threading.Thread(target=delivery.deliver, args=(app, LOCAL_OPERATOR))
        runner.start()
        try:
            deadline = time.monotonic() + 5
            while not hook.received and time.monotonic() < deadline:
                time.sleep(0.01)
            assert hook.received, "the delivery never reached the receiver"
            started = time.monotonic()
            send(app, reference="IC0000002")  # while the delivery waits on the receiver
            took = time.monotonic() - started
        finally:
            hook.release.set()
            runner.join(15)
    assert took < 2.5, f"intake took {took:.2f} s while a receiver hung"
    assert runner.is_alive() is False


def test_targets_are_refused_unless_the_settings_allow_them(engine: Engine) -> None:
    strict = Application(engine, settings(webhook_allowed_networks=[], webhook_allow_http=False))
    for url in (
        "https://127.0.0.1/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.7/hooks",
        "http://93.184.215.14/hooks",
    ):
        with pytest.raises(RefusedError):
            webhooks.register(strict, LOCAL_OPERATOR, url)
    assert webhooks.list_endpoints(strict, LOCAL_OPERATOR) == []


def test_an_address_no_longer_allowed_is_not_posted_to(app: Application) -> None:
    broker = actor(app, "broker-01")
    with receiver() as hook:
        endpoint = webhooks.register(app, broker, hook.url, event_types=["received"]).endpoint
        send(app)
        app.settings.webhook_allowed_networks = []  # the operator closed loopback meanwhile
        run = delivery.deliver(app, LOCAL_OPERATOR)
    assert hook.received == [] and run.retrying == 1
    (row,) = webhooks.deliveries(app, broker, endpoint.id)
    assert "loopback" in (row.last_error or "")


def test_without_the_key_registering_is_refused_clearly(engine: Engine) -> None:
    plain = Application(engine, settings(webhook_secret_key=None))
    with pytest.raises(RefusedError, match="CUSTOMS_WEBHOOK_SECRET_KEY"):
        webhooks.register(plain, LOCAL_OPERATOR, "http://127.0.0.1:9/hooks")


def test_the_secret_is_stored_sealed_and_rotation_signs_with_the_new_one(
    app: Application, engine: Engine
) -> None:
    broker = actor(app, "broker-01")
    with receiver() as hook:
        created = webhooks.register(app, broker, hook.url, event_types=["received"])
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT secret_sealed FROM webhook_endpoints"))
            (sealed,) = stored.scalars()
        assert created.secret not in sealed and created.secret[6:] not in sealed
        rotated = webhooks.rotate_secret(app, broker, created.endpoint.id)
        assert rotated.secret != created.secret
        assert "secret" not in webhooks.show(app, broker, created.endpoint.id).as_json()
        send(app)
        delivery.deliver(app, LOCAL_OPERATOR)
    (got,) = hook.received
    assert verify(rotated.secret, got.headers, got.body)
    assert not verify(created.secret, got.headers, got.body)


def test_the_scheduled_job_delivers(app: Application, engine: Engine) -> None:
    broker = actor(app, "broker-01")
    job = scheduled_job("webhook_delivery")
    assert job.every(app) == app.settings.schedule_webhook_seconds
    with receiver() as hook:
        webhooks.register(app, broker, hook.url, event_types=["received"])
        send(app)
        with app.unit() as session:
            now = app.clock.now()
            row = slots.claim(session, job.name, slot_of(now, job.every(app)), "t", now)
            assert row is not None
            slot_id = row.id
        run_scheduled(app, job.name, slot_id)  # what a worker (or the SQLite scheduler) does
    assert len(hook.received) == 1


def test_removing_an_endpoint_stops_deliveries(app: Application) -> None:
    broker = actor(app, "broker-01")
    with receiver() as hook:
        endpoint = webhooks.register(app, broker, hook.url).endpoint
        send(app)
        delivery.fan_out(app)
        webhooks.remove(app, broker, endpoint.id)
        delivery.deliver(app, LOCAL_OPERATOR)
    assert hook.received == []
    with pytest.raises(NotFoundError):
        webhooks.show(app, broker, endpoint.id)


def test_a_disabled_subject_receives_nothing_more(app: Application) -> None:
    broker = actor(app, "broker-01")
    with receiver() as hook:
        endpoint = webhooks.register(app, broker, hook.url).endpoint
        send(app)
        delivery.fan_out(app)  # deliveries made while the subject was enabled
        subjects.disable_subject(app, LOCAL_OPERATOR, "broker-01")
        delivery.deliver(app, LOCAL_OPERATOR)
    assert hook.received == []
    shown = webhooks.show(app, LOCAL_OPERATOR, endpoint.id)
    assert (shown.status, shown.disabled_reason) == ("disabled", "its owner is disabled or removed")
    states = {d.status for d in webhooks.deliveries(app, LOCAL_OPERATOR, endpoint.id)}
    assert states == {"cancelled"}
