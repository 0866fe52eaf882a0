"""Declarations: list, show, explain a decision, reassess it exactly."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from clearance.app import disclosure
from clearance.app.access import Permission, require, visible_declaration
from clearance.app.actor import Actor
from clearance.app.context import Application
from clearance.app.errors import NotFoundError
from clearance.app.queries import declaration_detail
from clearance.app.queries import list_declarations as _list
from clearance.app.queries import show_declaration as _show
from clearance.app.tenant_scope import tenant_read
from clearance.app.views import DeclarationDetail, DeclarationSummary, View
from clearance.decisions import history
from clearance.decisions.records import reason_json
from clearance.store.tables import Declaration
from core.clock import as_utc
from rules import explain as explain_text


class Explanation(View):
    """The latest decision of a declaration, in words and as data."""

    number: str
    lane: str
    decision: str
    auto_release: bool
    ruleset: dict[str, str]
    fired_rules: list[str]
    reasons: list[dict[str, object]]
    inputs_digest: str
    decided_by: str
    note: str | None
    decided_at: str
    text: str  # the plain-words explanation, Chinese and English


class DeclarationResource(DeclarationDetail):
    """One declaration: content, items, assessment (duties), versions, responses, events, and
    its latest decision (lane, findings, ruleset version, reasons)."""

    decision_detail: Explanation | None


class DecisionDigest(View):
    """A decision's lane, kind and inputs digest."""

    lane: str
    decision: str
    inputs_digest: str


class Reassessment(View):
    """A stored automatic decision and the same decision computed again."""

    number: str
    as_of: str
    declaration_version: int
    ruleset_version: str
    stored: DecisionDigest
    recomputed: DecisionDigest
    identical: bool


def list_declarations(
    app: Application, actor: Actor, *, limit: int = 100
) -> list[DeclarationSummary]:
    """The newest declarations ``actor`` may see."""
    require(actor, Permission.READ)
    with tenant_read(app, actor) as session:
        return _list(session, actor, limit=limit)


def show(app: Application, actor: Actor, number: str) -> DeclarationDetail:
    """Everything stored about one declaration (``NotFoundError`` if ``actor`` may not see it)."""
    require(actor, Permission.READ)
    with tenant_read(app, actor) as session:
        return _show(session, actor, number)


def show_with_decision(app: Application, actor: Actor, number: str) -> DeclarationResource:
    """:func:`show` and :func:`explain` in one read: one visibility check, one transaction
    (one row-level security set-up on PostgreSQL); ``decision_detail`` is None while the
    declaration is not decided. What ``GET /v1/declarations/{number}`` answers."""
    require(actor, Permission.READ)
    with tenant_read(app, actor) as session:
        row = visible_declaration(session, actor, number)
        return DeclarationResource(
            **declaration_detail(session, row, actor),
            decision_detail=_explanation(session, row, actor),
        )


def explain(app: Application, actor: Actor, number: str) -> Explanation:
    """The latest decision of ``number``: lane, rules with their values, ruleset, officer."""
    require(actor, Permission.READ)
    with tenant_read(app, actor) as session:
        explanation = _explanation(session, visible_declaration(session, actor, number), actor)
        if explanation is None:
            raise NotFoundError(f"no decision for declaration {number}")
        return explanation


def _explanation(session: Session, row: Declaration, actor: Actor) -> Explanation | None:
    """The latest decision of ``row`` as ``actor`` may read it: a trader or broker reads the
    control findings, not the risk rows, the random-sample draws or the officer
    (:mod:`.disclosure`)."""
    stored = history.latest_decision(session, row.id)
    if stored is None:
        return None
    number = row.number
    decision = disclosure.decision(actor, history.decision_of(number, stored))
    party = disclosure.is_party(actor)
    return Explanation(
        number=number,
        lane=decision.lane.value,
        decision=decision.decision.value,
        auto_release=decision.auto_release,
        ruleset={"id": decision.ruleset_id, "version": decision.ruleset_version},
        fired_rules=list(decision.fired_rules),
        reasons=[reason_json(r) for r in decision.reasons],
        inputs_digest=decision.inputs_digest,
        decided_by=disclosure.decided_by(actor, stored.decided_by),
        note=None if party else stored.note,
        decided_at=as_utc(stored.decided_at).isoformat(),
        text=explain_text(decision),
    )


def reassess(app: Application, actor: Actor, number: str, as_of: date) -> Reassessment:
    """Recompute the automatic decision of ``number`` in force on ``as_of`` (read-only)."""
    require(actor, Permission.ANALYSE)
    with app.read() as session:
        visible_declaration(session, actor, number)
        result = history.reassess(session, number, as_of)
        stored, again = result.stored, result.again.decision
        return Reassessment(
            number=number,
            as_of=as_of.isoformat(),
            declaration_version=stored.declaration_version,
            ruleset_version=stored.ruleset_version,
            stored=DecisionDigest(
                lane=stored.lane, decision=stored.decision, inputs_digest=stored.inputs_digest
            ),
            recomputed=DecisionDigest(
                lane=again.lane.value,
                decision=again.decision.value,
                inputs_digest=again.inputs_digest,
            ),
            identical=result.identical,
        )
