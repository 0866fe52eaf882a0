"""Licences and certificates of origin that expired, or expire soon: announced once each.

Read from the registry in force. A document ``valid_to`` before today is expired; one ending
within the warning window is expiring. Each gets one event, keyed by number and end date
(``housekeeping_notices``), so a document whose validity an agency extends is announced
again for its new end. Suspended, revoked or cancelled documents are not announced: they
stopped counting before their end date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from clearance.decisions import registry_store
from clearance.lifecycle.events import EventKind
from clearance.lifecycle.notices import announce_once
from rules.registry.types import CertificateStatus, LicenceStatus


@dataclass(frozen=True, slots=True)
class ExpirySwept:
    """What one sweep announced."""

    licences_expired: int = 0
    licences_expiring: int = 0
    certificates_expired: int = 0
    certificates_expiring: int = 0


@dataclass(frozen=True, slots=True)
class _Document:
    kind: str  # licence | certificate
    number: str
    valid_to: date
    party: str | None  # the holder's (licence) or importer's (certificate) USCC


def sweep(session: Session, today: date, warning_days: int, now: datetime) -> ExpirySwept:
    """Announce every document of the registry in force that expired or is about to."""
    _, registries = registry_store.latest(session)
    documents = [
        _Document("licence", lic.number, lic.valid_to, lic.holder_uscc)
        for lic in registries.licences.values()
        if lic.status == LicenceStatus.ACTIVE and lic.valid_to is not None
    ]
    documents += [
        _Document("certificate", c.number, c.valid_to, c.importer_uscc)
        for c in registries.certificates.values()
        if c.status == CertificateStatus.VALID
    ]
    horizon = today + timedelta(days=warning_days)
    counts = dict.fromkeys(_EVENTS.values(), 0)
    for doc in sorted(documents, key=lambda d: (d.kind, d.number)):
        if doc.valid_to < today:
            state = "expired"
        elif doc.valid_to <= horizon:
            state = "expiring"
        else:
            continue
        event = _EVENTS[(doc.kind, state)]
        data = {
            "document": doc.kind,
            "number": doc.number,
            "valid_to": doc.valid_to.isoformat(),
            "party": doc.party,
            "days_left": (doc.valid_to - today).days,
        }
        if announce_once(session, event, f"{doc.number}@{doc.valid_to.isoformat()}", data, now):
            counts[event] += 1
    return ExpirySwept(
        licences_expired=counts[EventKind.LICENCE_EXPIRED],
        licences_expiring=counts[EventKind.LICENCE_EXPIRING],
        certificates_expired=counts[EventKind.CERTIFICATE_EXPIRED],
        certificates_expiring=counts[EventKind.CERTIFICATE_EXPIRING],
    )


_EVENTS = {
    ("licence", "expired"): EventKind.LICENCE_EXPIRED,
    ("licence", "expiring"): EventKind.LICENCE_EXPIRING,
    ("certificate", "expired"): EventKind.CERTIFICATE_EXPIRED,
    ("certificate", "expiring"): EventKind.CERTIFICATE_EXPIRING,
}
