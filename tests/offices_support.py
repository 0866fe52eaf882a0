"""The sample customs offices for test stores.

A declaration is numbered only for an office of the registry (clearance/intake/offices.py),
so every store that processes declarations holds the sample offices, as ``customs demo``
loads them: the ``engine`` fixture loads them unless a test is marked ``no_offices`` (one
that needs the registry empty), and a test building its own store calls
:func:`load_sample_offices`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from clearance.app import LOCAL_OPERATOR, Application, Document, offices
from core.settings import Settings

SAMPLE_OFFICES = Path(__file__).resolve().parents[1] / "samples" / "offices" / "offices.jsonl"


#: Offices no sample declaration names, registered for the tests of other offices' officers
#: and declarations (``officer5300`` in tests/api/conftest.py, ``wang.officer`` of 5100 in
#: tests/console_support.py, tests/integration).
OTHER_OFFICES = "".join(
    f'{{"code": "{code}", "name": "Customs office {code} (tests)", "country": "CN",'
    f' "valid_from": "2000-01-01"}}\n'
    for code in ("5100", "5300")
)


def load_sample_offices(engine: Engine) -> None:
    """Load ``samples/offices/offices.jsonl`` and :data:`OTHER_OFFICES` into the store of
    ``engine`` (as the CLI loads an offices file)."""
    documents = [
        Document.read(SAMPLE_OFFICES),
        Document("tests-offices.jsonl", OTHER_OFFICES.encode()),
    ]
    offices.load(Application(engine, Settings()), LOCAL_OPERATOR, documents)
