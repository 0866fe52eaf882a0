"""What a trader or broker is told about customs' own work on its declarations.

A trader (and a broker acting for it) sees its declaration's lane and status, the findings of
the control rules about its documents (a missing licence, a manifest not received), its duties
and the requests for documents addressed to it. What selected the lane beyond those findings
is customs-internal: the risk-profile rows and random-sample draws (their ids, texts and
values), and who among the officers claimed, examined or decided. Officers, the admin and the
operator see everything; every view of a declaration or an event for a trader or broker goes
through here (the API's declaration and events, the webhooks, the console's pages).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from clearance.app.actor import Actor, Role
from rules.outcome import Decision, ReasonSource

#: Who is told about customs' work, not shown it: the parties to a declaration.
PARTY_ROLES = frozenset({Role.TRADER, Role.BROKER})
#: What a party reads where an officer's id would be.
CUSTOMS = "customs"

#: For a party, the data keys an event of these kinds keeps (every other kind keeps all):
#: the lane without the rules that chose it, an officer's decision and request without the
#: officer, an examination's kind and outcome without the officer's notes; claims are the
#: officers' own matter.
_PARTY_KEYS: dict[str, frozenset[str]] = {
    "lane_assigned": frozenset({"lane", "decision", "auto_release"}),
    "officer_decided": frozenset({"action", "reason", "version"}),
    "documents_requested": frozenset(
        {"request_id", "documents", "reason", "due_on", "previous_status", "ledgers"}
    ),
    "examination_recorded": frozenset({"kind", "outcome", "version"}),
    "claimed": frozenset(),
    "unclaimed": frozenset(),
    "claim_reassigned": frozenset(),
    # Who confirmed the exit is customs' matter; the party reads that its export is cleared.
    "cleared": frozenset({"answered"}),
}


def is_party(actor: Actor) -> bool:
    """Whether ``actor`` is told (not shown) customs' internal work: a trader or broker."""
    return actor.role in PARTY_ROLES


def event_data(actor: Actor, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """An event's ``data`` as ``actor`` may read it."""
    if not is_party(actor):
        return data
    keys = _PARTY_KEYS.get(kind)
    if keys is None:
        return data
    return {k: v for k, v in data.items() if k in keys}


def decision(actor: Actor, found: Decision) -> Decision:
    """``found`` as ``actor`` may read it: for a party, the control findings only (no risk
    row, no random-sample draw, and ``fired_rules`` of those findings alone)."""
    if not is_party(actor):
        return found
    reasons = tuple(r for r in found.reasons if r.source is ReasonSource.CONTROL)
    labels = {r.label for r in reasons}
    return dataclasses.replace(
        found,
        reasons=reasons,
        fired_rules=tuple(f for f in found.fired_rules if f in labels),
    )


def decided_by(actor: Actor, by: str) -> str:
    """Who decided, as ``actor`` may read it: ``auto``, or ``customs`` for a party when an
    officer did."""
    if not is_party(actor) or by == "auto":
        return by
    return CUSTOMS


def officer(actor: Actor, officer_id: str) -> str:
    """An officer's id as ``actor`` may read it (``customs`` for a party)."""
    return CUSTOMS if is_party(actor) else officer_id
