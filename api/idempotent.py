"""``Idempotency-Key`` for the routes that change something: the same key and request answer
alike (replayed from the store), the same key with another request is 422, a key whose first
request is still running is 409 (:mod:`clearance.app.idempotency` keeps the records)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Collection

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from clearance.app import Actor, Application, idempotency


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request: method, path and body."""
    return hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()


async def answer_once(
    app: Application,
    actor: Actor,
    key: str | None,
    request: tuple[str, str, bytes],
    produce: Callable[[], Awaitable[Response]],
    *,
    repeated: Collection[str] = (),
) -> Response:
    """``produce``'s response, or without running it the response stored for ``key``.

    ``request``: its method, path and body (fingerprinted only when a key is given: most
    submissions come without one). ``repeated``: the response headers stored and given
    again with a replay (lower case). A request that fails (an exception) frees the key, so
    a retry runs it again."""
    if key is None:
        return await produce()
    stored = await run_in_threadpool(idempotency.begin, app, actor, key, fingerprint(*request))
    if stored is not None:
        return Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.media_type,
            headers={**stored.headers, "Idempotent-Replayed": "true"},
        )
    try:
        response = await produce()
    except BaseException:
        await run_in_threadpool(idempotency.abandon, app, actor, key)
        raise
    answer = idempotency.StoredAnswer(
        status_code=response.status_code,
        media_type=response.media_type or "application/octet-stream",
        body=bytes(response.body),
        headers={k: v for k, v in response.headers.items() if k in repeated},
    )
    await run_in_threadpool(idempotency.complete, app, actor, key, answer)
    return response
