"""Hardened parsing: DTDs, entities and broken XML are refused with line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.xml import IssueKind, XmlInputError, parse_xml, read_xml_declaration
from tests.unit.xml.conftest import sample

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<DecMessage xmlns="http://www.chinaport.gov.cn/dec">&lol3;</DecMessage>"""


def _refusal(raw: bytes) -> XmlInputError:
    with pytest.raises(XmlInputError) as caught:
        parse_xml(raw)
    return caught.value


def test_billion_laughs_is_refused_at_the_doctype() -> None:
    issue = _refusal(BILLION_LAUGHS).issue
    assert issue.kind is IssueKind.FORBIDDEN
    assert "DOCTYPE" in issue.text
    assert (issue.line, issue.column) == (2, 1)


def test_billion_laughs_sample_never_expands() -> None:
    result = read_xml_declaration(sample("dec-dms-entity-attack.xml"))
    assert result.declaration is None
    [issue] = result.issues
    assert issue.kind is IssueKind.FORBIDDEN
    assert issue.line == 2
    assert "lol" not in issue.text  # nothing of the entity text reached the report


def test_external_file_entity_is_refused_and_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    raw = (
        f'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<DecMessage xmlns="http://www.chinaport.gov.cn/dec">&x;</DecMessage>'
    ).encode()
    error = _refusal(raw)
    assert error.issue.kind is IssueKind.FORBIDDEN
    assert "TOP-SECRET-VALUE" not in str(error)


def test_external_http_entity_is_refused() -> None:
    raw = (
        b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>\n'
        b"<a>&x;</a>"
    )
    assert _refusal(raw).issue.kind is IssueKind.FORBIDDEN


def test_external_dtd_is_refused() -> None:
    raw = b'<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd">\n<a/>'
    issue = _refusal(raw).issue
    assert issue.kind is IssueKind.FORBIDDEN
    assert issue.line == 2


def test_parameter_entity_is_refused() -> None:
    raw = b'<!DOCTYPE a [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><a/>'
    assert _refusal(raw).issue.kind is IssueKind.FORBIDDEN


def test_doctype_in_utf16_is_refused() -> None:
    raw = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE a [<!ENTITY x "y">]>\n<a>&x;</a>'
    issue = _refusal(raw.encode("utf-16")).issue
    assert issue.kind is IssueKind.FORBIDDEN


def test_entity_declaration_without_doctype_keyword_is_refused() -> None:
    # "<!ENTITY" anywhere is refused even if a DOCTYPE scan were fooled.
    issue = _refusal(b"<a>\n  <!ENTITY x 'y'></a>").issue
    assert issue.kind is IssueKind.FORBIDDEN
    assert (issue.line, issue.column) == (2, 3)


def test_not_well_formed_reports_line_and_column() -> None:
    result = read_xml_declaration(sample("decmessage-not-well-formed.xml"))
    [issue] = result.issues
    assert issue.kind is IssueKind.SYNTAX
    assert issue.text.startswith("not well-formed XML")
    # Where it breaks, not libxml2's wording: line 9, past "<GName>" (its column counts
    # bytes or characters depending on the libxml2 version, so only the range is fixed).
    broken = sample("decmessage-not-well-formed.xml").splitlines()[8]
    assert issue.line == 9
    assert issue.column is not None
    assert broken.index(b"<GName>") + len(b"<GName>") < issue.column <= len(broken)
    assert result.kind == "decmessage"  # still recognised, so it can be answered in kind


def test_empty_and_garbage_input_are_syntax_issues() -> None:
    for raw in (b"", b"UNA:+.? 'UNB+UNOA:1", b"<a>"):
        [issue] = read_xml_declaration(raw).issues
        assert issue.kind is IssueKind.SYNTAX


def test_oversized_input_is_refused() -> None:
    error = _refusal_with_limit(b"<a>" + b"x" * 100 + b"</a>", 50)
    assert error.issue.kind is IssueKind.FORBIDDEN


def _refusal_with_limit(raw: bytes, limit: int) -> XmlInputError:
    with pytest.raises(XmlInputError) as caught:
        parse_xml(raw, max_bytes=limit)
    return caught.value


def test_plain_document_parses() -> None:
    root = parse_xml(b"<a><b>1</b></a>")
    assert root.findtext("b") == "1"


def test_doctype_in_utf32_is_refused_after_parsing() -> None:
    # The byte scan cannot read UTF-32; the check on the parsed document must catch it.
    raw = '<?xml version="1.0" encoding="UTF-32"?>\n<!DOCTYPE a [<!ENTITY x "y">]>\n<a>&x;</a>'
    issue = _refusal(raw.encode("utf-32")).issue
    assert issue.kind is IssueKind.FORBIDDEN
    assert "DOCTYPE" in issue.text


def test_exclamation_marks_and_comments_are_not_declarations() -> None:
    root = parse_xml(b"<a>Keep frozen! <!-- a comment --><![CDATA[x]]></a>")
    assert root.text is not None and root.text.startswith("Keep frozen!")
