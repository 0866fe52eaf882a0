"""The JSON request reader: canonical declarations out, or issues with path, line and column."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.jsontext import dotted, locate
from edi.json_request import IssueKind, read_json_request
from edi.model import DeclarationFunction, Direction

NUMBER = "220120261000000008"
BODY: dict[str, Any] = {
    "direction": "import",
    "sender_reference": "CTL-0008",
    "items": [{"sequence": 1, "commodity_code": "0202300000"}],
}


def _raw(**members: Any) -> bytes:
    return json.dumps(members, indent=2).encode()


def test_an_amendment_becomes_an_amendment_of_the_number_keeping_its_own_reference() -> None:
    body = {**BODY, "function": "original", "registered_number": None}
    result = read_json_request(
        _raw(type="amendment", number=NUMBER, sender_reference="R1", declaration=body)
    )
    assert result.issues == () and result.declaration is not None
    assert result.declaration.function is DeclarationFunction.AMENDMENT
    assert result.declaration.registered_number == NUMBER
    assert result.declaration.sender_reference == "CTL-0008"  # the body's own document number
    assert (result.kind, result.sender_reference, result.sender) == ("amendment", "R1", None)


def test_a_cancellation_takes_its_direction_from_the_number_and_keeps_the_reason() -> None:
    result = read_json_request(
        _raw(
            type="cancellation",
            number="531620260000000001",
            sender_reference="C1",
            sender="BROKER01",
            reason="shut out",
        )
    )
    d = result.declaration
    assert d is not None and d.function is DeclarationFunction.CANCELLATION
    assert (d.direction, d.remarks, d.items) == (Direction.EXPORT, "shut out", ())
    assert result.sender == "BROKER01"
    bad = read_json_request(
        _raw(type="cancellation", number="531620267000000001", sender_reference="C2", reason="x")
    )
    (issue,) = bad.issues
    assert (issue.path, issue.line, issue.column) == ("number", 3, 13)


def test_a_body_naming_another_number_is_refused_not_overwritten() -> None:
    body = {**BODY, "registered_number": "220120261000000009"}
    raw = _raw(type="amendment", number=NUMBER, sender_reference="R1", declaration=body)
    (issue,) = read_json_request(raw).issues
    assert (issue.kind, issue.path) == (IssueKind.CONTENT, "declaration.registered_number")
    assert '"220120261000000009"' in raw.decode().splitlines()[(issue.line or 0) - 1]


def test_every_problem_is_located() -> None:
    raw = (
        b'{"type": "amendment", "number": "22012026", "sender_reference": "R1",\n'
        b' "declaration": {"direction": "sideways", "sender_reference": "X",\n'
        b'   "items": []}}'
    )
    envelope = read_json_request(raw)
    assert [(i.path, i.line, i.column, i.syntax_level) for i in envelope.issues] == [
        ("number", 1, 33, True)
    ]
    raw = raw.replace(b'"22012026"', f'"{NUMBER}"'.encode())
    content = read_json_request(raw)
    assert content.declaration is None and content.sender_reference == "R1"
    assert [(i.path, i.line, i.column, i.kind) for i in content.issues] == [
        ("declaration.direction", 2, 31, IssueKind.CONTENT)
    ]


@pytest.mark.parametrize(
    ("raw", "line", "column", "text"),
    [
        (b'\xef\xbb\xbf{\n  "type": }', 2, 11, "not JSON"),
        (b'{"type": "amendment", "x": "\xff"}', 1, 29, "not UTF-8"),
        (b"[" * 100_000, 1, 1, "not JSON"),
        (b"{", 1, 2, "not JSON"),
    ],
)
def test_syntax_errors_have_line_and_column(raw: bytes, line: int, column: int, text: str) -> None:
    (issue,) = read_json_request(raw).issues
    assert issue.kind is IssueKind.SYNTAX and issue.code == "JSON001"
    assert (issue.line, issue.column) == (line, column) and issue.text.startswith(text)


def test_an_unknown_type_is_named_on_type() -> None:
    result = read_json_request(b'{\n "type": "invoice", "number": "1"}')
    assert result.kind is None
    assert [(i.path, i.line, i.column) for i in result.issues] == [("type", 2, 10)]


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(values, st.sampled_from([None, 2]))
def test_locate_finds_every_value_of_any_document(document: Any, indent: int | None) -> None:
    text = json.dumps(document, indent=indent)
    for path, value in _paths(document):
        line, column = locate(text, path)
        offset = sum(len(x) + 1 for x in text.split("\n")[: line - 1]) + column - 1
        decoded, _ = json.JSONDecoder().raw_decode(text, offset)
        assert decoded == value, dotted(path)


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    found: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found
