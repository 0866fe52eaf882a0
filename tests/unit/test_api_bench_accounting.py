"""The API benchmark's account of a server's CPU, thread by thread (benchmarks/api_bench.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

# Loaded from its file: the benchmarks are scripts, not a package (mypy checks them as such).
_SPEC = importlib.util.spec_from_file_location(
    "api_bench", Path(__file__).resolve().parents[2] / "benchmarks" / "api_bench.py"
)
assert _SPEC is not None and _SPEC.loader is not None
_BENCH: Any = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_BENCH)
server_threads_cpu = _BENCH.server_threads_cpu


def test_a_thread_that_ended_between_the_snapshots_subtracts_nothing() -> None:
    # Thread 42 is the main thread (the event loop); 43 ran earlier phases and was ended by the
    # thread pool (idle 10 s); 44 started during the phase. A sum over the threads alive at each
    # end gave (0.3 + 0.05) - (0.1 + 5.0) s: negative.
    before = {"42": 100_000_000, "43": 5_000_000_000}
    after = {"42": 300_000_000, "44": 50_000_000}
    total, loop = server_threads_cpu(42, before, after)
    assert round(total, 9) == 0.25  # 0.2 s on the loop, 0.05 s on the new worker thread
    assert round(loop, 9) == 0.2


def test_without_a_server_there_is_nothing_to_count() -> None:
    assert server_threads_cpu(None, {}, {}) == (0.0, 0.0)


def _block(server: float, loop: float, latency: float = 0.01) -> dict[str, Any]:
    # One block's result as ``api_bench.block`` gives it: CPU per request in ms.
    return {
        "latencies": [latency, latency * 3],
        "elapsed": 0.1,
        "server_ms": server,
        "loop_ms": loop,
        "workers_ms": server - loop,
        "client_ms": 0.5,
    }


def test_the_overhead_is_the_api_servers_cpu_over_the_direct_use_cases_pair_by_pair() -> None:
    # Pair 1: the use case took 10 ms in the direct process's worker (plus 0.3 on its loop);
    # the API server 12 ms in all: +20 % over the use case, +16.5 % over the whole process.
    # Pair 2: both slower at that moment (drift), the API's share the same 2 ms: +10 %.
    pairs = [
        (_block(10.3, 0.3), _block(12.0, 1.2)),
        (_block(20.3, 0.3), _block(22.0, 1.2)),
    ]
    found = _BENCH.compare(pairs)
    assert found["overhead_percent"] == [20.0, 10.0]
    assert found["overhead_over_process_percent"] == [16.5, 8.4]
    assert found["workers_gap_ms"] == [0.8, 0.8]  # 12 - 1.2 on the loop, against 10
    assert found["overhead_percent_spread"] == {"median": 15.0, "min": 10.0, "max": 20.0}
    assert found["api"]["loop_ms"]["median"] == 1.2
    assert found["direct"]["workers_ms"] == {"median": 15.0, "min": 10.0, "max": 20.0}
    # Latencies of every block together: 10 and 30 ms twice over 0.2 s.
    assert found["direct"]["p50_ms"] == 20.0
    assert found["direct"]["per_second"] == 20.0


def test_a_paced_block_waits_between_calls_but_times_the_calls_alone() -> None:
    calls: list[float] = []
    result = _BENCH.block([lambda: calls.append(1.0)] * 3, 1, 0.05, None)
    assert len(calls) == 3
    assert result["elapsed"] >= 0.15  # three pauses of 50 ms, one client
    assert max(result["latencies"]) < 0.05  # the pause is not the call's latency
    assert result["server_ms"] == 0.0  # no server process to count
