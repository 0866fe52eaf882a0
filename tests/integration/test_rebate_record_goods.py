"""Rebate records carry the goods' quantity and unit, the exporter's USCC and the exit date,
and the batch files send them (docs/rebates.md); migration 0029 derives them for rows made
before it, the same values the code writes.

Sample 02's item 1 is declared in cartons (CT 25) with its first statutory quantity 300 NAR: the
record takes the statutory one (an officer releases it; unchanged, the controls do). The exit
is confirmed at 17:30 UTC, already the next day in Asia/Shanghai: the exit date is the local
day.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from clearance.app import Actor, Application
from clearance.app import declarations as declaration_cases
from clearance.app import rebates as rebate_cases
from clearance.app.messages import Interchange, submit
from clearance.store.control_tables import RebateRecord
from clearance.store.migrate import alembic_config, upgrade
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.invalidation_support import release
from tests.integration.test_controls_support import INSTANT, ROOT, prepare

pytestmark = pytest.mark.db

OPERATOR = Actor.local()
EXPORTER = "91440300MA5DC8E3L9"
EXITED = datetime(2026, 6, 16, 17, 30, tzinfo=UTC)  # 2026-06-17 01:30 in Shanghai
JUNE = (date(2026, 6, 1), date(2026, 6, 30))
NS = "{urn:golden-customs:rebates:1}"
SAMPLE = ROOT / "samples" / "edifact" / "02-export-d99b-utf8.edi"


def _goods(engine: Engine) -> list[tuple[int, Decimal | None, str | None, str | None, object]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                RebateRecord.item_sequence,
                RebateRecord.quantity,
                RebateRecord.unit,
                RebateRecord.exporter_uscc,
                RebateRecord.exit_date,
            ).order_by(RebateRecord.declaration_number, RebateRecord.item_sequence)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _export(app: Application, reference: str = "EX20260615001", *, cartons: bool = True) -> str:
    """Sample 02 on the scenario date (reference ``reference``), released by the controls (the
    pipeline holds the content it is released with). With ``cartons`` its item 1 is declared as
    25 cartons (statutory quantity still 300 NAR) and waits for an officer, who releases it
    (the content is then read from the store)."""
    raw = SAMPLE.read_text(encoding="utf-8").replace("20261128", "20260615")
    raw = raw.replace("EX20260615001", reference)
    if cartons:
        raw = raw.replace("MEA+AAE+ZDQ+NAR:300'", "MEA+AAE+ZDQ+CT:25'", 1)
    (d,) = submit(app, OPERATOR, Interchange(raw.encode())).declarations
    assert d.number is not None, d.to_json()
    if cartons:
        release(app.engine, d.number, INSTANT)
    assert declaration_cases.show(app, OPERATOR, d.number).status == "released"
    return d.number


def test_records_carry_quantity_exporter_and_exit_date_into_the_batch(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    number = _export(app)
    assert _goods(engine) == [
        (1, Decimal("300"), "NAR", EXPORTER, None),
        (2, Decimal("120"), "NAR", EXPORTER, None),
    ]

    rebate_cases.confirm_exit(Application(engine, Settings(), FixedClock(EXITED)), OPERATOR, number)
    assert [g[4] for g in _goods(engine)] == [date(2026, 6, 17), date(2026, 6, 17)]
    batch = rebate_cases.export_batch(app, OPERATOR, *JUNE)

    files = {f.name.rsplit(".", 1)[1]: f.content for f in batch.files}
    rows = list(csv.DictReader(io.StringIO(files["csv"])))
    assert [
        (r["item"], r["quantity"], r["unit"], r["exporter_uscc"], r["exit_date"]) for r in rows
    ] == [
        ("1", "300", "NAR", EXPORTER, "2026-06-17"),
        ("2", "120", "NAR", EXPORTER, "2026-06-17"),
    ]
    first = ET.fromstring(files["xml"].encode()).find(f"{NS}Record")
    assert first is not None
    assert [
        first.findtext(f"{NS}{name}") for name in ("quantity", "unit", "exporterUscc", "exitDate")
    ] == ["300", "NAR", EXPORTER, "2026-06-17"]


def test_the_migration_derives_what_the_code_writes(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    exited = _export(app)
    _export(app, "EX20260615002", cartons=False)  # released by the controls, not exited
    rebate_cases.confirm_exit(Application(engine, Settings(), FixedClock(EXITED)), OPERATOR, exited)
    written = _goods(engine)
    assert written == [
        (1, Decimal("300"), "NAR", EXPORTER, date(2026, 6, 17)),
        (2, Decimal("120"), "NAR", EXPORTER, date(2026, 6, 17)),
        (1, Decimal("300"), "NAR", EXPORTER, None),
        (2, Decimal("120"), "NAR", EXPORTER, None),
    ]

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:  # the columns dropped: rows as before 0029
        config.attributes["connection"] = connection
        command.downgrade(config, "0028")
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    finally:
        upgrade(engine)  # whatever happened, the schema the other tests expect

    assert _goods(engine) == written


def test_a_record_whose_item_states_no_quantity_has_none(engine: Engine) -> None:
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    number = _export(app)
    with engine.begin() as connection:
        connection.execute(text("UPDATE rebate_records SET quantity = NULL, unit = NULL"))
    rebate_cases.confirm_exit(app, OPERATOR, number)

    batch = rebate_cases.export_batch(app, OPERATOR, *JUNE)

    csv_text = next(f.content for f in batch.files if f.name.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [(r["quantity"], r["unit"]) for r in rows] == [("", ""), ("", "")]
