"""pyx12 as the envelope checker, behind explicit types (pyx12 ships no type information).

pyx12's ``X12Reader`` checks what it is good at: SE01 against the segments counted, SE02/ST02,
GE01/GE02, IEA01/IEA02, duplicate control numbers and missing trailers. It reports them as
tuples ``(kind, code, text, value, line)`` via ``pop_errors()``; this module pops them after
every segment so each finding carries the index of the segment being read when pyx12 spoke
(the SE for a count error, the GE for a group error ...), and once more after ``cleanup()``
for the trailers missing at the end.

It is handed :attr:`~edi.x12.tokenizer.Scan.clean_text`, never the raw bytes, and the number
of segments it yields is compared with ours: pyx12 must not drop data silently again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pyx12.x12file import X12Reader

__all__ = ["EnvelopeCheck", "EnvelopeFinding", "check_envelopes"]


@dataclass(frozen=True, slots=True)
class EnvelopeFinding:
    """One pyx12 error: ``kind`` is ``isa``, ``gs``, ``st`` or ``seg``; codes are pyx12's."""

    kind: str
    code: str
    text: str
    segment_index: int | None  # the segment being read (1 = ISA); None: found at end of data


@dataclass(frozen=True, slots=True)
class EnvelopeCheck:
    """All findings, how many segments pyx12 read, and the exception that stopped it."""

    findings: tuple[EnvelopeFinding, ...]
    segments_read: int
    failure: str | None


def _finding(raw: Any, index: int | None) -> EnvelopeFinding:
    kind, code, text = (str(part) for part in tuple(raw)[:3])
    return EnvelopeFinding(kind, code, text, index)


def check_envelopes(clean_text: str) -> EnvelopeCheck:
    """Run pyx12's ``X12Reader`` over ``clean_text``; never raises."""
    findings: list[EnvelopeFinding] = []
    count = 0
    try:
        reader = X12Reader(io.StringIO(clean_text))
        for _segment in reader:
            count += 1
            findings.extend(_finding(err, count) for err in reader.pop_errors())
        reader.cleanup()
        findings.extend(_finding(err, None) for err in reader.pop_errors())
    except Exception as exc:  # pyx12 raises X12Error and, on odd input, anything else
        return EnvelopeCheck(tuple(findings), count, f"{type(exc).__name__}: {exc}")
    return EnvelopeCheck(tuple(findings), count, None)
