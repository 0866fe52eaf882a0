"""``run_controls`` skips a run of rules whose shared guard is false (the licence rules without
a licence cited, the certificate rules after COO-001 without a certificate claimed): the
findings must be exactly those of every rule run on its own, in the catalogue's order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from edi.model import Declaration, Direction, PartyRole
from rules.claims import cites_certificate, cites_licence
from rules.context import ControlContext, ControlPolicy, MissingAction, RequiredDocument
from rules.controls import ALL_RULES, run_controls
from rules.findings import Finding, Rule, Severity, rule
from rules.ledger import Allowance, Balance

from .builders import (
    NINGBO,
    certificate,
    context,
    declaration,
    item,
    kg,
    licence,
    party,
    usd,
)

PALM = "26-AA-310045"
FORM_E = "E261234567890123"


def _palm(number: str = PALM, code: str = "1511100000", **fields: object) -> Declaration:
    line = item(1, code, documents=(licence(number),), origin_country="MY")
    return declaration(line, departure_country="MY", **fields)


def _form_e(code: str = "0304620000", **item_fields: object) -> Declaration:
    fields: dict[str, object] = {"documents": (certificate(),), "preference": "ACFTA"}
    fields.update(item_fields)
    return declaration(item(1, code, **fields))


#: Declarations with and without licences and certificates, most of them finding something.
CASES: dict[str, tuple[Declaration, date | None]] = {
    "nothing cited": (declaration(item()), None),
    "nothing cited, sums that disagree": (
        declaration(
            item(1, value=usd("100.00")),
            item(2, gross_mass=kg("10"), net_mass=kg("20")),
            invoice_total=usd("1.00"),
            gross_mass=kg("5"),
        ),
        None,
    ),
    "preference without certificate": (declaration(item(preference="ACFTA")), None),
    "header certificate of another agreement": (
        declaration(item(preference="RCEP"), documents=(certificate(agreement="ACFTA"),)),
        None,
    ),
    "valid licence": (_palm(), None),
    "unknown licence": (_palm("26-ZZ-999999"), None),
    "licence not covering the goods": (_palm(code="0304620000"), None),
    "licence of another holder": (
        _palm(parties=(party(PartyRole.CONSIGNEE, NINGBO, "NINGBO"),)),
        None,
    ),
    "licence on an export": (_palm(direction=Direction.EXPORT), None),
    "licence out of date": (_palm(), date(2027, 2, 1)),
    "valid certificate": (_form_e(), None),
    "unknown certificate": (
        declaration(item(preference="ACFTA", documents=(certificate("E269999999999999"),))),
        None,
    ),
    "certificate, goods not on it": (_form_e("8471300000"), None),
    "certificate, origin not the issuing country": (_form_e(origin_country="TH"), None),
    "certificate out of date": (_form_e(), date(2028, 1, 1)),
    "certificate, no quantity in its unit": (
        _form_e(quantity=kg("5", "PCE"), statutory_quantity=None, net_mass=None),
        None,
    ),
    "licence and certificate": (
        declaration(
            item(1, "1511100000", documents=(licence(PALM),), origin_country="MY"),
            item(2, preference="ACFTA", documents=(certificate(),)),
        ),
        None,
    ),
}


def _contexts() -> Iterator[tuple[str, ControlContext]]:
    for name, (decl, as_of) in CASES.items():
        ctx = context(decl) if as_of is None else context(decl, as_of=as_of)
        yield name, ctx
        # The same with a document required of item 1 and no sanity policy limit.
        required = {1: (RequiredDocument(("7",), MissingAction.DOCUMENTS_REQUIRED, "licence"),)}
        yield f"{name}, document required", replace(ctx, required_documents=required)


CONTEXTS = dict(_contexts())


def _every_rule(ctx: ControlContext) -> tuple[Finding, ...]:
    """What run_controls gave before guards: each rule's own check, in catalogue order."""
    return tuple(f for control in ALL_RULES for f in control.check(control, ctx))


@pytest.mark.parametrize("ctx", CONTEXTS.values(), ids=CONTEXTS.keys())
def test_guarded_run_finds_what_every_rule_finds(ctx: ControlContext) -> None:
    assert run_controls(ctx) == _every_rule(ctx)


def test_the_cases_reach_both_families_and_both_sides_of_their_guards() -> None:
    found = {f.rule_id for ctx in CONTEXTS.values() for f in _every_rule(ctx)}
    assert {"LIC-001", "LIC-003", "LIC-004", "LIC-005", "LIC-006"} <= found
    assert {"COO-001", "COO-002", "COO-004", "COO-005", "COO-006", "COO-007"} <= found
    assert {"SAN-003", "SAN-004", "DOC-001"} <= found
    guards = [(cites_licence(c), cites_certificate(c)) for c in CONTEXTS.values()]
    assert {g[0] for g in guards} == {True, False}
    assert {g[1] for g in guards} == {True, False}


@pytest.mark.parametrize("ctx", CONTEXTS.values(), ids=CONTEXTS.keys())
def test_a_guarded_rule_finds_nothing_where_its_guard_is_false(ctx: ControlContext) -> None:
    for control in ALL_RULES:
        if control.guard is not None and not control.guard(ctx):
            assert list(control.check(control, ctx)) == [], control.id


def test_the_families_are_guarded() -> None:
    guarded = {r.id: r.guard for r in ALL_RULES if r.guard is not None}
    assert {k for k, g in guarded.items() if g is cites_licence} == {
        r.id for r in ALL_RULES if r.id.startswith("LIC-")
    }
    assert {k for k, g in guarded.items() if g is cites_certificate} == {
        r.id for r in ALL_RULES if r.id.startswith("COO-") and r.id != "COO-001"
    }


def test_a_false_guard_skips_its_run_and_is_asked_once_per_run() -> None:
    asked: list[str] = []

    def never(ctx: ControlContext) -> bool:
        asked.append("never")
        return False

    def must_not_run(self: Rule, ctx: ControlContext) -> Iterator[Finding]:
        raise AssertionError(f"{self.id} ran although its guard was false")

    def finds(self: Rule, ctx: ControlContext) -> Iterator[Finding]:
        yield self.finding(zh="z", en="e", evidence={})

    def make(rule_id: str, check: object, guard: object = None) -> Rule:
        return rule(rule_id, 1, zh="z", en="e", severity=Severity.INFO, guard=guard)(check)  # type: ignore[arg-type]

    rules = (
        make("T-001", must_not_run, never),
        make("T-002", must_not_run, never),
        make("T-003", finds),
        make("T-004", must_not_run, never),
    )
    ctx = context(declaration(item()))
    assert [f.rule_id for f in run_controls(ctx, rules)] == ["T-003"]
    assert asked == ["never", "never"]  # T-001 and T-002 share one question; T-004 asks again


def test_weights_still_apply_inside_a_guarded_run() -> None:
    ctx = context(_palm("26-ZZ-999999"))
    weighed = replace(ctx, policy=ControlPolicy(rule_severity=(("LIC-001", "info"),)))
    (found,) = [f for f in run_controls(weighed) if f.rule_id == "LIC-001"]
    assert found.severity is Severity.INFO
    off = replace(ctx, policy=ControlPolicy(rule_severity=(("LIC-001", "off"),)))
    assert [f for f in run_controls(off) if f.rule_id == "LIC-001"] == []


def test_a_context_with_balances_keeps_its_fields_and_memo_but_not_the_same_memo() -> None:
    ctx = context(_palm(), values_cny={1: Decimal("100")})
    claims = ctx.memo("claims", lambda: ("remembered",))
    trader = ctx.trader
    other = ctx.with_balances({"licence:x": Balance(Allowance(None, None))})
    assert other.balances == {"licence:x": Balance(Allowance(None, None))}
    assert ctx.balances == {}
    for name in ("declaration", "declaration_number", "as_of", "registries", "policy"):
        assert getattr(other, name) is getattr(ctx, name)
    assert other.values_cny == ctx.values_cny and other.required_documents == ctx.required_documents
    assert other.memo("claims", lambda: ("computed again",)) is claims
    assert other.trader == trader
    other.memo("only in the other", lambda: 1)
    assert "only in the other" not in ctx._memo
    assert type(other) is ControlContext and other == replace(ctx, balances=other.balances)
