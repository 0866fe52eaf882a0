"""The bank receipt and payment feed: a CSV file, checked whole before anything is stored.

Format (docs/fx-monitoring.md): UTF-8 (a byte order mark allowed), comma-separated, a header
line ``bank,reference,trader,kind,value_date,currency,amount``, one receipt or payment a line.
Every problem is named by line and column; one bad line refuses the file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from core.errors import CustomsError

COLUMNS = ("bank", "reference", "trader", "kind", "value_date", "currency", "amount")
KINDS = ("receipt", "payment")
_BANK = re.compile(r"^[A-Z0-9]{4,12}$")  # a BIC (8 or 11) or a CNAPS bank code (12 digits)
_REFERENCE = re.compile(r"^[A-Za-z0-9./_-]{1,35}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"^\d{1,18}(\.\d{1,2})?$")


class BankFeedError(CustomsError):
    """The feed file has problems; ``problems`` lists them all, each with line and column."""

    code = "bank_feed_invalid"

    def __init__(self, name: str, problems: list[str]) -> None:
        shown = problems[:50]
        more = f"; and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{name}: " + "; ".join(shown) + more)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class BankRow:
    """One receipt or payment as the bank reported it."""

    line: int
    bank: str
    reference: str
    trader: str
    kind: str
    value_date: date
    currency: str
    amount: Decimal


def parse_feed(name: str, content: bytes) -> list[BankRow]:
    """The rows of a feed file; :class:`BankFeedError` naming every problem by line/column."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BankFeedError(name, [f"byte {exc.start + 1}: not UTF-8"]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    rows: list[BankRow] = []
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise BankFeedError(name, [f"line 1: the header must be {','.join(COLUMNS)}"])
    seen: dict[tuple[str, str], int] = {}
    for fields in reader:
        line = reader.line_num
        if not fields or fields == [""]:
            continue
        if len(fields) != len(COLUMNS):
            problems.append(f"line {line}: {len(fields)} fields, expected {len(COLUMNS)}")
            continue
        row = _row(line, [f.strip() for f in fields], problems)
        if row is None:
            continue
        key = (row.bank, row.reference)
        if key in seen:
            problems.append(
                f"line {line}, column 2 (reference): {row.bank} {row.reference} is also on "
                f"line {seen[key]}"
            )
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise BankFeedError(name, problems)
    if not rows:
        raise BankFeedError(name, ["no receipts or payments"])
    return rows


def _row(line: int, f: list[str], problems: list[str]) -> BankRow | None:
    before = len(problems)

    def bad(column: int, message: str) -> None:
        problems.append(f"line {line}, column {column} ({COLUMNS[column - 1]}): {message}")

    bank, reference, trader, kind, when, currency, amount = f
    if not _BANK.match(bank):
        bad(1, f"{bank!r} is not a bank code (4-12 capital letters or digits)")
    if not _REFERENCE.match(reference):
        bad(2, f"{reference!r} is not a reference (1-35 letters, digits, . / _ -)")
    try:
        uscc.validate(trader)
    except ValidationError:
        bad(3, f"{trader!r} is not a valid unified social credit code (18 characters)")
    if kind not in KINDS:
        bad(4, f"{kind!r} is neither receipt nor payment")
    value_date = _date(when)
    if value_date is None:
        bad(5, f"{when!r} is not a date (YYYY-MM-DD)")
    if not _CURRENCY.match(currency):
        bad(6, f"{currency!r} is not a currency code (3 capital letters)")
    value = _amount(amount)
    if value is None:
        bad(7, f"{amount!r} is not a positive amount with at most 2 decimals")
    if len(problems) > before or value_date is None or value is None:
        return None
    return BankRow(line, bank, reference, trader, kind, value_date, currency, value)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _amount(text: str) -> Decimal | None:
    if not _AMOUNT.match(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value > 0 else None
