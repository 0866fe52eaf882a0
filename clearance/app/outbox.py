"""Outbox delivery: every answer to a partner lands in its ``out/`` folder, once.

Each run takes the answers (CONTRL, CUSRES, 997, 355, XML receipts …) whose recipient has a
mailbox folder and that were not delivered yet, or whose last attempt failed and is due
again. A file is written under a temporary name and renamed (a partner never sees half a
file); the delivery is recorded in ``outbox_deliveries`` in the same unit of work. A failure
(disk full, a folder that is not one) is recorded with the error and tried again with
back-off: 10 s, 20 s, 40 s … up to an hour.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.monitoring import DELIVERIES
from clearance.store.operations_tables import OutboxDelivery
from clearance.store.tables import OutboundMessage
from core.logs import get_logger

log = get_logger("clearance.outbox")
FOLDER = "folder"
_EXTENSIONS = {"edifact": "edi", "x12": "x12", "xml": "xml", "json": "json"}
_BATCH = 500
_MAX_BACKOFF = 3600.0


@dataclass(frozen=True, slots=True)
class DeliveryRun:
    """What one delivery run did."""

    delivered: int
    failed: int


def deliver(app: Application, actor: Actor) -> DeliveryRun:
    """Deliver the answers due to partners with a mailbox folder (a scheduled job's body)."""
    require(actor, Permission.SUBMIT)
    root = app.settings.mailbox_root
    if root is None or not root.is_dir():
        return DeliveryRun(0, 0)
    partners = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not partners:
        return DeliveryRun(0, 0)
    delivered = failed = 0
    with app.unit() as session:
        now = app.clock.now()
        due = or_(
            OutboxDelivery.id.is_(None),
            and_(OutboxDelivery.status == "failed", OutboxDelivery.next_attempt_at <= now),
        )
        rows = session.execute(
            select(OutboundMessage, OutboxDelivery)
            .outerjoin(
                OutboxDelivery,
                and_(
                    OutboxDelivery.outbound_message_id == OutboundMessage.id,
                    OutboxDelivery.channel == FOLDER,
                ),
            )
            .where(OutboundMessage.recipient.in_(partners), due)
            .order_by(OutboundMessage.id)
            .limit(_BATCH)
        ).all()
        for message, delivery in rows:
            target = root / message.recipient / "out" / _file_name(message)
            if delivery is None:
                delivery = OutboxDelivery(
                    outbound_message_id=message.id,
                    channel=FOLDER,
                    target=str(target),
                    status="failed",
                    attempts=0,
                )
                session.add(delivery)
            delivery.attempts += 1
            try:
                _write(target, message.content.encode("utf-8"))
            except OSError as exc:
                _failed(delivery, now, f"{type(exc).__name__}: {exc}")
                failed += 1
                continue
            delivery.status, delivery.delivered_at = "delivered", now
            delivery.next_attempt_at, delivery.error = None, None
            delivered += 1
    DELIVERIES.labels(FOLDER, "delivered").inc(delivered)
    DELIVERIES.labels(FOLDER, "failed").inc(failed)
    if delivered or failed:
        log.info("outbox delivered", delivered=delivered, failed=failed)
    return DeliveryRun(delivered, failed)


def _failed(delivery: OutboxDelivery, now: datetime, error: str) -> None:
    backoff = min(10.0 * 2 ** (delivery.attempts - 1), _MAX_BACKOFF)
    delivery.status, delivery.error = "failed", error[:2000]
    delivery.next_attempt_at = now + timedelta(seconds=backoff)
    log.warning(
        "outbox delivery failed",
        outbound_message_id=delivery.outbound_message_id,
        attempts=delivery.attempts,
        retry_in_seconds=backoff,
        error=error,
    )


def _file_name(message: OutboundMessage) -> str:
    extension = _EXTENSIONS.get(message.format, "txt")
    return f"{message.id:010d}-{message.message_type}.{extension}"


def _write(path: Path, content: bytes) -> None:
    """Write under a temporary name, then rename: the partner sees a whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
