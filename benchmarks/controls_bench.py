"""Controls per declaration through the pipeline step, on SQLite.

Generates N one-interchange, three-item import declarations over the sample registries and tariff
and submits them twice into fresh databases: with the tariff step only (the peer) and with the
tariff and controls steps (``Pipeline.standard``). The difference is what the controls step costs
per declaration: context, ledger locks and balances, controls, risk, decision, storage, events.
The last line printed is a JSON object.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples" / "controls"))

from scenarios import AU, BEEF, LIC, OCEAN, SHRIMP, Item, Scenario, interchange  # noqa: E402

from clearance.assessment.step import TariffAssessment  # noqa: E402
from clearance.intake.pipeline import Pipeline  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.integration.test_controls_support import pipeline, prepare  # noqa: E402


def interchanges(n: int) -> list[bytes]:
    """``n`` distinct interchanges: beef on a licence (1 kg each), shrimp, prepared shrimp."""
    items = (
        Item(BEEF, "AU", "1", "6.50", (LIC,)),
        Item(SHRIMP, "VN", "100", "600.00"),
        Item(BEEF, "AU", "1", "6.50", (LIC,)),
    )
    out = []
    for i in range(n):
        s = Scenario("bench", f"BEN-{i:07d}", OCEAN, items, **AU)
        out.append(interchange(s).encode())
    return out


def run(n: int, with_controls: bool) -> float:
    """Seconds to submit ``n`` interchanges into a fresh SQLite database."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        clock = prepare(engine)
        if with_controls:
            p = pipeline(engine, clock)
        else:
            p = Pipeline(engine, Settings(), clock, [TariffAssessment(clock)])
        data = interchanges(n)
        start = time.perf_counter()
        for raw in data:
            p.submit(raw)
        elapsed = time.perf_counter() - start
        engine.dispose()
        return elapsed


def main() -> None:
    """Run both configurations and print the figures."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    # The licence allows 12 uses: beyond that the declarations are rejected (still checked).
    peer = run(n, with_controls=False)
    full = run(n, with_controls=True)
    step_ms = (full - peer) / n * 1000
    print(f"{n} declarations of 3 items, SQLite, one interchange each")
    print(f"tariff step only:          {n / peer:8.1f} declarations/s")
    print(f"tariff + controls steps:   {n / full:8.1f} declarations/s")
    print(f"controls step:             {step_ms:8.2f} ms per declaration")
    result = {
        "declarations": n,
        "items_per_declaration": 3,
        "peer_tariff_only_per_s": round(n / peer, 1),
        "with_controls_per_s": round(n / full, 1),
        "controls_step_ms_per_declaration": round(step_ms, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
