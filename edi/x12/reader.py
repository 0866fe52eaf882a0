"""``read_x12``: bytes in, :class:`~edi.x12.results.X12ReadResult` out, never an exception.

Stages: decode (UTF-8, else Latin-1; a BOM is skipped) -> ISA by position
(:mod:`~edi.x12.isa`, fatal problems stop here with a TA1 answer) -> segments with positions
(:mod:`~edi.x12.tokenizer`, empty segments guarded) -> pyx12's envelope checks on the cleaned
text (:mod:`~edi.x12.envelope`) -> nesting of ISA/GS/ST/SE/GE/IEA and each set's structure
and elements (:mod:`~edi.x12.structure`, :mod:`~edi.x12.elements`) -> 309 mapping
(:mod:`~edi.x12.map309`). One interchange per input; data after IEA is reported.

pyx12 findings used: SE01 count (st 4), SE02/ST02 (st 3), duplicate ST02 (st 23), GE01
(gs 5), GE02/GS06 (gs 4), duplicate GS06 (gs 6), IEA01 (isa 021), IEA02/ISA13 (isa 001),
duplicate ISA13 (isa 025). Missing trailers and misplaced segments are found by our own
nesting walk, which knows which set or group they belong to (pyx12 reports a missing SE
before a GE as "Unterminated segment" of the group).
"""

from __future__ import annotations

import codecs
from dataclasses import replace

from edi.x12.assemble import Assembler
from edi.x12.envelope import check_envelopes
from edi.x12.errors import InterchangeNote, Level, X12Issue
from edi.x12.isa import IsaHeader, IsaRead, read_isa
from edi.x12.results import InterchangeInfo, X12ReadResult
from edi.x12.tokenizer import scan

__all__ = ["read_x12"]


def _decode(raw: bytes) -> tuple[str, str, int, bool]:
    """Text, encoding name, BOM length and whether every character was one byte."""
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    body = raw[bom:]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:  # legacy single-byte data (e.g. a Latin-1 '\xa7' terminator)
        return body.decode("latin-1"), "latin-1", bom, True
    return text, "utf-8", bom, len(text) == len(body)


def _info(header: IsaHeader, isa: IsaRead, encoding: str) -> InterchangeInfo:
    v = header.value
    return InterchangeInfo(
        sender_qualifier=v(5),
        sender_id=v(6),
        receiver_qualifier=v(7),
        receiver_id=v(8),
        date=v(9),
        time=v(10),
        control_number=v(13),
        version=v(12),
        ack_requested=v(14) == "1",
        usage=v(15),
        delimiters=isa.delimiters,
        encoding=encoding,
    )


def read_x12(raw: bytes) -> X12ReadResult:
    """Read one X12 interchange; problems come back as issues with their positions."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        issue = X12Issue(Level.INTERCHANGE, InterchangeNote.INVALID_CONTENT.value, "not bytes")
        return X12ReadResult(None, (), (issue,))
    text, encoding, bom, one_byte = _decode(bytes(raw))
    isa = read_isa(text)
    info = _info(isa.header, isa, encoding) if isa.header is not None else None
    if not isa.ok or isa.delimiters is None:
        shifted = tuple(replace(i, byte_offset=(i.byte_offset or 0) + bom) for i in isa.issues)
        return X12ReadResult(info, (), shifted)
    segments = scan(text, isa.start, isa.length, isa.delimiters, bom, one_byte)
    check = check_envelopes(segments.clean_text)
    assembler = Assembler(segments, check, isa.delimiters)
    return assembler.run(info)
