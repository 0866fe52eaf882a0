"""The bank feed reader: every problem named by line and column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clearance.fx.bank_feed import BankFeedError, parse_feed

HEADER = "bank,reference,trader,kind,value_date,currency,amount\n"
TRADER = "91440300MA5DC8E3L9"


def test_good_rows_with_a_byte_order_mark() -> None:
    data = (
        "\ufeff" + HEADER + f"BKCHCNBJ,R1,{TRADER},receipt,2026-06-10,USD,1000.50\n"
        f"ICBKCNBJ,R1,{TRADER},payment,2026-06-11,EUR,20\n"
    ).encode()
    rows = parse_feed("f.csv", data)
    assert [(r.line, r.bank, r.kind, r.amount) for r in rows] == [
        (2, "BKCHCNBJ", "receipt", Decimal("1000.50")),
        (3, "ICBKCNBJ", "payment", Decimal("20")),
    ]
    assert rows[0].value_date == date(2026, 6, 10)


def test_every_problem_is_named_by_line_and_column() -> None:
    data = (
        HEADER + f"BKCHCNBJ,R1,{TRADER},refund,2026-06-31,usd,-5\n"
        "BKCHCNBJ,R2,91440300MA5DC8E3L0,receipt,2026-06-10,USD,1.005\n"
        f"BKCHCNBJ,R3,{TRADER},receipt\n"
        f"BKCHCNBJ,R4,{TRADER},receipt,2026-06-10,USD,10\n"
        f"BKCHCNBJ,R4,{TRADER},receipt,2026-06-10,USD,10\n"
    ).encode()
    with pytest.raises(BankFeedError) as caught:
        parse_feed("f.csv", data)
    assert caught.value.problems == [
        "line 2, column 4 (kind): 'refund' is neither receipt nor payment",
        "line 2, column 5 (value_date): '2026-06-31' is not a date (YYYY-MM-DD)",
        "line 2, column 6 (currency): 'usd' is not a currency code (3 capital letters)",
        "line 2, column 7 (amount): '-5' is not a positive amount with at most 2 decimals",
        "line 3, column 3 (trader): '91440300MA5DC8E3L0' is not a valid unified social credit "
        "code (18 characters)",
        "line 3, column 7 (amount): '1.005' is not a positive amount with at most 2 decimals",
        "line 4: 4 fields, expected 7",
        "line 6, column 2 (reference): BKCHCNBJ R4 is also on line 5",
    ]


def test_wrong_header_and_empty_file() -> None:
    with pytest.raises(BankFeedError, match="line 1: the header must be"):
        parse_feed("f.csv", b"bank,ref\n")
    with pytest.raises(BankFeedError, match="no receipts or payments"):
        parse_feed("f.csv", HEADER.encode())
    with pytest.raises(BankFeedError, match="not UTF-8"):
        parse_feed("f.csv", HEADER.encode() + b"\xff\n")
