"""Tell the carrier: an X12 350 when a declaration whose bill is on a manifest is decided."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clearance.manifests.x12_status import render_status_350

#: Findings of the manifest reconciliation that mean the bill is on a stored manifest.
ON_MANIFEST = frozenset({"MAN-000", "MAN-002"})
#: Statuses the carrier of a manifested bill is told about (350 release or hold).
DISPOSITIONS = {"released": "release", "under_control": "hold", "documents_required": "hold"}


def tell_carrier(session: Session, number: str, status: str, now: datetime) -> None:
    """Store a 350 for the manifest's carrier when ``number``'s bill is on a stored manifest.

    Declarations whose transport document no manifest names (or that are still waiting for
    their manifest) get nothing: :func:`render_status_350` finds no bill and returns None.
    """
    disposition = DISPOSITIONS.get(status)
    if disposition is not None:
        render_status_350(session, number, disposition, at=now)
