"""The goods feed to the FX authority: each goods row once, versions, a control record."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from clearance.app import Actor, NotFoundError, NotPermittedError, Role, fx
from clearance.app.actor import LOCAL_OPERATOR
from tests.integration.fx_support import (
    EXPORTER,
    OTHER,
    add_declaration,
    application,
    set_declaration,
)

pytestmark = pytest.mark.db


def rows(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content)))


def test_feed_sends_every_version_once_with_a_control_record(engine: Engine) -> None:
    app = application(engine)
    add_declaration(engine, "531620260000000001", EXPORTER, date(2026, 6, 3), [("1000", "USD")])
    # CNY 7,041.00 = USD 1,000.00 at June's 7.0410; an import counts too.
    add_declaration(
        engine,
        "220120260000000002",
        OTHER,
        date(2026, 6, 4),
        [("7041.00", "CNY")],
        direction="import",
    )
    first = fx.export_goods_feed(app, LOCAL_OPERATOR)
    data, control = first.files
    assert (data.name, control.name) == (f"{first.reference}.csv", f"{first.reference}.control.csv")
    lines = rows(data.content)
    assert [(r["declaration_number"], r["kind"], r["flow"], r["value_usd"]) for r in lines] == [
        ("531620260000000001", "original", "export", "1000.00"),
        ("220120260000000002", "original", "import", "1000.00"),
    ]
    assert lines[0]["value_cny"] == "7041.00" and lines[0]["trader"] == EXPORTER
    (ctl,) = rows(control.content)
    assert ctl == {
        "feed": first.reference,
        "records": "2",
        "originals": "2",
        "corrections": "0",
        "cancellations": "0",
        "value_cny_total": "14082.00",
        "value_usd_total": "2000.00",
        "data_sha256": hashlib.sha256(data.content.encode()).hexdigest(),
    }
    # Sum of the rows = the control totals: the receiver's completeness check.
    assert sum(Decimal(r["value_usd"]) for r in lines) == Decimal(ctl["value_usd_total"])

    assert fx.export_goods_feed(app, LOCAL_OPERATOR).records == 0  # nothing sent twice

    set_declaration(engine, "531620260000000001", version=2)
    set_declaration(engine, "220120260000000002", status="invalidated")
    third = fx.export_goods_feed(app, LOCAL_OPERATOR)
    later = rows(third.files[0].content)
    by_kind = {r["kind"]: r for r in later}
    assert set(by_kind) == {"correction", "cancellation"}
    assert by_kind["correction"]["supersedes_row_id"] == lines[0]["row_id"]
    assert by_kind["correction"]["version"] == "2"
    assert by_kind["cancellation"]["supersedes_row_id"] == lines[1]["row_id"]
    assert by_kind["cancellation"]["value_usd"] == "0.00"
    assert (third.corrections, third.cancellations) == (1, 1)

    again = fx.goods_feed_batch(app, LOCAL_OPERATOR, first.reference)
    assert again.files == first.files  # byte for byte as sent
    with pytest.raises(NotFoundError):
        fx.goods_feed_batch(app, LOCAL_OPERATOR, "FX20990101000001")
    with pytest.raises(NotPermittedError):
        fx.export_goods_feed(app, Actor("t", Role.TRADER, party_ids=frozenset({EXPORTER})))
