"""A process shaped like ``customs serve`` without the HTTP API: the pipeline's cost, served.

``api_bench.py`` starts this beside a real ``customs serve`` over the same store, with the same
environment, and drives both in alternating blocks. To compare like with like, this process is
built as the server's is: ``api.asgi.create()``, the server's factory (one
:class:`~clearance.app.Application`, its engine and connection pool as the server's, the
garbage collector's policy of ``core/runtime.py``), the same thread limit
(``api.threads.thread_limit``), uvloop (which uvicorn picks up by itself). It then listens on
a loopback port with a bare framed protocol instead of HTTP, and runs each use case in a worker
thread with the hop the two routes make (``api.hop.in_worker``, within anyio's thread limit).
So the use case runs in a worker thread of a process like the server's, woken by a socket like
the server's, paced by the same client;
what differs is the API's own work (HTTP parsing and writing, routing, dependencies,
authentication from the key cache, the rate limit, serialising the answer, the access log).

The caller is authenticated once at start (``API_BENCH_KEY``), as the server's key cache does
per request in microseconds. Frames: a verb byte (``S``: submit an interchange, what
``POST /v1/submissions`` calls with inline intake; ``G``: read one declaration, what
``GET /v1/declarations/{number}`` calls), a 4-byte big-endian length, the payload (the raw
interchange, or the number); the answer is a length and the payload (the first declaration's
number, or ``ok``). The process prints ``listening`` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anyio.to_thread  # noqa: E402
import uvloop  # noqa: E402

from api.asgi import create  # noqa: E402
from api.hop import in_worker  # noqa: E402
from api.threads import thread_limit  # noqa: E402
from clearance.app import Actor, Application, declarations, messages  # noqa: E402
from clearance.app.identity import authenticate_key  # noqa: E402

SUBMIT = b"S"
READ = b"G"
OK = b"ok"

UseCase = Callable[[Application, Actor, bytes], bytes]


def submit(app: Application, actor: Actor, raw: bytes) -> bytes:
    """The use case ``POST /v1/submissions`` calls with inline intake; the first number."""
    outcome = messages.submit(app, actor, messages.Interchange(raw, None, channel="api"))
    return str(outcome.declarations[0].number).encode()


def read(app: Application, actor: Actor, number: bytes) -> bytes:
    """The use case ``GET /v1/declarations/{number}`` calls (its JSON is the route's work)."""
    declarations.show_with_decision(app, actor, number.decode())
    return OK


USE_CASES: dict[bytes, UseCase] = {SUBMIT: submit, READ: read}


def frame(payload: bytes, verb: bytes = b"") -> bytes:
    """``payload`` framed: the verb (a request's; none for an answer), its length, itself."""
    return verb + len(payload).to_bytes(4, "big") + payload


async def answer(
    app: Application, actor: Actor, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Serve one connection: each request's use case in a worker thread, as the route does."""
    try:
        while True:
            head = await reader.readexactly(5)
            payload = await reader.readexactly(int.from_bytes(head[1:], "big"))
            result = await in_worker(USE_CASES[head[:1]], app, actor, payload)
            writer.write(frame(result))
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass  # the client closed the connection
    finally:
        writer.close()


async def serve(port: int) -> None:
    """Build the API with ``customs serve``'s factory (its garbage-collector policy too), then
    serve the bare protocol."""
    api = create()
    app: Application = api.state.application
    actor = authenticate_key(app, os.environ["API_BENCH_KEY"])
    limit = thread_limit(api.state.api_settings, app)
    if limit is not None:  # what the API's lifespan does at startup
        anyio.to_thread.current_default_thread_limiter().total_tokens = limit
    server = await asyncio.start_server(partial(answer, app, actor), "127.0.0.1", port)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Parse the port and serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    uvloop.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
