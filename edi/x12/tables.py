"""Segment tables of the transaction sets this channel reads and writes, as data.

Each table is the body of a set between ST and SE: a tuple of :class:`Node`, where a node
with ``loop`` children is a loop triggered by its own tag (the X12 rule: a loop begins with
its first segment). Minimum/maximum uses are those of the X12 004010 and 005010 standard
sets as published in the bots-edi grammars (``x12/4010/309004010.py`` ...) and cross-checked
with the set listings on stedi.com; see ``docs/x12-channel.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TABLES", "Node", "table_for"]


@dataclass(frozen=True, slots=True)
class Node:
    """A segment (``loop is None``) or a loop triggered by ``tag``, with its uses."""

    tag: str
    min: int
    max: int
    loop: tuple[Node, ...] | None = None


def S(tag: str, min_use: int, max_use: int) -> Node:  # noqa: N802 - reads like the tables
    """A segment position."""
    return Node(tag, min_use, max_use)


def L(tag: str, min_use: int, max_use: int, *children: Node) -> Node:  # noqa: N802
    """A loop whose first segment is ``tag``."""
    return Node(tag, min_use, max_use, children)


# fmt: off
_N1_4010 = L("N1", 0, 5, S("N3", 0, 2), S("N4", 0, 1), S("DTM", 0, 1), S("PER", 0, 1))
_309_4010 = (
    S("M10", 1, 1),
    L("P4", 1, 20,
        L("LX", 1, 9999,
            S("M13", 0, 1), S("M11", 0, 1), S("N9", 0, 999), _N1_4010,
            L("M12", 0, 1, S("P5", 0, 5)),
            L("VID", 0, 999,
                S("VC", 0, 21),
                L("N10", 0, 999, L("H1", 0, 10, S("H2", 0, 99)))))),
)
_309_5010 = (
    S("M10", 1, 1), S("VEH", 0, 10), S("CII", 0, 3),
    L("NM1", 0, 999, S("DMG", 0, 1), S("DMA", 0, 1), S("REF", 0, 2), S("N3", 0, 2), S("N4", 0, 1)),
    L("P4", 1, 20,
        L("LX", 1, 9999,
            S("M13", 0, 1), S("M11", 0, 1), S("N9", 0, 999),
            L("N1", 0, 20, S("N3", 0, 2), S("N4", 0, 1), S("DTM", 0, 1), S("PER", 0, 1),
              S("X1", 0, 1)),
            L("M12", 0, 1, S("R4", 0, 10)),
            L("VID", 0, 999,
                S("M7", 0, 5),
                L("N10", 0, 999, S("VC", 0, 999), S("MAN", 0, 999),
                  L("H1", 0, 99, S("H2", 0, 99)))))),
)


def _k1(tag: str, min_use: int, max_use: int, *children: Node) -> Node:
    """A 355 position: the segment echoed, then up to ten K1 remarks about it."""
    return L(tag, min_use, max_use, S("K1", 0, 10), *children)


_355 = (
    S("M10", 1, 1), S("K1", 0, 10),
    L("P4", 1, 20, S("K1", 0, 10),
        L("LX", 0, 9999,
            _k1("M13", 0, 1), _k1("M11", 0, 1), _k1("N9", 0, 999),
            _k1("N1", 0, 5, _k1("N3", 0, 2), _k1("N4", 0, 1), _k1("PER", 0, 1)),
            _k1("M12", 0, 9999, _k1("P5", 0, 5), _k1("M21", 0, 1)),
            _k1("M14", 0, 9999), _k1("M15", 0, 9999), _k1("M20", 0, 9999),
            _k1("VID", 0, 999, _k1("MBL", 0, 9999, _k1("M13", 0, 999)), _k1("VC", 0, 36),
                _k1("N10", 0, 999, _k1("H1", 0, 10, _k1("H2", 0, 99)))))),
    S("K3", 1, 1),
)
_350_4010 = (
    S("M10", 0, 1),
    L("P4", 0, 20, S("V9", 0, 20), S("K1", 0, 4), L("N9", 0, 999, S("K1", 0, 4)),
      L("X4", 0, 9999, S("K1", 0, 4), S("N7", 1, 999))),
    L("BA1", 0, 999, L("X4", 0, 9999, S("K1", 0, 4))),
)
_350_5010 = (
    S("M10", 0, 1),
    L("P4", 0, 20, S("V9", 0, 20), S("VID", 0, 9999), S("K1", 0, 4),
      L("X4", 0, 9999, S("K1", 0, 4), S("N9", 0, 999), S("N7", 0, 999))),
    L("BA1", 0, 999, L("X4", 0, 9999, S("K1", 0, 4))),
)
_997 = (
    S("AK1", 1, 1),
    L("AK2", 0, 999999, L("AK3", 0, 999999, S("AK4", 0, 99)), S("AK5", 1, 1)),
    S("AK9", 1, 1),
)
_999 = (
    S("AK1", 1, 1),
    L("AK2", 0, 999999,
        L("IK3", 0, 999999, S("CTX", 0, 10), L("IK4", 0, 99, S("CTX", 0, 10))),
        S("IK5", 1, 1)),
    S("AK9", 1, 1),
)
# fmt: on

#: (set id, GS08 version prefix) -> body table.
TABLES: dict[tuple[str, str], tuple[Node, ...]] = {
    ("309", "004010"): _309_4010,
    ("309", "005010"): _309_5010,
    ("350", "004010"): _350_4010,
    ("350", "005010"): _350_5010,
    ("355", "004010"): _355,
    ("355", "005010"): _355,
    ("997", "004010"): _997,
    ("997", "005010"): _997,
    ("999", "005010"): _999,
}


def table_for(set_id: str, version: str) -> tuple[Node, ...] | None:
    """The table of ``set_id`` in GS08 ``version`` (``005010X231A1`` counts as ``005010``)."""
    return TABLES.get((set_id, version[:6]))
