"""End to end through ``rules.check``: sample-like declarations, determinism, input digest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from edi.model import PartyRole
from rules import RequiredDocument, check, explain, inputs_digest
from rules.context import ControlContext, MissingAction
from rules.outcome import DecisionKind
from rules.risk import RiskEngine

from .builders import certificate, context, declaration, item, licence, party

ENGINE = RiskEngine.builtin()


def form_e_context(**kwargs: Any) -> ControlContext:
    decl = declaration(item(documents=(certificate(),), preference="ACFTA"))
    return context(decl, values_cny={1: Decimal("115000")}, **kwargs)


def test_sample_01_first_item_is_clean_and_reserves_its_certificate_line() -> None:
    ctx = form_e_context()
    outcome = check(ctx, ENGINE, "cn-default", "seed-2026")
    assert outcome.findings == ()
    assert outcome.decision.ruleset_id == "cn-default"
    assert [d.key for d in outcome.draws] == ["certificate:E261234567890123:1"]
    assert outcome.decision.lane is outcome.risk.lane
    assert outcome.decision.auto_release is (outcome.risk.lane.value == "green")


def test_same_inputs_same_decision() -> None:
    first = check(form_e_context(), ENGINE, "cn-default", "seed")
    again = check(form_e_context(), ENGINE, "cn-default", "seed")
    assert first.decision == again.decision
    assert explain(first.decision) == explain(again.decision)


def test_digest_changes_with_any_input() -> None:
    base = check(form_e_context(), ENGINE, "cn-default", "seed").decision
    later = check(form_e_context(as_of=date(2026, 11, 29)), ENGINE, "cn-default", "seed")
    reseeded = check(form_e_context(), ENGINE, "cn-default", "other")
    assert (
        len({base.inputs_digest, later.decision.inputs_digest, reseeded.decision.inputs_digest})
        == 3
    )


def test_the_digest_hashes_the_canonical_text_given_as_it_would_write_it() -> None:
    ctx = form_e_context()
    written = inputs_digest(ctx, "v1", "seed")
    assert inputs_digest(ctx, "v1", "seed", ctx.declaration.model_dump_json()) == written
    # The text given is what is hashed (the caller must give the declaration's own).
    assert inputs_digest(ctx, "v1", "seed", ctx.declaration.model_dump_json() + " ") != written


def test_missing_licence_and_wrong_holder_reject_with_reasons() -> None:
    palm = item(
        1,
        "1511100000",
        origin_country="MY",
        unit_price=None,
        value=None,
        documents=(licence("26-AA-310045"),),
    )
    decl = declaration(
        palm, departure_country="MY", parties=(party(PartyRole.CONSIGNEE, "91330200MA2AJ6YF1B"),)
    )
    requirement = RequiredDocument(("A",), MissingAction.DOCUMENTS_REQUIRED, "inspection")
    outcome = check(context(decl, required={1: (requirement,)}), ENGINE, "cn-default", "s")
    assert outcome.decision.decision is DecisionKind.REJECT
    ids = [r.rule_id for r in outcome.decision.reasons]
    assert ids[0] == "LIC-003" and "DOC-001" in ids
    assert "LIC-003@1" in outcome.decision.fired_rules


def test_an_expired_certificate_is_not_drawn_on() -> None:
    decl = declaration(item(documents=(certificate("E251111111111111"),), preference="ACFTA"))
    outcome = check(context(decl), ENGINE, "cn-default", "s")
    assert "COO-005" in {f.rule_id for f in outcome.findings}
    assert outcome.draws == ()


def _payload_cases() -> list[tuple[ControlContext, str, str]]:
    from rules.ledger import Allowance, Balance, Holding

    many = declaration(*(item(n) for n in range(1, 13)))  # "10" sorts before "2" as text
    values = {n: Decimal(f"{n}00.5{n}") for n in range(1, 13)}
    required = {
        2: (RequiredDocument(("7", "A"), MissingAction.DOCUMENTS_REQUIRED, 'licence "AIL" 许可'),),
        10: (RequiredDocument(("E",), MissingAction.OTHER_RATE),),
    }
    held = Balance(Allowance(Decimal("100"), "KGM", Decimal("0.05"), 12), Holding(Decimal("5")))
    return [
        (context(), "v1", "seed"),
        (form_e_context(), "ed72e3", "golden-customs"),
        (context(many, values_cny=values, required=required), 'q"uo\\te', "种子\n\t\x01"),
        (context(balances={"licence:26-AA-1": held, "certificate:E1:1": held}), "v", "s"),
    ]


def test_the_digest_payload_text_is_the_canonical_json_of_the_payload() -> None:
    # The text is written directly; it must be exactly what the sorted, compact encoder
    # gives for the payload, escapes and key order included.
    from rules.engine import _CANONICAL, _payload, _payload_text

    for ctx, version, seed in _payload_cases():
        assert _payload_text(ctx, version, seed) == _CANONICAL.encode(_payload(ctx, version, seed))
