"""Declaration numbers — the Chinese 18-digit form or an MRN — and our control references.

China: office (4) + year (4) + direction (1: import '1', export '0') + sequence (9), e.g.
``220120261000000001``, counted per office, year and direction. An EU/UK-style regime
(``procedure.numbering = "mrn"``) gives the Union Customs Code's MRN shape instead: year (2) +
country (2) + a 12-character identifier (here the sequence, zero-padded) + procedure letter
(R import, A export) + ISO 6346 check character, e.g. ``26GB000000000001R`` + check, counted
per country and year. On PostgreSQL both come from sequences, drawn without a lock that outlives
the statement, so concurrent workers never share a number nor wait for each other; on SQLite from
a counter row (:mod:`clearance.store.counters`, ADR 0013).
"""

from __future__ import annotations

from functools import lru_cache
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from clearance.store.counters import CounterRow, draw
from clearance.store.tables import NumberSequence
from edi.model import Direction
from edi.model.numbers import DIRECTION_DIGIT, MRN_PROCEDURE, mrn_check_character

MAX_SEQUENCE = 999_999_999


class NumberingError(RuntimeError):
    """The sequence for an office and year is exhausted."""


def format_number(office: str, year: int, direction: Direction, sequence: int) -> str:
    """Compose the 18-digit number; ``office`` must be the 4-digit customs office code."""
    if len(office) != 4 or not office.isdigit():
        raise ValueError(f"office {office!r} is not a 4-digit customs office code")
    if not 0 < sequence <= MAX_SEQUENCE:
        raise NumberingError(f"sequence {sequence} out of range for office {office}, {year}")
    return f"{office}{year:04d}{DIRECTION_DIGIT[direction]}{sequence:09d}"


def format_mrn(country: str, year: int, direction: Direction, sequence: int) -> str:
    """An MRN: year (2) + country (2) + 12-digit sequence + procedure letter + check."""
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        raise ValueError(f"MRN country {country!r} is not two capital letters")
    if not 0 < sequence < 10**12:
        raise NumberingError(f"MRN sequence {sequence} out of range for {country}, {year}")
    first17 = f"{year % 100:02d}{country}{sequence:012d}{MRN_PROCEDURE[direction]}"
    return first17 + mrn_check_character(first17)


def reserve_mrns(
    session: Session, country: str, year: int, direction: Direction, count: int
) -> list[str]:
    """Take ``count`` MRNs for (country, year); one counter for both directions."""
    values = reserve_values(session, f"mrn-{country}-{year}", count)
    return [format_mrn(country, year, direction, v) for v in values]


def next_declaration_number(session: Session, office: str, year: int, direction: Direction) -> str:
    """Take the next number for (office, year, direction) inside the caller's transaction."""
    return reserve_declaration_numbers(session, office, year, direction, 1)[0]


def reserve_declaration_numbers(
    session: Session, office: str, year: int, direction: Direction, count: int
) -> list[str]:
    """Take ``count`` numbers at once (one statement for a whole interchange), ascending.

    On PostgreSQL they come from a sequence per (office, year, direction): unique, and a unit
    of work that rolls back leaves a gap (ADR 0013); on SQLite they are consecutive.
    """
    digit = DIRECTION_DIGIT[direction]
    values = draw(
        session, f"number-{office}-{year}-{digit}", count, _number_row(office, year, digit)
    )
    return [format_number(office, year, direction, v) for v in values]


@lru_cache(maxsize=1024)
def _number_row(office: str, year: int, digit: str) -> CounterRow:
    """The counter row of (office, year, direction), its statements built once."""
    table = cast(Table, NumberSequence.__table__)
    condition = (
        (table.c.office == office) & (table.c.year == year) & (table.c.direction_digit == digit)
    )
    return CounterRow(
        table, condition, insert(table).values(office=office, year=year, direction_digit=digit)
    )


def reserve_control_references(session: Session, name: str, count: int) -> list[str]:
    """Reserve ``count`` interchange control references for outbound messages, ascending."""
    return [f"{value:014d}" for value in reserve_values(session, name, count)]


def reserve_values(session: Session, name: str, count: int) -> list[int]:
    """``count`` new values of the named counter, ascending (:func:`clearance.store.counters.draw`:
    from a sequence on PostgreSQL, never held across the unit of work)."""
    return draw(session, name, count, CounterRow.named(name))
