"""The hot routes' hop to a worker thread: anyio's thread limit, without anyio's per-call work.

Every route runs its use case in a worker thread (``run_in_threadpool``, anyio's
``to_thread.run_sync``). For a read of one declaration that hop was the largest part of what
the event loop spends on the request after uvicorn's own (docs/api.md, "Stop 27: apiread"):
anyio yields to the loop once before it starts (a checkpoint), enters and leaves a cancel
scope, acquires the limiter through two more awaits (one of them another pass of the loop),
copies the context, prunes idle threads and hands the call over through a ``queue.Queue``
(a lock and a condition), whose ``task_done`` the worker then pays as well.

:func:`in_worker` keeps what the hop guarantees and drops the rest:

- the thread limit: it takes a token of the SAME limiter (anyio's default for the running loop,
  ``api.threads`` sets its size), without an await when one is free; when none is, it waits in
  the limiter's line as anyio's hop does. So no more use cases run at once than before, across
  the hot routes and every other route together, and in the same order;
- the context: the call runs in a copy of the caller's (``contextvars``), as anyio's;
- the result or the exception, delivered on the loop;
- cancellation: the request stops waiting, but the thread finishes its call and gives its
  token back only then (as anyio's shielded hop: the limit holds).

The threads are this module's: one per use case running at once (at most the limiter's
tokens), each waiting on a ``queue.SimpleQueue`` of its own; one idle for ``IDLE_SECONDS`` is
ended when the next hop finds it (anyio ends its idle threads after 10 s as well).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

#: A thread idle this long is ended by the next hop that finds it (anyio's MAX_IDLE_TIME).
IDLE_SECONDS = 10.0

_Job = tuple[
    asyncio.AbstractEventLoop,
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    dict[str, Any],
    "asyncio.Future[Any]",
    Callable[[], None],
]


class _Worker(threading.Thread):
    """One thread running one call at a time from its own queue (None ends it)."""

    def __init__(self, idle: list[_Worker]) -> None:
        super().__init__(name="customs hot worker", daemon=True)
        self.jobs: SimpleQueue[_Job | None] = SimpleQueue()
        self.idle = idle
        self.idle_since = time.monotonic()

    def run(self) -> None:
        """Run each call in its context; deliver its outcome on its loop."""
        while True:
            job = self.jobs.get()
            if job is None:
                return
            loop, context, func, args, kwargs, future, release = job
            result: Any = None
            error: BaseException | None = None
            try:
                result = context.run(func, *args, **kwargs)
            except BaseException as exc:  # delivered to the awaiting request, as anyio does
                error = exc
            try:
                loop.call_soon_threadsafe(self._deliver, future, result, error, release)
            except RuntimeError:  # the loop closed meanwhile: nobody is waiting
                if not loop.is_closed():
                    raise
            del job, result, error, future, context, func, args, kwargs

    def _deliver(
        self,
        future: asyncio.Future[Any],
        result: Any,
        error: BaseException | None,
        release: Callable[[], None],
    ) -> None:
        # On the loop: the token back first (the limit counts running calls), this thread
        # back on the idle list, then the outcome unless the request stopped waiting.
        release()
        self.idle_since = time.monotonic()
        self.idle.append(self)
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


#: Idle threads by event loop (tests run several loops in one process, one at a time each).
_idle: dict[asyncio.AbstractEventLoop, list[_Worker]] = {}
_idle_lock = threading.Lock()


def _idle_of(loop: asyncio.AbstractEventLoop) -> list[_Worker]:
    idle = _idle.get(loop)
    if idle is None:
        with _idle_lock:
            for closed in [other for other in _idle if other.is_closed()]:
                for worker in _idle.pop(closed):
                    worker.jobs.put(None)
            idle = _idle.setdefault(loop, [])
    return idle


async def in_worker(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` in a worker thread, within anyio's default thread limit."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    borrower = object()
    try:
        limiter.acquire_on_behalf_of_nowait(borrower)
    except anyio.WouldBlock:
        # Every token is taken (32 clients on 15 connections): wait in the limiter's line, as
        # anyio's hop does, then hop here all the same.
        await limiter.acquire_on_behalf_of(borrower)
    try:
        loop = asyncio.get_running_loop()
        idle = _idle_of(loop)
        if idle:
            worker = idle.pop()
            _end_idle(idle)
        else:
            worker = _Worker(idle)
            worker.start()
        future: asyncio.Future[T] = loop.create_future()
        context = contextvars.copy_context()
    except BaseException:
        limiter.release_on_behalf_of(borrower)
        raise

    def release() -> None:
        limiter.release_on_behalf_of(borrower)

    worker.jobs.put((loop, context, func, args, kwargs, future, release))
    return await future


def _end_idle(idle: list[_Worker]) -> None:
    # The list is in the order threads went idle (the one just taken was the newest): end
    # those idle for IDLE_SECONDS, oldest first.
    now = time.monotonic()
    while idle and now - idle[0].idle_since >= IDLE_SECONDS:
        idle.pop(0).jobs.put(None)
