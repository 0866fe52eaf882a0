"""Answer writers: output re-parses with the hardened parser, validates, carries the codes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from edi.xml import (
    AnswerReason,
    AnswerStatus,
    DutyLine,
    XmlAnswer,
    parse_xml,
    read_xml_declaration,
    reasons_from_issues,
    render_decmessage_receipt,
    render_dms_notification,
)
from edi.xml._lxml import etree
from edi.xml.validation import Schema, compiled
from tests.unit.xml.conftest import sample

ISSUED = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
R = "{urn:wco:datamodel:WCO:RES-DMS:2}"
NUMBER = "220120261000000042"


def _answer(status: AnswerStatus, **kwargs: object) -> XmlAnswer:
    return XmlAnswer(status=status, sender_reference="GC26IM0001FISH", issued_at=ISSUED, **kwargs)  # type: ignore[arg-type]


def _notification(answer: XmlAnswer) -> etree._Element:
    raw = render_dms_notification(answer)
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = parse_xml(raw)
    compiled(Schema.DMS).assertValid(root)
    return root


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (AnswerStatus.REGISTERED, "01"),
        (AnswerStatus.REJECTED, "03"),
        (AnswerStatus.UNDER_CONTROL, "05"),
        (AnswerStatus.DOCUMENTS_REQUIRED, "06"),
        (AnswerStatus.RELEASED, "09"),
        (AnswerStatus.INVALIDATED, "10"),
    ],
)
def test_notification_function_codes(status: AnswerStatus, code: str) -> None:
    root = _notification(_answer(status, registered_number=NUMBER))
    assert root.findtext(f"{R}Response/{R}FunctionCode") == code
    assert root.findtext(f"{R}Response/{R}Declaration/{R}ID") == NUMBER
    reference = root.findtext(f"{R}Response/{R}Declaration/{R}FunctionalReferenceID")
    assert reference == "GC26IM0001FISH"


def test_rejection_lists_every_reason_with_pointers() -> None:
    result = read_xml_declaration(sample("dec-dms-invalid-schema.xml"))
    answer = _answer(AnswerStatus.REJECTED, reasons=reasons_from_issues(result.issues))
    root = _notification(answer)
    errors = root.findall(f"{R}Response/{R}Error")
    assert len(errors) == len(result.issues) == 4
    assert {e.findtext(f"{R}ValidationCode") for e in errors} == {"XML004"}
    colour = next(e for e in errors if "Colour" in (e.findtext(f"{R}Description") or ""))
    sections = [p.findtext(f"{R}DocumentSectionCode") for p in colour.findall(f"{R}Pointer")]
    assert sections == ["42A", "67A", "68A"]
    assert "line 18" in (colour.findtext(f"{R}Description") or "")
    stamp = root.find(f"{R}Response/{R}Declaration/{R}RejectionDateTime")
    assert stamp is not None and stamp[0].text == "20261128100000Z"


def test_pointer_carries_the_goods_item_number() -> None:
    reason = AnswerReason(
        "CN code (TSP) '0304620' must have 8 digits",
        path="/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Commodity/Classification[1]/ID",
        line=101,
        code="XML005",
    )
    root = _notification(_answer(AnswerStatus.REJECTED, reasons=(reason,)))
    pointers = root.findall(f"{R}Response/{R}Error/{R}Pointer")
    assert [
        (p.findtext(f"{R}SequenceNumeric"), p.findtext(f"{R}DocumentSectionCode")) for p in pointers
    ] == [
        (None, "42A"),
        (None, "67A"),
        ("2", "68A"),
    ]


def test_duties_are_written_per_goods_item() -> None:
    # Worked check from docs: customs value GBP 1000, duty 9.70 % -> 97.00; VAT 20 % on 1097.00.
    duties = (
        DutyLine(1, "CUD", Decimal("9.70"), Decimal("1000.00"), Decimal("97.00"), "GBP"),
        DutyLine(1, "VAT", Decimal("20"), Decimal("1097.00"), Decimal("219.40"), "GBP"),
        DutyLine(2, "CUD", None, None, Decimal("0.00"), "GBP"),
    )
    root = _notification(
        _answer(
            AnswerStatus.REGISTERED, registered_number=NUMBER, duties=duties, accepted_at=ISSUED
        )
    )
    items = root.findall(
        f"{R}Response/{R}Declaration/{R}GoodsShipment/{R}GovernmentAgencyGoodsItem"
    )
    assert [i.findtext(f"{R}SequenceNumeric") for i in items] == ["1", "2"]
    fees = items[0].findall(f"{R}Commodity/{R}DutyTaxFee")
    assert [f.findtext(f"{R}TypeCode") for f in fees] == ["A00", "B00"]
    vat = fees[1]
    assert vat.findtext(f"{R}AdValoremTaxBaseAmount") == "1097.00"
    assessed = vat.find(f"{R}Payment/{R}TaxAssessedAmount")
    assert assessed is not None and (assessed.text, assessed.get("currencyID")) == ("219.40", "GBP")
    assert root.find(f"{R}Response/{R}Declaration/{R}AcceptanceDateTime") is not None


def test_notification_id_is_deterministic() -> None:
    first = render_dms_notification(_answer(AnswerStatus.RELEASED, registered_number=NUMBER))
    again = render_dms_notification(_answer(AnswerStatus.RELEASED, registered_number=NUMBER))
    assert first == again


def _receipt(answer: XmlAnswer) -> etree._Element:
    raw = render_decmessage_receipt(answer)
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = parse_xml(raw)
    compiled(Schema.DEC_RESULT).assertValid(root)
    return root


@pytest.mark.parametrize(
    ("status", "channel"),
    [
        (AnswerStatus.REGISTERED, "L"),
        (AnswerStatus.REJECTED, "E"),
        (AnswerStatus.RELEASED, "P"),
        (AnswerStatus.DOCUMENTS_REQUIRED, "K"),
        (AnswerStatus.UNDER_CONTROL, "C"),
        (AnswerStatus.INVALIDATED, "D"),
    ],
)
def test_receipt_channels(status: AnswerStatus, channel: str) -> None:
    root = _receipt(_answer(status, registered_number=NUMBER, customs_office="2201"))
    assert root.findtext("CHANNEL") == channel
    assert root.findtext("ENTRY_ID") == NUMBER
    assert root.findtext("CUSTOM_MASTER") == "2201"


def test_receipt_times_are_beijing_time() -> None:
    root = _receipt(
        _answer(AnswerStatus.REGISTERED, accepted_at=datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    )
    assert root.findtext("NOTICE_DATE") == "2026-11-28T18:00:00"
    assert root.findtext("D_DATE") == "20261129"  # 01:00 the next day in Beijing
    assert root.findtext("ENTRY_ID") == ""


def test_rejection_receipt_names_every_reason() -> None:
    result = read_xml_declaration(sample("decmessage-unknown-codes.xml"))
    answer = XmlAnswer(
        AnswerStatus.REJECTED,
        sender_reference=result.sender_reference or "?",
        issued_at=ISSUED,
        reasons=reasons_from_issues(result.issues),
    )
    root = _receipt(answer)
    note = root.findtext("NOTE") or ""
    assert note.startswith("退单 (rejected)")
    assert note.count("[XML006]") == 4 and note.count("[XML005]") == 1
    assert "/DecMessage/DecHead/TradeCountry, line 10" in note
    assert root.findtext("CUS_CIQ_NO") == "SHF2026112500100"


def test_receipt_carries_the_duties_after_the_public_elements() -> None:
    duties = (
        DutyLine(2, "CUD", None, None, Decimal("0.00"), "CNY"),
        DutyLine(1, "CUD", Decimal("0.10"), Decimal("1000.00"), Decimal("100.00"), "CNY"),
        DutyLine(1, "VAT", Decimal("0.13"), Decimal("1100.00"), Decimal("143.00"), "CNY"),
    )
    root = _receipt(_answer(AnswerStatus.REGISTERED, registered_number=NUMBER, duties=duties))
    # The eight public elements first, unchanged; our DEC_TAX extension last.
    assert [child.tag for child in root][-1] == "DEC_TAX"
    lines = [
        {child.tag: child.text for child in line} for line in root.iterfind("DEC_TAX/TAX_LIST")
    ]
    assert lines == [
        {
            "G_NO": "1",
            "TAX_TYPE": "CUD",
            "TAX_NAME": "关税",
            "TAX_BASE": "1000.00",
            "TAX_RATE": "0.10",
            "TAX_AMOUNT": "100.00",
            "CURR": "CNY",
        },
        {
            "G_NO": "1",
            "TAX_TYPE": "VAT",
            "TAX_NAME": "增值税",
            "TAX_BASE": "1100.00",
            "TAX_RATE": "0.13",
            "TAX_AMOUNT": "143.00",
            "CURR": "CNY",
        },
        {"G_NO": "2", "TAX_TYPE": "CUD", "TAX_NAME": "关税", "TAX_AMOUNT": "0.00", "CURR": "CNY"},
    ]


def test_receipt_without_duties_has_no_tax_element() -> None:
    root = _receipt(_answer(AnswerStatus.REJECTED))
    assert root.find("DEC_TAX") is None


def test_receipt_gives_a_reason_in_chinese_beside_the_english() -> None:
    reasons = (
        AnswerReason(
            "item 1: unit price above the reference range",
            path="/DecMessage/DecLists/DecList[1]",
            code="SAN-005",
            text_zh="第1项单价高于参考区间",
        ),
        AnswerReason("selected for yellow lane control", code="RISK"),
        AnswerReason("same words", code="X", text_zh="same words"),
    )
    root = _receipt(_answer(AnswerStatus.DOCUMENTS_REQUIRED, reasons=reasons))
    assert root.findtext("NOTE") == (
        "需交验单证 (documents_required); "
        "[SAN-005] 第1项单价高于参考区间 / item 1: unit price above the reference range "
        "(/DecMessage/DecLists/DecList[1]); "
        "[RISK] selected for yellow lane control; [X] same words"
    )


def test_answers_need_aware_times_and_a_reference() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        XmlAnswer(AnswerStatus.REJECTED, "X", datetime(2026, 11, 28, 10, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="reference"):
        XmlAnswer(AnswerStatus.REJECTED, "", ISSUED)


NOTIFICATION_WITH_THREE_RESPONSES = b"""<?xml version="1.0" encoding="UTF-8"?>
<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2">
  <md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>
  <md:WCOTypeName>RES</md:WCOTypeName>
  <md:ResponsibleCountryCode/>
  <md:ResponsibleAgencyName/>
  <md:AgencyAssignedCustomizationCode/>
  <md:AgencyAssignedCustomizationVersionCode/>
  <Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2"
            xmlns:ds="urn:wco:datamodel:WCO:Response_DS:DMS:2">
    <FunctionCode>02</FunctionCode>
    <FunctionalReferenceID>1234555</FunctionalReferenceID>
    <IssueDateTime>
      <ds:DateTimeString formatCode="304">20261128100000Z</ds:DateTimeString></IssueDateTime>
    <Declaration><ID>26GB9IAK3PBQ9J8AA6</ID><VersionID>1</VersionID></Declaration>
  </Response>
  <Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2"
            xmlns:ds="urn:wco:datamodel:WCO:Response_DS:DMS:2">
    <FunctionCode>01</FunctionCode>
    <FunctionalReferenceID>1234567890</FunctionalReferenceID>
    <IssueDateTime>
      <ds:DateTimeString formatCode="304">20261128110000Z</ds:DateTimeString></IssueDateTime>
    <Declaration><ID>26GB9IAK3PBQ9J8AA6</ID><VersionID>1</VersionID></Declaration>
  </Response>
  <Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2"
            xmlns:ds="urn:wco:datamodel:WCO:Response_DS:DMS:2">
    <FunctionCode>03</FunctionCode>
    <FunctionalReferenceID>6be6c6f61f0346748016b823eeda669d</FunctionalReferenceID>
    <IssueDateTime>
      <ds:DateTimeString formatCode="304">20261128120000Z</ds:DateTimeString></IssueDateTime>
    <Error>
      <ValidationCode>CDS10020</ValidationCode>
      <Pointer><DocumentSectionCode>42A</DocumentSectionCode></Pointer>
      <Pointer><SequenceNumeric>1</SequenceNumeric><DocumentSectionCode>68A</DocumentSectionCode></Pointer>
      <Pointer><SequenceNumeric>2</SequenceNumeric><DocumentSectionCode>02A</DocumentSectionCode><TagID>360</TagID></Pointer>
    </Error>
    <Declaration>
      <FunctionalReferenceID>NotificationTest</FunctionalReferenceID>
      <ID>26GB9IAK3PBQ9J8AA6</ID>
      <RejectionDateTime>
        <ds:DateTimeString formatCode="304">20261128120000Z</ds:DateTimeString></RejectionDateTime>
      <VersionID>1</VersionID>
    </Declaration>
  </Response>
</md:MetaData>
"""


def test_a_notification_with_several_responses_validates() -> None:
    """The published notification may carry several Response elements (HMRC test data shape)."""
    root = parse_xml(NOTIFICATION_WITH_THREE_RESPONSES)
    compiled(Schema.DMS).assertValid(root)
    assert [e.text for e in root.iter(f"{R}FunctionCode")] == ["02", "01", "03"]
