"""Synthetic facts into the store, in chunks, with the columnar copy written at the end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from clearance.statistics import columns, state
from clearance.statistics.columns import Columns
from clearance.statistics.generate import Shape, synthetic
from clearance.store.statistics_tables import StatFact

#: Called with (facts written, facts in all).
Progress = Callable[[int, int], None]
CHUNK = 20_000


def generate(
    session: Session,
    shape: Shape,
    now: datetime,
    cache_key: str,
    progress: Progress | None = None,
) -> Columns:
    """Write ``shape.items`` synthetic facts (declaration numbers ``SYN…``) and a snapshot."""
    existing = columns.load(session, cache_key)  # before: the new facts are merged in
    first_id = int(session.scalar(select(func.coalesce(func.max(StatFact.id), 0))) or 0) + 1
    first_seq = state.take(session, state.FACT_SEQ, shape.items)
    cols = synthetic(shape, first_id, first_seq)
    for done in _write(session, cols, now):
        if progress is not None:
            progress(done, cols.rows)
    # The new facts are already columns: no need to read a million rows back.
    columns.write_snapshot(session, existing.merge(cols), now)
    return cols


def _write(session: Session, cols: Columns, now: datetime) -> Iterator[int]:
    labels = {name: cols.labels[name] for name in columns.DIMENSIONS}
    if session.get_bind().dialect.name == "postgresql":
        yield from _copy(session, cols, labels, now)
        return
    for start in range(0, cols.rows, CHUNK):
        stop = min(start + CHUNK, cols.rows)
        session.execute(insert(StatFact), [_row(cols, labels, i, now) for i in range(start, stop)])
        yield stop


def _row(cols: Columns, labels: dict[str, list[str]], i: int, now: datetime) -> dict[str, Any]:
    n, m, c = cols.numbers, cols.measures, cols.codes
    period = int(n["period"][i])
    return {
        "id": int(n["id"][i]),
        "declaration_number": f"SYN{int(n['id'][i]):015d}",
        "item_sequence": 1,
        "flow": labels["flow"][c["flow"][i]],
        "stat_date": date(period // 100, period % 100, 1 + int(n["id"][i]) % 28),
        "period": period,
        "hs": labels["hs"][c["hs"][i]],
        "partner": labels["partner"][c["partner"][i]],
        "consignment": labels["consignment"][c["consignment"][i]],
        "trade_mode": labels["trade_mode"][c["trade_mode"][i]],
        "office": labels["office"][c["office"][i]],
        "transport_mode": labels["transport_mode"][c["transport_mode"][i]],
        "trader": labels["trader"][c["trader"][i]],
        "region": labels["region"][c["region"][i]],
        "value_cny": Decimal(int(m["value_cny"][i])).scaleb(-2),
        "value_usd": Decimal(int(m["value_usd"][i])).scaleb(-2),
        "quantity1": Decimal(int(m["quantity1"][i])).scaleb(-3),
        "unit1": "KGM",
        "quantity2": None,
        "unit2": None,
        "net_mass": Decimal(int(m["net_mass"][i])).scaleb(-3),
        "counted": True,
        "revision": 0,
        "source_event_id": 0,
        "seq": int(n["seq"][i]),
        "updated_at": now,
    }


_COPY_COLUMNS = (
    "id, declaration_number, item_sequence, flow, stat_date, period, hs, partner, consignment, "
    "trade_mode, office, transport_mode, trader, region, value_cny, value_usd, quantity1, unit1, "
    "net_mass, counted, revision, source_event_id, seq, updated_at"
)


def _copy(
    session: Session, cols: Columns, labels: dict[str, list[str]], now: datetime
) -> Iterator[int]:
    """PostgreSQL: the facts by ``COPY … FROM STDIN`` in text form, ten times faster than
    inserts (ten million facts are a benchmark's, not a test's, so speed matters here)."""
    raw = session.connection().connection.driver_connection
    stamp = now.isoformat()
    n, m, c = cols.numbers, cols.measures, cols.codes
    names: tuple[str, ...] = ("flow", "hs", "partner", "consignment", "trade_mode", "office")
    names += ("transport_mode", "trader", "region")
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        for start in range(0, cols.rows, CHUNK * 5):
            stop = min(start + CHUNK * 5, cols.rows)
            part = slice(start, stop)
            ids = n["id"][part].tolist()
            periods = n["period"][part].tolist()
            seqs = n["seq"][part].tolist()
            text = [[labels[d][k] for k in c[d][part].tolist()] for d in names]
            money = [_fixed(m[x][part].tolist(), 2) for x in ("value_cny", "value_usd")]
            amounts = [_fixed(m[x][part].tolist(), 3) for x in ("quantity1", "net_mass")]
            lines = []
            for i, ident in enumerate(ids):
                p = periods[i]
                day = f"{p // 100:04d}-{p % 100:02d}-{1 + ident % 28:02d}"
                f, h, pa, co, tm, of, tr, td, rg = (t[i] for t in text)
                lines.append(
                    f"{ident}\tSYN{ident:015d}\t1\t{f}\t{day}\t{p}\t{h}\t{pa}\t{co}\t{tm}\t{of}"
                    f"\t{tr}\t{td}\t{rg}\t{money[0][i]}\t{money[1][i]}\t{amounts[0][i]}\tKGM"
                    f"\t{amounts[1][i]}\tt\t0\t0\t{seqs[i]}\t{stamp}\n"
                )
            with cursor.copy(f"COPY stat_facts ({_COPY_COLUMNS}) FROM STDIN") as copy:
                copy.write("".join(lines))
            yield stop


def _fixed(values: list[int], places: int) -> list[str]:
    """Integer cents / thousandths as decimal text (non-negative, as generated)."""
    scale = 10**places
    return [f"{v // scale}.{v % scale:0{places}d}" for v in values]
