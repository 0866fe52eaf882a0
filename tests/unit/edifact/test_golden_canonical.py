"""Every sample maps to the canonical JSON a person checked (samples/edifact/expected/)."""

from __future__ import annotations

import json

import pytest

from tests.golden_support import canonical, golden_paths, interchanges


@pytest.mark.parametrize("path", interchanges(), ids=lambda p: p.name)
def test_sample_maps_to_its_golden_canonical_json(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    expected = json.loads(golden_paths(path)[0].read_text(encoding="utf-8"))
    assert canonical(path) == expected


def test_the_canonical_json_round_trips_losslessly() -> None:
    from edi.model import Declaration

    for path in interchanges():
        for entry in canonical(path)["messages"]:
            if "declaration" in entry:
                model = Declaration.model_validate(entry["declaration"])
                assert Declaration.model_validate_json(model.model_dump_json()) == model
                assert json.loads(model.model_dump_json()) == entry["declaration"]
