"""Webhook deliveries per second against a local receiver, next to bare httpx (same run).

Makes a fresh SQLite store in a temporary folder, registers one endpoint (the operator's: it
sees every event) at a receiver on 127.0.0.1 that answers 204, writes N events to the log,
and times:

- ``deliver``: ``webhook_delivery.deliver`` run until every delivery is done (fan-out,
  claim, sign, SSRF check, POST eight at a time, record);
- ``bare``: the same N bodies POSTed with one ``httpx.Client`` and eight threads, no store,
  no signing: what the network and receiver alone cost.

The ratio says what the store and bookkeeping add. Bounded: N defaults to 400 (``--n``).
Figures depend on the machine's load: compare the two modes of one run, never runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from clearance.app import LOCAL_OPERATOR, Application, webhook_delivery, webhooks  # noqa: E402  # noqa: E402
from clearance.lifecycle.events import EventBatch, EventKind  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from clearance.webhooks import sealing  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    """Reads the body, answers 204."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    """Run both modes and print their rates; the last line is a JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=400, help="events (= deliveries)")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        settings = Settings(
            webhook_secret_key=sealing.new_key_setting(),
            webhook_allow_http=True,
            webhook_allowed_networks=["127.0.0.0/8"],
            webhook_batch=10_000,
        )
        app = Application(engine, settings)
        webhooks.register(app, LOCAL_OPERATOR, url)
        with app.unit() as session:
            batch = EventBatch(datetime.now(UTC), None)
            for n in range(args.n):
                batch.add(EventKind.RECEIVED, data={"n": n, "pad": "x" * 200})
            batch.write(session)
        started = time.perf_counter()
        delivered = 0
        while delivered < args.n:
            run = webhook_delivery.deliver(app, LOCAL_OPERATOR)
            if run.delivered == 0:
                raise SystemExit(f"stuck after {delivered} deliveries: {run}")
            delivered += run.delivered
        ours = time.perf_counter() - started
        bodies = [
            json.dumps({"type": "received", "data": {"n": n, "pad": "x" * 200}}).encode()
            for n in range(args.n)
        ]
        engine.dispose()
    with httpx.Client(trust_env=False) as client:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=webhook_delivery.CONCURRENCY) as pool:
            codes = list(
                pool.map(
                    lambda body: (
                        client.post(
                            url, content=body, headers={"content-type": "application/json"}
                        ).status_code
                    ),
                    bodies,
                )
            )
        bare = time.perf_counter() - started
    server.shutdown()
    assert codes == [204] * args.n
    load = os.getloadavg()[0]
    print(f"deliver: {args.n} deliveries in {ours:.2f} s = {args.n / ours:.0f}/s")
    print(f"bare httpx: {args.n} POSTs in {bare:.2f} s = {args.n / bare:.0f}/s")
    print(f"ratio: {ours / bare:.2f}x the bare cost (load average {load:.2f})")
    print(
        json.dumps(
            {
                "n": args.n,
                "deliver_per_s": round(args.n / ours, 1),
                "bare_httpx_per_s": round(args.n / bare, 1),
                "load_average_1m": round(load, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
