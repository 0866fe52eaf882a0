"""Structured logs: one JSON object per line, for every logger in the process.

The long-running processes (``customs worker``, ``customs scheduler``, ``customs serve``)
call :func:`configure_logging` once. Both structlog loggers and the standard library's
(``logging.getLogger``, procrastinate's, APScheduler's, uvicorn's) go through the same
renderer, so every line carries the time, level, logger, event and whatever was bound for the
work at hand (``message_id``, ``conversation_id``, ``job_id`` … through :func:`bound`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: str = "INFO", *, as_json: bool = True) -> None:
    """Send every log record to stderr as JSON (or as key=value lines for people)."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
    )


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
