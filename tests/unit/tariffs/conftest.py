"""Fixtures: the sample schedules and the built-in regime profiles (loaded once)."""

from __future__ import annotations

import pytest

from tariffs import RegimeProfile, Schedule, load_regime, load_schedule
from tests.unit.tariffs.builders import CN_SAMPLE, UK_SAMPLE


@pytest.fixture(scope="session")
def cn_schedule() -> Schedule:
    """The illustrative China extract."""
    return load_schedule(CN_SAMPLE)


@pytest.fixture(scope="session")
def uk_schedule() -> Schedule:
    """The illustrative UK-style extract."""
    return load_schedule(UK_SAMPLE)


@pytest.fixture(scope="session")
def cn() -> RegimeProfile:
    """The China (default) profile."""
    return load_regime("cn")


@pytest.fixture(scope="session")
def eu() -> RegimeProfile:
    """The EU/UK-style profile."""
    return load_regime("eu")
