"""Values a declaration may not carry are refused at intake, at the element that carried them:
amounts and quantities of 10^14 or more (the store keeps them as NUMERIC(18, 4)), never a
database overflow or a failed message; a country code that is no ISO 3166-1 country (``ZZ``).
On SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.flow.outcome import InterchangeStatus
from clearance.intake.pipeline import Pipeline
from clearance.store.tables import Declaration, InboundMessage
from core.clock import FixedClock
from core.settings import Settings
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_01 = (SAMPLES / "01-import-d96b.edi").read_text()
DMS_IMPORT = (ROOT / "samples" / "xml" / "dec-dms-import.xml").read_text()


def submit(engine: Engine, clock: FixedClock, text: str) -> object:
    return Pipeline(engine, Settings(), clock, ()).submit(text.encode())


def stored(engine: Engine) -> tuple[int, list[str]]:
    with Session(engine) as session:
        declarations = session.scalar(select(func.count()).select_from(Declaration)) or 0
        statuses = list(session.scalars(select(InboundMessage.status)))
    return int(declarations), statuses


@pytest.mark.parametrize(
    ("old", "new", "tag", "words"),
    [
        ("MOA+38:16000.00:USD'", "MOA+38:100000000000000:USD'", "MOA", "goods item 1 value"),
        ("MOA+38:16000.00:USD'", "MOA+38:-100000000000000:USD'", "MOA", "goods item 1 value"),
        ("MOA+39:34300.00:USD'", "MOA+39:123456789012345.5:USD'", "MOA", "invoice total"),
        ("MEA+WT+AAB+KGM:6280.5'", "MEA+WT+AAB+KGM:1E20'", "MEA", "goods item 2 gross mass"),
        (
            "MEA+AAE+ZDQ+KGM:8000'",
            "MEA+AAE+ZDQ+KGM:100000000000000'",
            "MEA",
            "goods item 1 quantity",
        ),
    ],
)
def test_an_edifact_amount_or_quantity_of_10_14_is_refused_where_it_stands(
    engine: Engine, clock: FixedClock, old: str, new: str, tag: str, words: str
) -> None:
    assert old in SAMPLE_01
    text = SAMPLE_01.replace(old, new, 1)
    outcome = submit(engine, clock, text)
    assert outcome.status is InterchangeStatus.ACCEPTED  # type: ignore[attr-defined]
    (declaration,) = outcome.declarations  # type: ignore[attr-defined]
    assert declaration.status == "rejected" and declaration.number is None
    (reason,) = declaration.reasons
    assert reason.code == "NUMBER" and reason.segment == tag
    assert reason.text.startswith(words) and "below 10^14" in reason.text
    assert text.splitlines()[reason.line - 1] == new
    assert declaration.response is not None and "ERC+NUMBER'" in declaration.response
    assert stored(engine) == (0, ["accepted"])


def test_the_largest_amount_the_store_keeps_is_registered(
    engine: Engine, clock: FixedClock
) -> None:
    text = SAMPLE_01.replace("MOA+38:16000.00:USD", "MOA+38:99999999999999.9999:USD", 1)
    outcome = submit(engine, clock, text)
    (declaration,) = outcome.declarations  # type: ignore[attr-defined]
    assert declaration.status != "rejected" and declaration.number is not None
    assert stored(engine) == (1, ["accepted"])


def test_an_xml_amount_of_10_14_is_refused_with_its_path_and_line(
    engine: Engine, clock: FixedClock
) -> None:
    old = '<ItemChargeAmount currencyID="USD">61600.00</ItemChargeAmount>'
    assert old in DMS_IMPORT
    text = DMS_IMPORT.replace(old, old.replace("61600.00", "100000000000000"), 1)
    outcome = submit(engine, clock, text)
    (declaration,) = outcome.declarations  # type: ignore[attr-defined]
    assert declaration.status == "rejected"
    (reason,) = declaration.reasons
    assert reason.segment is not None and reason.segment.endswith("/ItemChargeAmount")
    assert "items.0.value.value" in reason.text and "99999999999999.9999" in reason.text
    assert "ItemChargeAmount" in text.splitlines()[reason.line - 1]
    assert stored(engine) == (0, ["accepted"])


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("LOC+27+TH'", "LOC+27+ZZ'", "goods item 3 origin country 'ZZ'"),
        ("LOC+35+VN'", "LOC+35+XX'", "departure country 'XX'"),
        ("+200000+CN'", "+200000+QQ'", "party 1 country 'QQ'"),
    ],
)
def test_an_edifact_country_that_is_no_iso_country_is_refused_where_it_stands(
    engine: Engine, clock: FixedClock, old: str, new: str, words: str
) -> None:
    assert old in SAMPLE_01
    text = SAMPLE_01.replace(old, new, 1)
    outcome = submit(engine, clock, text)
    (declaration,) = outcome.declarations  # type: ignore[attr-defined]
    assert declaration.status == "rejected" and declaration.number is None
    (reason,) = declaration.reasons
    assert reason.code == "FORMAT" and reason.text.startswith(words)
    assert "ISO 3166" in reason.text
    assert text.splitlines()[reason.line - 1].endswith(new)
    assert declaration.response is not None and "ERC+FORMAT'" in declaration.response
    assert stored(engine) == (0, ["accepted"])


def test_an_xml_country_that_is_no_iso_country_is_refused_where_it_stands(
    engine: Engine, clock: FixedClock
) -> None:
    old = "<CountryCode>VN</CountryCode>"
    assert old in DMS_IMPORT
    text = DMS_IMPORT.replace(old, "<CountryCode>ZZ</CountryCode>", 1)
    outcome = submit(engine, clock, text)
    (declaration,) = outcome.declarations  # type: ignore[attr-defined]
    assert declaration.status == "rejected"
    (reason,) = declaration.reasons
    assert reason.text == "parties.2.country: 'ZZ' is not an ISO 3166-1 country code"
    # At the child holding the code, not at the party element.
    assert reason.segment == "/MetaData/Declaration/Exporter/Address/CountryCode"
    line = text.splitlines()[reason.line - 1]
    assert line[reason.column - 1 :].startswith("<CountryCode>ZZ</CountryCode>")
    assert stored(engine) == (0, ["accepted"])
