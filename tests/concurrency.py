"""Racing workers in tests without racing the clock.

Workers start together (each calls ``start()`` once its set-up is done; nobody goes on until
all have), their results or errors come back, and a worker that waits for a lock is seen
waiting instead of being given a second to get there. Deadlines are safety nets only: they
fail the test with a message instead of hanging CI; nothing is synchronised by them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection, Engine, event, text

T = TypeVar("T")
#: Seconds before a race is declared stuck; far beyond a normal run, even on a busy machine.
DEADLINE = 300.0
Start = Callable[[], object]
Worker = Callable[[Start], T]


def race_threads(workers: Sequence[Worker[T]], deadline: float = DEADLINE) -> list[T]:
    """Run each ``worker(start)`` in its own thread; their results, in order."""
    barrier = threading.Barrier(len(workers))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, worker: Worker[T]) -> None:
        try:
            results[index] = worker(lambda: barrier.wait(deadline))
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()  # the others stop waiting for this one

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in enumerate(workers)]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        pytest.fail(f"{stuck} of {len(threads)} worker threads still running after {deadline} s")
    if errors:
        raise errors[0]
    return [results[index] for index in range(len(workers))]


def race_processes(workers: Sequence[Worker[T]], deadline: float = DEADLINE) -> list[T]:
    """Run each ``worker(start)`` in a spawned process; their (picklable) results, in order.

    A worker must be picklable: a module-level function, or a ``functools.partial`` of one.
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(workers))
    answers: multiprocessing.Queue[tuple[int, bool, Any]] = ctx.Queue()
    processes = [
        ctx.Process(target=_in_process, args=(index, worker, barrier, answers, deadline))
        for index, worker in enumerate(workers)
    ]
    for process in processes:
        process.start()
    try:
        results = _collect(processes, answers, time.monotonic() + deadline)
        for process in processes:  # each has answered; it only has to exit now
            process.join(deadline)
        return results
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()


def _in_process(
    index: int,
    worker: Worker[Any],
    barrier: Any,
    answers: multiprocessing.Queue[tuple[int, bool, Any]],
    deadline: float,
) -> None:
    try:
        answers.put((index, True, worker(lambda: barrier.wait(deadline))))
    except threading.BrokenBarrierError:
        answers.put((index, False, None))  # another worker failed: its answer says why
    except BaseException:
        answers.put((index, False, traceback.format_exc()))
        barrier.abort()


def _collect(
    processes: list[Any], answers: multiprocessing.Queue[tuple[int, bool, Any]], end: float
) -> list[Any]:
    results: dict[int, tuple[int, bool, Any]] = {}
    while len(results) < len(processes):
        answer = None
        with contextlib.suppress(queue.Empty):
            answer = answers.get(timeout=0.5)
        if answer is None:
            _fail_if_lost(processes, results, end)
            continue
        index, ok, value = answer
        if not ok and value is not None:
            pytest.fail(f"worker process {index} failed:\n{value}")
        results[index] = answer
    if not all(ok for _, ok, _ in results.values()):
        pytest.fail("the workers' start barrier broke: one never reached start() in time")
    return [results[index][2] for index in range(len(processes))]


def _fail_if_lost(
    processes: list[Any], results: dict[int, tuple[int, bool, Any]], end: float
) -> None:
    for index, process in enumerate(processes):
        if process.exitcode not in (None, 0) and index not in results:
            pytest.fail(f"worker process {index} died (exit code {process.exitcode}) unanswered")
    if time.monotonic() > end:
        missing = len(processes) - len(results)
        pytest.fail(f"{missing} of {len(processes)} worker processes gave no answer in time")


@contextmanager
def lock_waits(engine: Engine) -> Iterator[Callable[[threading.Thread], None]]:
    """``wait(thread)``: return once ``thread`` waits for a lock this test's transaction holds.

    On PostgreSQL another backend of the database is seen waiting on a lock; on SQLite, where
    the whole database is one lock taken at BEGIN IMMEDIATE, the thread is seen issuing its BEGIN
    IMMEDIATE while ours is open. Fails if the thread ends first, or at the deadline.
    """
    began = threading.Event()
    test_thread = threading.get_ident()

    def on_statement(_conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        if statement == "BEGIN IMMEDIATE" and threading.get_ident() != test_thread:
            began.set()

    def waiting() -> bool:
        if engine.dialect.name == "sqlite":
            return began.is_set()
        with engine.connect() as probe:
            query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            return bool(probe.scalar(text(f"{query} AND datname = current_database()")))

    def wait(thread: threading.Thread, deadline: float = DEADLINE) -> None:
        end = time.monotonic() + deadline
        while not waiting():
            if not thread.is_alive():
                pytest.fail("the worker finished without waiting for the lock")
            if time.monotonic() > end:
                pytest.fail(f"the worker was not seen waiting for the lock within {deadline} s")
            time.sleep(0.01)  # polling an observable state; the deadline is the safety net

    # Called before the statement runs, i.e. before the thread blocks in it.
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield wait
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
