"""The sender check: a subject files interchanges only as itself or a trader that mandated it.

The flows call :func:`check_sender` as soon as they know the envelope's sender (UNB 0004,
ISA06, the XML declarant, the JSON request's ``sender``); a party known by several
identifiers (a DecMessage declarant) is filed under one canonical sender, :func:`party_sender`,
and sends as the firm when the subject acts as any of them, :func:`check_party_sender`.
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
from edi.model import IdentifierScheme, PartyIdentifier

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


@dataclass(frozen=True, slots=True)
class PartySender:
    """The sender a party known by several identifiers is filed under, and its other one."""

    sender: str
    alias: str | None = None

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Both identifiers, the sender first."""
        return (self.sender,) if self.alias is None else (self.sender, self.alias)


def party_sender(
    identifiers: Sequence[PartyIdentifier], held: frozenset[str] | None = None
) -> PartySender | None:
    """The sender one sending party (a DecMessage declarant) is filed under, and its alias.

    A Chinese firm is registered with customs under both a 10-character customs code
    (``AgentCode``) and its 18-character USCC (``AgentCodeScc``). The USCC is the firm's one
    legal identity, so a message is filed under it, the other id kept as its alias: the same
    bytes sent once by each of the firm's subjects are one sender's resend, answered as such,
    and a reference is used once per firm.

    But the pairing of a customs code with a USCC is only the message's word: no registry
    links them. So only identifiers the submitting subject acts as (``held``, its party ids;
    None: the local operator, who may file anything) are trusted: a subject holding only the
    customs code files under it, with no alias, and never under a USCC it was not given —
    otherwise it could file into another firm's messages, take up that firm's reference and
    be seen by its subjects. Register a firm's subject with both ids (``customs subjects add
    … --party USCC --party CUSTOMS_CODE``) to have both answered as one sender. A subject
    holding none of them is refused by :func:`check_party_sender`, which names them all.
    """
    if not identifiers:
        return None
    every = [i.value for i in identifiers]
    trusted = every if held is None else [v for v in every if v in held]
    if not trusted:  # refused: filed under what the message says, for the refusal's words
        trusted = every
    uscc = next((i.value for i in identifiers if i.scheme is IdentifierScheme.USCC), None)
    sender = uscc if uscc in trusted else trusted[0]
    alias = next((v for v in trusted if v != sender), None)
    return PartySender(sender, alias)


def check_party_sender(
    ctx: FlowContext, party: PartySender | None, position: SenderPosition | None = None
) -> None:
    """Refuse the interchange unless the subject acts as one of the party's identifiers and
    as the sender the message is filed under when that is neither (a ``--sender`` given)."""
    allowed = ctx.senders
    if allowed is None or party is None or not allowed.isdisjoint(party.identifiers):
        # The message's own sender (a ``--sender`` that is neither id, or none at all) is
        # checked as every channel's is; one the party is known by is the party's.
        if party is None or ctx.inbound.sender not in party.identifiers:
            check_sender(ctx, None, position)
        return
    acting = ", ".join(sorted(allowed)) or "no party id"
    raise SenderRefusedError(
        f"sender {' / '.join(party.identifiers)} refused: the submitting subject acts only as "
        f"{acting} (its own party ids and the traders that mandated it)",
        position or SenderPosition(),
    )


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
