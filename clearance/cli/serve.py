"""``customs serve``: the HTTP API (and the console, when installed) under uvicorn.

The command names the application by its import string (``api.asgi:create``, a factory) and
never imports the API itself: the CLI and the API are both front doors and neither imports
the other. ``main`` has migrated the store before this runs; the factory opens its own
:class:`~clearance.app.Application` in the server process.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from clearance.app import Application
from core.logs import server_log_config

FACTORY = "api.asgi:create"


def register(sub: Any, groups: dict[str, Any]) -> None:
    """Add ``customs serve`` to the parser."""
    serve = sub.add_parser("serve", help="serve the HTTP API (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="server processes")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        # uvicorn's line per request costs the event loop 0.13-0.17 ms of CPU (docs/api.md,
        # Figures): a deployment whose balancer logs every request already may drop it.
        help="uvicorn's line per request (on by default; the balancer may log them instead)",
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace, app: Application) -> int:
    print(f"database: {app.database}", flush=True)
    uvicorn.run(
        FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
        # One JSON line per record, with the worker's and scheduler's renderer (docs/operations.md).
        log_config=server_log_config(args.log_level, as_json=app.settings.log_json),
        proxy_headers=False,
    )
    return 0
