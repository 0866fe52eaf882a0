"""``ControlsAndDecision``: the last declaration step — controls, risk, decision, ledgers.

For each registered declaration, inside the interchange's unit of work: build the control
context (registry snapshot in force, ledger balances under row locks, required documents and CNY
values from the assessment), decide on every finding (earlier steps' included), store the
decision, reserve the ledger draws (with the tariff-quota draws the assessment step checked),
set the status, follow the decision (auto-release consumes and creates rebate records) and add
the reasons to the response. Amendments give back the old
reservation and are decided afresh; cancellations give everything back — after release (a
listed case) the consumed amounts too — and void the rebate records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from clearance.decisions import context as ctx
from clearance.decisions import registry_store
from clearance.decisions.carrier import ON_MANIFEST, tell_carrier
from clearance.decisions.evaluate import Evaluation, builtin_engine, evaluate
from clearance.decisions.follow import follow
from clearance.decisions.records import DecisionRecord, ensure_ruleset, status_for, store_decision
from clearance.flow.outcome import DeclarationOutcome, ErrorReport
from clearance.ledgers import quotas
from clearance.ledgers.accounts import (
    HeadSpec,
    Ref,
    apply,
    balances,
    ensure_heads,
    holds_nothing_yet,
    lock_heads,
    settle,
)
from clearance.lifecycle.events import EventKind
from clearance.lifecycle.regime_choice import control_policy, regime_of
from clearance.lifecycle.registration import Registered
from core.clock import Clock
from core.settings import Settings
from edi.model import DeclarationFunction
from rules import (
    ControlContext,
    DecisionKind,
    Reason,
    ReasonSource,
    RiskEngine,
    declaration_draws,
)
from rules.claims import certificate_line_allowance, licence_allowance
from rules.context import ControlPolicy
from rules.registry import Registries
from tariffs import RegimeProfile

_STATUS_EVENTS = {
    "released": EventKind.RELEASED,
    "rejected": EventKind.REJECTED,
    "documents_required": EventKind.DOCUMENTS_REQUESTED,
    "under_control": EventKind.UNDER_CONTROL,
}


class ControlsAndDecision:
    """A :class:`~clearance.flow.steps.DeclarationStep` that decides lane and release."""

    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        engine: RiskEngine | None = None,
        ruleset: str | None = None,
    ) -> None:
        self._clock = clock
        self._seed = settings.risk_seed
        self._engine = engine or builtin_engine()
        self._ruleset = ruleset  # None: the ruleset of each declaration's regime
        self._regime = settings.regime
        # The controls' policy per regime profile (by identity, the profile kept with it).
        self._policies: dict[int, tuple[RegimeProfile, ControlPolicy]] = {}

    def _policy(self, regime: RegimeProfile) -> ControlPolicy:
        """:func:`control_policy` of ``regime``, built once per profile object: an equal
        policy every time, and the same object lets the digest's text of it be remembered."""
        known = self._policies.get(id(regime))
        if known is None or known[0] is not regime:
            known = self._policies[id(regime)] = (regime, control_policy(regime))
        return known[1]

    def __call__(
        self, session: Session, registered: Registered, outcome: DeclarationOutcome
    ) -> None:
        """Decide ``registered``; the ledgers, status, events and outcome follow."""
        now = self._clock.now()
        ref = Ref(registered.number, registered.version)
        if registered.function is DeclarationFunction.CANCELLATION:
            # Registration accepted it (before release, or after release in a listed case):
            # reservations and consumed amounts go back, rebate records are voided.
            args = (registered.id, "invalidated", registered.accepted_on, now)
            follow(session, ref, *args, direction=registered.direction)
            return
        if registered.function is DeclarationFunction.AMENDMENT:
            settle(session, ref, "release", now)  # the new version reserves anew below
        if outcome.assessment is not None:
            outcome.events.append((EventKind.ASSESSED.value, _assessed(outcome)))
        load_id, registries = registry_store.latest_in_unit(session)
        regime = regime_of(registered.declaration, registered.office, self._regime)
        policy = self._policy(regime)
        context = self._context(session, registered, outcome, registries, now, policy)
        prior = list(outcome.findings)
        ruleset = self._ruleset or regime.procedure.risk_ruleset
        canonical = registered.canonical  # the digest hashes the text registration wrote
        result = evaluate(context, prior, self._engine, ruleset, self._seed, canonical)
        # A first version holds nothing on any ledger unless it just reserved something:
        # then the ledgers need not be searched for what follows the decision.
        fresh = registered.function is DeclarationFunction.ORIGINAL
        holds = self._book(session, ref, result, now, fresh) or registered.version > 1
        status = status_for(result.decision)
        record = DecisionRecord(
            registered.id,
            registered.version,
            result.findings,
            ctx.inputs_json(context, prior),
            self._seed,
            registered.accepted_on,
            load_id,
        )
        store_decision(session, result.decision, record, now)
        ensure_ruleset(session, self._engine, result.decision.ruleset_version, now)
        if any(f.rule_id in ON_MANIFEST for f in prior):  # only a manifested bill has a carrier
            tell_carrier(session, registered.number, status, now)
        # The assessment feeds only the rebate records of released exports.
        rebated = status == "released" and registered.direction == "export"
        assessment = outcome.assessment.model_dump() if rebated and outcome.assessment else None
        moved = follow(
            session,
            ref,
            registered.id,
            status,
            registered.accepted_on,
            now,
            assessment,
            registered.direction,
            holds=holds,
            goods=registered.declaration if rebated else None,
        )
        _events(outcome, result, status, moved)
        _fill(outcome, result, status, regime.procedure.lane_wording)

    def _context(
        self,
        session: Session,
        registered: Registered,
        outcome: DeclarationOutcome,
        registries: Registries,
        now: datetime,
        policy: ControlPolicy,
    ) -> ControlContext:
        """The context, with the balances of every ledger it draws on taken under lock."""
        declaration, number = registered.declaration, registered.number
        args = (declaration, number, registered.accepted_on, registries)
        draft = ctx.build(*args, {}, outcome.assessment, policy)
        draws = declaration_draws(draft)
        if not draws:
            # It draws on no ledger (most declarations cite no licence or certificate): none to
            # create, lock or read, and the draft, without balances, is the context.
            session.info["controls.heads"] = {}
            return draft
        specs = [_spec(d.key, d.document, registries) for d in draws]
        ensure_heads(session, specs, now)
        heads = lock_heads(session, [s.key for s in specs])
        session.info["controls.heads"] = heads
        # The draft's claims (declaration and registries only) serve the controls as well.
        return draft.with_balances(balances(session, heads))

    def _book(
        self, session: Session, ref: Ref, result: Evaluation, now: datetime, fresh: bool
    ) -> bool:
        """Reserve the draws of an accepted declaration (a rejected one takes nothing).

        Returns whether anything was reserved. ``fresh``: the declaration was registered in
        this unit of work (an original), so its number holds nothing on any ledger yet.

        The tariff-quota draws were checked by the assessment step, under the quota heads' row
        locks, and are reserved here with the rest (:mod:`clearance.ledgers.quotas`).
        """
        if result.decision.decision is DecisionKind.REJECT:
            quotas.forget(session, ref.number)
            return False
        heads = session.info.pop("controls.heads", {})
        if fresh:  # no SUM of its own entries before its first reservation, no search after
            holds_nothing_yet(session, ref.number, [heads[draw.key].id for draw in result.draws])
        for draw in result.draws:
            refusal = apply(session, heads[draw.key], ref, "reserve", now, draw.quantity, draw.uses)
            if refusal is not None:  # the controls saw the same locked balance: cannot happen
                raise RuntimeError(f"ledger {draw.key} refused a checked draw: {refusal.message}")
        return bool(quotas.book(session, ref, now)) or bool(result.draws)


def _events(outcome: DeclarationOutcome, result: Evaluation, status: str, moved: object) -> None:
    """The decision's lifecycle events, raised through the outcome: the flow writes them
    after "registered" in the interchange's event batch (cause before effect)."""
    d = result.decision
    outcome.events.append(
        (
            EventKind.LANE_ASSIGNED.value,
            {
                "lane": d.lane.value,
                "decision": d.decision.value,
                "auto_release": d.auto_release,
                "ruleset_version": d.ruleset_version,
                "fired_rules": list(d.fired_rules),
            },
        )
    )
    if status in _STATUS_EVENTS:
        outcome.events.append((_STATUS_EVENTS[status].value, {"ledgers": moved}))


def _spec(key: str, document: str, registries: Registries) -> HeadSpec:
    if key.startswith("licence:"):
        licence = registries.licences[document]
        return HeadSpec(key, "licence", document, licence_allowance(licence))
    line_no = int(key.rsplit(":", 1)[1])
    certificate = registries.certificates[document]
    line = next(x for x in certificate.lines if x.line == line_no)
    return HeadSpec(key, "certificate", document, certificate_line_allowance(line))


def _assessed(outcome: DeclarationOutcome) -> dict[str, object]:
    a = outcome.assessment
    return {"total_payable": str(a.total_payable), "currency": a.currency, "complete": a.complete}


def _fill(
    outcome: DeclarationOutcome, result: Evaluation, status: str, wording: Mapping[str, str]
) -> None:
    d = result.decision
    outcome.lane, outcome.decision, outcome.status = d.lane.value, d.decision.value, status
    outcome.findings = list(result.findings)
    outcome.reasons.extend(response_reasons(d.reasons, wording))


def response_reasons(
    reasons: Sequence[Reason], wording: Mapping[str, str] | None = None
) -> list[ErrorReport]:
    """What the trader is told: each control reason; risk selections without their criteria.

    ``wording`` is the regime's text per lane ("selected for documentary check (route 2)");
    without one, "selected for <lane> lane control".
    """
    words = wording or {}
    out: list[ErrorReport] = []
    for reason in reasons:
        if reason.source is ReasonSource.CONTROL:
            code, text = reason.rule_id[:8], reason.message_en
            zh = reason.message_zh or None
            out.append(ErrorReport(code=code, text=text, item=reason.item_sequence, text_zh=zh))
        elif reason.weight in ("yellow", "red", "blue"):
            # Risk criteria and the sample stay confidential: name the lane, not the row.
            code = "RISK" if reason.source is ReasonSource.RISK else "SAMPLE"
            text = words.get(reason.weight, f"selected for {reason.weight} lane control")
            report = ErrorReport(code=code, text=text)
            if report not in out:
                out.append(report)
    return out
