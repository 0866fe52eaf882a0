"""Structured logs: one JSON object per line, for every logger in the process.

The long-running processes (``customs worker``, ``customs scheduler``, ``customs serve``)
call :func:`configure_logging` once. Both structlog loggers and the standard library's
(``logging.getLogger``, procrastinate's, APScheduler's, uvicorn's) go through the same
renderer, so every line carries the time, level, logger, event and whatever was bound for the
work at hand (``message_id``, ``conversation_id``, ``job_id`` … through :func:`bound`).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import structlog

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formatter(as_json: bool = True) -> logging.Formatter:
    """The formatter that renders every record (structlog's or the standard library's) as one
    line: JSON, or key=value for people."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder(), _drop_color_message],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


class AccessFormatter(logging.Formatter):
    """uvicorn's line per request (``uvicorn.access``) as one JSON object, rendered directly.

    The general formatter runs structlog's chain for every record (a copy of the record, five
    processors, the extras found by walking the record's attributes): about a fifth of what the
    event loop spends on a read (docs/api.md, Figures, stop 24). This line's shape is known, so
    it is built in one step, with the same keys as the general formatter's (``event``,
    ``level``, ``logger``, ``timestamp``, whatever is bound through :func:`bound`) and, apart,
    the request's ``method``, ``path`` (with the query), ``status``, ``client`` and
    ``http_version``, which the general formatter only had inside ``event``, and
    ``duration_ms`` when the application marked the request's start (:data:`REQUEST_STARTED`).
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line (any other record than uvicorn's: its message)."""
        line: dict[str, Any] = structlog.contextvars.get_contextvars()
        line["event"] = record.getMessage()
        args = record.args
        if isinstance(args, tuple) and len(args) == _ACCESS_ARGS:
            line["method"], line["path"], line["status"] = args[1], args[2], args[4]
            line["client"], line["http_version"] = args[0], args[3]
            started = REQUEST_STARTED.get()
            if started is not None:  # uvicorn logs as the answer's head goes out
                line["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        line["level"] = record.levelname.lower()
        line["logger"] = record.name
        line["timestamp"] = _iso_utc(record.created)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return _encode(line)


#: When the application began on the request being served (``time.perf_counter()``), set by
#: the API for the access line's ``duration_ms``; each request is a task of its own, with its
#: own copy of the context.
REQUEST_STARTED: ContextVar[float | None] = ContextVar("request_started", default=None)
#: uvicorn's access record: client, method, path with query, HTTP version, status.
_ACCESS_ARGS = 5
#: One encoder for every line (``json.dumps`` with an option makes a new one per call).
_encode = json.JSONEncoder(default=repr).encode


def _iso_utc(created: float) -> str:
    # The general formatter's timestamp (structlog's TimeStamper, ISO, UTC, "Z"), taken from
    # the record's creation time instead of a second clock read.
    return datetime.fromtimestamp(created, tz=UTC).isoformat().replace("+00:00", "Z")


def access_formatter(as_json: bool = True) -> logging.Formatter:
    """The formatter of ``uvicorn.access``: :class:`AccessFormatter` for JSON, the general
    one for key=value lines."""
    return AccessFormatter() if as_json else formatter(as_json=False)


def _drop_color_message(
    _: Any, __: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    # uvicorn passes its message again with terminal colours as an extra; the line has it once.
    event.pop("color_message", None)
    return event


def configure_logging(level: str = "INFO", *, as_json: bool = True) -> None:
    """Send every log record to stderr as JSON (or as key=value lines for people)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(as_json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
    )


def server_log_config(level: str = "INFO", *, as_json: bool = True) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn (``customs serve``): the same lines as
    :func:`configure_logging`, from uvicorn's own loggers too.

    uvicorn applies its log configuration in every server process it starts (``--workers``
    starts fresh ones), so the configuration must be data, not a call made in the parent.
    Structured loggers there keep handing their lines to the standard library
    (:func:`use_standard_logging`), whose handler renders them with the same formatter.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {"()": "core.logs.formatter", "as_json": as_json},
            "access": {"()": "core.logs.access_formatter", "as_json": as_json},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # uvicorn's loggers hand their records to the root's handler, as every other does,
        # but for the line per request: its own handler, the same stream, a formatter that
        # knows its shape (AccessFormatter: the same keys and more, for less).
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": ["access"], "propagate": False},
        },
    }


def use_standard_logging() -> None:
    """Until :func:`configure_logging` is called, structured loggers hand their lines to the
    standard library as plain records: a command-line run stays quiet (its stdout is a
    contract, docs/cli.md) and warnings reach stderr as one line each."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.render_to_log_kwargs,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
    )


use_standard_logging()


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Add ``values`` to every log line written inside the block (this thread or task)."""
    with structlog.contextvars.bound_contextvars(**values):
        yield


def get_logger(name: str) -> Any:
    """A structured logger: ``log.info("event", key=value, …)``."""
    return structlog.stdlib.get_logger(name)
