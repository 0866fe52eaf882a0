"""Shared set-up of the controls tests: sample tariffs and registries, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from clearance.assessment import tariff_store
from clearance.decisions import registry_store
from clearance.intake.pipeline import Pipeline
from core.clock import FixedClock
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CONTROLS = ROOT / "samples" / "controls"
#: Inside the sample exchange rates (to 2026-06) and licence periods (2026).
INSTANT = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
REGISTRY_FILES = [
    *sorted((ROOT / "samples" / "registries").glob("*.jsonl")),
    CONTROLS / "registries.jsonl",
]


def prepare(engine: Engine) -> FixedClock:
    """Load the sample tariff and registries; the clock of the control scenarios."""
    clock = FixedClock(INSTANT)
    with Session(engine) as session:
        tariff_store.load_file(session, ROOT / "samples" / "tariffs" / "cn-extract.jsonl", INSTANT)
        registry_store.load_files(session, REGISTRY_FILES, INSTANT)
        session.commit()
    return clock


def pipeline(engine: Engine, clock: FixedClock) -> Pipeline:
    """The standard pipeline (assessment, then controls) on ``engine``."""
    return Pipeline.standard(engine, Settings(), clock)


def export_interchange() -> bytes:
    """Sample 02 (export) on the scenario date, its header gross mass disagreeing with the
    items' (a SAN-004 warning), so that it waits for an officer instead of releasing."""
    text = (ROOT / "samples" / "edifact" / "02-export-d99b-utf8.edi").read_text(encoding="utf-8")
    text = text.replace("MEA+WT+AAD+KGM:660'", "MEA+WT+AAD+KGM:5230'")
    return text.replace("20261128", "20260615").encode()
