"""Published tables of overlapping frames, through the store: publish partner × trade mode
for a quarter (or both flows), then ask for two of its months (or imports). The answer is
protected together with what was published, and no cell of the difference (March, or the
exports) that the disclosure rules make confidential is a public cell minus another."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application
from clearance.app import statistics as stats
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.test_controls_support import INSTANT

pytestmark = pytest.mark.db

AXES: dict[str, Any] = {"rows": "partner", "columns": "trade_mode"}


@pytest.fixture
def app(engine: Engine) -> Application:
    app = Application(engine, Settings(), FixedClock(INSTANT))
    stats.generate(app, LOCAL_OPERATOR, 800, seed=11, first_period="2025-01", months=3)
    return app


def _public(table: stats.StatTableView) -> dict[tuple[str, str], str]:
    return {(c["row"], c["column"]): c["value_cny"] for c in table.cells if c["value_cny"]}


def _request(**kwargs: Any) -> stats.TableRequest:
    return stats.TableRequest(**AXES, **kwargs)


@pytest.mark.parametrize(
    ("wide", "narrow", "difference"),
    [
        (
            {"period_from": "2025-01", "period_to": "2025-03"},
            {"period_from": "2025-01", "period_to": "2025-02"},
            {"period_from": "2025-03", "period_to": "2025-03"},
        ),
        (
            {"period_from": "2025-02", "period_to": "2025-02"},
            {"period_from": "2025-02", "period_to": "2025-02", "flow": "M"},
            {"period_from": "2025-02", "period_to": "2025-02", "flow": "X"},
        ),
    ],
    ids=["two months of a published quarter", "imports of published total trade"],
)
def test_a_table_overlapping_a_published_one_gives_no_confidential_difference_away(
    app: Application, wide: dict[str, Any], narrow: dict[str, Any], difference: dict[str, Any]
) -> None:
    first = stats.publish_table(app, LOCAL_OPERATOR, _request(**wide))
    assert first.audit.passed and first.audit.linked_tables == 0
    second = stats.table(app, LOCAL_OPERATOR, _request(**narrow))
    assert second.audit.passed and second.audit.linked_tables == 1
    secret = stats.table(app, LOCAL_OPERATOR, _request(**difference, unprotected=True))
    confidential = [(c["row"], c["column"]) for c in secret.cells if c["rules"]]
    assert confidential  # the test is about something
    shown_wide, shown_narrow = _public(first), _public(second)
    narrow_keys = {(c["row"], c["column"]) for c in second.cells}
    for key in confidential:
        if key in shown_wide and (key in shown_narrow or key not in narrow_keys):
            pytest.fail(f"{key} of the difference is a public cell minus another")


def test_a_year_to_date_series_is_protected_against_every_earlier_month(
    app: Application,
) -> None:
    for last in ("2025-01", "2025-02"):
        stats.publish_table(app, LOCAL_OPERATOR, _request(period_from="2025-01", period_to=last))
    third = stats.table(app, LOCAL_OPERATOR, _request(period_from="2025-01", period_to="2025-03"))
    assert third.audit.passed and third.audit.linked_tables == 2
    # A month after the published ones shares no facts with them: not linked.
    later = stats.table(app, LOCAL_OPERATOR, _request(period_from="2025-03", period_to="2025-03"))
    assert later.audit.linked_tables == 0


def test_a_chain_of_published_tables_takes_part(app: Application) -> None:
    """January–February, then February–March are published; January shares no fact with
    the second, but the second narrows February and so what the first leaves of January:
    both take part."""
    for low, high in (("2025-01", "2025-02"), ("2025-02", "2025-03")):
        stats.publish_table(app, LOCAL_OPERATOR, _request(period_from=low, period_to=high))
    january = stats.table(app, LOCAL_OPERATOR, _request(period_from="2025-01", period_to="2025-01"))
    assert january.audit.passed and january.audit.linked_tables == 2
