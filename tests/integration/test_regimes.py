"""One regime all the way through: an EU/UK-style declaration is numbered, assessed, checked and
answered under the EU/UK profile — never under the configured Chinese office's rules."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.assessment import tariff_store
from clearance.decisions import registry_store
from clearance.intake.pipeline import Pipeline
from clearance.store.control_tables import DecisionRow
from clearance.store.tariff_tables import DeclarationAssessmentRow
from core.clock import FixedClock
from core.settings import Settings
from edi.model.numbers import direction_of_number, is_mrn
from tests.integration.test_controls_support import INSTANT, REGISTRY_FILES, ROOT

pytestmark = pytest.mark.db

XML = ROOT / "samples" / "xml"
RES = "{urn:wco:datamodel:WCO:RES-DMS:2}"


def _pipeline(engine: Engine) -> Pipeline:
    clock = FixedClock(INSTANT)
    with Session(engine) as session:
        for name in ("cn-extract.jsonl", "uk-extract.jsonl"):
            tariff_store.load_file(session, ROOT / "samples" / "tariffs" / name, INSTANT)
        registry_store.load_files(session, REGISTRY_FILES, INSTANT)
        session.commit()
    return Pipeline.standard(engine, Settings(office="2201"), clock)


def _dec_dms(**replace: str) -> bytes:
    text = (XML / "dec-dms-import.xml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def test_a_uk_declaration_is_numbered_assessed_checked_and_answered_under_its_regime(
    engine: Engine,
) -> None:
    p = _pipeline(engine)
    # A container number that fails ISO 6346: the EU/UK profile records it, it does not reject.
    raw = _dec_dms(MSKU7305521="MSKU7305520")
    (d,) = p.submit(raw, filename="uk.xml").declarations
    # Numbered: an MRN for GB, never the configured Chinese office's 18 digits.
    assert d.number is not None and is_mrn(d.number), d.number
    assert d.number.startswith("26GB") and direction_of_number(d.number) is not None
    assert d.number[16] == "R"  # import declaration
    # Assessed: the EU/UK profile on the GBP schedule.
    assert d.assessment is not None
    assert d.assessment.regime == "eu" and d.assessment.currency == "GBP"
    # Checked: the EU/UK ruleset and the regime's weight for the container rule.
    with Session(engine) as session:
        decision = session.scalars(select(DecisionRow)).one()
        assert decision.ruleset_id == "eu-default"
    containers = [f for f in d.findings if f.rule_id == "SAN-007"]
    assert containers and all(f.severity.value == "info" for f in containers)
    assert d.status != "rejected", [(r.code, r.text) for r in d.reasons]
    # Answered: a RES-DMS citing the MRN.
    answer = etree.fromstring((d.response or "").encode())
    assert answer.findtext(f".//{RES}Declaration/{RES}ID") == d.number


def test_under_the_chinese_regime_the_same_container_rule_rejects(engine: Engine) -> None:
    p = _pipeline(engine)
    raw = _dec_dms(MSKU7305521="MSKU7305520", GB000051="2201")
    (d,) = p.submit(raw).declarations
    assert d.number is not None and d.number.isdigit() and d.number.startswith("2201")
    assert d.status == "rejected" and "SAN-007" in [r.code for r in d.reasons]


@pytest.mark.parametrize(
    ("type_code", "as_of"),
    [
        ("IMA", date(2026, 6, 15)),  # standard: the date of acceptance
        ("IMZ", date(2026, 5, 20)),  # supplementary: the date the declaration gives
    ],
)
def test_the_tax_point_is_acceptance_or_the_supplementary_declarations_own_date(
    engine: Engine, type_code: str, as_of: date
) -> None:
    p = _pipeline(engine)
    raw = _dec_dms(
        **{
            "<TypeCode>IMA</TypeCode>": f"<TypeCode>{type_code}</TypeCode>",
            "20261127093000Z": "20260520093000Z",
        }
    )
    (d,) = p.submit(raw).declarations
    assert d.assessment is not None and d.assessment.as_of == as_of
    with Session(engine) as session:
        stored = session.scalars(select(DeclarationAssessmentRow.as_of)).one()
    assert stored == as_of


def test_lane_wording_follows_the_regime() -> None:
    from clearance.decisions.step import response_reasons
    from rules import Reason, ReasonSource
    from tariffs import load_regime

    reason = Reason(ReasonSource.SAMPLE, "RISK-EU-SMP-099", "v1", "red", "x", "x", {}, None)
    wording = load_regime("eu").procedure.lane_wording
    (uk,) = response_reasons([reason], wording)
    (cn,) = response_reasons([reason], load_regime("cn").procedure.lane_wording)
    assert uk.text == "selected for documentary check and physical examination (route 1)"
    assert cn.text == "selected for red lane control"


def test_mrn_check_character_matches_a_published_cds_mrn() -> None:
    assert is_mrn("20GB5M2723461FGVR3")  # HMRC declaration-information API documentation
    assert not is_mrn("20GB5M2723461FGVR4")
