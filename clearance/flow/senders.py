"""The sender check: a subject files interchanges only as itself or a trader that mandated it.

The flows call :func:`check_sender` as soon as they know the envelope's sender (UNB 0004,
ISA06, the XML declarant, the JSON request's ``sender``). For the local operator
(``FlowContext.senders`` is None) anything goes. For an authenticated subject both the
envelope's own sender and the sender the message is filed under must be among the party ids
it acts as; otherwise :class:`SenderRefusedError` ends the interchange before anything of it
is registered, and the pipeline records it as rejected with the reason.
"""

from __future__ import annotations

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
