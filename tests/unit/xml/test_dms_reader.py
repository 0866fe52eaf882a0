"""DEC-DMS mapping: each rule of the field map, and every way it can fail, located."""

from __future__ import annotations

import pytest

from edi.model import DeclarationFunction, Direction, DocumentKind, PartyRole
from edi.xml import IssueKind, XmlReadResult, read_xml_declaration
from tests.unit.xml.conftest import sample

IMPORT = sample("dec-dms-import.xml").decode()
EXPORT = sample("dec-dms-export.xml").decode()


def _read(text: str) -> XmlReadResult:
    return read_xml_declaration(text.encode())


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_import_maps_parties_by_direction() -> None:
    declaration = _read(IMPORT).declaration
    assert declaration is not None
    assert declaration.direction is Direction.IMPORT
    consignee = declaration.party(PartyRole.CONSIGNEE)
    assert consignee is not None and consignee.identifiers[0].value == "GB287531964002"
    seller = declaration.party(PartyRole.OVERSEAS_CONSIGNOR)
    assert seller is not None and seller.country == "VN"
    assert declaration.party(PartyRole.CONSIGNOR) is None


def test_export_maps_parties_by_direction() -> None:
    declaration = _read(EXPORT).declaration
    assert declaration is not None
    assert declaration.direction is Direction.EXPORT
    consignor = declaration.party(PartyRole.CONSIGNOR)
    assert consignor is not None and consignor.name == "Albion Compute Ltd"
    buyer = declaration.party(PartyRole.OVERSEAS_CONSIGNEE)
    assert buyer is not None and buyer.city == "Hamburg"
    assert declaration.port_office == "GB000051"


def test_commodity_code_joins_tsp_and_trc() -> None:
    declaration = _read(IMPORT).declaration
    assert declaration is not None
    assert [i.commodity_code for i in declaration.items] == ["0304620000", "0304610000"]


def test_commodity_code_without_trc_has_eight_digits() -> None:
    trc = (
        "<Classification>\n            <ID>00</ID>\n"
        "            <IdentificationTypeCode>TRC</IdentificationTypeCode>\n"
        "          </Classification>"
    )
    text = _edit(IMPORT, trc, "")
    declaration = _read(text).declaration
    assert declaration is not None
    assert declaration.items[0].commodity_code == "03046200"


def test_short_cn_code_is_located() -> None:
    result = _read(_edit(IMPORT, "<ID>03046200</ID>", "<ID>0304620</ID>"))
    [issue] = result.issues
    assert issue.kind is IssueKind.MAPPING
    assert "8 digits" in issue.text
    assert issue.path is not None and issue.path.endswith(
        "GovernmentAgencyGoodsItem[1]/Commodity/Classification[1]/ID"
    )
    assert issue.line is not None


def test_missing_tsp_is_reported() -> None:
    result = _read(
        _edit(
            IMPORT,
            "<IdentificationTypeCode>TSP</IdentificationTypeCode>",
            "<IdentificationTypeCode>TRA</IdentificationTypeCode>",
        )
    )
    assert any("TSP" in i.text for i in result.issues)
    assert result.declaration is None


def test_bad_trc_is_reported() -> None:
    result = _read(_edit(IMPORT, "<ID>00</ID>", "<ID>0</ID>"))
    assert any("TRC" in i.text for i in result.issues)


def test_unknown_declaration_type_is_an_unknown_code() -> None:
    result = _read(_edit(IMPORT, "<TypeCode>IMA</TypeCode>", "<TypeCode>COZ</TypeCode>"))
    unknown = [i for i in result.issues if i.kind is IssueKind.UNKNOWN_CODE]
    assert len(unknown) == 1
    assert unknown[0].path == "/MetaData/Declaration/TypeCode"
    assert unknown[0].line == 22
    assert len(result.issues) == 1  # no "direction required" echo


def test_invalid_gb_eori_is_located_at_the_party_id() -> None:
    result = _read(_edit(IMPORT, "<ID>GB287531964002</ID>", "<ID>GB28753196400</ID>"))
    [issue] = result.issues
    assert "EORI" in issue.text
    assert issue.path == "/MetaData/Declaration/GoodsShipment/Importer/ID"


def test_amendment_cites_the_registered_number() -> None:
    text = _edit(IMPORT, "<FunctionCode>9</FunctionCode>", "<FunctionCode>13</FunctionCode>")
    text = _edit(
        text,
        "</FunctionalReferenceID>",
        "</FunctionalReferenceID>\n    <ID>220120261000000042</ID>",
    )
    declaration = _read(text).declaration
    assert declaration is not None
    assert declaration.function is DeclarationFunction.AMENDMENT
    assert declaration.registered_number == "220120261000000042"


def test_amendment_without_number_is_rejected() -> None:
    result = _read(
        _edit(IMPORT, "<FunctionCode>9</FunctionCode>", "<FunctionCode>13</FunctionCode>")
    )
    assert result.declaration is None
    assert any("registered number" in i.text for i in result.issues)


def test_unsupported_function_code_is_located() -> None:
    result = _read(
        _edit(IMPORT, "<FunctionCode>9</FunctionCode>", "<FunctionCode>7</FunctionCode>")
    )
    assert any(i.path == "/MetaData/Declaration/FunctionCode" for i in result.issues)


def test_impossible_issue_date_is_located() -> None:
    result = _read(_edit(IMPORT, "20261127093000Z", "20261341093000Z"))
    [issue] = result.issues
    assert "calendar date" in issue.text
    assert issue.path == "/MetaData/Declaration/IssueDateTime/DateTimeString"


def test_documents_map_by_category_and_type() -> None:
    declaration = _read(IMPORT).declaration
    assert declaration is not None
    assert declaration.documents[0].kind is DocumentKind.INVOICE
    codes = {d.code: d.kind for d in declaration.items[0].documents}
    assert codes == {"C673": DocumentKind.OTHER, "N954": DocumentKind.CERTIFICATE_OF_ORIGIN}


def test_waiver_without_id_is_not_a_document() -> None:
    text = _edit(IMPORT, "<ID>GBCHD2026.1104224</ID>", "<LPCOExemptionCode>XW</LPCOExemptionCode>")
    text = text.replace(
        "<TypeCode>673</TypeCode>\n          <LPCOExemptionCode>",
        "<TypeCode>673</TypeCode><LPCOExemptionCode>",
    )
    # ID removed: the element order stays valid (CategoryCode, TypeCode, LPCOExemptionCode).
    text = text.replace(
        "<LPCOExemptionCode>XW</LPCOExemptionCode>\n          <TypeCode>673</TypeCode>",
        "<TypeCode>673</TypeCode>\n          <LPCOExemptionCode>XW</LPCOExemptionCode>",
    )
    declaration = _read(text).declaration
    assert declaration is not None
    assert declaration.items[1].documents == ()


def test_previous_bill_of_lading_fills_the_transport_document() -> None:
    text = _edit(
        EXPORT,
        "<TradeTerms>",
        "<PreviousDocument><CategoryCode>N</CategoryCode><ID>CMDU7720114</ID>"
        "<TypeCode>705</TypeCode></PreviousDocument>\n      <TradeTerms>",
    )
    declaration = _read(text).declaration
    assert declaration is not None and declaration.transport is not None
    assert declaration.transport.transport_document == "CMDU7720114"


def test_supplementary_units_without_unit_code_are_mutually_defined() -> None:
    declaration = _read(EXPORT).declaration
    assert declaration is not None
    quantity = declaration.items[0].statutory_quantity
    assert quantity is not None and (str(quantity.value), quantity.unit) == ("600", "ZZ")


def test_duplicate_item_numbers_are_rejected() -> None:
    result = _read(
        _edit(
            IMPORT,
            "<SequenceNumeric>2</SequenceNumeric>\n        <StatisticalValueAmount",
            "<SequenceNumeric>1</SequenceNumeric>\n        <StatisticalValueAmount",
        )
    )
    assert result.declaration is None
    assert any("unique" in i.text for i in result.issues)


def _invalidation(number: str) -> str:
    text = _edit(IMPORT, "<FunctionCode>9</FunctionCode>", "<FunctionCode>13</FunctionCode>")
    text = _edit(text, "<TypeCode>IMA</TypeCode>", "<TypeCode>INV</TypeCode>")
    text = _edit(
        text, "</FunctionalReferenceID>", f"</FunctionalReferenceID>\n    <ID>{number}</ID>"
    )
    start, end = text.index("<GoodsShipment>"), text.index("</GoodsShipment>")
    return text[:start] + text[end + len("</GoodsShipment>") :]


def test_invalidation_request_takes_its_direction_from_the_cited_number() -> None:
    for number, direction in (
        ("220120261000000042", Direction.IMPORT),
        ("220120260000000042", Direction.EXPORT),
    ):
        declaration = _read(_invalidation(number)).declaration
        assert declaration is not None
        assert declaration.function is DeclarationFunction.CANCELLATION
        assert (declaration.direction, declaration.items) == (direction, ())


def test_invalidation_request_without_an_18_digit_number_is_located() -> None:
    result = _read(_invalidation("MRN26GB0000001"))
    assert result.declaration is None
    (issue,) = [i for i in result.issues if "declaration number (18 digits or our MRN)" in i.text]
    assert issue.path == "/MetaData/Declaration/ID"
    # The model's own pattern check on the number points at the same element.
    assert {i.path for i in result.issues} == {"/MetaData/Declaration/ID"}


def test_an_original_without_goods_items_is_refused() -> None:
    start, end = IMPORT.index("<GoodsShipment>"), IMPORT.index("</GoodsShipment>")
    result = _read(IMPORT[:start] + IMPORT[end + len("</GoodsShipment>") :])
    assert result.declaration is None
    assert any("at least one goods item" in i.text for i in result.issues)


def test_a_known_party_is_handed_over_validated_once() -> None:
    # The second declaration from the same traders reuses the parties validated for the first.
    first, second = _read(IMPORT).declaration, _read(IMPORT).declaration
    assert first is not None and second is not None
    assert first.parties == second.parties
    assert all(a is b for a, b in zip(first.parties, second.parties, strict=True))


def test_an_invalid_party_is_reported_every_time_it_comes_back() -> None:
    text = _edit(IMPORT, "<ID>GB287531964002</ID>", "<ID>GB28753196400</ID>")
    for _ in range(2):
        [issue] = _read(text).issues
        assert "EORI" in issue.text
        assert issue.path == "/MetaData/Declaration/GoodsShipment/Importer/ID"


def _at(text: str, line: int | None, column: int | None) -> str:
    """The source from a (1-based) line and column on."""
    assert line is not None and column is not None
    return text.split("\n")[line - 1][column - 1 :]


def test_a_party_country_that_names_no_country_is_located_at_its_country_code() -> None:
    text = _edit(EXPORT, "<CountryCode>DE</CountryCode>", "<CountryCode>ZZ</CountryCode>")
    [issue] = _read(text).issues
    assert issue.text.endswith("'ZZ' is not an ISO 3166-1 country code")
    assert issue.path == "/MetaData/Declaration/GoodsShipment/Consignee/Address/CountryCode"
    assert _at(text, issue.line, issue.column).startswith("<CountryCode>ZZ</CountryCode>")


def test_on_a_file_written_on_one_line_the_column_tells_the_country_codes_apart() -> None:
    head, _, body = IMPORT.partition("\n")
    text = head + "\n" + " ".join(line.strip() for line in body.split("\n"))
    text = _edit(
        text, "<CountryCode>VN</CountryCode> <Line>", "<CountryCode>XX</CountryCode> <Line>"
    )
    [issue] = _read(text).issues
    assert issue.path == "/MetaData/Declaration/Exporter/Address/CountryCode"
    assert issue.line == 2
    assert _at(text, issue.line, issue.column).startswith("<CountryCode>XX</CountryCode>")


@pytest.mark.parametrize("written", ["C&amp;F", "CNF", "C &amp; F"])
def test_the_legacy_cost_and_freight_trade_term_is_read_as_cfr(written: str) -> None:
    text = _edit(
        IMPORT, "<ConditionCode>CIF</ConditionCode>", f"<ConditionCode>{written}</ConditionCode>"
    )
    result = _read(text)
    assert result.issues == ()
    assert result.declaration is not None and result.declaration.incoterm == "CFR"


@pytest.mark.parametrize("written", ["C+F", "cfr", "C&amp;FR"])
def test_a_wrong_trade_term_is_still_refused_where_it_stands(written: str) -> None:
    text = _edit(
        IMPORT, "<ConditionCode>CIF</ConditionCode>", f"<ConditionCode>{written}</ConditionCode>"
    )
    result = _read(text)
    assert result.declaration is None
    [issue] = result.issues
    assert issue.path == "/MetaData/Declaration/GoodsShipment/TradeTerms/ConditionCode"
    assert issue.line is not None  # schema errors carry the line only
    assert text.split("\n")[issue.line - 1].strip().startswith("<ConditionCode>")
