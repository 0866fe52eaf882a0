"""355 and 350 (and the acknowledgements) read back by pyx12 and by our own reader."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

import pytest
from pyx12.x12file import X12Reader

from edi.x12 import (
    AckCode,
    AckControl,
    CustomsStatus,
    Disposition,
    Envelope,
    Manifest,
    X12ReadResult,
    X12WriteError,
    read_x12,
    render_350,
    render_355,
    render_997,
    render_999,
    render_ta1,
)
from tests.unit.x12.helpers import SAMPLES, VALID_4010, read

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
CONTROL = AckControl(700, 70, 1, NOW)


def _pyx12_errors(data: bytes) -> list[tuple[str, ...]]:
    reader = X12Reader(io.StringIO(data.decode()))
    errors: list[tuple[str, ...]] = []
    for _ in reader:
        errors += [tuple(e) for e in reader.pop_errors()]
    reader.cleanup()
    return errors + [tuple(e) for e in reader.pop_errors()]


def _clean_round_trip(data: bytes, set_id: str) -> X12ReadResult:
    """``data`` passes pyx12's envelope checks and our structure and element checks."""
    assert _pyx12_errors(data) == []
    back = read_x12(data)
    assert back.all_issues() == ()
    assert [s.set_id for s in back.transaction_sets] == [set_id]
    assert back.groups[0].status is AckCode.ACCEPTED
    return back


@pytest.fixture(scope="module")
def result() -> X12ReadResult:
    return read(VALID_4010.read_text())


@pytest.fixture(scope="module")
def manifest(result: X12ReadResult) -> Manifest:
    return result.manifests[0]


def _envelope(version: Literal["004010", "005010"] = "004010") -> Envelope:
    return Envelope("ZZ", "CNCUSTOMS", "ZZ", "COSU", 800, 80, 1, NOW, version=version)


def test_a_release_and_a_hold_round_trip(manifest: Manifest) -> None:
    statuses = [
        CustomsStatus("COSU6123456780", Disposition.RELEASED, NOW),
        CustomsStatus("COSU6123456791", Disposition.HOLD, NOW, remarks=("EXAM*REQUIRED~",)),
    ]
    data = render_350(manifest, statuses, _envelope())
    back = _clean_round_trip(data, "350")
    segments = back.transaction_sets[0].segments
    x4 = [s for s in segments if s.tag == "X4"]
    assert [(s.element(1), s.element(2), s.element(7), s.element(9)) for s in x4] == [
        ("6123456780", "1200", "1C", "COSU"),
        ("6123456791", "", "1H", "COSU"),
    ]
    assert [s.element(1) + s.element(2) for s in segments if s.tag == "N7"] == [
        "CSQU3054383",
        "TGHU9876542",
        "CSNU6000013",
    ]
    assert [s.element(1) for s in segments if s.tag == "K1"] == ["EXAM REQUIRED"]


def test_a_350_in_5010(manifest: Manifest) -> None:
    status = CustomsStatus(
        "COSU6123456802",
        Disposition.HOLD_REMOVED,
        NOW,
        quantity=Decimal(50),
        entry_type="01",
        entry_number="E1234567",
    )
    data = render_350(manifest, [status], _envelope("005010"))
    assert b"GS*AU*" in data
    _clean_round_trip(data, "350")


@pytest.mark.parametrize(
    "status",
    [
        CustomsStatus("COSU0000000000", Disposition.RELEASED, NOW),
        CustomsStatus("COSU6123456780", Disposition.RELEASED, NOW, entry_type="01"),
    ],
)
def test_350_refuses_what_it_cannot_say(manifest: Manifest, status: CustomsStatus) -> None:
    with pytest.raises(X12WriteError):
        render_350(manifest, [status], _envelope())


def test_a_4010_350_needs_a_container(manifest: Manifest) -> None:
    bill = manifest.bills[0].model_copy(update={"containers": ()})
    bare = manifest.model_copy(update={"bills": (bill, *manifest.bills[1:])})
    status = CustomsStatus("COSU6123456780", Disposition.RELEASED, NOW)
    with pytest.raises(X12WriteError):
        render_350(bare, [status], _envelope())
    _clean_round_trip(render_350(bare, [status], _envelope("005010")), "350")


def test_355_acceptance_round_trips(result: X12ReadResult) -> None:
    data = render_355(result, result.transaction_sets[0], CONTROL)
    back = _clean_round_trip(data, "355")
    tags = [s.tag for s in back.transaction_sets[0].segments]
    assert tags == ["ST", "M10", "P4", "K3", "SE"]  # no warnings: no K1 remark
    assert back.transaction_sets[0].segments[-2].element(1) == "MANIFEST ACCEPTED 3 BILLS"


def test_355_rejection_echoes_the_segments_in_error() -> None:
    result = read((SAMPLES / "07-content-errors-4010.x12").read_text())
    data = render_355(result, result.transaction_sets[0], CONTROL)
    back = _clean_round_trip(data, "355")
    segments = back.transaction_sets[0].segments
    remarks = [(s.element(1), s.element(2)) for s in segments if s.tag == "K1"]
    assert ("INVALID CONTAINER", "VID03 3054384") in remarks
    assert ("INVALID COMMODITY CODE", "N1005 HS0307") in remarks
    vids = [s.element(2) + s.element(3) for s in segments if s.tag == "VID"]
    assert vids == ["CSQU3054384", "TGHU9876542"]  # only the VIDs in error or holding one
    assert segments[-2].element(1).startswith("MANIFEST REJECTED")


def test_355_answers_only_a_309(result: X12ReadResult) -> None:
    ack = read_x12(render_997(result, CONTROL))
    with pytest.raises(X12WriteError):
        render_355(ack, ack.transaction_sets[0], CONTROL)


@pytest.mark.parametrize("render", [render_997, render_999])
def test_acknowledgements_round_trip(render: object, result: X12ReadResult) -> None:
    assert callable(render)
    data = render(result, CONTROL)
    back = _clean_round_trip(data, "997" if render is render_997 else "999")
    assert back.interchange is not None
    assert (back.interchange.sender_id, back.interchange.receiver_id) == ("CNCUSTOMS", "COSU")


def test_a_ta1_round_trips() -> None:
    rejected = read((SAMPLES / "05-unknown-version-00403.x12").read_text())
    data = render_ta1(rejected, CONTROL)
    assert _pyx12_errors(data) == []
    back = read_x12(data)
    assert back.all_issues() == ()
    assert [s.elements for s in back.ta1] == [("000000105", "261128", "0930", "R", "003")]


def test_answers_need_an_interchange() -> None:
    nothing = read_x12(b"garbage")
    with pytest.raises(X12WriteError):
        render_ta1(nothing, CONTROL)
    with pytest.raises(X12WriteError):
        render_997(read((SAMPLES / "05-unknown-version-00403.x12").read_text()), CONTROL)
