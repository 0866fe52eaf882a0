"""DecMessage mapping: code tables, charges, parties, and every failure located."""

from __future__ import annotations

from decimal import Decimal

from edi.model import ChargeMark, Direction, DocumentKind, PartyRole
from edi.model.parties import IdentifierScheme
from edi.xml import IssueKind, XmlReadResult, read_xml_declaration
from tests.unit.xml.conftest import sample

IMPORT = sample("decmessage-import.xml").decode()
EXPORT = sample("decmessage-export.xml").decode()


def _read(text: str) -> XmlReadResult:
    return read_xml_declaration(text.encode())


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_current_code_lists_map_to_iso() -> None:
    declaration = _read(IMPORT).declaration
    assert declaration is not None
    assert declaration.direction is Direction.IMPORT
    assert (declaration.departure_country, declaration.trade_country) == ("VN", "VN")
    item = declaration.items[0]
    assert (item.origin_country, item.destination_country) == ("VN", "CN")
    assert item.quantity is not None and item.quantity.unit == "KGM"
    assert item.value is not None and item.value.currency == "USD"


def test_legacy_numeric_codes_map_to_iso() -> None:
    declaration = _read(EXPORT).declaration
    assert declaration is not None
    assert declaration.direction is Direction.EXPORT
    assert declaration.destination_country == "DE"  # TradeCountry 304 is 运抵国 on exports
    assert declaration.departure_country is None
    item = declaration.items[0]
    assert (item.origin_country, item.destination_country) == ("CN", "DE")  # 142, 304
    assert item.unit_price is not None and item.unit_price.currency == "USD"  # 502
    assert item.quantity is not None and item.quantity.unit == "H87"  # 001 台
    assert item.second_statutory_quantity is not None
    assert item.second_statutory_quantity.unit == "KGM"


def test_parties_carry_customs_code_and_uscc() -> None:
    declaration = _read(IMPORT).declaration
    assert declaration is not None
    consignee = declaration.party(PartyRole.CONSIGNEE)
    assert consignee is not None
    assert consignee.identifier(IdentifierScheme.USCC) == "91310115MA1K4D3X7L"
    assert consignee.identifier(IdentifierScheme.CUSTOMS_CODE) == "3122260K7R"
    declarant = declaration.party(PartyRole.DECLARANT)
    assert (
        declarant is not None
        and declarant.identifier(IdentifierScheme.USCC) == "913100006072103486"
    )
    seller = declaration.party(PartyRole.OVERSEAS_CONSIGNOR)
    assert seller is not None and seller.identifiers == ()  # empty OverseasConsignorCode


def test_older_tradecodescc_name_is_read() -> None:
    declaration = _read(EXPORT).declaration
    assert declaration is not None
    consignor = declaration.party(PartyRole.CONSIGNOR)
    assert consignor is not None
    assert consignor.identifier(IdentifierScheme.USCC) == "91320594MA1WQ7BH8M"


def test_charges_by_mark_and_a_rate_has_no_currency() -> None:
    declaration = _read(IMPORT).declaration
    assert declaration is not None
    assert declaration.freight is not None and declaration.insurance is not None
    assert (declaration.freight.mark, declaration.freight.currency) == (ChargeMark.TOTAL, "USD")
    assert declaration.insurance.mark is ChargeMark.RATE
    assert declaration.insurance.value == Decimal("0.3")
    assert declaration.insurance.currency is None  # InsurCurr USD is dropped for a rate


def test_rate_without_mark_is_located() -> None:
    result = _read(_edit(IMPORT, "<FeeMark>3</FeeMark>", "<FeeMark></FeeMark>"))
    [issue] = result.issues
    assert issue.path == "/DecMessage/DecHead/FeeRate"
    assert "FeeMark" in issue.text


def test_unknown_codes_are_reported_each_at_its_element() -> None:
    result = read_xml_declaration(sample("decmessage-unknown-codes.xml"))
    assert result.declaration is None
    unknown = {i.path: i for i in result.issues if i.kind is IssueKind.UNKNOWN_CODE}
    assert set(unknown) == {
        "/DecMessage/DecHead/TradeCountry",
        "/DecMessage/DecHead/TrafMode",
        "/DecMessage/DecLists/DecList/GUnit",
        "/DecMessage/DecLists/DecList/TradeCurr",
    }
    assert unknown["/DecMessage/DecHead/TradeCountry"].line == 10
    assert "'XYZ'" in unknown["/DecMessage/DecHead/TradeCountry"].text
    uscc = [i for i in result.issues if i.path == "/DecMessage/DecHead/TradeCoScc"]
    assert len(uscc) == 1 and "USCC" in uscc[0].text
    assert len(result.issues) == 5  # no echo for the amounts whose currency was unknown


def test_known_code_without_equivalent_leaves_the_field_empty() -> None:
    text = _edit(IMPORT, "<TransMode>3</TransMode>", "<TransMode>4</TransMode>")  # C&I
    text = _edit(text, "<TradeAreaCode>VNM</TradeAreaCode>", "<TradeAreaCode>ZZZ</TradeAreaCode>")
    text = _edit(text, "<TrafMode>2</TrafMode>", "<TrafMode>Y</TrafMode>")  # 保税港区
    declaration = _read(text).declaration
    assert declaration is not None and declaration.transport is not None
    assert declaration.incoterm is None
    assert declaration.trade_country is None
    assert declaration.transport.mode == "9"


def test_unit_without_rec20_equivalent_keeps_the_national_code() -> None:
    declaration = _read(_edit(IMPORT, "<GUnit>035</GUnit>", "<GUnit>140</GUnit>")).declaration
    assert declaration is not None
    quantity = declaration.items[0].quantity
    assert quantity is not None and quantity.unit == "CN140"


def test_quantity_without_unit_is_located() -> None:
    result = _read(_edit(IMPORT, "<GUnit>035</GUnit>", "<GUnit></GUnit>"))
    [issue] = result.issues
    assert issue.path == "/DecMessage/DecLists/DecList[1]/GQty"


def test_amount_without_currency_is_located() -> None:
    result = _read(_edit(IMPORT, "<TradeCurr>USD</TradeCurr>", "<TradeCurr></TradeCurr>"))
    assert {i.path for i in result.issues} == {
        "/DecMessage/DecLists/DecList[1]/DeclPrice",
        "/DecMessage/DecLists/DecList[1]/DeclTotal",
    }


def test_entry_id_is_the_registered_number() -> None:
    text = _edit(IMPORT, "<EntryId></EntryId>", "<EntryId>220120261000012345</EntryId>")
    declaration = _read(text).declaration
    assert declaration is not None and declaration.registered_number == "220120261000012345"


def test_client_seq_no_is_preferred_over_seq_no() -> None:
    text = _edit(IMPORT, "<SeqNo></SeqNo>", "<SeqNo>220120261000099999</SeqNo>")
    assert _read(text).sender_reference == "SHF2026112500017"
    text = _edit(text, "<ClientSeqNo>SHF2026112500017</ClientSeqNo>", "")
    result = _read(text)
    assert result.declaration is not None
    assert result.declaration.sender_reference == "220120261000099999"


def test_impossible_date_is_located() -> None:
    result = _read(_edit(IMPORT, "<IEDate>20261125</IEDate>", "<IEDate>20261131</IEDate>"))
    [issue] = result.issues
    assert issue.path == "/DecMessage/DecHead/IEDate"


def test_licence_documents_map_by_docu_code() -> None:
    declaration = _read(IMPORT).declaration
    assert declaration is not None
    kinds = [(d.kind, d.code, d.number) for d in declaration.documents]
    assert kinds == [
        (DocumentKind.CONTRACT, None, "MDS-SHF-2026-031"),
        (DocumentKind.CERTIFICATE_OF_ORIGIN, "Y", "E26VN0104417391"),
    ]


def test_a_known_party_is_handed_over_validated_once() -> None:
    # The second declaration from the same traders reuses the parties validated for the first.
    first, second = _read(IMPORT).declaration, _read(IMPORT).declaration
    assert first is not None and second is not None
    assert first.parties == second.parties
    assert all(a is b for a, b in zip(first.parties, second.parties, strict=True))


def test_an_invalid_uscc_is_reported_every_time_it_comes_back() -> None:
    text = _edit(IMPORT, "91310115MA1K4D3X7L</TradeCoScc>", "91310115MA1K4D3X7A</TradeCoScc>")
    for _ in range(2):
        result = _read(text)
        assert result.declaration is None
        [issue] = result.issues
        assert issue.path == "/DecMessage/DecHead/TradeCoScc" and "USCC" in issue.text


def test_a_country_code_that_names_no_country_is_located_by_line_and_column() -> None:
    # Written on one line, as generated files often are: only the column tells the two goods
    # items' origins apart.
    head, _, body = IMPORT.partition("\n")
    text = head + "\n" + "".join(line.strip() for line in body.split("\n"))
    text = _edit(text, "<TradeCountry>VNM</TradeCountry>", "<TradeCountry>QQQ</TradeCountry>")
    first, second = text.rsplit("<OriginCountry>VNM</OriginCountry>", 1)
    text = first + "<OriginCountry>XXX</OriginCountry>" + second  # the second goods item's
    issues = {i.path: i for i in _read(text).issues}
    assert set(issues) == {
        "/DecMessage/DecHead/TradeCountry",
        "/DecMessage/DecLists/DecList[2]/OriginCountry",
    }
    line = text.split("\n")[1]
    for path, written in [
        ("/DecMessage/DecHead/TradeCountry", "<TradeCountry>QQQ<"),
        ("/DecMessage/DecLists/DecList[2]/OriginCountry", "<OriginCountry>XXX<"),
    ]:
        issue = issues[path]
        assert issue.kind is IssueKind.UNKNOWN_CODE and issue.line == 2 and issue.column
        assert line[issue.column - 1 :].startswith(written)
