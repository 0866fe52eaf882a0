"""Every sample read and answered exactly as its golden files say (see goldens.py)."""

from __future__ import annotations

import json

import pytest

from edi.x12 import Manifest
from tests.unit.x12.goldens import ANSWERS, SAMPLES, expected

STEMS = sorted(ANSWERS)


def test_every_sample_has_its_goldens() -> None:
    samples = sorted(p.stem for p in SAMPLES.glob("*.x12") if p.name.count(".") == 1)
    assert samples == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_sample_matches_goldens(stem: str) -> None:
    for suffix, data in expected(stem).items():
        golden = (SAMPLES / f"{stem}.{suffix}").read_bytes()
        assert data == golden, f"{stem}.{suffix} differs (regenerate only if intended)"


@pytest.mark.parametrize("stem", STEMS)
def test_canonical_json_is_the_model(stem: str) -> None:
    raw = json.loads((SAMPLES / f"{stem}.canonical.json").read_text())
    manifests = [Manifest.model_validate(m) for m in raw]
    assert [m.model_dump(mode="json") for m in manifests] == raw


def test_the_error_samples_say_what_they_are_named_for() -> None:
    def summary(stem: str) -> dict[str, object]:
        data: dict[str, object] = json.loads((SAMPLES / f"{stem}.read.json").read_text())
        return data

    assert "AK5*R*4~" in (SAMPLES / "03-wrong-se-count-4010.997.x12").read_text()
    empty = (SAMPLES / "04-empty-segment-5010.999.x12").read_text()
    assert "IK5*E~" in empty
    assert "AK2*309*0002~" in empty  # the set after the empty segment was read
    assert (
        "TA1*000000105*261128*0930*R*003~"
        in (SAMPLES / "05-unknown-version-00403.ta1.x12").read_text()
    )
    assert "*R*006~" in (SAMPLES / "06-isa-short-sender.ta1.x12").read_text()
    assert summary("01-manifest-v123e-4010")["rejected"] is False
