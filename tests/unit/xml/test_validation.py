"""Schema validation: invalid files are reported element by element, with path and line."""

from __future__ import annotations

from edi.xml import IssueKind, detect_xml_kind, read_xml_declaration
from tests.unit.xml.conftest import sample


def test_dms_schema_errors_carry_path_and_line() -> None:
    result = read_xml_declaration(sample("dec-dms-invalid-schema.xml"))
    assert result.kind == "dec-dms"
    assert result.declaration is None
    assert result.sender_reference == "GC26IM0002BAD"
    assert all(i.kind is IssueKind.SCHEMA for i in result.issues)
    by_path = {i.path: i for i in result.issues}
    assert by_path["/MetaData/Declaration/InvoiceAmount"].line == 11
    assert "currencyID" in by_path["/MetaData/Declaration/InvoiceAmount"].text
    assert by_path["/MetaData/Declaration/TotalPackageQuantity"].line == 12
    sequence = "/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem/SequenceNumeric"
    assert by_path[sequence].line == 15
    colour = "/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem/Commodity/Colour"
    assert "not expected" in by_path[colour].text


def test_decmessage_schema_errors_name_the_item() -> None:
    result = read_xml_declaration(sample("decmessage-invalid-schema.xml"))
    assert result.kind == "decmessage"
    assert result.sender_reference == "SHF2026112500099"
    paths = {i.path: i for i in result.issues}
    assert paths["/DecMessage/DecHead/IEFlag"].line == 6
    code = paths["/DecMessage/DecLists/DecList[1]/CodeTS"]
    assert r"\d{8}(\d{2})?" in code.text  # the pattern is reported intact
    assert "/DecMessage/DecLists/DecList[1]/DeclPrice" in paths
    assert paths["/DecMessage/DecLists/DecList[2]"].line == 15  # GNo missing


def test_messages_name_elements_without_namespaces() -> None:
    result = read_xml_declaration(sample("dec-dms-invalid-schema.xml"))
    assert not any("urn:wco" in i.text for i in result.issues)


def test_unknown_root_is_not_a_declaration() -> None:
    raw = (
        b'<Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2">'
        b"<FunctionCode>01</FunctionCode></Response>"
    )
    result = read_xml_declaration(raw)
    assert result.kind is None
    [issue] = result.issues
    assert issue.kind is IssueKind.UNKNOWN_FORMAT
    assert issue.path == "/Response"


def test_decmessage_without_namespace_is_not_recognised() -> None:
    assert detect_xml_kind(b"<DecMessage><DecHead/></DecMessage>") is None
    assert read_xml_declaration(b"<DecMessage><DecHead/></DecMessage>").kind is None


def test_detect_kinds(dms_import: bytes, decmessage_import: bytes) -> None:
    assert detect_xml_kind(dms_import) == "dec-dms"
    assert detect_xml_kind(decmessage_import) == "decmessage"
    bare = b'<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><FunctionCode>9</FunctionCode>'
    assert detect_xml_kind(bare) == "dec-dms"  # recognised before the file breaks off
    notification = (
        b'<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2">'
        b"<md:WCOTypeName>RES</md:WCOTypeName>"
        b'<Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2"/></md:MetaData>'
    )
    assert detect_xml_kind(notification) is None
    assert detect_xml_kind(b"UNA:+.? '") is None
    assert detect_xml_kind(b"") is None


def test_detect_kinds_of_files_broken_early_or_late() -> None:
    # The kind comes from the elements read before the error, wherever the error falls.
    early = b'<DecMessage xmlns="http://www.chinaport.gov.cn/dec"><a></b></DecMessage>'
    assert detect_xml_kind(early) == "decmessage"
    late = (
        b'<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2">'
        + b"<md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>" * 6
        + b'<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><a></b>'
    )
    assert detect_xml_kind(late) == "dec-dms"
    assert detect_xml_kind(late.replace(b"<Declaration", b"<Other")) is None
