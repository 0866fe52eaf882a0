"""Risk assessment with the shipped ruleset: hits, determinism and random-sample rates."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest

from edi.model import Declaration, PartyRole
from rules.findings import evidence
from rules.outcome import Lane
from rules.risk import RiskEngine, risk_contexts, uniform

from .builders import DISCREDITED, SUZHOU, context, declaration, item, party

ENGINE = RiskEngine.builtin()
RULESET = "cn-default"


def numbers(count: int, office: str = "2201") -> list[str]:
    return [f"{office}2026{1}{n:09d}" for n in range(count)]


def test_pangasius_from_vietnam_matches_the_fish_rows() -> None:
    ctx = context(values_cny={1: Decimal("115000")})
    risk = ENGINE.assess(ctx, RULESET, "seed")
    rules = {h.rule: h for h in risk.hits}
    assert set(rules) == {"RISK-COM-001", "RISK-COM-002"}
    fish = rules["RISK-COM-001"]
    assert fish.conditions == (
        ("direction", '"import"', "import"),
        ("heading", '"0304"', "0304"),
        ("origin", '"VN","TH","ID","IN","BD"', "VN"),
    )
    assert fish.items == (1,)
    assert fish.draw is not None and fish.selected is (fish.draw < 0.05)
    assert risk.sample.rule == "RISK-SMP-003"  # office 2201, imports, general certified trader


def test_discredited_trader_gets_the_trader_rows_and_the_high_sample() -> None:
    decl = declaration(item(), parties=(party(PartyRole.CONSIGNEE, DISCREDITED),))
    risk = ENGINE.assess(context(decl), RULESET, "seed")
    rules = {h.rule for h in risk.hits}
    assert {"RISK-TRD-001", "RISK-TRD-004"} <= rules
    assert risk.sample.rule == "RISK-SMP-002"
    assert risk.lane is Lane.RED  # RISK-TRD-004 always selects red


def test_value_threshold_uses_the_declaration_value_in_cny() -> None:
    decl = declaration(
        item(code="8542319000", origin_country="KR"),
        parties=(party(PartyRole.CONSIGNEE, SUZHOU),),
        departure_country="KR",
    )
    low = ENGINE.assess(context(decl, values_cny={1: Decimal("9999999")}), RULESET, "s")
    high = ENGINE.assess(context(decl, values_cny={1: Decimal("10000000")}), RULESET, "s")
    assert "RISK-VAL-002" not in {h.rule for h in low.hits}
    (hit,) = [h for h in high.hits if h.rule == "RISK-VAL-002"]
    assert hit.lane is Lane.BLUE and hit.selected and hit.draw is None
    assert hit.evidence["declaration_value_cny"] == "10000000.0"
    assert hit.evidence["declaration_value_cny~"] == ">= 10000000"


def test_transit_with_preference_needs_direct_consignment_check() -> None:
    decl = declaration(item(preference="ACFTA"), departure_country="SG")
    risk = ENGINE.assess(context(decl), RULESET, "s")
    assert "RISK-RTE-001" in {h.rule for h in risk.selected}


def test_same_inputs_same_lane_and_draws() -> None:
    ctx = context(values_cny={1: Decimal("115000")})
    first = ENGINE.assess(ctx, RULESET, "seed-A")
    again = ENGINE.assess(context(values_cny={1: Decimal("115000")}), RULESET, "seed-A")
    assert first == again
    by_version = ENGINE.assess(ctx, ENGINE.ruleset(RULESET).version, "seed-A")
    assert by_version == first


def test_another_seed_gives_another_draw() -> None:
    draws = {ENGINE.assess(context(), RULESET, f"seed-{n}").sample.draw for n in range(5)}
    assert len(draws) == 5


def test_uniform_is_deterministic_and_in_range() -> None:
    values = [uniform(n, "seed", "sampling") for n in numbers(2000)]
    assert values == [uniform(n, "seed", "sampling") for n in numbers(2000)]
    assert all(0 <= v < 1 for v in values)
    assert abs(sum(values) / len(values) - 0.5) < 0.03


def generated(rng: random.Random, uscc: str) -> Declaration:
    """A random one-to-three item import by ``uscc``."""
    codes = ["0304620000", "0306171900", "2204210000", "3304990099", "8542319000", "1511100000"]
    items = [
        item(n, rng.choice(codes), origin_country=rng.choice(["VN", "TH", "JP", "KR", "AU", "MY"]))
        for n in range(1, rng.randint(1, 3) + 1)
    ]
    return declaration(*items, parties=(party(PartyRole.CONSIGNEE, uscc),))


@pytest.mark.parametrize(
    ("uscc", "office", "rule", "target"),
    [
        ("91310000MA1FL0XQ8W", "2201", "RISK-SMP-003", 0.04),  # general certified, 2201 imports
        (SUZHOU, "2201", "RISK-SMP-001", 0.006),  # advanced certified
    ],
)
def test_random_sample_rate_is_within_four_sigma_of_target(
    uscc: str, office: str, rule: str, target: float
) -> None:
    rng = random.Random(20261128)
    n = 10_000
    selected = 0
    for number in numbers(n, office):
        ctx = context(generated(rng, uscc), number=number)
        contexts = risk_contexts(ctx)
        sequences = [i.sequence for i in ctx.declaration.items]
        risk = ENGINE.assess_contexts(contexts, sequences, number, RULESET, "office-seed-2026")
        assert risk.sample.rule == rule
        selected += risk.sample.selected
    sigma = math.sqrt(n * target * (1 - target))
    assert abs(selected - n * target) <= 4 * sigma, (selected, n * target, sigma)


def test_trace_shows_every_table_for_an_item() -> None:
    (item_context,) = risk_contexts(context())
    traced = ENGINE.trace(RULESET, item_context)
    names = {node["name"] for node in traced["$trace"].values()}
    assert {"Commodity and origin", "Random sampling per office"} <= names
    assert [row["rule"] for row in traced["commodity_origin"]] == ["RISK-COM-001", "RISK-COM-002"]


def test_editing_only_a_description_draws_nothing_anew() -> None:
    """The draw depends on (seed, declaration, rule id), not on the ruleset's content version."""
    from rules.risk import BUILTIN_DIRECTORY, parse_ruleset

    text = (BUILTIN_DIRECTORY / "cn-default.json").read_text(encoding="utf-8")
    edited_text = text.replace(
        "Farmed fish fillets, residue-risk origins", "Farmed fish fillets (wording only)"
    )
    edited = parse_ruleset(edited_text, "edited.json", "cn-default")
    original = ENGINE.ruleset(RULESET)
    assert edited.version != original.version
    both = RiskEngine([original, edited])
    for number in numbers(200):
        ctx = context(values_cny={1: Decimal("115000")}, number=number)
        before = both.assess(ctx, original.version, "seed")
        after = both.assess(ctx, edited.version, "seed")
        assert [(h.rule, h.draw, h.selected) for h in before.hits] == [
            (h.rule, h.draw, h.selected) for h in after.hits
        ]
        assert (before.sample.draw, before.lane) == (after.sample.draw, after.lane)


def test_a_new_rate_compares_the_same_draw_and_a_new_seed_draws_afresh() -> None:
    ctx = context(values_cny={1: Decimal("115000")})
    first = ENGINE.assess(ctx, RULESET, "seed")
    fish = next(h for h in first.hits if h.rule == "RISK-COM-001")
    assert fish.draw == uniform(ctx.declaration_number, "seed", "RISK-COM-001")
    other = ENGINE.assess(ctx, RULESET, "another seed")
    assert next(h for h in other.hits if h.rule == "RISK-COM-001").draw != fish.draw


def test_the_risk_digest_is_of_the_item_contexts_assessed() -> None:
    # Worked out when read: still the sha256 of the contexts' text, and it tells apart two
    # declarations whose items differ in a value the ruleset reads.
    import hashlib

    first = context(values_cny={1: Decimal("115000")})
    second = context(values_cny={1: Decimal("115001")})
    risk = ENGINE.assess(first, RULESET, "seed")
    text = repr(list(risk_contexts(first)))
    assert risk.inputs_digest == hashlib.sha256(text.encode()).hexdigest()
    assert risk.inputs_digest != ENGINE.assess(second, RULESET, "seed").inputs_digest


def test_a_hits_evidence_is_its_conditions_then_the_rendered_rate_draw_and_items() -> None:
    # The evidence is written out field by field; it must stay what rules.findings.evidence
    # renders for (rate, draw, items), in that order after the conditions.
    decl = declaration(
        item(1),
        item(2, origin_country="TH"),
        item(3, code="8542319000"),
        parties=(party(PartyRole.CONSIGNEE, DISCREDITED),),  # a row selected always (no draw)
    )
    ctx = context(decl, values_cny={1: Decimal("115000"), 2: Decimal("7"), 3: Decimal("12")})
    risk = ENGINE.assess(ctx, RULESET, "seed")
    hits = (*risk.hits, risk.sample)
    assert any(h.draw is None for h in hits) and any(h.draw is not None for h in hits)
    assert any(len(h.items) > 1 for h in hits)
    for hit in hits:
        expected: dict[str, object] = {}
        for name, expression, value in hit.conditions:
            expected[name] = value
            expected[f"{name}~"] = expression
        draw = None if hit.draw is None else f"{hit.draw:.6f}"
        expected.update(evidence(rate=str(hit.rate), draw=draw, items=hit.items))
        assert hit.evidence == expected
        assert list(hit.evidence) == list(expected)
        assert all(type(i) is str for i in hit.evidence["items"])  # type: ignore[union-attr]


def test_a_hits_conditions_hold_the_values_as_evidence_renders_them() -> None:
    # _Drawer.hit renders each compared value itself (stop 26): the same as evidence(**values)
    # for every kind of value a context may hold, a name compared twice included.
    from datetime import date

    from rules.risk.assess import _Drawer
    from rules.risk.tables import RowInfo

    values: dict[str, object] = {
        "text": "0304",
        "number": 115000.5,
        "whole": 3,
        "flag": True,
        "missing": None,
        "amount": Decimal("1.50"),
        "day": date(2026, 6, 15),
        "codes": ["b", Decimal("2.0")],
        "kinds": frozenset({"z", "a"}),
    }
    names = (*values, "text", "absent")
    conditions = tuple((name, f"{name} cell") for name in names)
    row = RowInfo("R-1", "Table", "row-1", 1, conditions, Lane.YELLOW, 5, 1.0, "en", "中", False)
    hit = _Drawer("N1", "seed").hit(row, [1], values)
    rendered = evidence(**{name: values.get(name) for name in names})
    assert hit.conditions == tuple((name, f"{name} cell", rendered[name]) for name in names)
    assert [type(v) for _, _, v in hit.conditions] == [type(rendered[n]) for n in names]
