"""Shared helpers of the XML channel tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "xml"


def sample(name: str) -> bytes:
    """The bytes of ``samples/xml/<name>``."""
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def dms_import() -> bytes:
    """The valid DEC-DMS import sample."""
    return sample("dec-dms-import.xml")


@pytest.fixture
def decmessage_import() -> bytes:
    """The valid DecMessage import sample."""
    return sample("decmessage-import.xml")
