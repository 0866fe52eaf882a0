"""What answering a message needs once its segments are gone: a few strings per message.

A large interchange is scanned once for its CONTRL before its declarations are mapped
(``clearance/intake/edifact_scan.py``). Of each message the answers need only its UNH
(reference, type, version, release, agency, association code, position), its group, its
envelope issues and the BGM's document code and reference. Keeping those as a
:class:`MessageHead` instead of the UNH and BGM segment objects (elements as nested tuples,
element positions) takes about a tenth of the memory: the scan of a 200 MB interchange of
230,000 messages no longer holds half a gigabyte of segments.
"""

from __future__ import annotations

from dataclasses import dataclass

from edi.edifact.envelope import Group, InterchangeHeader, Message
from edi.edifact.errors import SyntaxIssue
from edi.edifact.segments import Segment

__all__ = ["InterchangeHeads", "MessageHead", "Strings"]


class Strings:
    """One shared copy of each repeated value (message type, version, release, agency …).

    The tokenizer makes a new string for every element it reads; a head keeps a handful of
    them per message, most equal across the interchange ("CUSDEC", "D", "96B", "UN", "929").
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        """``value``, or the equal string seen first."""
        return self._seen.setdefault(value, value)


@dataclass(frozen=True, slots=True)
class MessageHead:
    """One message as the CONTRL, the outcome and a CUSRES name it (no segments)."""

    reference: str  # UNH 0062
    message_type: str  # S009 0065
    version: str  # 0052
    release: str  # 0054
    agency: str  # 0051
    association_code: str  # 0057
    group_reference: str | None
    unh_index: int  # the UNH's segment index in the interchange
    issues: tuple[SyntaxIssue, ...]  # the envelope reader's issues of this message
    document_code: str | None  # BGM 1001 (None: no BGM)
    sender_reference: str | None  # BGM 1004 (None: no BGM)

    @classmethod
    def of(cls, message: Message, strings: Strings) -> MessageHead:
        """The head of ``message``; repeated values shared through ``strings``."""
        bgm: Segment | None = next((s for s in message.segments if s.tag == "BGM"), None)
        group = message.group_reference
        return cls(
            message.reference,
            strings(message.message_type),
            strings(message.version),
            strings(message.release),
            strings(message.agency),
            strings(message.association_code),
            None if group is None else strings(group),
            message.header.index,
            message.issues,
            None if bgm is None else strings(bgm.get(0)),
            None if bgm is None else bgm.get(1),
        )


@dataclass(frozen=True, slots=True)
class InterchangeHeads:
    """An interchange as scanned: its envelopes and issues, and a head per message."""

    header: InterchangeHeader | None
    groups: tuple[Group, ...]
    messages: tuple[MessageHead, ...]
    issues: tuple[SyntaxIssue, ...]
    trailer: Segment | None
    complete: bool
