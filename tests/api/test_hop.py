"""The hot routes' hop to a worker thread (api/hop.py) keeps what anyio's gave them: another
thread, the result or the exception, the caller's context, and the one thread limit shared
with every other route, held until the call has really ended."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from starlette.concurrency import run_in_threadpool

from api import hop
from api.asgi import build
from api.hop import in_worker
from api.settings import ApiSettings
from clearance.app import Application
from tests.api.conftest import Auth, sample

_seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="unset")


def test_the_call_runs_in_another_thread_with_the_callers_context() -> None:
    async def main() -> tuple[str, str, int, int]:
        _seen.set("caller")

        def work(a: int, *, b: int) -> tuple[str, int, int]:
            seen = _seen.get()
            _seen.set("worker")  # in a copy: the caller's stays
            return seen, threading.get_ident(), a + b

        seen, ident, total = await in_worker(work, 1, b=2)
        return seen, _seen.get(), ident, total

    seen, after, ident, total = asyncio.run(main())
    assert (seen, after, total) == ("caller", "caller", 3)
    assert ident != threading.get_ident()


def test_the_exception_reaches_the_caller() -> None:
    def fail() -> None:
        raise LookupError("no such declaration")

    async def main() -> None:
        await in_worker(fail)

    with pytest.raises(LookupError, match="no such declaration"):
        asyncio.run(main())


def test_no_more_calls_run_at_once_than_the_limit_across_both_hops() -> None:
    running, most = 0, 0
    lock = threading.Lock()
    release = threading.Event()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(5)
        with lock:
            running -= 1

    async def main() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        calls = [asyncio.ensure_future(in_worker(work)) for _ in range(4)]
        calls.append(asyncio.ensure_future(run_in_threadpool(work)))
        await asyncio.sleep(0.2)
        assert most == 2  # two run; three wait for a token, whichever hop asked
        release.set()
        await asyncio.gather(*calls)

    asyncio.run(main())
    assert most == 2


def test_a_call_that_waited_for_a_token_still_takes_this_hop() -> None:
    release = threading.Event()

    def name() -> str:
        return threading.current_thread().name

    async def main() -> str:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1
        first = asyncio.ensure_future(in_worker(release.wait, 5))
        await asyncio.sleep(0.05)
        second = asyncio.ensure_future(in_worker(name))
        await asyncio.sleep(0.05)
        assert not second.done()  # in the limiter's line
        release.set()
        await first
        return await second

    assert asyncio.run(main()) == "customs hot worker"  # not anyio's thread


def test_a_cancelled_request_gives_the_token_back_only_when_its_call_ends() -> None:
    release = threading.Event()

    async def main() -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = 1
        call = asyncio.ensure_future(in_worker(release.wait, 5))
        await asyncio.sleep(0.05)
        call.cancel()
        await asyncio.sleep(0.05)
        assert call.cancelled()
        assert limiter.borrowed_tokens == 1  # the thread still runs: the limit holds
        release.set()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if limiter.borrowed_tokens == 0:
                break
        assert limiter.borrowed_tokens == 0

    asyncio.run(main())


def test_the_read_and_the_submission_run_their_use_case_through_the_hop(
    application: Application, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    hopped: list[str] = []
    original = hop.in_worker

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        hopped.append(getattr(func, "__name__", "?"))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr("api.lean.in_worker", counting)
    monkeypatch.setattr("api.routes.submissions.in_worker", counting)
    api = build(application=application, api_settings=ApiSettings(intake="inline"))
    with TestClient(api) as client:
        answer = client.post(
            "/v1/submissions",
            content=sample("01-import-d96b.edi"),
            headers={**auth("broker"), "Content-Type": "application/EDIFACT"},
        )
        assert answer.status_code == 202, answer.text
        number = answer.json()["outcome"]["declarations"][0]["number"]
        assert client.get(f"/v1/declarations/{number}", headers=auth("broker")).status_code == 200
    assert hopped == ["_process", "show"]
