"""The ledger sums kept per transaction (clearance/ledgers/accounts.py) never over-draw.

Many declarations of one interchange draw on the same licence inside one transaction; the
sums are then kept and added to instead of summed again. These tests pin that the kept sums
are the database's: the 13th use of a 12-use licence is refused within the transaction, the
balance seen after commit is the one the transaction saw, and a rolled-back transaction's sums
are never trusted by the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from clearance.ledgers.accounts import (
    HeadSpec,
    Ref,
    apply,
    balances,
    ensure_heads,
    heads_held_by,
    holds_nothing_yet,
    lock_heads,
    state,
)
from clearance.store.control_tables import LedgerEntry, LedgerHead
from rules.ledger import Allowance

INSTANT = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
KEY = "licence:CACHE"


def _head(engine: Engine, quantity: str = "100", uses: int = 12) -> None:
    with Session(engine) as session, session.begin():
        allowance = Allowance(Decimal(quantity), "KGM", Decimal("0.05"), uses)
        ensure_heads(session, [HeadSpec(KEY, "licence", "CACHE", allowance)], INSTANT)


def _reserve(session: Session, n: int, quantity: Decimal) -> bool:
    heads = lock_heads(session, [KEY])
    refusal = apply(session, heads[KEY], Ref(f"{n:018d}", 1), "reserve", INSTANT, quantity, 1)
    return refusal is None


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The statements sent to the database on ``engine`` while inside."""
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_one_transaction_drawing_one_licence_many_times_stops_at_its_uses(
    engine: Engine,
) -> None:
    _head(engine)
    with Session(engine) as session, session.begin():
        granted = [_reserve(session, n, Decimal(7)) for n in range(14)]
        seen = balances(session, lock_heads(session, [KEY]))[KEY]
    assert granted == [True] * 12 + [False, False]  # 12 uses of 7 kg; the 13th is refused
    with Session(engine) as session, session.begin():
        fresh = balances(session, lock_heads(session, [KEY]))[KEY]
        stored = session.scalar(select(func.count()).select_from(LedgerEntry))
    assert stored == 12
    assert fresh == seen  # the kept sums were the database's
    assert fresh.totals.reserved == Decimal(84) and fresh.totals.reserved_uses == 12


def test_quantity_limit_holds_within_the_transaction(engine: Engine) -> None:
    _head(engine, quantity="10", uses=99)  # 10 kg + 5 % tolerance = 10.5 kg
    with Session(engine) as session, session.begin():
        granted = [_reserve(session, n, Decimal("3.33335")) for n in range(4)]
        # Stored with 4 decimals: the kept sums round as the column does.
        mine = state(session, lock_heads(session, [KEY])[KEY], f"{0:018d}")
        kept = mine.holdings[f"{0:018d}"]
    assert granted == [True, True, True, False]
    with Session(engine) as session, session.begin():
        again = state(session, lock_heads(session, [KEY])[KEY], f"{0:018d}")
    assert again.holdings[f"{0:018d}"] == kept
    assert again.totals == mine.totals


def test_a_rolled_back_transaction_leaves_no_sums_behind(engine: Engine) -> None:
    _head(engine)
    with Session(engine) as session:
        with session.begin():
            balances(session, lock_heads(session, [KEY]))  # sums kept on this session
            assert _reserve(session, 1, Decimal(50))
            session.rollback()
        with session.begin():  # same session, new transaction: the reservation is gone
            after = balances(session, lock_heads(session, [KEY]))[KEY]
    assert after.totals.reserved == 0 and after.totals.reserved_uses == 0


def test_heads_missing_are_created_together_and_an_existing_head_is_kept(engine: Engine) -> None:
    """SQLite creates the missing heads with one INSERT … ON CONFLICT DO NOTHING, PostgreSQL
    apart: either way an existing head keeps its allowance and each key exists once."""
    _head(engine, quantity="100")
    other = Allowance(Decimal(5), "KGM", Decimal(0), 1)
    specs = [HeadSpec(key, "licence", key, other) for key in ("licence:B", KEY, "licence:A")]
    with Session(engine) as session, session.begin():
        ensure_heads(session, specs, INSTANT)
        ensure_heads(session, specs, INSTANT)  # nothing left to create
        heads = lock_heads(session, [s.key for s in specs])
        assert sorted(heads) == ["licence:A", "licence:B", KEY]
        assert heads[KEY].quantity == Decimal(100) and heads[KEY].max_uses == 12
        assert heads["licence:A"].quantity == Decimal(5) and heads["licence:B"].max_uses == 1
    with Session(engine) as session:
        keys = session.scalars(select(LedgerHead.key).order_by(LedgerHead.key)).all()
    assert keys == ["licence:A", "licence:B", KEY]


def test_a_declaration_known_to_hold_nothing_reserves_without_summing_its_own_entries(
    engine: Engine,
) -> None:
    _head(engine)
    with Session(engine) as session, session.begin():
        head = lock_heads(session, [KEY])[KEY]
        assert _reserve(session, 1, Decimal(7))  # an earlier declaration: summed as before
        with _statements(engine) as statements:
            holds_nothing_yet(session, f"{2:018d}", [head.id])
            assert heads_held_by(session, f"{2:018d}") == {}
            assert _reserve(session, 2, Decimal(7))
            assert heads_held_by(session, f"{2:018d}") == {KEY: head}  # booked, not searched
        assert heads_held_by(session, f"{1:018d}") == {KEY: head}  # searched, as before
        after = balances(session, lock_heads(session, [KEY]))[KEY]
    # No SUM, no search, and the entry itself is queued with the unit's other rows (stop 26).
    assert statements == []
    assert after.totals.reserved == Decimal(14) and after.totals.reserved_uses == 2
    with Session(engine) as session, session.begin():  # what the database sums is the same
        fresh = balances(session, lock_heads(session, [KEY]))[KEY]
        head = lock_heads(session, [KEY])[KEY]
        held = state(session, head, f"{2:018d}").holdings[f"{2:018d}"]
    assert fresh == after and held.reserved == Decimal(7) and held.reserved_uses == 1


def test_entries_are_written_with_the_units_rows_in_the_order_booked(engine: Engine) -> None:
    """apply queues its entries (clearance.store.deferred): no INSERT per draw; the unit writes
    them together, ids in the order booked, and a reader in the unit writes the queue first."""
    _head(engine)
    with Session(engine) as session, session.begin():
        head = lock_heads(session, [KEY])[KEY]
        assert _reserve(session, 4, Decimal(4))  # not known to be fresh: summed, then queued
        for n in (3, 1, 2):
            holds_nothing_yet(session, f"{n:018d}", [head.id])
        with _statements(engine) as statements:
            assert all(_reserve(session, n, Decimal(n)) for n in (3, 1, 2))
        assert statements == []  # nothing summed, searched or inserted per draw
        # A search (number 4 is not known to be fresh) writes what was queued first.
        assert heads_held_by(session, f"{4:018d}") == {KEY: head}
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 4
    with Session(engine) as session:
        rows = session.execute(
            select(LedgerEntry.declaration_number, LedgerEntry.quantity).order_by(LedgerEntry.id)
        ).all()
    assert [(n, Decimal(q)) for n, q in rows] == [(f"{n:018d}", Decimal(n)) for n in (4, 3, 1, 2)]


def test_a_write_off_in_the_unit_lists_the_draws_queued_in_it(engine: Engine) -> None:
    """The write-off reads entries with the ORM: what the unit booked (queued, not yet
    inserted) is written first, so the report lists it."""
    from clearance.decisions.writeoff import write_off
    from rules.claims import licence_allowance, licence_key
    from rules.registry import Licence

    licence = Licence.model_validate(
        {
            "number": "CACHE-WO",
            "type_code": "7",
            "holder_uscc": "91320500MA1MPCR7WX",
            "direction": "import",
            "commodity_codes": ["0202"],
            "quantity": "100",
            "unit": "KGM",
            "max_uses": 12,
            "valid_from": "2026-01-01",
        }
    )
    key = licence_key(licence.number)
    with Session(engine) as session, session.begin():
        spec = HeadSpec(key, "licence", licence.number, licence_allowance(licence))
        ensure_heads(session, [spec], INSTANT)
        head = lock_heads(session, [key])[key]
        holds_nothing_yet(session, f"{7:018d}", [head.id])
        ref = Ref(f"{7:018d}", 1)
        assert apply(session, head, ref, "reserve", INSTANT, Decimal("12.5"), 1) is None
        report = write_off(session, licence)
    assert [(d.declaration_number, d.reserved) for d in report.draws] == [
        (f"{7:018d}", Decimal("12.5"))
    ]


def test_a_units_first_draw_on_an_existing_head_reads_it_once_on_sqlite(engine: Engine) -> None:
    """SQLite: ensure_heads reads the existing heads as lock_heads would and keeps them, so
    ensuring and locking an existing head is one SELECT (stop 26, fixed2); a missing head is
    then created and read by lock_heads. PostgreSQL keeps its key SELECT, the heads created
    apart, then the locking SELECT … FOR UPDATE in key order."""
    _head(engine)
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        text = " ".join(statement.split()).upper()
        if text.startswith(("SELECT", "INSERT")):  # not the unit's PRAGMA, BEGIN, SAVEPOINT
            statements.append(text)

    new = HeadSpec("licence:NEW", "licence", "NEW", Allowance(Decimal(5), "KGM", Decimal(0), 1))
    old = HeadSpec(KEY, "licence", "CACHE", Allowance(Decimal(1), "KGM", Decimal(0), 1))
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with Session(engine) as session, session.begin():
            statements.clear()
            ensure_heads(session, [old], INSTANT)
            heads = lock_heads(session, [KEY])
            existing = list(statements)
            statements.clear()
            ensure_heads(session, [old, new], INSTANT)
            both = lock_heads(session, [KEY, "licence:NEW"])
            created = list(statements)
            assert heads[KEY].quantity == Decimal(100) and heads[KEY].max_uses == 12  # stored
            assert both[KEY] is heads[KEY] and both["licence:NEW"].quantity == Decimal(5)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    reads = [s for s in existing if s.startswith("SELECT")]
    if engine.dialect.name == "sqlite":
        assert len(existing) == 1 and "LEDGER_HEADS.QUANTITY" in reads[0]
        assert [s.split()[0] for s in created] == ["SELECT", "INSERT", "SELECT"]
    else:
        assert len(reads) == 2 and reads[1].endswith("FOR UPDATE")
