"""``--health-port``: /livez, /readyz and /metrics of a worker or scheduler process.

A small threaded HTTP server beside the process's real work: /livez says the process's loop
still turns, /readyz that the database and the queue answer, /metrics the process's
Prometheus metrics. It binds to loopback unless told otherwise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from clearance.app import Application, monitoring


def serve_health(
    app: Application, port: int, *, host: str = "127.0.0.1", alive: Callable[[], bool]
) -> ThreadingHTTPServer:
    """Start the health server in a daemon thread; ``shutdown()`` it when the process ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/livez":
                self._json(200 if alive() else 503, {"alive": alive()})
            elif self.path == "/readyz":
                state = monitoring.readiness(app)
                self._json(200 if state.ready and alive() else 503, state.checks)
            elif self.path == "/metrics":
                body, content_type = monitoring.render(app)
                self._send(200, body, content_type)
            else:
                self._json(404, {"error": f"no {self.path}"})

        def _json(self, status: int, data: object) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # scrapes every few seconds would drown the process's own log

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
