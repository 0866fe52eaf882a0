"""The seam where assessment (tariffs) and controls (rules) plug into the pipeline.

A :class:`DeclarationStep` runs for every registered declaration inside the interchange's
unit of work, after registration and before the response is rendered; it may set the item
duties, the lane and the decision on the outcome. Steps must not commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from clearance.flow.outcome import DeclarationOutcome
from clearance.lifecycle.registration import Registered
from clearance.store.tables import InboundMessage
from core.settings import Settings
from edi.edifact.profile import CusdecProfile, ProfileSet


class DeclarationStep(Protocol):
    """One processing step applied to each registered declaration."""

    def __call__(
        self, session: Session, registered: Registered, outcome: DeclarationOutcome
    ) -> None:
        """Do the step's work for one declaration; raise to fail the whole interchange."""
        ...


@dataclass(frozen=True)
class FlowContext:
    """What a channel flow needs to process one stored interchange."""

    session: Session
    inbound: InboundMessage
    sender_hint: str | None
    filename: str | None
    now: datetime
    local_now: datetime  # ``now`` in the administration's time zone, for dates on the wire
    accepted_on: date
    settings: Settings
    profile: CusdecProfile  # the default profile
    steps: Sequence[DeclarationStep]
    profiles: ProfileSet | None = None  # per sender (trading partner agreements)
    #: The senders the submitting subject may act as (None: the local operator, anyone);
    #: checked by :func:`clearance.flow.senders.check_sender`.
    senders: frozenset[str] | None = None
    #: Whether the outcome keeps every declaration's items, duties, findings, assessment and text
    #: (the CLI prints them) or, for a large interchange worked through in chunks, only its
    #: summary (number, status, lane, decision, reasons): what a worker needs, in memory that
    #: does not grow with the interchange. The answers are stored either way.
    details: bool = True

    def profile_for(self, sender: str | None) -> CusdecProfile:
        """The CUSDEC profile ``sender`` writes to."""
        return self.profiles.for_sender(sender) if self.profiles is not None else self.profile
