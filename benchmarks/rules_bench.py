"""Checks per declaration: controls, risk ruleset and decision on generated declarations.

Run ``python benchmarks/rules_bench.py``; ``--declarations`` and ``--items`` size the batch,
``--runs`` takes the best of N. Declarations are generated deterministically from the sample
registries (``samples/registries``): the sample importers, their certificates and licences, prices
around the reference ranges, and required documents for licensed goods. Peers in the same run: the
bare zen-engine evaluation per item through the loaded engine (the floor under our wrapper) and
zen's ``create_decision().evaluate()`` path. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import zen

from edi.model import (
    Amount,
    Declaration,
    Direction,
    DocumentKind,
    DocumentReference,
    GoodsItem,
    IdentifierScheme,
    Party,
    PartyIdentifier,
    PartyRole,
    Quantity,
)
from rules import ControlContext, MissingAction, RequiredDocument, check, run_controls
from rules.registry import Registries, load_registries
from rules.risk import RiskEngine, risk_contexts

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 28)
RULESET = "cn-default"
#: Per sample trader: (commodity code, origin, unit, unit price in USD, certificate, licence).
Goods = tuple[str, str, str, str, str | None, str | None]
GOODS: dict[str, list[Goods]] = {
    "91310000MA1FL0XQ8W": [  # SHANGHAI OCEAN FOODS: Form E goods, licensed palm oil
        ("0304620000", "VN", "KGM", "2.00", "E261234567890123", None),
        ("0306171900", "VN", "KGM", "2.60", "E261234567890123", None),
        ("1511100000", "MY", "KGM", "0.99", None, "26-AA-310045"),
        ("1605211000", "TH", "KGM", "1.35", None, None),
    ],
    "91330200MA2AJ6YF1B": [("3304990099", "JP", "KGM", "22.00", None, None)],
    "91320500MA1MPCR7WX": [
        ("8542319000", "KR", "NAR", "4.20", None, None),
        ("8542329000", "KR", "NAR", "1.22", None, None),
    ],
    "91110108MA01G0FB5Q": [("2204210000", "AU", "LTR", "8.50", None, None)],
    "91440101MA5CXK7T26": [  # discredited
        ("0306171900", "VN", "KGM", "2.60", None, None),
        ("8542319000", "KR", "NAR", "4.20", None, None),
    ],
}
TRADERS = list(GOODS)
OFFICES = ["2201", "2201", "2201", "5316", "4701"]


def _item(rnd: random.Random, sequence: int, uscc: str) -> GoodsItem:
    code, origin, unit, price, certificate, licence = rnd.choice(GOODS[uscc])
    quantity = Decimal(rnd.randrange(100, 2000))
    unit_price = Decimal(price) * Decimal(rnd.choice(["0.9", "1", "1", "1", "1.1", "0.5"]))
    docs: list[DocumentReference] = []
    if certificate:
        docs.append(
            DocumentReference(
                kind=DocumentKind.CERTIFICATE_OF_ORIGIN,
                code="861",
                number=certificate,
                agreement="ACFTA",
            )
        )
    if licence:
        docs.append(DocumentReference(kind=DocumentKind.LICENCE, code="911", number=licence))
    net = quantity if unit == "KGM" else quantity / 100
    return GoodsItem(
        sequence=sequence,
        commodity_code=code,
        quantity=Quantity(value=quantity, unit=unit),
        statutory_quantity=Quantity(value=quantity, unit=unit),
        gross_mass=Quantity(value=net * Decimal("1.04"), unit="KGM"),
        net_mass=Quantity(value=net, unit="KGM"),
        unit_price=Amount(value=unit_price, currency="USD"),
        value=Amount(value=(unit_price * quantity).quantize(Decimal("0.01")), currency="USD"),
        origin_country=origin,
        preference="ACFTA" if certificate else None,
        documents=tuple(docs),
    )


def generate(count: int, items: int, seed: int, registries: Registries) -> list[ControlContext]:
    """``count`` contexts of ``items`` goods items each, deterministic for ``seed``."""
    rnd = random.Random(seed)
    contexts = []
    licence_7 = RequiredDocument(("7",), MissingAction.DOCUMENTS_REQUIRED, "automatic licence")
    for n in range(count):
        uscc = rnd.choice(TRADERS)
        goods = tuple(_item(rnd, s, uscc) for s in range(1, items + 1))
        office = rnd.choice(OFFICES)
        consignee = Party(
            role=PartyRole.CONSIGNEE,
            identifiers=(PartyIdentifier(scheme=IdentifierScheme.USCC, value=uscc),),
        )
        exporter = Party(role=PartyRole.OVERSEAS_CONSIGNOR, name="VIETNAM SEAFOOD EXPORT JSC")
        declaration = Declaration(
            direction=Direction.IMPORT,
            sender_reference=f"BENCH-{n}",
            declaration_office=office,
            departure_country=goods[0].origin_country,
            parties=(consignee, exporter),
            items=goods,
        )
        cny = {g.sequence: g.value.value * Decimal("7.1") for g in goods if g.value is not None}
        required = {g.sequence: (licence_7,) for g in goods if g.commodity_code == "1511100000"}
        contexts.append(
            ControlContext(
                declaration,
                f"{office}20261{n:09d}",
                AS_OF,
                registries,
                required_documents=required,
                values_cny=cny,
            )
        )
    return contexts


def fresh(contexts: Sequence[ControlContext]) -> list[ControlContext]:
    """Copies without the per-context memo, so every timed run does all the work."""
    return [
        ControlContext(
            c.declaration,
            c.declaration_number,
            c.as_of,
            c.registries,
            c.balances,
            c.required_documents,
            c.values_cny,
            c.policy,
        )
        for c in contexts
    ]


def best(runs: int, work: Callable[[], object]) -> float:
    """Best wall time of ``runs`` calls of ``work``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time controls, risk, the full check and the zen peers; return the figures."""
    registries = load_registries(sorted((ROOT / "samples" / "registries").glob("*.jsonl")))
    engine = RiskEngine.builtin()
    contexts = generate(args.declarations, args.items, args.seed, registries)
    n = len(contexts)

    def controls() -> None:
        for c in fresh(contexts):
            run_controls(c)

    def risk() -> None:
        for c in fresh(contexts):
            engine.assess(c, RULESET, "bench")

    outcomes: list[Any] = []

    def full() -> None:
        outcomes[:] = [check(c, engine, RULESET, "bench") for c in fresh(contexts)]

    t_controls, t_risk, t_check = (best(args.runs, f) for f in (controls, risk, full))
    item_contexts = [x for c in contexts[: max(1, n // 5)] for x in risk_contexts(c)]
    ruleset = engine.ruleset(RULESET)
    loaded = zen.ZenEngine({"loader": {"type": "static", "content": {"k": ruleset.graph}}})
    decision = loaded.create_decision(json.dumps(ruleset.graph))
    t_zen = best(args.runs, lambda: [loaded.evaluate("k", x) for x in item_contexts])
    t_create = best(args.runs, lambda: [decision.evaluate(x) for x in item_contexts])
    lanes = Counter(o.decision.lane.value for o in outcomes)
    decisions = Counter(o.decision.decision.value for o in outcomes)
    return {
        "rules_declarations": n,
        "rules_items_per_declaration": args.items,
        "rules_controls_declarations_per_s": round(n / t_controls),
        "rules_risk_declarations_per_s": round(n / t_risk),
        "rules_check_declarations_per_s": round(n / t_check),
        "rules_check_us_per_declaration": round(t_check / n * 1e6, 1),
        "rules_zen_loaded_us_per_item": round(t_zen / len(item_contexts) * 1e6, 1),
        "rules_zen_create_decision_us_per_item": round(t_create / len(item_contexts) * 1e6, 1),
        "rules_lanes": dict(sorted(lanes.items())),
        "rules_decisions": dict(sorted(decisions.items())),
    }


def main() -> None:
    """Parse arguments, run, print a summary and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--declarations", type=int, default=2000)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261128)
    figures = measure(parser.parse_args())
    items = figures["rules_items_per_declaration"]
    print(f"controls only: {figures['rules_controls_declarations_per_s']} declarations/s")
    print(f"risk ruleset only: {figures['rules_risk_declarations_per_s']} declarations/s")
    print(
        f"controls + risk + decision ({items} items): "
        f"{figures['rules_check_declarations_per_s']} declarations/s, "
        f"{figures['rules_check_us_per_declaration']} µs each"
    )
    print(
        f"zen per item: loaded engine {figures['rules_zen_loaded_us_per_item']} µs, "
        f"create_decision().evaluate {figures['rules_zen_create_decision_us_per_item']} µs"
    )
    print(f"lanes: {figures['rules_lanes']}; decisions: {figures['rules_decisions']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
