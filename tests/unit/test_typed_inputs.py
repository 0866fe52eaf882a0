"""typed_input: one way for every front door to turn loose fields into a use case's input."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, model_validator

from clearance.app import RefusedError
from clearance.app.typed_inputs import typed_input


class _Window(BaseModel):
    origin: str
    lines: list[int] = []

    @model_validator(mode="after")
    def _not_empty(self) -> _Window:
        if self.origin == "none":
            raise ValueError("no window")
        return self


def test_each_refused_field_is_named_with_the_front_doors_prefix() -> None:
    with pytest.raises(RefusedError) as refused:
        typed_input(_Window, {"origin": 5, "lines": ["x"]}, field_prefix="--")
    assert refused.value.message == (
        "--origin: Input should be a valid string; "
        "--lines.0: Input should be a valid integer, unable to parse string as an integer"
    )


def test_without_a_prefix_the_field_is_named_as_the_model_names_it() -> None:
    with pytest.raises(RefusedError, match=r"^origin: Field required$"):
        typed_input(_Window, {})


def test_a_problem_with_the_whole_input_is_named_input() -> None:
    with pytest.raises(RefusedError, match=r"^input: Value error, no window$"):
        typed_input(_Window, {"origin": "none"})


def test_valid_fields_give_the_model() -> None:
    assert typed_input(_Window, {"origin": "CN", "lines": ["2"]}) == _Window(origin="CN", lines=[2])
