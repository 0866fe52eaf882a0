"""``clearance.decisions.json_text``: the C encoder built once writes what ``json`` writes."""

from __future__ import annotations

import json
from decimal import Decimal
from json import encoder

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearance.decisions.json_text import text_encoder

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
_OPTIONS = [(False, False), (True, False), (False, True), (True, True)]


@pytest.mark.parametrize(("sort_keys", "ensure_ascii"), _OPTIONS)
@given(value=_VALUES)
def test_the_text_is_the_encoders(sort_keys: bool, ensure_ascii: bool, value: object) -> None:
    encode = text_encoder(sort_keys=sort_keys, ensure_ascii=ensure_ascii)
    plain = json.JSONEncoder(sort_keys=sort_keys, ensure_ascii=ensure_ascii)
    assert encode(value) == plain.encode(value)


def test_the_prebuilt_encoder_is_the_one_in_use_here() -> None:
    # Not the fallback: the point is not to build the C encoder per call.
    assert getattr(encoder, "c_make_encoder", None) is not None
    for sort_keys, ensure_ascii in _OPTIONS:
        encode = text_encoder(sort_keys=sort_keys, ensure_ascii=ensure_ascii)
        assert encode.__qualname__ == "text_encoder.<locals>.encode"


def test_a_value_json_cannot_write_fails_as_it_does() -> None:
    with pytest.raises(TypeError):
        text_encoder(sort_keys=False)({"amount": Decimal("1")})


def test_the_encoder_can_be_used_again_after_a_failure() -> None:
    encode = text_encoder(sort_keys=True)
    with pytest.raises(TypeError):
        encode([{"a": 1}, object()])
    assert encode([{"b": 1, "a": [2]}]) == '[{"a": [2], "b": 1}]'
