"""CPU time per stage of the full pipeline on a realistic day, without a profiler (issue 15).

``pipeline_bench.py --profile`` says where the time goes through cProfile, whose cost per
function call inflates code made of many small calls (writers, handlers) against code that
runs in C (the tokenizer's splitting, SQLite): its shares mislead for exactly the changes
that remove calls. This benchmark wraps each stage's function with ``time.process_time``
instead (a few thousand wrapped calls: their own cost is negligible) and prints the CPU
microseconds per declaration of each stage, on SQLite.

    python benchmarks/stages_bench.py [N]

Stages nest as the pipeline calls them: "receive" includes its own commit, which "commits"
counts as well; the declaration steps are the other work of "register". What no stage
names (claims, outcomes, sessions) is the rest of the total; the decided values of a chunk's
declarations are written with its rows (since stop 22), so "rows written" includes them.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import fresh_store, prepare  # noqa: E402
from day import day  # noqa: E402

import clearance.intake.channel as channel  # noqa: E402
import clearance.intake.edifact_flow as edifact_flow  # noqa: E402
import core.db as db  # noqa: E402
from clearance.answers import edifact as answers  # noqa: E402
from clearance.intake.pipeline import Pipeline  # noqa: E402
from core.settings import Settings  # noqa: E402

SPENT: dict[str, float] = {}


def _timed(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[stage] = SPENT.get(stage, 0.0) + time.process_time() - start

    return wrapper


def _timed_iterator(stage: str, function: Callable[..., Iterator[Any]]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        items = function(*args, **kwargs)
        while True:
            start = time.process_time()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                SPENT[stage] = SPENT.get(stage, 0.0) + time.process_time() - start
            yield item

    return wrapper


def instrument(pipeline: Pipeline) -> None:
    """Wrap each stage's function (module globals as the flows look them up)."""
    flow: Any = edifact_flow
    flow.scan_interchange = _timed("EDIFACT scan (read, syntax checks)", flow.scan_interchange)
    flow.mappable_messages = _timed_iterator("EDIFACT second read", flow.mappable_messages)
    flow.map_cusdec = _timed("CUSDEC mapping", flow.map_cusdec)
    shared: Any = channel
    shared.register_all = _timed("registration", shared.register_all)
    shared.Work.flush = _timed("rows written (deferred, answers, events)", shared.Work.flush)
    writer: Any = answers
    writer.cusres = _timed("CUSRES rendering", writer.cusres)
    writer.contrl = _timed("CONTRL rendering", writer.contrl)
    unit: Any = db.UnitOfWork
    unit.commit = _timed("commits (both per interchange)", unit.commit)
    core: Any = Pipeline
    core._receive = _timed("receive (with its commit)", core._receive)
    for step in pipeline.steps:
        kind: Any = type(step)
        kind.__call__ = _timed(f"step: {kind.__name__}", kind.__call__)


def main() -> None:
    """Run the day on SQLite with the stages timed; print them per declaration."""
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    files = day(int(numbers[0]) if numbers else 2000)
    declarations = sum(raw.count(b"UNH+") for raw in files)
    with tempfile.TemporaryDirectory() as tmp:
        engine = fresh_store(f"sqlite:///{tmp}/stages.db")
        pipeline = Pipeline.standard(engine, Settings(), prepare(engine))
        instrument(pipeline)
        start = time.process_time()
        for raw in files:
            pipeline.submit(raw)
        total = time.process_time() - start
        engine.dispose()
    print(f"{declarations} declarations, {total:.2f} CPU-s: {declarations / total:.1f} per CPU-s")
    figures = {stage: round(s * 1e6 / declarations) for stage, s in SPENT.items()}
    for stage, micros in figures.items():
        share = SPENT[stage] / total * 100
        print(f"  {stage:<42} {micros:>6} µs per declaration ({share:4.1f} %)")
    print(json.dumps({"per_cpu_s": round(declarations / total, 1), "us_per_declaration": figures}))


if __name__ == "__main__":
    main()
