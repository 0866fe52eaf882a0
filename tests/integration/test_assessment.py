"""Every declaration assessed on its acceptance date: stored, answered, shown (issue 3)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.app import LOCAL_OPERATOR
from clearance.app.queries import show_declaration
from clearance.assessment import tariff_store
from clearance.assessment.step import TariffAssessment
from clearance.cli import main
from clearance.intake.pipeline import Pipeline
from clearance.store.tariff_tables import AssessmentLine, DeclarationAssessmentRow
from core.clock import FixedClock
from core.settings import Settings
from tariffs import TariffError, TariffLoadError
from tests.golden_support import SAMPLES

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
CN_EXTRACT = ROOT / "samples" / "tariffs" / "cn-extract.jsonl"


def load(engine: Engine, clock: FixedClock, path: Path = CN_EXTRACT) -> tariff_store.Loaded:
    with Session(engine) as session:
        loaded = tariff_store.load_file(session, path, clock.now())
        session.commit()
    return loaded


def assessing(engine: Engine, clock: FixedClock) -> Pipeline:
    return Pipeline(engine, Settings(), clock, [TariffAssessment(clock)])


def test_a_schedule_load_is_a_version_and_loading_it_again_changes_nothing(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    assert load(engine, clock).created
    again = load(engine, clock)
    assert (again.created, again.version_id) == (False, "cn-extract-2026.1")
    changed = tmp_path / "changed.jsonl"
    changed.write_text(
        CN_EXTRACT.read_text(encoding="utf-8").replace('"percent": "14"', '"percent": "15"', 1),
        encoding="utf-8",
    )
    with (
        Session(engine) as session,
        pytest.raises(TariffError, match="already loaded with other content"),
    ):
        tariff_store.load_file(session, changed, clock.now())


def test_a_bad_schedule_names_file_line_and_column_and_loads_nothing(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = CN_EXTRACT.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if '"kind": "measure"' in line)
    lines[number] = lines[number].replace('"percent": "', '"percent": "x', 1)
    bad.write_text("\n".join(lines), encoding="utf-8")
    with Session(engine) as session, pytest.raises(TariffLoadError) as caught:
        tariff_store.load_file(session, bad, clock.now())
    problem = caught.value.first
    assert f"bad.jsonl:{number + 1}:" in str(problem)
    with Session(engine) as session:
        assert tariff_store.versions(session) == []


def test_the_import_sample_is_assessed_stored_answered_and_shown(
    engine: Engine, clock: FixedClock
) -> None:
    load(engine, clock)
    outcome = assessing(engine, clock).submit((SAMPLES / "01-import-d96b.edi").read_bytes())
    (declaration,) = outcome.declarations
    assert declaration.findings == []
    fillets = declaration.items[0]
    customs_value = Decimal(fillets.customs_value or "0")
    assert customs_value > 0
    lines = {d["tax"]: d for d in fillets.duties}
    # ACFTA certificate (DOC 861, agreement ACFTA) and claim: the agreement rate 0% applies.
    assert Decimal(lines["customs_duty"]["amount"]) == 0
    assert "ACFTA" in lines["customs_duty"]["measure_id"]
    # Import VAT = (customs value + duty + consumption tax) × 9% for chapter 03 (DOMAIN.md).
    vat = (customs_value * Decimal("0.09")).quantize(Decimal("0.01"))
    assert Decimal(lines["vat"]["amount"]) == vat
    assert declaration.response is not None
    # CUSRES: per item a TAX group (5283 "1", 5153 type) with MOA 125 base and 124 amount.
    assert "CST+1'\nTAX+1+CUD'\n" in declaration.response
    vat_group = f"TAX+1+VAT'\nMOA+125:{customs_value}:CNY'\nMOA+124:{vat}:CNY'"
    assert vat_group in declaration.response
    with Session(engine) as session:
        row = session.scalars(select(DeclarationAssessmentRow)).one()
        assert (row.schedule_version_id, row.regime, row.complete) == (
            "cn-extract-2026.1",
            "cn",
            True,
        )
        assert str(row.as_of) == "2026-11-28"  # the acceptance date in Asia/Shanghai
        stored = session.scalars(select(AssessmentLine).where(AssessmentLine.item_sequence == 1))
        assert {line.tax for line in stored} >= {"customs_duty", "vat"}
        shown = show_declaration(session, LOCAL_OPERATOR, declaration.number or "").as_json()
    assert shown is not None and shown["assessment"]["schedule_version"] == "cn-extract-2026.1"
    assert shown["assessment"]["total_payable"] == str(row.total_payable)


def test_without_a_schedule_the_declaration_is_flagged_not_failed(
    engine: Engine, clock: FixedClock
) -> None:
    outcome = assessing(engine, clock).submit((SAMPLES / "01-import-d96b.edi").read_bytes())
    (declaration,) = outcome.declarations
    assert declaration.number is not None
    assert [f.rule_id for f in declaration.findings] == ["TAR-002"]


def test_tariff_cli_show_and_quote(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["tariff", "load", str(CN_EXTRACT)]) == 0
    capsys.readouterr()
    assert (
        main(["tariff", "show", "2204210000", "--origin", "AU", "--on", "2026-11-28", "--json"])
        == 0
    )
    measures = json.loads(capsys.readouterr().out)
    types = {m["type"] for m in measures}
    assert {"mfn", "general", "conventional", "vat", "consumption_tax"} <= types
    assert (
        main(
            [
                "tariff",
                "quote",
                "2204210000",
                "--origin",
                "AU",
                "--on",
                "2026-11-28",
                "--value",
                "1000",
                "USD",
                "--quantity",
                "750",
                "LTR",
                "--document",
                "Y:CHAFTA",
                "--preference",
                "CHAFTA",
                "--json",
            ]
        )
        == 0
    )
    quote = json.loads(capsys.readouterr().out)
    (item,) = quote["items"]
    assert item["status"] == "assessed"
    assert item["rate"]["measure_type"] == "conventional"  # ChAFTA 0% with its certificate
    assert {line["tax"] for line in item["lines"]} >= {"customs_duty", "consumption_tax", "vat"}
    assert Decimal(quote["total_payable"]) > 0
