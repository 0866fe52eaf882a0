"""Metrics and health of a process: what ``/metrics``, ``/livez`` and ``/readyz`` answer.

Prometheus metrics live in one registry per process (:data:`REGISTRY`): the work done here
(messages, declarations by lane and decision, rejections by code, processing time, job
failures, scheduled runs, outbox deliveries, store faults) and, read from the database at each
scrape, the queue's depth and the age of its oldest job. Each worker and scheduler process
serves its own (``--health-port``); the HTTP API mounts :func:`api.metrics.metrics_router`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from clearance.app.access import Permission, require
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.flow.outcome import InterchangeStatus, SubmissionOutcome
from clearance.queueing.engine import uses_queue
from clearance.queueing.jobs import queue_states
from clearance.store.queue_schema import QUEUE_SCHEMA
from core.db import store_fault
from core.logs import get_logger

#: The registry every metric of this process is in.
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # resident memory, CPU seconds, open files

MESSAGES = Counter(
    "customs_messages_processed",
    "Inbound messages processed, by format and outcome.",
    ["format", "status"],
    registry=REGISTRY,
)
DECLARATIONS = Counter(
    "customs_declarations",
    "Declarations processed, by lane and decision ('none' while undecided).",
    ["lane", "decision"],
    registry=REGISTRY,
)
REJECTIONS = Counter(
    "customs_rejections",
    "Rejections by error code: a rejected interchange's errors, a rejected declaration's reasons.",
    ["code"],
    registry=REGISTRY,
)
PROCESSING = Histogram(
    "customs_message_processing_seconds",
    "Time to process one inbound message, receipt to commit.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
JOB_FAILURES = Counter(
    "customs_job_failures",
    "Queued jobs that raised (each attempt), by task.",
    ["task"],
    registry=REGISTRY,
)
SCHEDULED_RUNS = Counter(
    "customs_scheduled_runs",
    "Scheduled slots claimed and run, by job and result.",
    ["job", "result"],
    registry=REGISTRY,
)
LEADER = Gauge(
    "customs_scheduler_leader",
    "1 while this scheduler process holds the leader lock, else 0.",
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "customs_outbox_deliveries",
    "Answers delivered to partners' channels, by channel and result.",
    ["channel", "result"],
    registry=REGISTRY,
)


def observe_outcome(outcome: SubmissionOutcome, seconds: float) -> None:
    """Count one processed message: its status, declarations, rejections, time taken."""
    MESSAGES.labels(outcome.format or "unknown", outcome.status.value).inc()
    PROCESSING.observe(seconds)
    if outcome.status is InterchangeStatus.REJECTED:
        for error in outcome.errors:
            REJECTIONS.labels(error.code).inc()
    for declaration in outcome.declarations:
        if declaration.status == "rejected":
            for reason in declaration.reasons:
                REJECTIONS.labels(reason.code).inc()
        if declaration.number is not None:
            DECLARATIONS.labels(declaration.lane or "none", declaration.decision or "none").inc()


class QueueCollector(Collector):
    """The queue's depth and the age of its oldest job, read at each scrape."""

    def __init__(self) -> None:
        self.app: Application | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Jobs per queue and status, and the oldest one's age in seconds."""
        depth = GaugeMetricFamily(
            "customs_queue_jobs",
            "Jobs waiting or running, by queue and status.",
            labels=["queue", "status"],
        )
        age = GaugeMetricFamily(
            "customs_queue_oldest_job_seconds",
            "Age of the oldest job waiting or running, by queue and status.",
            labels=["queue", "status"],
        )
        app = self.app
        if app is not None and uses_queue(app.engine):
            try:
                with app.engine.connect() as connection:
                    for state in queue_states(connection):
                        depth.add_metric([state.queue, state.status], state.jobs)
                        age.add_metric([state.queue, state.status], state.oldest_seconds)
            except Exception as exc:
                # The database is away: the scrape still answers (with the process's own
                # counters, customs_database_errors_total among them), the queue's unknown.
                if store_fault(exc) is None:
                    raise
        yield depth
        yield age


_QUEUE = QueueCollector()
REGISTRY.register(_QUEUE)


def render(app: Application) -> tuple[bytes, str]:
    """The metrics in Prometheus's text format, and its content type.

    For a process's own loopback health port; a network-facing front door calls :func:`scrape`.
    """
    _QUEUE.app = app
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def scrape(app: Application, actor: Actor) -> tuple[bytes, str]:
    """:func:`render` for an actor allowed to read metrics (an admin's monitoring key)."""
    require(actor, Permission.METRICS)
    return render(app)


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether the process can do its work: each dependency's state."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        """True when every check says ``ok`` (or ``in process``)."""
        return all(v in ("ok", "in process") for v in self.checks.values())


def readiness(app: Application) -> Readiness:
    """The database reachable, and the queue's table readable (PostgreSQL)."""
    checks: dict[str, str] = {}
    try:
        with app.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            if uses_queue(app.engine):
                connection.execute(text(f"SELECT 1 FROM {QUEUE_SCHEMA}.procrastinate_jobs LIMIT 1"))
                checks["queue"] = "ok"
            else:
                checks["queue"] = "in process"
    except Exception as exc:  # any failure means not ready; the reason is reported
        checks.setdefault("database", "ok" if checks else f"unreachable: {type(exc).__name__}")
        checks.setdefault("queue", f"unreachable: {type(exc).__name__}")
    return Readiness(checks)


def metric_names() -> Iterable[str]:
    """The names of this process's metrics (for docs and tests)."""
    return sorted({m.name for m in REGISTRY.collect()})


DATABASE_ERRORS = Counter(
    "customs_database_errors",
    "Work stopped because the store went away ('unavailable') or its disk is full ('full'); "
    "the work is tried again.",
    ["kind"],
    registry=REGISTRY,
)
_log = get_logger("clearance.store")
_COUNTED = "_customs_store_fault_counted"


def store_fault_seen(error: BaseException, where: str, **context: object) -> None:
    """Count and log one store fault (each error once, however many layers report it).

    ``where`` names what stopped (``intake``, ``message``, ``worker``, ``api`` …); the log
    line says the work is kept and tried again, which is what every caller does with it.
    """
    kind = store_fault(error)
    if kind is None or getattr(error, _COUNTED, False):
        return
    with suppress(AttributeError):  # an exception type that takes no attributes: counted anyway
        setattr(error, _COUNTED, True)
    DATABASE_ERRORS.labels(kind).inc()
    _log.warning(
        "database full" if kind == "full" else "database unavailable",
        kind=kind,
        where=where,
        error=str(error)[:500],
        **context,
    )


# --- webhooks (issues 12 and 15) ------------------------------------------------------------
WEBHOOK_DELIVERIES = Counter(
    "customs_webhook_deliveries",
    "Webhook delivery attempts by outcome: delivered, retrying (failed, tried again later), "
    "failed (the last retry failed), gone (the receiver answered 410).",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_DISABLED = Counter(
    "customs_webhook_endpoints_disabled",
    "Webhook endpoints disabled by delivery (410 Gone, or every retry failed).",
    registry=REGISTRY,
)
WEBHOOK_SECONDS = Histogram(
    "customs_webhook_delivery_seconds",
    "Time of one webhook POST, sent to answer (or timeout).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
