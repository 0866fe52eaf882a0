"""Rebate batches kept in the store, and the tax authority's acknowledgement read back.

A batch's CSV and XML are kept, with a control record, in the unit of work that transmits its
records, so the files can be written again byte for byte. An acknowledgement moves records to
accepted or rejected, all or nothing, located errors, the same file twice changing nothing.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import Actor, Application, NotFoundError, RefusedError
from clearance.app import rebates as rebate_cases
from clearance.app.documents import Document
from clearance.app.messages import Interchange, submit
from clearance.store.control_tables import (
    REBATE_ACCEPTED,
    REBATE_REJECTED,
    REBATE_TRANSMITTED,
    RebateAcknowledgement,
    RebateRecord,
)
from clearance.store.tables import Event
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.invalidation_support import release
from tests.integration.test_controls_support import INSTANT, export_interchange, prepare

pytestmark = pytest.mark.db

OPERATOR = Actor.local()
HEADER = "batch,declaration_number,item,result,reason_code,reason_text\n"
JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def _exported(engine: Engine) -> tuple[Application, rebate_cases.BatchExported, str]:
    """Sample 02's export released, its exit confirmed, its records exported in one batch."""
    prepare(engine)
    app = Application(engine, Settings(), FixedClock(INSTANT))
    (d,) = submit(app, OPERATOR, Interchange(export_interchange())).declarations
    assert d.number is not None
    release(engine, d.number, INSTANT)
    assert rebate_cases.confirm_exit(app, OPERATOR, d.number).records == 2
    batch = rebate_cases.export_batch(app, OPERATOR, *JUNE)
    assert batch.records == 2
    return app, batch, d.number


def _records(engine: Engine) -> list[tuple[int, str, str | None, str | None]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                RebateRecord.item_sequence,
                RebateRecord.status,
                RebateRecord.reason_code,
                RebateRecord.reason_text,
            ).order_by(RebateRecord.item_sequence)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _acks(engine: Engine) -> tuple[int, list[dict[str, object]]]:
    """(acknowledgement files kept, data of the rebate_batch_acknowledged events)."""
    with Session(engine) as session:
        files = session.scalar(select(func.count()).select_from(RebateAcknowledgement))
        data = session.scalars(
            select(Event.data).where(Event.kind == "rebate_batch_acknowledged").order_by(Event.id)
        ).all()
    return int(files or 0), [json.loads(d) for d in data]


def _ack(reference: str, number: str, *rows: str) -> Document:
    body = "".join(f"{reference},{number},{row}\n" for row in rows)
    return Document("ack.csv", (HEADER + body).encode())


def test_a_batch_keeps_its_files_and_control_record(engine: Engine) -> None:
    app, batch, number = _exported(engine)

    csv_file, xml_file = batch.files
    assert (csv_file.name, xml_file.name) == (f"{batch.reference}.csv", f"{batch.reference}.xml")
    lines = csv_file.content.splitlines()
    assert lines[0].startswith("batch,declaration_number,item,") and len(lines) == 3
    assert all(line.startswith(f"{batch.reference},{number},") for line in lines[1:])
    assert batch.csv_sha256 == hashlib.sha256(csv_file.content.encode()).hexdigest()
    fob = sum(Decimal(line.split(",")[6]) for line in lines[1:])
    assert batch.fob_total == f"{fob:.2f}"
    control = ET.fromstring(xml_file.content).find("{urn:golden-customs:rebates:1}Control")
    assert control is not None and control.attrib == {
        "records": "2",
        "fobTotal": batch.fob_total,
        "estimatedTotal": batch.total_amount,
        "csvSha256": batch.csv_sha256,
        # Versions per kind (issue 14): a first batch holds only originals.
        "originals": "2",
        "corrections": "0",
        "cancellations": "0",
    }
    again = rebate_cases.batch(app, OPERATOR, batch.reference)
    assert again.files == batch.files and again.acknowledged_at is None
    assert [status for _, status, _, _ in _records(engine)] == [REBATE_TRANSMITTED] * 2
    with pytest.raises(NotFoundError):
        rebate_cases.batch(app, OPERATOR, "RB20260615999999")


def test_an_acknowledgement_round_trip_and_the_same_file_again(engine: Engine) -> None:
    app, batch, number = _exported(engine)
    document = _ack(batch.reference, number, "1,accepted,,", '2,rejected,R12,"no rate, sorry"')

    done = rebate_cases.acknowledge_batch(app, OPERATOR, None, document)

    assert (done.reference, done.rows, done.accepted, done.rejected, done.unchanged) == (
        batch.reference,
        2,
        1,
        1,
        0,
    )
    assert (done.batch_accepted, done.batch_rejected, done.batch_pending) == (1, 1, 0)
    assert _records(engine) == [
        (1, REBATE_ACCEPTED, None, None),
        (2, REBATE_REJECTED, "R12", "no rate, sorry"),
    ]
    stored = rebate_cases.batch(app, OPERATOR, batch.reference)
    assert (stored.accepted, stored.rejected) == (1, 1)
    assert stored.acknowledged_at == done.acknowledged_at is not None
    assert _acks(engine) == (
        1,
        [
            {
                "batch": batch.reference,
                "rows": 2,
                "accepted": 1,
                "rejected": 1,
                "unchanged": 0,
                "batch_accepted": 1,
                "batch_rejected": 1,
                "batch_pending": 0,
            }
        ],
    )

    same = rebate_cases.acknowledge_batch(app, OPERATOR, batch.reference, document)
    assert (same.accepted, same.rejected, same.unchanged) == (0, 0, 2)
    assert _acks(engine)[0] == 1 and len(_acks(engine)[1]) == 1  # nothing kept, no event

    other = _ack(batch.reference, number, "2,accepted,,")
    with pytest.raises(RefusedError, match=r"line 2, column 4 \(result\): already acknowledged"):
        rebate_cases.acknowledge_batch(app, OPERATOR, None, other)
    assert _records(engine)[1] == (2, REBATE_REJECTED, "R12", "no rate, sorry")
    # A rejected record is not sent again by the next export (resending is for later).
    assert rebate_cases.export_batch(app, OPERATOR, *JUNE).records == 0


def test_a_row_naming_no_record_of_the_batch_refuses_the_whole_file(engine: Engine) -> None:
    app, batch, number = _exported(engine)
    document = _ack(batch.reference, number, "1,accepted,,", "7,rejected,R1,", "1,accepted,,")

    with pytest.raises(RefusedError) as refused:
        rebate_cases.acknowledge_batch(app, OPERATOR, None, document)

    message = refused.value.message
    assert "line 3, column 2 (declaration_number)" in message
    assert f"declaration {number} item 7 is not a record of batch {batch.reference}" in message
    assert "line 4, column 2 (declaration_number): the record is acknowledged on line 2" in message
    assert [status for _, status, _, _ in _records(engine)] == [REBATE_TRANSMITTED] * 2
    assert _acks(engine) == (0, [])
    other_batch = Document(
        "ack.csv", (HEADER + f"RB20260101000009,{number},1,accepted,,\n").encode()
    )
    with pytest.raises(RefusedError, match=r"line 2, column 1 \(batch\): names batch RB2026"):
        rebate_cases.acknowledge_batch(app, OPERATOR, batch.reference, other_batch)


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("batch,declaration,item\n", "line 1, column 2"),
        (HEADER, "line 2, column 1 (batch): no acknowledgement rows"),
        (HEADER + "RB1,2201,1,maybe,,\n", "line 2, column 2"),
        (HEADER + "RB1,220120261000000001,1,rejected,,\n", "line 2, column 5 (reason_code)"),
        (HEADER + "RB1,220120261000000001,1\n", "line 2, column 4 (result): 3 fields"),
    ],
)
def test_a_malformed_file_is_refused_with_its_line_and_column(
    engine: Engine, content: str, where: str
) -> None:
    app = Application(engine, Settings(), FixedClock(INSTANT))
    with pytest.raises(
        RefusedError, match=f"ack.csv: {where}".replace("(", r"\(").replace(")", r"\)")
    ):
        rebate_cases.acknowledge_batch(app, OPERATOR, None, Document("ack.csv", content.encode()))


def test_a_partial_answer_leaves_the_rest_pending(engine: Engine) -> None:
    app, batch, number = _exported(engine)
    first = rebate_cases.acknowledge_batch(
        app, OPERATOR, None, _ack(batch.reference, number, "2,accepted,,")
    )
    assert (first.batch_accepted, first.batch_pending) == (1, 1)
    second = rebate_cases.acknowledge_batch(
        app, OPERATOR, None, _ack(batch.reference, number, "1,rejected,R3,late")
    )
    assert (second.batch_accepted, second.batch_rejected, second.batch_pending) == (1, 1, 0)
    assert _acks(engine)[0] == 2
    with pytest.raises(NotFoundError):
        rebate_cases.acknowledge_batch(
            app, OPERATOR, "RB00000000000000", _ack("RB00000000000000", number, "1,accepted,,")
        )
