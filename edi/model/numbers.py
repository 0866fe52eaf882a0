"""The Chinese 18-digit declaration number (报关单号) and what it tells by itself.

Office (4) + year (4) + direction (1: import '1', export '0') + sequence (9), e.g.
``220120261000000001``. Numbers are issued by ``clearance.lifecycle.numbering``; a reader needs the
direction digit when a message cites a number without stating the direction (a DEC-DMS
invalidation request, TypeCode INV).
"""

from __future__ import annotations

from edi.model.declaration import Direction

DIRECTION_DIGIT = {Direction.IMPORT: "1", Direction.EXPORT: "0"}
_DIRECTION_OF_DIGIT = {digit: direction for direction, digit in DIRECTION_DIGIT.items()}


def direction_of_number(number: str | None) -> Direction | None:
    """The direction an 18-digit declaration number encodes; None for any other string."""
    if number is None or len(number) != 18 or not number.isdigit():
        return None
    return _DIRECTION_OF_DIGIT.get(number[8])


__all__ = ["DIRECTION_DIGIT", "direction_of_number"]
