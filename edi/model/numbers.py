"""Declaration numbers and what they tell by themselves.

China (报关单号): office (4) + year (4) + direction (1: import '1', export '0') + sequence (9),
e.g. ``220120261000000001``. EU/UK-style regimes: the MRN of the Union Customs Code — year (2) +
country (2) + unique identifier (12) + procedure letter (1) + check character (1), e.g.
``26GB000000000001RX`` (see :func:`mrn_check_character`). Numbers are issued by
``clearance.lifecycle.numbering``; a reader needs the direction when a message cites a number
without stating the direction (a DEC-DMS invalidation request, TypeCode INV).
"""

from __future__ import annotations

import re

from edi.model.declaration import Direction

DIRECTION_DIGIT = {Direction.IMPORT: "1", Direction.EXPORT: "0"}
_DIRECTION_OF_DIGIT = {digit: direction for direction, digit in DIRECTION_DIGIT.items()}
#: MRN procedure letters we issue: R import declaration only, A export only (*verify* against
#: the UCC's table of procedure identifiers).
MRN_PROCEDURE = {Direction.IMPORT: "R", Direction.EXPORT: "A"}
_DIRECTION_OF_LETTER = {letter: direction for direction, letter in MRN_PROCEDURE.items()}
MRN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}[A-Z0-9]{12}[A-Z][A-Z0-9]$")
# ISO 6346 letter values: A=10 … Z=38, skipping multiples of 11.
_VALUES = {str(d): d for d in range(10)}
_VALUES.update(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (v for v in range(10, 39) if v % 11),
        strict=True,
    )
)


def mrn_check_character(first17: str) -> str:
    """The MRN check character: ISO 6346 weighting (2^position) of the first 17 characters."""
    total = sum(_VALUES[c] * 2**n for n, c in enumerate(first17))
    return str(total % 11 % 10)


def is_mrn(number: str | None) -> bool:
    """Whether ``number`` has the MRN shape and a correct check character."""
    return (
        number is not None
        and MRN_PATTERN.match(number) is not None
        and mrn_check_character(number[:17]) == number[17]
    )


def direction_of_number(number: str | None) -> Direction | None:
    """The direction a declaration number encodes (18 digits or our MRN); else None."""
    if number is None or len(number) != 18:
        return None
    if number.isdigit():
        return _DIRECTION_OF_DIGIT.get(number[8])
    return _DIRECTION_OF_LETTER.get(number[16]) if is_mrn(number) else None


__all__ = [
    "DIRECTION_DIGIT",
    "MRN_PROCEDURE",
    "direction_of_number",
    "is_mrn",
    "mrn_check_character",
]
