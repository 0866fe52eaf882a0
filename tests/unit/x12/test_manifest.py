"""309 -> canonical manifest: the mapping field by field, and the content checks."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from pydantic import ValidationError

from edi.model import Quantity
from edi.x12 import Container, ContentError, Level, Manifest, PartyRole, Severity
from tests.unit.x12.helpers import BODY_309, VALID_4010, interchange, read


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    (m,) = read(VALID_4010.read_text()).manifests
    return m


def test_header_comes_from_m10_and_p4(manifest: Manifest) -> None:
    c = manifest.conveyance
    assert manifest.carrier_scac == "COSU"  # M1001
    assert (c.transport_method, c.mode) == ("O", "1")  # M1002 containerized ocean -> sea
    assert c.nationality == "CN"  # M1003
    assert (c.identifier, c.identifier_qualifier) == ("9312341", "L")  # M1004, M1010
    assert c.name == "COSCO SHIPPING ARIES"  # M1005
    assert manifest.voyage == "V123E"  # M1006
    assert (manifest.reference, manifest.declared_bills) == ("000001", 3)  # M1007, M1008
    assert manifest.manifest_type == "A"  # M1009
    assert manifest.port_of_discharge == "CNSHA"  # P401
    assert manifest.arrival_date == date(2026, 12, 1)  # P402
    assert manifest.port_calls[0].arrival_time == time(8, 0)  # P405


def test_the_first_bill_matches_the_edifact_sample(manifest: Manifest) -> None:
    bill = manifest.bills[0]
    assert bill.line == 1  # LX01
    assert bill.number == "COSU6123456780"  # M1112 issuer + M1101
    assert (bill.issuer_scac, bill.carrier_number) == ("COSU", "6123456780")
    assert bill.port_of_loading == "VNSGN"  # M1102
    assert bill.quantity == Quantity(value=Decimal(1200), unit="CTN")  # M1103, M1104
    assert bill.gross_weight == Quantity(value=Decimal("16650.5"), unit="KGM")  # M1105, M1106 K
    consignee = bill.party(PartyRole.CONSIGNEE)
    assert consignee is not None
    assert consignee.name == "SHANGHAI OCEAN FOODS TRADING CO LTD"  # N102
    assert (consignee.identifier_qualifier, consignee.identifier) == ("ZZ", "91310000MA1FL0XQ8W")
    assert (consignee.city, consignee.postal_code, consignee.country) == (
        "SHANGHAI",
        "200000",
        "CN",
    )
    assert bill.container_numbers == ("CSQU3054383",)  # VID02 + VID03
    assert bill.containers[0].seals == ("SL4410021",)  # VID04
    assert [g.commodity_code for g in bill.goods] == ["0304620000", "0306171900", "1605211000"]
    assert sum(g.weight.value for g in bill.goods if g.weight) == bill.gross_weight.value
    assert sum(g.quantity.value for g in bill.goods if g.quantity) == bill.quantity.value


def test_goods_lines_know_their_container(manifest: Manifest) -> None:
    bill = manifest.bills[1]
    assert bill.container_numbers == ("TGHU9876542", "CSNU6000013")
    assert [g.container for g in bill.goods] == ["TGHU9876542", "CSNU6000013"]
    assert bill.goods[0].commodity_code == "030743"  # HS-6 is enough


def test_notify_party_and_json_round_trip(manifest: Manifest) -> None:
    notify = manifest.bills[2].party(PartyRole.NOTIFY)
    assert notify is not None
    assert notify.name == "PUDONG CUSTOMS BROKERAGE CO LTD"
    assert Manifest.model_validate_json(manifest.model_dump_json()) == manifest


def test_the_imo_check_digit_is_a_warning_only() -> None:
    # 9312341 passes the IMO check digit; 9312345 does not, and is only warned about.
    ts = read(VALID_4010.read_text()).transaction_sets[0]
    assert ts.content_issues == ()
    wrong = read(VALID_4010.read_text().replace("9312341", "9312345")).transaction_sets[0]
    (issue,) = wrong.content_issues
    assert (issue.code, issue.severity, issue.element) == (
        ContentError.IMO_CHECK_DIGIT,
        Severity.WARNING,
        4,
    )
    assert wrong.manifest is not None


def _content(body: list[str]) -> list[tuple[str, str, int | None]]:
    ts = read(interchange([body])).transaction_sets[0]
    assert not ts.syntax_issues
    assert ts.manifest is None
    return [(i.code, i.segment_tag or "", i.element) for i in ts.issues if i.is_error]


@pytest.mark.parametrize(
    ("index", "line", "expected"),
    [
        (5, "VID*CN*CSQU*3054384", ("invalid_container", "VID", 3)),
        (6, "N10*1200*FISH**Z*HS0304", ("invalid_commodity_code", "N10", 5)),
        (4, "N1*CN*X**", None),
        (3, "M11*6123456780*VNSGN*1200*CTN*16650.5*M******COSU", ("unknown_unit", "M11", 6)),
        (0, "M10*COSU*O*CHN*9312341*XY*V1**1*A*L", ("invalid_country", "M10", 3)),
        (0, "M10*COSU*O*ZZ*9312341*XY*V1**1*A*L", ("invalid_country", "M10", 3)),
        (0, "M10*COSU*ZZ*CN*9312341*XY*V1**1*A*L", ("invalid_value", "M10", 2)),
        (0, "M10*COSU*O*CN*9312341*XY*V1**2*A*L", ("bill_count_mismatch", "M10", 8)),
        (1, "P4*CNSHA*20261201*5", ("bill_count_mismatch", "P4", 3)),
    ],
)
def test_content_errors_carry_their_position(
    index: int, line: str, expected: tuple[str, str, int] | None
) -> None:
    body = list(BODY_309)
    body[index] = line
    if expected is None:  # control: a harmless change maps fine
        assert read(interchange([body])).manifests
        return
    assert _content(body) == [expected]


def test_a_duplicate_bill_is_reported() -> None:
    body = [*BODY_309[:3], BODY_309[3], "LX*2", BODY_309[3]]
    body[0] = body[0].replace("*1*A*", "*2*A*")
    body[1] = "P4*CNSHA*20261201*2"
    assert _content(body) == [("duplicate_bill", "LX", None)]


def test_a_bill_without_m11_is_missing_details() -> None:
    body = [line for line in BODY_309 if not line.startswith("M11")]
    assert _content(body) == [("missing_bill_details", "LX", None)]


def test_pounds_are_converted_to_the_rec20_code() -> None:
    body = list(BODY_309)
    body[3] = body[3].replace("*16650.5*K*", "*36707*L*")
    (m,) = read(interchange([body])).manifests
    assert m.bills[0].gross_weight == Quantity(value=Decimal(36707), unit="LBR")


def test_the_model_refuses_a_bad_container_number() -> None:
    with pytest.raises(ValidationError):
        Container(number="CSQU3054384")
    assert Container(number="CSQU3054383").number == "CSQU3054383"


def test_content_issues_do_not_touch_the_997_status() -> None:
    body = list(BODY_309)
    body[5] = "VID*CN*CSQU*3054384"
    ts = read(interchange([body])).transaction_sets[0]
    assert ts.status.value == "A"
    assert {i.level for i in ts.issues} == {Level.CONTENT}
