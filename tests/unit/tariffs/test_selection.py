"""The rate-selection matrix (DOMAIN.md "Rate columns"; docs/duties.md "Rate selection")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tariffs import RegimeProfile, Schedule, assess_declaration
from tests.unit.tariffs.builders import assess_one, build, item, measure, nomenclature, pct, request

D = Decimal
L1, L2, L3 = "0101210000", "0101290000", "0101300000"


def _agreement(id_: str, *members: str, kind: str = "agreement") -> list[dict[str, object]]:
    head: dict[str, object] = {"kind": kind, "id": id_, "name_en": id_}
    if kind == "agreement":
        head["proof_documents"] = ["Y"]
    return [head] + [
        {"kind": "membership", "group": id_, "country": c, "valid_from": "2020-01-01"}
        for c in members
    ]


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    mfn = {"exclude": ["NON-MFN"]}
    return build(
        [
            *nomenclature("01012100", "01012900", "01013000"),
            *_agreement("ACFTA", "VN", "TH"),
            *_agreement("RCEP", "JP", "VN"),
            *_agreement("LDC", "BD"),
            *_agreement("NON-MFN", "XZ", kind="group"),
            {"kind": "document", "code": "Y", "name_en": "proof of origin"},
            {
                "kind": "quota",
                "order_number": "Q1",
                "volume": "1000",
                "unit": "t",
                "period_from": "2026-01-01",
                "period_to": "2026-12-31",
                "documents": ["t"],
            },
            measure("vat", "vat", "01", pct("9")),
            # L1: MFN 10, provisional 6, general 50, ACFTA 0, RCEP 8, LDC 0, AD on US 20
            measure("l1-mfn", "mfn", "01012100", pct("10"), **mfn),
            measure("l1-prov", "provisional", "01012100", pct("6")),
            measure("l1-gen", "general", "01012100", pct("50")),
            measure("l1-acfta", "conventional", "01012100", pct("0"), geo="ACFTA"),
            measure("l1-rcep", "conventional", "01012100", pct("8"), geo="RCEP"),
            measure("l1-ldc", "special_preferential", "01012100", pct("0"), geo="LDC"),
            measure("l1-ad", "anti_dumping", "01012100", pct("20"), geo="US"),
            # L2: MFN 10, general 50, ACFTA 12 (above MFN)
            measure("l2-mfn", "mfn", "01012900", pct("10"), **mfn),
            measure("l2-gen", "general", "01012900", pct("50")),
            measure("l2-acfta", "conventional", "01012900", pct("12"), geo="ACFTA"),
            # L3: quota goods: MFN 65, in-quota 1, general 180
            measure("l3-mfn", "mfn", "01013000", pct("65"), **mfn),
            measure("l3-q", "quota_in", "01013000", pct("1"), quota="Q1"),
            measure("l3-gen", "general", "01013000", pct("180")),
        ]
    )


# rule, code, origin, documents, preference, exhausted quotas, chosen measure, duty on CNY 10,000
MATRIX = [
    ("origin entitled to MFN → MFN rate", L2, "JP", (), None, (), "l2-mfn", "1000.00"),
    ("other origins → general rate", L2, "XZ", (), None, (), "l2-gen", "5000.00"),
    (
        "MFN origin with a provisional rate → provisional",
        L1,
        "JP",
        (),
        None,
        (),
        "l1-prov",
        "600.00",
    ),
    ("provisional never applies to the general rate", L1, "XZ", (), None, (), "l1-gen", "5000.00"),
    ("agreement origin without proof → provisional", L1, "VN", (), None, (), "l1-prov", "600.00"),
    (
        "agreement claimed with proof: lower of agreement and provisional",
        L1,
        "VN",
        ("Y:ACFTA",),
        "ACFTA",
        (),
        "l1-acfta",
        "0.00",
    ),
    (
        "agreement with proof higher than provisional → provisional",
        L1,
        "JP",
        ("Y:RCEP",),
        "RCEP",
        (),
        "l1-prov",
        "600.00",
    ),
    (
        "agreement above MFN, no provisional: the lower (MFN)",
        L2,
        "VN",
        ("Y:ACFTA",),
        "ACFTA",
        (),
        "l2-mfn",
        "1000.00",
    ),
    (
        "proof without agreement, claim names it → agreement",
        L1,
        "VN",
        ("Y",),
        "ACFTA",
        (),
        "l1-acfta",
        "0.00",
    ),
    (
        "proof naming no agreement, no claim → no agreement rate",
        L1,
        "VN",
        ("Y",),
        None,
        (),
        "l1-prov",
        "600.00",
    ),
    (
        "proof naming the agreement, no claim → no agreement rate",
        L1,
        "VN",
        ("Y:ACFTA",),
        None,
        (),
        "l1-prov",
        "600.00",
    ),
    (
        "proof naming no agreement, claim of another → not proof",
        L1,
        "VN",
        ("Y",),
        "RCEP",
        (),
        "l1-prov",
        "600.00",
    ),
    (
        "proof for another agreement does not count",
        L1,
        "VN",
        ("Y:RCEP",),
        "ACFTA",
        (),
        "l1-prov",
        "600.00",
    ),
    ("special preferential with proof", L1, "BD", ("Y",), "LDC", (), "l1-ldc", "0.00"),
    ("quota goods inside the quota → quota rate", L3, "JP", ("t",), None, (), "l3-q", "100.00"),
    (
        "quota goods without the quota certificate → MFN",
        L3,
        "JP",
        (),
        None,
        (),
        "l3-mfn",
        "6500.00",
    ),
    (
        "quota exhausted → outside the quota: MFN",
        L3,
        "JP",
        ("t",),
        None,
        ("Q1",),
        "l3-mfn",
        "6500.00",
    ),
]


@pytest.mark.parametrize(
    ("rule", "code", "origin", "docs", "preference", "exhausted", "chosen", "duty"),
    MATRIX,
    ids=[m[0] for m in MATRIX],
)
def test_rate_selection_matrix(
    schedule: Schedule,
    cn: RegimeProfile,
    rule: str,
    code: str,
    origin: str,
    docs: tuple[str, ...],
    preference: str | None,
    exhausted: tuple[str, ...],
    chosen: str,
    duty: str,
) -> None:
    it, _ = assess_one(
        schedule,
        cn,
        item(code, origin=origin, documents=docs, preference=preference),
        exhausted_quotas=frozenset(exhausted),
    )
    assert it.status == "assessed", it.problems
    assert it.rate is not None
    assert (it.rate.measure_id, it.lines[0].amount) == (chosen, D(duty)), rule


def test_missing_proof_alternative_says_what_it_would_save(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    it, _ = assess_one(schedule, cn, item(L1, origin="VN"))
    alt = next(a for a in it.alternatives if a.measure_id == "l1-acfta")
    assert alt.needs == ("Y",)
    # chosen: duty 600 + VAT 9% of 10,600 = 954 → 1554; ACFTA: 0 + 900 → saving 654
    assert alt.saving == D("654.00")
    assert alt.message == (
        "ACFTA agreement rate 0% needs the item to claim ACFTA, with proof of origin (Y):"
        " would save CNY 654.00"
    )


def test_replaced_and_general_rates_are_listed_with_reasons(
    schedule: Schedule, cn: RegimeProfile
) -> None:
    it, _ = assess_one(schedule, cn, item(L1, origin="JP"))
    why = {a.measure_id: a.why_not for a in it.alternatives}
    assert why["l1-mfn"] == "is replaced by the provisional rate 6%"
    assert why["l1-gen"] == "applies only where no MFN rate applies"
    assert it.rate is not None
    assert it.rate.reason == "provisional rate 6% replaces the MFN rate 10%"


def test_lowest_of_eligible_rates_is_explained(schedule: Schedule, cn: RegimeProfile) -> None:
    it, _ = assess_one(
        schedule, cn, item(L1, origin="JP", documents=("Y:RCEP",), preference="RCEP")
    )
    assert it.rate is not None
    assert "the lowest of provisional rate 6%, RCEP agreement rate 8%" in it.rate.reason
    loser = next(a for a in it.alternatives if a.measure_id == "l1-rcep")
    assert loser.why_not == "is eligible but not lower than the chosen rate"
    assert loser.saving is not None
    assert loser.saving < 0


def test_exhausted_quota_is_the_reason(schedule: Schedule, cn: RegimeProfile) -> None:
    it, _ = assess_one(
        schedule, cn, item(L3, origin="JP", documents=("t",)), exhausted_quotas=frozenset({"Q1"})
    )
    alt = next(a for a in it.alternatives if a.measure_id == "l3-q")
    assert alt.why_not == "quota Q1 has no balance left"


def test_anti_dumping_is_added_on_top(schedule: Schedule, cn: RegimeProfile) -> None:
    """Rule: anti-dumping duties are added on top; they enter the VAT base (cn profile)."""
    it, _ = assess_one(schedule, cn, item(L1, origin="US"))
    lines = {ln.tax: ln for ln in it.lines}
    assert lines["customs_duty"].amount == D("600.00")
    assert lines["anti_dumping"].amount == D("2000.00")
    assert lines["vat"].base == D("12600.00")
    assert it.total == D("600.00") + D("2000.00") + D("1134.00")


def test_claim_by_a_non_member_is_noted(schedule: Schedule, cn: RegimeProfile) -> None:
    it, _ = assess_one(schedule, cn, item(L1, origin="US", preference="ACFTA"))
    assert it.notes == (
        "preference ACFTA claimed: origin US is not a member of ACFTA on the declaration date",
    )


def test_no_base_rate_is_a_problem_not_an_exception(cn: RegimeProfile) -> None:
    s = build([*nomenclature("01012100"), measure("v", "vat", "01", pct("9"))])
    it, result = assess_one(s, cn, item(L1))
    assert it.status == "not_assessable"
    assert "no mfn or general rate" in it.problems[0]
    assert not result.complete


def test_unknown_and_subdivided_codes(cn_schedule: Schedule, cn: RegimeProfile) -> None:
    it, _ = assess_one(cn_schedule, cn, item("9999999900"))
    assert "not in the nomenclature" in it.problems[0]
    it, _ = assess_one(cn_schedule, cn, item("0101210000"))
    assert it.problems[0].endswith("declare one of 0101210010, 0101210090")
    it, _ = assess_one(cn_schedule, cn, item("0101210010"))
    assert it.status == "assessed"


# -- the EU/UK-style profile: third-country duty vs preference vs quota ------------------------
EU_MATRIX = [
    ("third-country duty", "6109100010", "US", (), "6109100010-tc", "120.00"),
    (
        "preference claimed with proof: lowest",
        "6109100010",
        "JP",
        ("N954:UK-JP",),
        "6109100010-jp",
        "0.00",
    ),
    (
        "proof without a claim: third-country",
        "6109100010",
        "JP",
        ("N954",),
        "6109100010-tc",
        "120.00",
    ),
    ("preference without proof: third-country", "6109100010", "JP", (), "6109100010-tc", "120.00"),
    (
        "suspension replaces the third-country duty",
        "3907998010",
        "US",
        (),
        "3907998010-susp",
        "0.00",
    ),
    (
        "in-quota rate when claimed and lower",
        "0202309090",
        "AR",
        ("05.4001",),
        "0202309090-q",
        "200.00",
    ),
]


@pytest.mark.parametrize(
    ("rule", "code", "origin", "docs", "chosen", "duty"), EU_MATRIX, ids=[m[0] for m in EU_MATRIX]
)
def test_eu_selection(
    uk_schedule: Schedule,
    eu: RegimeProfile,
    rule: str,
    code: str,
    origin: str,
    docs: tuple[str, ...],
    chosen: str,
    duty: str,
) -> None:
    it = item(
        code,
        origin=origin,
        value="1000",
        currency="GBP",
        documents=docs,
        quantities=(("100", "kg"),),
        # the item claims the agreement its proof names (an unclaimed proof counts for none)
        preference=next((d.split(":", 1)[1] for d in docs if ":" in d), None),
    )
    result = assess_declaration(request(it, on=date(2026, 2, 2)), uk_schedule, eu)
    got = result.items[0]
    assert got.rate is not None, got.problems
    assert (got.rate.measure_id, got.lines[0].amount) == (chosen, D(duty)), rule
