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
