"""The one-pass extraction the readers build on: first occurrence, lists, skipped names."""

from __future__ import annotations

from edi.xml import parse_xml
from edi.xml.mapping import compile_spec, extract

NS = "{urn:example}"
SPEC = compile_spec(
    NS,
    {
        "Name": None,
        "Line": [None],
        "Party": {"ID": None, "Address": {"City": None}},
        "Item": [{"No": None}],
        "{urn:other}Stamp": None,
    },
)
DOC = b"""<Root xmlns="urn:example" xmlns:o="urn:other">
  <Name>first</Name><Name>second</Name>
  <Unread>x</Unread>
  <!-- a comment is skipped -->
  <Line>a</Line><Line>b</Line>
  <Party><ID>GB1</ID><Address><City>Leeds</City></Address></Party>
  <Item><No>1</No></Item><Item><No>2</No></Item>
  <o:Stamp>20261128</o:Stamp>
</Root>"""


def test_single_names_keep_the_first_occurrence_with_the_element() -> None:
    record = extract(parse_xml(DOC), SPEC)
    assert record["Name"].text == "first"
    assert record["Name"].sourceline == 2
    assert "Unread" not in record


def test_repeated_names_become_lists_in_document_order() -> None:
    record = extract(parse_xml(DOC), SPEC)
    assert [e.text for e in record["Line"]] == ["a", "b"]
    assert [i["No"].text for i in record["Item"]] == ["1", "2"]


def test_nested_records_hold_their_own_element() -> None:
    record = extract(parse_xml(DOC), SPEC)
    party = record["Party"]
    assert party["@"].tag == NS + "Party"
    assert party["Address"]["City"].text == "Leeds"
    assert record["@"].tag == NS + "Root"


def test_a_name_in_another_namespace_is_read_under_its_local_name() -> None:
    record = extract(parse_xml(DOC), SPEC)
    assert record["Stamp"].text == "20261128"
