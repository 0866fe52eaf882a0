"""Flagged declarations for the officer-work tests, and the officers who act on them.

The control samples give one declaration per lane an officer sees: 09 (discredited trader:
red, under control), 06 (expired certificate: yellow, documents required) and 08 (outlier
price: green but held, registered). Each copy gets its own interchange reference, and may be
declared at another office or registered some hours before the scenario instant.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from clearance.app import Actor, Application, Role
from core.clock import FixedClock
from core.settings import Settings
from tests.integration.test_controls_support import CONTROLS, INSTANT, pipeline, prepare

RED, YELLOW, HELD = "09-discredited-trader", "06-expired-certificate", "08-outlier-price"
O1 = Actor("O1", Role.OFFICER, offices=frozenset({"2201"}))
O2 = Actor("O2", Role.OFFICER, offices=frozenset({"2201"}))
O_ELSEWHERE = Actor("O9", Role.OFFICER, offices=frozenset({"5300"}))
SUPERVISOR = Actor("S1", Role.SUPERVISOR, offices=frozenset({"2201"}))
TRADER = Actor("broker-01", Role.BROKER, party_ids=frozenset({"BROKER01"}))


def officer_app(engine: Engine) -> Application:
    """The sample tariffs and registries loaded; the application at the scenario instant."""
    prepare(engine)
    return Application(engine, Settings(), FixedClock(INSTANT))


def flagged(
    engine: Engine, sample: str, ref: str, *, office: str = "2201", hours_ago: int = 0
) -> str:
    """Submit a copy of control ``sample`` under reference ``ref`` (4 digits); its number."""
    text = (CONTROLS / f"{sample}.edi").read_text(encoding="utf-8")
    own = sample[:2]
    text = text.replace(f"CTL00{own}", f"CTL{ref}").replace(f"CTL-00{own}", f"CTL-{ref}")
    text = text.replace("LOC+22+2201", f"LOC+22+{office}")
    clock = FixedClock(INSTANT - timedelta(hours=hours_ago))
    (declaration,) = pipeline(engine, clock).submit(text.encode()).declarations
    assert declaration.number is not None, declaration.reasons
    assert declaration.status in ("registered", "documents_required", "under_control")
    return declaration.number
