"""Every sample maps to the canonical JSON a person checked (samples/edifact/expected/)."""

from __future__ import annotations

import json

import pytest

from tests.golden_support import canonical, golden_paths, interchanges, profile_interchanges


@pytest.mark.parametrize("path", interchanges() + profile_interchanges(), ids=lambda p: p.name)
def test_sample_maps_to_its_golden_canonical_json(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    expected = json.loads(golden_paths(path)[0].read_text(encoding="utf-8"))
    assert canonical(path) == expected


def test_the_sars_sample_is_what_the_default_profile_cannot_read() -> None:
    """The second shipped profile reads a shape the default one refuses (9-digit tariff code)."""
    from edi.edifact.cusdec import map_cusdec
    from edi.edifact.envelope import read_interchange
    from edi.edifact.profile import load_profile

    (path,) = [p for p in profile_interchanges() if "sars" in str(p)]
    (message,) = read_interchange(path.read_bytes()).messages
    refused = map_cusdec(message.segments, load_profile("default"))
    assert refused.declaration is None and refused.read.get("direction") == "import"
    read = map_cusdec(message.segments, load_profile("sars-cusdec-30.2"))
    assert read.declaration is not None
    assert [i.commodity_code for i in read.declaration.items] == ["94016100", "85176200"]
    assert {i.value.currency for i in read.declaration.items if i.value} == {"ZAR"}


def test_the_canonical_json_round_trips_losslessly() -> None:
    from edi.model import Declaration

    for path in interchanges() + profile_interchanges():
        for entry in canonical(path)["messages"]:
            if "declaration" in entry:
                model = Declaration.model_validate(entry["declaration"])
                assert Declaration.model_validate_json(model.model_dump_json()) == model
                assert json.loads(model.model_dump_json()) == entry["declaration"]
