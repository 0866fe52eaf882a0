"""The control scenarios: one CUSDEC interchange each, built on ``samples/registries``.

``python samples/controls/scenarios.py`` writes ``NN-name.edi`` beside this file; the golden
decisions (``NN-name.decision.json``) are written by ``tests/integration/test_controls_samples.py``
with ``CUSTOMS_UPDATE_GOLDEN=1`` and checked by hand against docs/rules.md. Every interchange is
processed on 2026-06-15 (inside the sample exchange rates and licence periods).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

HERE = Path(__file__).resolve().parent
OCEAN = ("91310000MA1FL0XQ8W", "SHANGHAI OCEAN FOODS TRADING CO LTD")
NINGBO = ("91330200MA2AJ6YF1B", "NINGBO BEAUTY IMPORT CO LTD")
QUICK = ("91440101MA5CXK7T26", "GUANGZHOU QUICKTRADE IMPORT CO LTD")
SUZHOU = ("91320500MA1MPCR7WX", "SUZHOU MICROSYSTEMS CO LTD")


@dataclass(frozen=True)
class Item:
    """One goods item: code, origin, quantity in KGM (or another unit), value in USD."""

    code: str
    origin: str
    quantity: str
    value: str
    docs: tuple[str, ...] = ()  # raw DOC segments of the item
    preference: str | None = None
    unit: str = "KGM"


@dataclass(frozen=True)
class Scenario:
    """An interchange: reference, trader, overseas consignor, items, header documents."""

    name: str
    reference: str
    trader: tuple[str, str]
    items: tuple[Item, ...]
    consignor: str = "PT SAWIT MAKMUR TBK"
    country: str = "ID"
    docs: tuple[str, ...] = field(default=())


def interchange(s: Scenario) -> str:
    """The CUSDEC interchange of ``s`` (D96B, UNOC, one message)."""
    body = [
        "UNH+M0001+CUSDEC:D:96B:UN",
        f"BGM+929+{s.reference}+9",
        "CST++0110:ZTM+101:ZLT",
        "LOC+22+2201",
        "LOC+41+2248",
        f"LOC+35+{s.country}",
        f"LOC+ZTC+{s.country}",
        "DTM+137:20260615:102",
        *s.docs,
        f"NAD+CN+{s.trader[0]}::ZUS++{s.trader[1]}+1 MAIN ROAD+SHANGHAI++200000+CN",
        f"NAD+OS+++{s.consignor}+1 HARBOUR ROAD+PORT++10000+{s.country}",
        "TOD+++CIF",
        f"MOA+39:{_total(s.items)}:USD",
        "UNS+D",
    ]
    for n, item in enumerate(s.items, start=1):
        pref = f"{item.preference}:PRF" if item.preference else ""
        body += [
            f"CST+{n}+{item.code}+{pref}+1:ZLM".replace("++1:ZLM", "+1:ZLM")
            if not pref
            else f"CST+{n}+{item.code}+{pref}+1:ZLM",
            f"LOC+27+{item.origin}",
            f"MEA+AAE+ZDQ+{item.unit}:{item.quantity}",
            f"MEA+AAE+ZS1+{item.unit}:{item.quantity}",
            f"MOA+38:{item.value}:USD",
            *item.docs,
        ]
    body += ["UNS+S", f"CNT+2:{len(s.items)}"]
    body.append(f"UNT+{len(body) + 1}+M0001")
    ref = s.reference.replace("-", "")[:14]
    head = f"UNB+UNOC:3+BROKER01:ZZZ+CNCUSTOMS:ZZZ+260615:0930+{ref}++CUSDEC"
    return "'\n".join([head, *body, f"UNZ+1+{ref}"]) + "'\n"


def _total(items: tuple[Item, ...]) -> str:
    from decimal import Decimal

    return str(sum((Decimal(i.value) for i in items), Decimal(0)))


BEEF = "0202300000"
SHRIMP = "0306179000"
LIC = "DOC+911+26-AA-310047"
#: Soft white sugar: an in-quota rate on the illustrative 10 t quota CN-SUGAR-ILLUS-2026 of
#: samples/tariffs/cn-extract.jsonl, claimed with a tariff-quota certificate (document code t).
SUGAR = "1701992000"
QUOTA_CERT = "DOC+t+TQ-26-SUGAR-0001"


class Origin(TypedDict):
    """The overseas consignor and its country, passed to :class:`Scenario` as keywords."""

    consignor: str
    country: str


AU: Origin = {"consignor": "MURRAY VALLEY MEATS PTY LTD", "country": "AU"}
VN: Origin = {"consignor": "VIETNAM SEAFOOD EXPORT JSC", "country": "VN"}
BR: Origin = {"consignor": "SANTOS SUGAR EXPORTS LTDA", "country": "BR"}
SCENARIOS = (
    Scenario(
        "01-valid-licence",
        "CTL-0001",
        OCEAN,
        (Item(BEEF, "AU", "10000", "65000.00", (LIC,)),),
        **AU,
    ),
    Scenario(
        "02-exhausted-licence",
        "CTL-0002",
        OCEAN,
        (Item(BEEF, "AU", "45000", "292500.00", (LIC,)),),
        **AU,
    ),
    Scenario(
        "03-wrong-holder", "CTL-0003", NINGBO, (Item(BEEF, "AU", "1000", "6500.00", (LIC,)),), **AU
    ),
    Scenario(
        "04-one-batch-licence",
        "CTL-0004",
        OCEAN,
        (Item(BEEF, "AU", "5000", "32500.00", ("DOC+911+26-AA-310048",)),),
        **AU,
    ),
    Scenario(
        "05-too-many-uses",
        "CTL-0005",
        OCEAN,
        (Item(BEEF, "AU", "5000", "32500.00", ("DOC+911+26-AA-310048",)),),
        **AU,
    ),
    Scenario(
        "06-expired-certificate",
        "CTL-0006",
        OCEAN,
        (Item(SHRIMP, "VN", "2000", "12000.00", ("DOC+861:::ACFTA+E251111111111111",), "ACFTA"),),
        **VN,
    ),
    Scenario(
        "07-mismatched-certificate",
        "CTL-0007",
        OCEAN,
        (Item(SHRIMP, "VN", "2000", "12000.00", ("DOC+861:::ACFTA+E261000000000001",), "ACFTA"),),
        consignor="SAIGON FISHERIES TRADING CO",
        country="VN",
    ),
    Scenario(
        "08-outlier-price", "CTL-0008", OCEAN, (Item(BEEF, "AU", "1000", "40000.00", (LIC,)),), **AU
    ),
    Scenario(
        "09-discredited-trader", "CTL-0009", QUICK, (Item(SHRIMP, "VN", "1000", "6000.00"),), **VN
    ),
    # 12 t of sugar against a 10 t quota: the balance cannot cover it, so the out-of-quota
    # (MFN) rate applies and QUO-001 says why; nothing is drawn from the quota.
    Scenario(
        "10-quota-exhausted",
        "CTL-0010",
        OCEAN,
        (Item(SUGAR, "BR", "12000", "6000.00", (QUOTA_CERT,)),),
        **BR,
    ),
)


def main() -> None:
    """Write every scenario's interchange."""
    for s in SCENARIOS:
        (HERE / f"{s.name}.edi").write_text(interchange(s), encoding="utf-8")


if __name__ == "__main__":
    main()
