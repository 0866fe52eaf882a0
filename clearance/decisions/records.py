"""Writing what a decision produces: the decision row, the ruleset, the status.

The decision's lifecycle events travel on the declaration outcome
(:attr:`clearance.flow.outcome.DeclarationOutcome.events`); the channel flow writes them after
its own ``registered`` event, so a follower of the log reads a declaration's life in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearance.decisions.json_text import text_encoder
from clearance.store import reference_stamps
from clearance.store.control_tables import DecisionRow, RulesetRow
from clearance.store.counters import create_apart, on_postgresql
from clearance.store.deferred import defer_row, transaction_cache
from clearance.store.tables import Declaration as DeclarationRow
from rules import Decision, DecisionKind, Finding, RiskEngine

#: The stored status a decision leaves a declaration in (the CUSRES status it is answered with).
STATUS = {
    DecisionKind.REJECT: "rejected",
    DecisionKind.DOCUMENTS_REQUIRED: "documents_required",
    DecisionKind.INSPECT: "under_control",
}
#: ``json.dumps(…, ensure_ascii=False)`` without and with ``sort_keys``, and ``json.dumps(…)``
#: for the fired rules: each with its C encoder built once (json.dumps builds one per call,
#: a fixed cost per decision row; see :mod:`clearance.decisions.json_text`).
_TEXT = text_encoder(sort_keys=False)
_SORTED_TEXT = text_encoder(sort_keys=True)
_ASCII_TEXT = text_encoder(sort_keys=False, ensure_ascii=True)
#: Statuses that wait for an officer.
WAITING = ("registered", "documents_required", "under_control")


def status_for(decision: Decision) -> str:
    """``released`` when released automatically, else the decision's status (or waiting)."""
    if decision.auto_release:
        return "released"
    return STATUS.get(decision.decision, "registered")


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """Everything a decision row holds besides the :class:`Decision` itself."""

    declaration_id: int
    declaration_version: int
    findings: tuple[Finding, ...]
    inputs: dict[str, Any]
    seed: str
    as_of: date
    registry_load_id: int | None
    decided_by: str = "auto"
    note: str | None = None


def store_decision(
    session: Session, decision: Decision, record: DecisionRecord, now: datetime
) -> None:
    """Queue the decision row: the interchange's decisions are inserted together, at the end
    (:mod:`clearance.store.deferred`); nothing reads them back before."""
    row = {
        "declaration_id": record.declaration_id,
        "declaration_version": record.declaration_version,
        "lane": decision.lane.value,
        "decision": decision.decision.value,
        "auto_release": decision.auto_release,
        "ruleset_id": decision.ruleset_id,
        "ruleset_version": decision.ruleset_version,
        "fired_rules": _ASCII_TEXT(list(decision.fired_rules)),
        "inputs_digest": decision.inputs_digest,
        "findings": _TEXT([f.as_json() for f in record.findings]),
        "reasons": _TEXT([reason_json(r) for r in decision.reasons]),
        "inputs": _SORTED_TEXT(record.inputs),
        "seed": record.seed,
        "as_of": record.as_of,
        "registry_load_id": record.registry_load_id,
        "decided_by": record.decided_by,
        "note": record.note,
        "decided_at": now,
    }
    defer_row(session, DecisionRow, row)


def reason_json(reason: Any) -> dict[str, Any]:
    """A decision reason as JSON."""
    return {
        "source": reason.source.value,
        "rule_id": reason.rule_id,
        "rule_version": reason.rule_version,
        "weight": reason.weight,
        "message_en": reason.message_en,
        "message_zh": reason.message_zh,
        "evidence": {k: list(v) if isinstance(v, tuple) else v for k, v in reason.evidence.items()},
        "item_sequence": reason.item_sequence,
    }


def ensure_ruleset(session: Session, engine: RiskEngine, version: str, now: datetime) -> None:
    """Keep the content of ruleset ``version`` (once) so replays can load it again."""
    # Checked once per transaction: a row seen (or stored) in it stays there until it ends,
    # and the cache ends with it, so a rolled-back store is never taken for a stored one.
    # Read on the connection: a ruleset row is stored flushed (below), so the ORM's
    # execution and autoflush would only add their cost to one query per interchange.
    # Whether it is stored comes with the unit's other reference stamps when this process
    # asked about the same version before (one statement per interchange for all of them).
    stored = transaction_cache(session, "controls.rulesets")
    if version in stored:
        return
    if not reference_stamps.ruleset_stored_in_unit(session, version):
        ruleset = engine.ruleset(version)
        values = {
            "ruleset_id": ruleset.id,
            "version": version,
            "content": json.dumps(ruleset.graph, ensure_ascii=False, sort_keys=True),
            "loaded_at": now,
        }
        if on_postgresql(session):
            # Committed at once (ADR 0013): another worker never waits on this unit's insert.
            statement = pg_insert(RulesetRow).values(**values)
            create_apart(session, statement.on_conflict_do_nothing(index_elements=["version"]))
        else:
            try:
                with session.begin_nested():
                    session.add(RulesetRow(**values))
            except IntegrityError:
                pass  # a concurrent worker stored the same version first
    stored[version] = True
    reference_stamps.ruleset_stored(session, version)


def set_status(session: Session, declaration_id: int, status: str, now: datetime) -> None:
    """Write the declaration's status."""
    session.execute(_SET_STATUS, {"row_id": declaration_id, "new_status": status, "at": now})


# Built once: they run for every declaration.
_SET_STATUS = (
    update(DeclarationRow)
    .where(DeclarationRow.id == bindparam("row_id"))
    .values(status=bindparam("new_status"), updated_at=bindparam("at"))
)
