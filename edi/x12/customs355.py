"""355 Customs Acceptance/Rejection of a received 309.

The 355 answers the *content* of a manifest whose syntax the 997/999 already accepted. As
customs administrations do it (CBP's note on the 355: "each segment in error is returned
... immediately followed by one or more K1 segments describing the error"), it echoes the
309's M10 and each P4, then for every bill with a remark its LX and M11 and the segment in
error (with the loop trigger it sits in: the N1 of an N4, the VID of an N10), each followed
by K1 remarks, and ends with a K3 summary:

* ``K1`` K101 the problem (our :class:`~edi.x12.errors.ContentError` code in words),
  K102 where and what (``VID03 3054384``), 30 characters each;
* ``K3`` K301 ``MANIFEST ACCEPTED 3 BILLS`` or ``MANIFEST REJECTED 1 OF 3 BILLS IN ERROR``.

Warnings (a bad IMO check digit) are remarked on an accepted manifest too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from edi.x12.acks import AckControl, reply_envelope
from edi.x12.errors import X12Issue, X12WriteError
from edi.x12.results import TransactionSet, X12ReadResult
from edi.x12.tokenizer import RawSegment
from edi.x12.writer import Segment, build_interchange, clean_text

__all__ = ["render_355"]

_MAX_K1 = 10
#: Segments a 355 echoes inside an LX loop, and the loop trigger each one needs echoed.
_PARENT = {"N3": "N1", "N4": "N1", "PER": "N1", "N10": "VID", "VC": "VID", "H1": "N10"}
_ECHOABLE = {"M13", "M11", "N9", "N1", "N3", "N4", "PER", "M12", "VID", "VC", "N10", "H1"}
_Remarks = dict[int, list[tuple[str, str]]]  # set position -> (K101, K102)
_Loop = list[tuple[int, RawSegment]]


def _k1(texts: Sequence[tuple[str, str]]) -> list[Segment]:
    out: list[Segment] = [("K1", a[:30], b[:30]) for a, b in texts[:_MAX_K1]]
    if len(texts) > _MAX_K1:
        out[-1] = ("K1", "MORE REMARKS NOT SHOWN", f"{len(texts)} IN TOTAL")
    return out


def _remark(issue: X12Issue) -> tuple[str, str]:
    what = issue.code.replace("_", " ").upper()
    where = f"{issue.segment_tag or ''}{issue.element:02d}" if issue.element else ""
    return what, f"{where} {issue.bad_value or ''}".strip() or issue.text


def _loops(segments: Sequence[tuple[int, RawSegment]], trigger: str) -> list[_Loop]:
    """Each ``trigger`` loop of ``segments`` (position, segment), up to the next one or SE."""
    loops: list[_Loop] = []
    for pos, seg in segments:
        if seg.tag == trigger:
            loops.append([])
        if loops and seg.tag != "SE":
            loops[-1].append((pos, seg))
    return loops


def _bill(loop: _Loop, at: _Remarks) -> list[Segment]:
    """One LX loop with remarks: LX, M11 and the segments in error, each with its K1s."""
    lx_pos, lx = loop[0]
    keep = {pos for pos, s in loop if pos in at or s.tag == "M11"}
    for i, (pos, seg) in enumerate(loop):  # echo the loop trigger a segment in error sits in
        parent = _PARENT.get(seg.tag)
        if pos in at and parent is not None:
            keep |= {next((p for p, s in reversed(loop[:i]) if s.tag == parent), pos)}
    out: list[Segment] = [("LX", *lx.elements)]
    pending = list(at.get(lx_pos, []))  # remarks on the LX itself follow the M11
    for pos, seg in loop[1:]:
        if seg.tag in _ECHOABLE and pos in keep:
            texts = at.get(pos, [])
            if seg.tag == "M11":
                texts, pending = pending + texts, []
            out += [(seg.tag, *seg.elements), *_k1(texts)]
    return out


def _ports(ts: TransactionSet, at: _Remarks) -> list[Segment]:
    out: list[Segment] = []
    for p4_loop in _loops(list(enumerate(ts.segments, start=1)), "P4"):
        p4_pos, p4 = p4_loop[0]
        out += [("P4", *p4.elements), *_k1(at.get(p4_pos, []))]
        for loop in _loops(p4_loop, "LX"):
            if any(pos in at for pos, _ in loop):
                out += _bill(loop, at)
    return out


def _version(result: X12ReadResult, ts: TransactionSet) -> str:
    for g in result.groups:
        if any(s is ts for s in g.sets):
            return g.version[:6]
    raise X12WriteError("the transaction set is not part of this read result")


def render_355(
    result: X12ReadResult,
    transaction: TransactionSet,
    control: AckControl,
    *,
    accepted: bool | None = None,
    remarks: Sequence[str] = (),
) -> bytes:
    """The 355 for the 309 ``transaction`` of ``result``.

    ``accepted`` defaults to "a manifest could be built"; ``remarks`` are extra header K1s.
    """
    if transaction.set_id != "309":
        raise X12WriteError(f"a 355 answers a 309, not a {transaction.set_id}")
    env = reply_envelope(result, control, _version(result, transaction))
    m10 = next(((p, s) for p, s in enumerate(transaction.segments, 1) if s.tag == "M10"), None)
    if m10 is None:
        raise X12WriteError("the 309 has no M10 to echo")
    at: _Remarks = defaultdict(list)
    for issue in transaction.content_issues:
        at[issue.set_position or m10[0]].append(_remark(issue))
    header = [(clean_text(r, env.delimiters), "") for r in remarks] + at.get(m10[0], [])
    body: list[Segment] = [("M10", *m10[1].elements), *_k1(header), *_ports(transaction, at)]
    ok = transaction.manifest is not None if accepted is None else accepted
    bills = sum(s.tag == "LX" for s in transaction.segments)
    errors = sum(i.is_error for i in transaction.content_issues)
    body.append(
        (
            "K3",
            f"MANIFEST ACCEPTED {bills} BILLS"
            if ok
            else f"MANIFEST REJECTED {errors} ERRORS IN {bills} BILLS",
        )
    )
    return build_interchange(env, "355", [body])
