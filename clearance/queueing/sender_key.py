"""The sender of an interchange read from its first bytes, for per-sender ordering.

Only the envelope's sender field is read (UNB for EDIFACT, ISA06 for X12); the flows check
the envelope properly later. A sender named by the front door (the mailbox's folder, the API's
authenticated party) wins over what the envelope says.
"""

from __future__ import annotations

_HEAD = 1024


def envelope_sender(raw: bytes) -> str | None:
    """UNB sender id or ISA06, or None when the head does not say."""
    head = raw[:_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n").decode("latin-1")
    if head.startswith(("UNA", "UNB")):
        return _edifact_sender(head)
    if head.startswith("ISA") and len(head) > 4:
        fields = head.split(head[3])
        return fields[6].strip() or None if len(fields) > 6 else None
    return None


def _edifact_sender(head: str) -> str | None:
    component, element = (head[3], head[4]) if head.startswith("UNA") else (":", "+")
    start = head.find("UNB")
    if start < 0:
        return None
    fields = head[start:].split(element)
    if len(fields) < 3:
        return None
    return fields[2].split(component)[0].strip() or None


def ordering_lock(sender: str | None, raw: bytes) -> str | None:
    """The queue lock that keeps one sender's messages in order (None: no order to keep)."""
    party = sender or envelope_sender(raw)
    return f"sender:{party}" if party else None
