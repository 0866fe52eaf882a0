"""Corrections and cancellations of rebate records already sent: new versions, sent once.

A rejected record is corrected and goes out again in the next batch as version 2 (kind
correction, superseding version 1); the tax authority's answer lands on that version; a later
cancellation is version 3. A record not sent yet, a version still waiting, and an accepted
cancellation cannot be corrected.
"""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import Engine

from clearance.app import (
    Actor,
    ConflictError,
    NotFoundError,
    NotPermittedError,
    RefusedError,
    Role,
)
from clearance.app import rebate_versions as versions
from clearance.app import rebates as rebate_cases
from clearance.app.documents import Document
from tests.integration.test_rebate_exchange import HEADER, JUNE, OPERATOR, _exported

pytestmark = pytest.mark.db


def _ack(reference: str, number: str, *rows: str) -> Document:
    lines = "".join(f"{reference},{number},{row}\n" for row in rows)
    return Document("ack.csv", (HEADER + lines).encode())


def test_reject_correct_resend_accept_then_cancel(engine: Engine) -> None:
    app, batch, number = _exported(engine)
    rebate_cases.acknowledge_batch(
        app, OPERATOR, None, _ack(batch.reference, number, "1,accepted,,", "2,rejected,R12,no rate")
    )
    # Not correctable: a version of item 2 can only follow once it is sent.
    fixed = versions.correct_record(
        app, OPERATOR, number, 2, "rate of 2026-06-15 is 0.09", rebate_rate=Decimal("0.09")
    )
    v2 = fixed.versions[-1]
    assert (v2.version, v2.kind, v2.supersedes_version, v2.status) == (
        2,
        "correction",
        1,
        "pending",
    )
    fob = Decimal(fixed.versions[0].fob_cny)
    assert v2.fob_cny == fixed.versions[0].fob_cny
    assert v2.estimated_amount == f"{(fob * Decimal('0.09')).quantize(Decimal('0.01'))}"
    with pytest.raises(ConflictError, match="waits for the next batch"):
        versions.correct_record(app, OPERATOR, number, 2, "again", rebate_rate=Decimal("0.1"))

    again = rebate_cases.export_batch(app, OPERATOR, *JUNE)
    assert again.records == 1  # only the correction: nothing is sent twice
    csv_text = next(f.content for f in again.files if f.name.endswith(".csv"))
    header, line = csv_text.splitlines()
    assert header.endswith(
        ",version,kind,supersedes_version,reason,quantity,unit,exporter_uscc,exit_date"
    )
    # A version changes the figures; the goods, the exporter and the exit stay the record's.
    assert line.split(",")[-8:-4] == ["2", "correction", "1", "rate of 2026-06-15 is 0.09"]
    assert line.split(",")[-4:-1] == ["120", "NAR", "91440300MA5DC8E3L9"]
    xml = ET.fromstring(next(f.content for f in again.files if f.name.endswith(".xml")).encode())
    control = xml.find("{urn:golden-customs:rebates:1}Control")
    assert control is not None
    assert (control.get("originals"), control.get("corrections")) == ("0", "1")
    assert rebate_cases.export_batch(app, OPERATOR, *JUNE).records == 0

    done = rebate_cases.acknowledge_batch(
        app, OPERATOR, None, _ack(again.reference, number, "2,accepted,,")
    )
    assert (done.accepted, done.batch_accepted, done.batch_pending) == (1, 1, 0)
    (item2,) = [r for r in versions.records(app, OPERATOR, number) if r.item == 2]
    assert [(v.version, v.status) for v in item2.versions] == [(1, "rejected"), (2, "accepted")]

    cancelled = versions.correct_record(app, OPERATOR, number, 1, "goods returned", cancel=True)
    v2_of_1 = cancelled.versions[-1]
    assert (v2_of_1.kind, v2_of_1.version, v2_of_1.fob_cny) == (
        "cancellation",
        2,
        cancelled.versions[0].fob_cny,
    )
    third = rebate_cases.export_batch(app, OPERATOR, *JUNE)
    rebate_cases.acknowledge_batch(
        app, OPERATOR, None, _ack(third.reference, number, "1,accepted,,")
    )
    with pytest.raises(RefusedError, match="is cancelled"):
        versions.correct_record(app, OPERATOR, number, 1, "undo", fob_cny=Decimal(1))


def test_what_cannot_be_corrected(engine: Engine) -> None:
    app, batch, number = _exported(engine)
    with pytest.raises(NotFoundError, match="item 9"):
        versions.correct_record(app, OPERATOR, number, 9, "x", fob_cny=Decimal(1))
    with pytest.raises(RefusedError, match="reason of 1 to 512"):
        versions.correct_record(app, OPERATOR, number, 1, "  ", fob_cny=Decimal(1))
    with pytest.raises(RefusedError, match="no new figures"):
        versions.correct_record(app, OPERATOR, number, 1, "x", cancel=True, fob_cny=Decimal(1))
    with pytest.raises(RefusedError, match="rebate rate is a fraction"):
        versions.correct_record(app, OPERATOR, number, 1, "x", rebate_rate=Decimal(13))
    # Rebate records are the operator's and the rebate office's (Permission.REBATES).
    stranger = Actor("t", Role.TRADER, party_ids=frozenset({"SOMEONE"}))
    with pytest.raises(NotPermittedError):
        versions.correct_record(app, stranger, number, 1, "x", fob_cny=Decimal(1))
    with pytest.raises(NotPermittedError):
        versions.records(app, stranger, number)
    assert batch.records == 2
