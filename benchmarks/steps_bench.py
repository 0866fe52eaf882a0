"""The declaration steps part by part, in the day's largest interchange (issue 15, stop 29).

``stages_bench.py`` gives each step's CPU per declaration over the whole day. This benchmark
takes the day's largest interchange (1,000 declarations), processes 30 smaller ones first (the
caches of a running worker), then that interchange with each callee of the tariff step and the
controls-and-decision step wrapped with ``time.process_time`` where the step looks it up, and
prints the µs per declaration of each part. The pure parts' calls are kept and replayed after
(best of five, no wrappers, no pipeline around them): what each part costs on its own.

    python benchmarks/steps_bench.py [N]

N: declarations of the generated day (default 2000; its largest interchange has 1,000).
The wrapped figures include the wrappers (~45 a declaration, well under a µs each); parts nest
as the steps call them (``evaluate`` holds risk, controls, digest and decide).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import fresh_store, prepare  # noqa: E402
from day import day  # noqa: E402

import clearance.assessment.step as tariff_step  # noqa: E402
import clearance.decisions.evaluate as evaluation  # noqa: E402
import clearance.decisions.step as decision_step  # noqa: E402
from clearance.intake.pipeline import Pipeline  # noqa: E402
from core.settings import Settings  # noqa: E402
from tariffs import assess_declaration  # noqa: E402

SPENT: dict[str, float] = {}
#: Per replayed part: the arguments of each call in the interchange.
CALLS: dict[str, list[tuple[Any, ...]]] = {}
#: (label, module, name, replayed?) of every wrapped callee.
PARTS = (
    ("tariff step", tariff_step.TariffAssessment, "__call__", False),
    ("  request", tariff_step, "assessment_request", True),
    ("  assessment", tariff_step, "assess_declaration", True),
    ("  certificate refusals", tariff_step.TariffAssessment, "_refused", False),
    ("  stored rows and text", tariff_step.TariffAssessment, "_store", False),
    ("  outcome", tariff_step, "_fill", False),
    ("decision step", decision_step.ControlsAndDecision, "__call__", False),
    ("  context (claims, ledger heads)", decision_step.ControlsAndDecision, "_context", False),
    ("    claims and draws", decision_step, "declaration_draws", False),
    ("  evaluation", decision_step, "evaluate", True),  # kept for the risk replay
    ("    controls", evaluation, "run_controls", True),
    ("    inputs digest", evaluation, "inputs_digest", True),
    ("    decide", evaluation, "decide", True),
    ("  decision row", decision_step, "store_decision", False),
    ("  reservations", decision_step.ControlsAndDecision, "_book", False),
    ("  follow", decision_step, "follow", False),
)


def _timed(label: str, function: Callable[..., Any], keep: bool) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[label] = SPENT.get(label, 0.0) + time.process_time() - start
            if keep:
                CALLS.setdefault(label, []).append(args)

    return wrapper


def _replayed(
    label: str, function: Callable[..., Any], calls: list[tuple[Any, ...]]
) -> tuple[str, float]:
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for args in calls:
            function(*args)
        best = min(best, time.process_time() - start)
    return label, best / len(calls) * 1e6


def main() -> None:
    """Process the day's largest interchange with the steps' parts timed; replay the pure ones."""
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    files = day(int(numbers[0]) if numbers else 2000)
    largest = max(files, key=lambda raw: raw.count(b"UNH+"))
    warm = [raw for raw in files if raw is not largest][:30]
    originals = {label: getattr(owner, name) for label, owner, name, _ in PARTS}
    with tempfile.TemporaryDirectory() as tmp:
        engine = fresh_store(f"sqlite:///{tmp}/steps.db")
        pipeline = Pipeline.standard(engine, Settings(), prepare(engine))
        for raw in warm:
            pipeline.submit(raw)
        for label, owner, name, keep in PARTS:
            setattr(owner, name, _timed(label, originals[label], keep))
        declarations = largest.count(b"UNH+")
        start = time.process_time()
        try:
            pipeline.submit(largest)
        finally:
            for label, owner, name, _ in PARTS:
                setattr(owner, name, originals[label])
        total = time.process_time() - start
        engine.dispose()
    engine_ = evaluation.builtin_engine()
    risk_calls = [(c, r, s) for c, _prior, _engine, r, s, *_ in CALLS.pop("  evaluation", [])]
    replays = [_replayed(label, originals[label], CALLS[label]) for label in CALLS]
    if risk_calls:
        replays.append(_replayed("    risk", engine_.assess, risk_calls))
    assessments = [assess_declaration(*args) for args in CALLS["  assessment"]]
    replays.append(_replayed("  stored assessment text", _dump, [(a,) for a in assessments]))
    wrapped = {label: round(SPENT.get(label, 0.0) / declarations * 1e6, 1) for label, *_ in PARTS}
    print(
        f"{declarations} declarations in one interchange, {total / declarations * 1e6:.0f} µs each"
    )
    print("in the pipeline, each part wrapped (µs per declaration):")
    for label, micros in wrapped.items():
        print(f"  {label:<36} {micros:7.1f}")
    print("replayed on the interchange's own calls, best of five (µs per declaration):")
    for label, micros in replays:
        print(f"  {label.strip():<36} {micros:7.1f}")
    print(
        json.dumps(
            {
                "us_per_declaration": round(total / declarations * 1e6),
                "wrapped": {k.strip(): v for k, v in wrapped.items()},
                "replayed": {k.strip(): round(v, 1) for k, v in replays},
            }
        )
    )


def _dump(assessment: Any) -> str:
    text: str = assessment.model_dump_json()
    return text


if __name__ == "__main__":
    main()
