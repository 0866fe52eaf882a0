"""The API benchmark's direct side: the pipeline's use cases behind a bare framed protocol
(benchmarks/api_bench_direct.py), driven by the benchmark's own client (benchmarks/api_bench.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import queue
import threading
from functools import partial
from pathlib import Path
from typing import Any

from clearance.app import declarations, open_application
from clearance.app.identity import authenticate_key
from core.settings import Settings

_BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> Any:
    # The benchmarks are scripts, not a package: loaded from their files.
    spec = importlib.util.spec_from_file_location(name, _BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_direct_process_registers_and_reads_what_the_client_sends(tmp_path: Path) -> None:
    bench, direct = _load("api_bench"), _load("api_bench_direct")
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    key = bench.prepare(url)
    app = open_application(Settings(database_url=url))
    actor = authenticate_key(app, key)
    # The server gets its own thread and loop, so the test does not depend on the main
    # thread having no loop running (stop 24's CI failed here while the browser tests' Playwright
    # was alive; tests/browser/conftest.py now ends it with its package).
    loop = asyncio.new_event_loop()
    listening: queue.Queue[asyncio.Server] = queue.Queue()

    def run() -> None:
        asyncio.set_event_loop(loop)
        started = loop.run_until_complete(
            asyncio.start_server(partial(direct.answer, app, actor), "127.0.0.1", 0)
        )
        listening.put(started)
        loop.run_forever()
        started.close()
        loop.run_until_complete(started.wait_closed())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    server = listening.get(timeout=30)
    port = server.sockets[0].getsockname()[1]
    client = bench.DirectClient(port)
    try:
        raws = bench.interchanges(2, "T")
        numbers = [client.submit(raw) for raw in raws]
        assert len(set(numbers)) == 2  # two distinct declarations registered
        client.read(numbers[1])  # answered "ok", else the client stops the benchmark
        shown = declarations.show_with_decision(app, actor, numbers[1])
        assert shown.model_dump(by_alias=True)["number"] == numbers[1]
    finally:
        client.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        app.engine.dispose()
