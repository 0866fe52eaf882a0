"""Reading an EDIFACT interchange in bounded memory: a scan for the CONTRL, then the messages
to map, streamed again.

A whole interchange held as segments takes about 45 times its size in memory (a 8.7 MB
interchange of 10,000 declarations: 380 MB of segment objects), and everything derived from
it more. The EDIFACT flow therefore reads it twice with :class:`EnvelopeReader`, which yields
one message at a time:

1. :func:`scan_interchange` checks the envelopes and the syntax of every message (what the
   CONTRL answers) and keeps of each message only a :class:`~edi.edifact.heads.MessageHead`:
   the few strings of its UNH and BGM that the answers and the outcome name it by (about
   300 bytes, where the UNH and BGM segment objects took 2.3 kB);
2. :func:`mappable_messages` streams the messages again and yields, whole, only those the
   scan found sound, for the flow to map and register ``CHUNK`` at a time.

Reading twice costs one more tokenizing pass (as much CPU as the first pass's own reading,
benchmarks/stages_bench.py); it buys memory that grows with a chunk of declarations instead
of with the interchange. The scan therefore keeps its first ``KEPT`` messages whole (two
chunks: an interchange of at most ``KEEP_UP_TO`` messages, which is what a realistic day
sends, is tokenized once), and the flow holds of each message it has mapped only the few
segments its answer reads (:func:`light_message`), so the kept messages cost about what the
second read's chunk held. Past ``KEEP_UP_TO`` messages the kept ones are dropped and the
second read starts at the first message: they would be held through the scan of a very large
interchange on top of every head. (With ``KEPT`` below ``KEEP_UP_TO`` a second read goes on
from the first message not kept; the segments before it are passed over,
:class:`~edi.edifact.envelope.Resume`, not built again.)

The bytes come either whole (``bytes``: what a caller received) or as :class:`Reopenable`
(a stored message read back from the store a piece at a time,
:class:`clearance.store.raw_pieces.StoredRaw`): each pass then opens its own stream, and the
worker never holds the interchange whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import BinaryIO, Protocol

from clearance.intake.edifact_checks import message_issues
from edi.edifact.envelope import EnvelopeReader, Message, Resume
from edi.edifact.errors import SyntaxIssue
from edi.edifact.heads import InterchangeHeads, MessageHead, Strings
from edi.edifact.tokenizer import Source

#: Declarations registered, decided, answered and written at a time.
CHUNK = 500
#: An interchange of more messages is read again whole: the scan drops what it kept.
KEEP_UP_TO = 2 * CHUNK
#: Messages the scan keeps whole. All of them up to ``KEEP_UP_TO`` (stop 29): the messages
#: 501–1,000 of a 1,000-message interchange were tokenized twice (about 54 µs a declaration).
KEPT = KEEP_UP_TO


class Reopenable(Protocol):
    """Bytes that can be read from their start again, as often as asked, a stream each time."""

    def open(self) -> BinaryIO:
        """A fresh stream over the bytes from their first one."""
        ...


#: An interchange: whole, or a stream at a time.
Raw = bytes | Reopenable


@contextmanager
def _source(raw: Raw) -> Iterator[Source]:
    """What a reading pass reads: the bytes themselves, or a stream of its own, closed when
    the pass ends (a stored message's stream holds a piece and a handle on the store)."""
    if isinstance(raw, bytes):
        yield raw
        return
    with raw.open() as stream:
        yield stream


#: The segments of a message its answer and outcome read besides its UNH: the first BGM (the
#: CUSRES's document name, the sender's reference) and the first RFF (where a refused change
#: is reported).
_LIGHT_TAGS = frozenset(("BGM", "RFF"))


def light_message(message: Message) -> Message:
    """``message`` with only its UNH, first BGM and first RFF segments, in their order (what
    answers and outcomes use once the message is mapped)."""
    segments = [message.segments[0]]
    found: set[str] = set()
    for segment in message.segments:
        tag = segment.tag
        if tag in _LIGHT_TAGS and tag not in found:
            segments.append(segment)
            found.add(tag)
            if len(found) == len(_LIGHT_TAGS):
                break
    return replace(message, segments=tuple(segments))


@dataclass(frozen=True, slots=True)
class Scan:
    """What the scan found: the interchange with a head per message, the syntax issues by UNH
    index of the messages that have any (most have none), the first ``KEPT`` messages whole
    (handed out once, by :func:`mappable_messages`; none when there were more than
    ``KEEP_UP_TO``) and where a second read goes on (None: ``kept`` holds every message)."""

    interchange: InterchangeHeads
    checked: dict[int, tuple[SyntaxIssue, ...]]
    kept: list[Message]
    resume: Resume | None


def scan_interchange(raw: Raw) -> Scan:
    """Scan ``raw``: the envelopes, a head and the syntax issues of every message."""
    with _source(raw) as source:
        return _scan(source)


def _scan(source: Source) -> Scan:
    reader = EnvelopeReader(source)
    messages: list[MessageHead] = []
    kept: list[Message] = []
    resume: Resume | None = None
    first: Resume | None = None
    checked: dict[int, tuple[SyntaxIssue, ...]] = {}
    strings = Strings()
    for message in reader:
        issues = message_issues(message)
        if issues:
            checked[message.header.index] = issues
        messages.append(MessageHead.of(message, strings))
        if first is None:
            first = Resume(message.header.index, reader.group)
        if resume is None:
            # Kept up to KEPT; a second pass would read the rest again from here.
            if len(kept) < KEPT:
                kept.append(message)
            else:
                resume = Resume(message.header.index, reader.group)
        elif kept and len(messages) > KEEP_UP_TO:
            # A large interchange: what was kept would be held through the rest of the scan
            # on top of every head, and would spare at most a tenth of a 10,000-message one's
            # second read.
            kept.clear()
            resume = first
    interchange = InterchangeHeads(
        reader.header,
        tuple(reader.groups),
        tuple(messages),
        tuple(reader.issues),
        reader.trailer,
        reader.complete,
    )
    return Scan(interchange, checked, kept, resume)


def mappable_messages(raw: Raw, wanted: set[int], scan: Scan | None = None) -> Iterator[Message]:
    """The whole messages of ``raw`` whose UNH index is in ``wanted``, in order: those ``scan``
    kept (taken out of it: each is then held only by whoever maps it), then the rest read
    again; without ``scan``, every message read again."""
    if scan is not None:
        kept = scan.kept
        kept.reverse()
        while kept:
            message = kept.pop()
            if message.header.index in wanted:
                yield message
        if scan.resume is None:
            return
    with _source(raw) as source:
        for message in EnvelopeReader(source, resume=None if scan is None else scan.resume):
            if message.header.index in wanted:
                yield message


__all__ = [
    "CHUNK",
    "KEEP_UP_TO",
    "KEPT",
    "Raw",
    "Reopenable",
    "Scan",
    "light_message",
    "mappable_messages",
    "scan_interchange",
]
