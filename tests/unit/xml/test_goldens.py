"""Every valid sample maps to its golden canonical file, byte for byte."""

from __future__ import annotations

import pytest

from edi.xml import read_xml_declaration
from tests.unit.xml.conftest import SAMPLES, sample

VALID = ["dec-dms-import", "dec-dms-export", "decmessage-import", "decmessage-export"]


@pytest.mark.parametrize("name", VALID)
def test_sample_matches_golden(name: str) -> None:
    result = read_xml_declaration(sample(f"{name}.xml"))
    assert result.issues == ()
    assert result.declaration is not None
    golden = (SAMPLES / f"{name}.canonical.json").read_text(encoding="utf-8")
    assert result.declaration.model_dump_json(indent=2) + "\n" == golden


def test_every_sample_is_covered() -> None:
    valid = {p.name.removesuffix(".canonical.json") for p in SAMPLES.glob("*.canonical.json")}
    assert valid == set(VALID)
