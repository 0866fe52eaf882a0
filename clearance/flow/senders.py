"""The sender check: a subject files interchanges only as itself or a trader that mandated it.

The flows call :func:`check_sender` as soon as they know the envelope's sender (UNB 0004,
ISA06, the XML declarant, the JSON request's ``sender``); a party known by several
identifiers (an XML declarant) is sent as the one the subject acts as, :func:`sender_among`.
For the local operator
(``FlowContext.senders`` is None) anything goes. For an authenticated subject both the
envelope's own sender and the sender the message is filed under must be among the party ids
it acts as; otherwise :class:`SenderRefusedError` ends the interchange before anything of it
is registered, and the pipeline records it as rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clearance.flow.steps import FlowContext
from core.errors import CustomsError

#: What ``inbound_messages.sender`` holds until an envelope names a sender (the pipeline's
#: ``UNKNOWN_SENDER``; the pipeline sits above this module and cannot be imported here).
UNKNOWN_SENDER = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class SenderPosition:
    """Where the envelope names its sender (for the error report)."""

    segment: str | None = None
    element: int | None = None
    line: int | None = None
    column: int | None = None


class SenderRefusedError(CustomsError):
    """The interchange names a sender the submitting subject may not act as."""

    code = "sender"

    def __init__(self, message: str, position: SenderPosition) -> None:
        super().__init__(message)
        self.position = position


def sender_among(ctx: FlowContext, identifiers: Sequence[str]) -> str | None:
    """Of one sending party's identifiers (a DecMessage declarant's customs code and USCC), the
    one the interchange is sent as: the first the submitting subject acts as, else the first.

    A Chinese firm is registered with customs under both its 10-character customs code and its
    USCC, and a subject may hold either: it sends as that party when it acts as any of them.
    The message is filed under the one it acts as, so that it and its declarations stay among
    that subject's (and its brokers') own; the local operator, or a subject holding both, files
    under the first (the customs code, as the samples do). When it acts as none, the first is
    what :func:`check_sender` refuses.
    """
    allowed = ctx.senders
    if allowed is not None:
        for value in identifiers:
            if value in allowed:
                return value
    return identifiers[0] if identifiers else None


def check_sender(
    ctx: FlowContext, envelope_sender: str | None, position: SenderPosition | None = None
) -> None:
    """Refuse the interchange unless the subject may send as ``envelope_sender`` and as the
    sender the message is filed under (``ctx.inbound.sender``)."""
    allowed = ctx.senders
    if allowed is None:
        return
    where = position or SenderPosition()
    acting = ", ".join(sorted(allowed)) or "no party id"
    for claimed in dict.fromkeys((envelope_sender, ctx.inbound.sender)):
        if claimed is None or claimed in allowed:
            continue
        if claimed == UNKNOWN_SENDER:
            raise SenderRefusedError(
                f"the interchange names no sender; it may be sent as {acting}", where
            )
        raise SenderRefusedError(
            f"sender {claimed} refused: the submitting subject acts only as {acting} "
            "(its own party ids and the traders that mandated it)",
            where,
        )
