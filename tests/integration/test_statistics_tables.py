"""Tables over synthetic trade: sums and trader counts agree with SQL over the facts, every
table passes its audit, subtotals, growth and balance add up, the columnar copy keeps up."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, literal_column, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR, Application, RefusedError
from clearance.app import statistics as stats
from clearance.statistics import columns, cube
from clearance.store.statistics_tables import StatFact, StatSnapshot
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.test_controls_support import INSTANT

pytestmark = pytest.mark.db


@pytest.fixture
def app(engine: Engine) -> Application:
    app = Application(engine, Settings(), FixedClock(INSTANT))
    stats.generate(app, LOCAL_OPERATOR, 4000, seed=7, first_period="2025-01", months=24)
    return app


def _cells(table: stats.StatTableView) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["row"], c["column"]): c for c in table.cells}


def _table(app: Application, **kwargs: Any) -> stats.StatTableView:
    return stats.table(app, LOCAL_OPERATOR, stats.TableRequest(**kwargs))


def test_sums_and_trader_counts_agree_with_sql_over_the_facts(app: Application) -> None:
    table = _table(
        app,
        rows="hs2",
        columns="flow",
        period_from="2025-03",
        period_to="2025-08",
        unprotected=True,
    )
    cells = _cells(table)
    # Literal positions: PostgreSQL groups by the same expression only without bound parameters.
    chapter = func.substr(StatFact.hs, literal_column("1"), literal_column("2"))
    with Session(app.engine) as session:
        rows = session.execute(
            select(
                chapter,
                StatFact.flow,
                func.sum(StatFact.value_cny),
                func.count(func.distinct(StatFact.trader)),
                func.count(),
            )
            .where(StatFact.period.between(202503, 202508))
            .group_by(chapter, StatFact.flow)
        ).all()
    assert len(rows) > 50
    for chapter, flow, value, traders, items in rows:
        cell = cells[(chapter, flow)]
        assert Decimal(cell["value_cny"]) == Decimal(value).quantize(Decimal("0.01"))
        assert (cell["traders"], cell["items"]) == (traders, items)
    total = sum(Decimal(v) for _, _, v, _, _ in rows)
    assert Decimal(cells[("_T", "_T")]["value_cny"]) == total


def test_every_table_passes_its_audit_and_hides_exactly_the_suppressed_cells(
    app: Application,
) -> None:
    for rows, cols in (("hs4", "partner"), ("trade_mode", "region"), ("hs2", None)):
        request: dict[str, Any] = {
            "rows": rows,
            "columns": cols,
            "period_from": "2025-01",
            "period_to": "2025-06",
            "flow": "X",
        }
        protected = _table(app, **request)
        clear = _table(app, **request, unprotected=True)
        assert protected.audit.passed and protected.audit.confidential_cells > 0
        # Every confidential cell proved; in a plain grid by rectangles and flows, often with
        # no linear program at all (tests/unit/test_statistics_witness.py compares the two).
        assert protected.audit.checked == protected.audit.confidential_cells
        for p, c in zip(protected.cells, clear.cells, strict=True):
            assert (p["row"], p["column"], p["flags"]) == (c["row"], c["column"], c["flags"])
            if "confidential" in p["flags"]:
                assert p["value_cny"] is None and p["items"] is None
            else:
                assert p["value_cny"] == c["value_cny"]
        primary = [c for c in clear.cells if c["rules"]]
        assert primary and all("confidential" in c["flags"] for c in primary)


def test_hs_subtotals_add_up_and_are_protected_too(app: Application) -> None:
    table = _table(app, rows="hs4", subtotals=True, flow="M", unprotected=True)
    cells = {c["row"]: c for c in table.cells}
    chapters = [r for r in cells if len(r) == 2 and r != "_T"]
    assert chapters and table.audit.passed
    for chapter in chapters:
        children = [c for r, c in cells.items() if len(r) == 4 and r.startswith(chapter)]
        assert sum(Decimal(c["value_cny"]) for c in children) == Decimal(
            cells[chapter]["value_cny"]
        )
    assert sum(Decimal(cells[c]["value_cny"]) for c in chapters) == Decimal(
        cells["_T"]["value_cny"]
    )
    protected = _table(app, rows="hs4", subtotals=True, flow="M")
    assert protected.audit.passed


def test_growth_is_against_the_same_month_a_year_earlier(app: Application) -> None:
    table = _table(
        app, rows="month", columns="flow", period_from="2026-01", period_to="2026-03", growth=True
    )
    earlier = _cells(
        _table(app, rows="month", columns="flow", period_from="2025-01", period_to="2025-03")
    )
    for cell in table.cells:
        if cell["row"] == "_T":
            continue
        before = earlier[(cell["row"].replace("2026", "2025"), cell["column"])]
        assert cell["prior_value_cny"] == before["value_cny"]
        now, then = Decimal(cell["value_cny"]), Decimal(before["value_cny"])
        assert Decimal(cell["growth_percent"]) == ((now - then) * 100 / then).quantize(
            Decimal("0.1")
        )


def test_trade_balance_is_exports_minus_imports(app: Application) -> None:
    cells = _cells(_table(app, rows="year", columns="flow", balance=True))
    for year in ("2025", "2026"):
        x, m = Decimal(cells[(year, "X")]["value_cny"]), Decimal(cells[(year, "M")]["value_cny"])
        assert Decimal(cells[(year, "balance")]["value_cny"]) == x - m
    with pytest.raises(RefusedError):
        _table(app, rows="year", balance=True)


def test_the_columnar_copy_keeps_up_with_new_facts(app: Application) -> None:
    before = Decimal(_cells(_table(app, rows="flow"))[("_T", "_T")]["value_cny"])
    with Session(app.engine) as session:
        snapshots = session.scalar(select(func.count()).select_from(StatSnapshot))
    assert snapshots == 1
    stats.generate(app, LOCAL_OPERATOR, 500, seed=8)
    after = Decimal(_cells(_table(app, rows="flow"))[("_T", "_T")]["value_cny"])
    with Session(app.engine) as session:
        total = session.scalar(select(func.sum(StatFact.value_cny)))
    assert total is not None and after > before and after == Decimal(total)
    # A process that starts afresh reads the stored copy and the facts changed since.
    columns._CACHE.clear()
    assert Decimal(_cells(_table(app, rows="flow"))[("_T", "_T")]["value_cny"]) == after


def test_unknown_axes_and_bad_filters_are_refused(app: Application) -> None:
    with pytest.raises(RefusedError, match="unknown axis"):
        _table(app, rows="colour")
    with pytest.raises(RefusedError, match="cannot filter"):
        _table(app, rows="flow", filters={"colour": ["red"]})
    by_partner: defaultdict[str, int] = defaultdict(int)
    table = _table(app, rows="partner", filters={"partner": ["US", "JP"]}, unprotected=True)
    for cell in table.cells:
        by_partner[cell["row"]] += 1
    assert set(by_partner) == {"US", "JP", "_T"}


def test_a_table_over_the_cell_limit_is_refused_before_any_work(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit is checked on the axes' sizes, before the facts are summed; the refusal
    names the cell count and how to narrow the query, and a narrower query is answered."""
    full = _table(app, rows="partner", columns="trade_mode", unprotected=True)
    monkeypatch.setattr(cube, "MAX_CELLS", len(full.cells) - 1)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the facts were summed for a refused table")

    with monkeypatch.context() as inner:
        inner.setattr(cube, "_aggregate", never)
        with pytest.raises(RefusedError, match=f"{len(full.cells):,} cells.*narrow it"):
            _table(app, rows="partner", columns="trade_mode")
    partner = full.cells[0]["row"]
    narrow = _table(app, rows="partner", columns="trade_mode", filters={"partner": [partner]})
    assert 0 < len(narrow.cells) <= len(full.cells) - 1
