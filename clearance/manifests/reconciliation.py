"""Manifest reconciliation (舱单核销): a declaration's bill of lading must be on a manifest.

An import declaration names its transport document (提运单号) and usually the voyage. The
:class:`ManifestReconciliation` step looks the bill up among the stored manifests
(``clearance/store/manifest_tables.py``):

* not there → ``MAN-001`` (documents): the declaration waits in ``manifest_waits``;
* there → packages and gross mass are compared with the bill; outside the tolerance
  (``CUSTOMS_MANIFEST_TOLERANCE_PERCENT``, percent of the manifest's figure) → ``MAN-002``
  (documents) per quantity, within → ``MAN-000`` (info) naming the manifest and the bill.

When a 309 arrives later, :func:`recheck_waiting` matches the waiting declarations whose bill
is on it. Every match is stored with its findings (``manifest_matches``), so the decision can
be taken again and explained. Rule ids, versions and titles: docs/rules.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BindParameter, bindparam, delete, insert, or_, select
from sqlalchemy.orm import Session

from clearance.flow.outcome import DeclarationOutcome
from clearance.lifecycle.events import EventBatch, EventKind
from clearance.lifecycle.registration import DeclarationStatus, Registered
from clearance.manifests.compare import RULE_VERSION, compare
from clearance.store.deferred import defer_row, discard, row_writer, write_deferred
from clearance.store.manifest_tables import Manifest, ManifestBill, ManifestMatch, ManifestWait
from clearance.store.tables import Declaration as DeclarationRow
from core.clock import Clock
from core.settings import Settings
from edi.model import Declaration, Direction
from rules.findings import Finding, Severity, evidence

DEFAULT_TOLERANCE = Decimal("5")


def normalise(reference: str) -> str:
    """A bill or voyage number for comparison: upper case, no white space."""
    return "".join(reference.split()).upper()


@dataclass(frozen=True)
class ManifestReconciliation:
    """The declaration step (``DeclarationStep``) for the manifest reconciliation."""

    clock: Clock
    tolerance_percent: Decimal = DEFAULT_TOLERANCE

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> ManifestReconciliation:
        """The step with the installation's tolerance."""
        return cls(clock, settings.manifest_tolerance_percent)

    def __call__(
        self, session: Session, registered: Registered, outcome: DeclarationOutcome
    ) -> None:
        """Check one declaration: find its bill, compare, or make it wait for the manifest."""
        # An amendment is checked afresh; a cancelled declaration waits for nothing. A first
        # version (a row registered just now) has no earlier wait to drop.
        if registered.version > 1:
            same = registered.id
            discard(session, row_writer(ManifestWait), lambda w: w["declaration_id"] == same)
            session.execute(_DROP_WAITS, {"declaration_id": registered.id})
        declaration = registered.declaration
        transport = declaration.transport
        document = transport.transport_document if transport is not None else None
        if (
            registered.status == DeclarationStatus.INVALIDATED
            or declaration.direction is not Direction.IMPORT  # 309s are arrival manifests
            or transport is None
            or not document
        ):
            return
        now = self.clock.now()
        found = find_bill(session, document, transport.voyage)
        if found is None:
            outcome.findings.append(_not_yet_received(document, transport.voyage))
            # Inserted with the interchange's other waits (an amendment in the same
            # interchange drops it from the queue above; a 309 writes the queue first).
            voyage = normalise(transport.voyage) if transport.voyage else None
            wait = {"declaration_id": registered.id, "declaration_number": registered.number}
            wait |= {"transport_document": normalise(document), "voyage": voyage, "since": now}
            defer_row(session, ManifestWait, wait)
            return
        bill, manifest = found
        findings = compare(declaration, bill, manifest, self.tolerance_percent)
        outcome.findings.extend(findings)
        _record_match(session, registered.id, registered.version, bill, findings, now)


# Statements run for every declaration, built once.
_DROP_WAITS = delete(ManifestWait).where(ManifestWait.declaration_id == bindparam("declaration_id"))
_KEY: BindParameter[str] = bindparam("key")
_BILL = (
    select(ManifestBill, Manifest)
    .join(Manifest, ManifestBill.manifest_id == Manifest.id)
    .where(or_(ManifestBill.bill_number == _KEY, ManifestBill.carrier_number == _KEY))
    .order_by(Manifest.id.desc())
    .limit(1)
)
_BILL_ON_VOYAGE = _BILL.where(ManifestBill.voyage == bindparam("voyage"))


def find_bill(
    session: Session, document: str, voyage: str | None
) -> tuple[ManifestBill, Manifest] | None:
    """The newest stored bill numbered ``document`` (on ``voyage`` when given), if any.

    The document may be the full bill number (issuer SCAC + carrier number, as 309s carry
    it) or the carrier's own number (M1101) alone.
    """
    params = {"key": normalise(document), "voyage": normalise(voyage) if voyage else None}
    row = session.execute(_BILL_ON_VOYAGE if voyage else _BILL, params).first()
    return None if row is None else (row[0], row[1])


def recheck_waiting(
    session: Session,
    manifest_id: int,
    now: datetime,
    *,
    tolerance_percent: Decimal = DEFAULT_TOLERANCE,
    events: EventBatch | None = None,
) -> list[str]:
    """Match the declarations waiting for a bill of the newly stored manifest.

    Each match deletes its wait row, stores the match with its findings and adds a
    ``manifest_matched`` event (to ``events`` when given, else written at once). Returns
    the numbers of the matched declarations, in the order they started waiting.
    """
    write_deferred(session)  # waits queued earlier in this unit of work are waits too
    manifest = session.get(Manifest, manifest_id)
    if manifest is None:
        raise ValueError(f"no manifest {manifest_id}")
    bills = session.scalars(select(ManifestBill).where(ManifestBill.manifest_id == manifest_id))
    by_key: dict[str, ManifestBill] = {}
    for bill in bills:
        by_key.setdefault(bill.bill_number, bill)
        by_key.setdefault(bill.carrier_number, bill)
    batch = events or EventBatch(now, manifest.inbound_message_id)
    matched: list[str] = []
    for wait in _waits_for(session, list(by_key)):
        if wait.voyage is not None and wait.voyage != manifest.voyage:
            continue
        session.execute(delete(ManifestWait).where(ManifestWait.id == wait.id))
        row = session.get(DeclarationRow, wait.declaration_id)
        if row is None or row.status == DeclarationStatus.INVALIDATED:
            continue
        bill = by_key[wait.transport_document]
        declaration = Declaration.model_validate_json(row.canonical)
        findings = compare(declaration, bill, manifest, tolerance_percent)
        _record_match(session, row.id, row.version, bill, findings, now)
        batch.add(
            EventKind.MANIFEST_MATCHED,
            declaration_number=row.number,
            data={
                "manifest_id": manifest.id,
                "voyage": manifest.voyage,
                "bill": bill.bill_number,
                "waited_since": wait.since.isoformat(),
                "findings": [f.rule_id for f in findings],
            },
        )
        matched.append(row.number)
    if events is None:
        batch.write(session)
    return matched


def _waits_for(session: Session, keys: list[str]) -> list[ManifestWait]:
    waits: list[ManifestWait] = []
    for start in range(0, len(keys), 500):  # bounded IN lists (a 309 may carry 9999 bills)
        chunk = keys[start : start + 500]
        waits += session.scalars(
            select(ManifestWait).where(ManifestWait.transport_document.in_(chunk))
        )
    return sorted(waits, key=lambda w: w.id)


def _not_yet_received(document: str, voyage: str | None) -> Finding:
    on = f"航次 {voyage} 的" if voyage else ""
    for_voyage = f" for voyage {voyage}" if voyage else ""
    return Finding(
        "MAN-001",
        RULE_VERSION,
        Severity.DOCUMENTS,
        f"舱单未到：提运单 {document} 尚未出现在{on}舱单上",
        f"manifest not yet received: transport document {document} is on no manifest{for_voyage}",
        evidence(transport_document=document, voyage=voyage),
    )


def _record_match(
    session: Session,
    declaration_id: int,
    version: int,
    bill: ManifestBill,
    findings: list[Finding],
    now: datetime,
) -> None:
    session.execute(
        insert(ManifestMatch).values(
            declaration_id=declaration_id,
            declaration_version=version,
            manifest_id=bill.manifest_id,
            bill_id=bill.id,
            bill_number=bill.bill_number,
            findings=json.dumps([f.as_json() for f in findings], ensure_ascii=False),
            matched_at=now,
        )
    )
