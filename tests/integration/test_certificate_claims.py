"""One rule for the agreement rate and the certificate controls (tariffs.preference).

An item gets an agreement rate only when it claims that agreement (or cites the certificate
itself); every item that does is checked by the COO rules and drawn on the certificate line's
ledger. A header certificate does not give the items that claim nothing the agreement rate.
Runs on SQLite and, with CUSTOMS_TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clearance.flow.outcome import DeclarationOutcome
from clearance.store.control_tables import LedgerEntry, LedgerHead
from core.clock import FixedClock
from tests.integration.test_controls_support import INSTANT, pipeline, prepare

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
#: samples/controls/registries.jsonl: ACFTA Form E of VN, one line 030617 shrimp, 6000 KGM.
CERTIFICATE = "E261000000000001"
LINE = f"certificate:{CERTIFICATE}:1"


def interchange(reference: str, items: list[tuple[str, str, str | None, int]]) -> bytes:
    """A CUSDEC citing the certificate in its header; items (code, origin, claim, kg)."""
    body = [
        "UNH+M0001+CUSDEC:D:96B:UN",
        f"BGM+929+{reference}+9",
        "CST++0110:ZTM+101:ZLT",
        "LOC+22+2201",
        "LOC+41+2248",
        "LOC+35+VN",
        "DTM+137:20260615:102",
        f"DOC+861:::ACFTA+{CERTIFICATE}",
        "NAD+CN+91310000MA1FL0XQ8W::ZUS++SHANGHAI OCEAN FOODS TRADING CO LTD+1 MAIN ROAD"
        "+SHANGHAI++200000+CN",
        "NAD+OS+++VIETNAM SEAFOOD EXPORT JSC+12 LE LOI STREET+HO CHI MINH CITY++700000+VN",
        "TOD+++CIF",
        "UNS+D",
    ]
    for n, (code, origin, claim, kg) in enumerate(items, 1):
        preference = f"+{claim}:PRF" if claim else "+"
        body += [
            f"CST+{n}+{code}{preference}+1:ZLM",
            f"LOC+27+{origin}",
            f"MEA+AAE+ZDQ+KGM:{kg}",
            f"MEA+AAE+ZS1+KGM:{kg}",
            f"MOA+38:{kg * 5}.00:USD",
        ]
    body += ["UNS+S", f"CNT+2:{len(items)}"]
    body.append(f"UNT+{len(body) + 1}+M0001")
    segments = [f"UNB+UNOC:3+BROKER01:ZZZ+CNCUSTOMS:ZZZ+260615:0930+{reference}++CUSDEC", *body]
    segments.append(f"UNZ+1+{reference}")
    return ("'\n".join(segments) + "'\n").encode()


def submit(engine: Engine, data: bytes) -> DeclarationOutcome:
    (d,) = pipeline(engine, FixedClock(INSTANT)).submit(data).declarations
    assert d.number is not None, d.reasons
    return d


def rates(d: DeclarationOutcome) -> dict[int, str]:
    assert d.assessment is not None
    out = {}
    for item in d.assessment.items:
        assert item.rate is not None, item.problems
        out[item.sequence] = item.rate.measure_type
    return out


def drawn(engine: Engine) -> Decimal:
    """Quantity reserved or consumed on the certificate line (never more than certified)."""
    with Session(engine) as session:
        head = session.scalars(select(LedgerHead).where(LedgerHead.key == LINE)).one_or_none()
        if head is None:
            return Decimal(0)
        return Decimal(head.reserved) + Decimal(head.consumed)


def entries(engine: Engine) -> list[tuple[str, Decimal, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(LedgerEntry.kind, LedgerEntry.quantity, LedgerEntry.declaration_number)
            .join(LedgerHead, LedgerHead.id == LedgerEntry.head_id)
            .where(LedgerHead.key == LINE)
            .order_by(LedgerEntry.id)
        ).all()
    return [(a, Decimal(q), n) for a, q, n in rows]


def test_an_unclaimed_item_under_a_header_certificate_pays_mfn_and_is_not_drawn(
    engine: Engine,
) -> None:
    prepare(engine)
    d = submit(
        engine,
        interchange(
            "ORG-0001", [("0306179000", "VN", "ACFTA", 2000), ("0306179000", "VN", None, 3000)]
        ),
    )
    # Item 1 claims ACFTA with the header certificate: 0 %; item 2 claims nothing: MFN 5 %.
    assert rates(d) == {1: "conventional", 2: "mfn"}
    assert d.assessment is not None
    unclaimed = d.assessment.items[1]
    duty = unclaimed.line("customs_duty")
    assert duty is not None and duty.amount > 0
    (alternative,) = [a for a in unclaimed.alternatives if "Y" in a.needs]
    assert "needs the item to claim ACFTA" in alternative.message
    assert not [f for f in d.findings if f.rule_id.startswith(("COO", "TAR"))]
    # Only the claimed item is drawn on the certificate line: 2000 kg, not 5000.
    assert [(a, q) for a, q, _ in entries(engine)][:1] == [("reserve", Decimal(2000))]
    assert drawn(engine) == 2000


def test_an_item_of_another_origin_or_not_on_the_certificate_does_not_get_the_rate(
    engine: Engine,
) -> None:
    prepare(engine)
    d = submit(
        engine,
        interchange(
            "ORG-0002",
            [("1605210000", "TH", "ACFTA", 500), ("0304620000", "VN", "ACFTA", 400)],
        ),
    )
    # Thai prepared shrimp on a Vietnamese certificate, fillets on a shrimp-only certificate:
    # both claims are checked, refused, assessed at MFN, and the declaration is held.
    assert rates(d) == {1: "mfn", 2: "mfn"}
    fired = {(f.rule_id, f.item_sequence) for f in d.findings}
    assert {("COO-004", 1), ("COO-006", 2), ("TAR-003", 1), ("TAR-003", 2)} <= fired
    assert d.status == "documents_required"
    assert drawn(engine) == 0  # a held certificate is not drawn on


def test_the_certificate_line_is_drawn_and_a_second_use_over_its_quantity_is_refused(
    engine: Engine,
) -> None:
    prepare(engine)
    first = submit(engine, interchange("ORG-0003", [("0306179000", "VN", "ACFTA", 5000)]))
    assert rates(first) == {1: "conventional"}
    assert drawn(engine) == 5000
    second = submit(engine, interchange("ORG-0004", [("0306179000", "VN", "ACFTA", 2000)]))
    (over,) = [f for f in second.findings if f.rule_id == "COO-007"]
    assert Decimal(str(over.evidence["remaining"])) == 1000
    assert Decimal(str(over.evidence["declared"])) == 2000
    assert second.status == "documents_required"
    # Never over-allocated: the 6000 kg line holds the first 5000 only.
    assert drawn(engine) == 5000
    assert [n for _, _, n in entries(engine)] == [first.number] * len(entries(engine))


def test_a_decmessage_carries_no_preference_claim_so_its_certificate_gives_no_rate(
    engine: Engine,
) -> None:
    prepare(engine)
    data = (ROOT / "samples" / "xml" / "decmessage-import.xml").read_bytes()
    d = submit(engine, data)
    # DocuCode Y with a certificate in no registry, and no claim on any item (DecMessage
    # carries none we can read): the base rate, and nothing for the COO rules to check.
    assert set(rates(d).values()) == {"mfn"}
    assert not [f for f in d.findings if f.rule_id.startswith(("COO", "TAR"))]
