"""A realistic day's mix of CUSDEC interchanges, for the pipeline, memory and parallel benchmarks.

What "realistic" means here (issue 15): many senders (brokers filing for many traders), a lane
mix that is mostly green (ordinary goods, certified traders, the ruleset's random sampling),
licences and certificates of origin that are drawn on (beef on automatic import licences,
ASEAN shrimp on ACFTA certificates), and interchanges of 1, 10 and 1,000 declarations. Every
declaration has five items. The registries the declarations draw on are generated beside them
(:func:`registry_lines`) with allowances large enough for a day, so that releases, ledger
consumption and rebate-free imports are measured instead of every declaration ending with an
officer.

    python benchmarks/day.py 3000 > /tmp/day.txt   # prints a summary of the mix it made

The processing date is 2026-06-15 (inside the sample tariff's exchange rates and the sample
licence periods), as for ``samples/controls``.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from stdnum.cn import uscc

ROOT = Path(__file__).resolve().parents[1]
TARIFF = ROOT / "samples" / "tariffs" / "cn-extract.jsonl"
SAMPLE_REGISTRIES = sorted((ROOT / "samples" / "registries").glob("*.jsonl"))
#: Inside the sample exchange rates (to 2026-06) and licence periods (2026).
INSTANT = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
DAY = "20260615"

#: Ordinary goods (no licence, no certificate): code, unit, unit price in USD, origin.
ORDINARY = (
    ("0203290000", "KGM", "3.20", "ES"),
    ("0406300000", "KGM", "6.80", "NZ"),
    ("0805100000", "KGM", "1.10", "ZA"),
    ("0901210000", "KGM", "9.50", "IT"),
    ("1509200000", "KGM", "7.40", "ES"),
    ("1806900000", "KGM", "8.90", "BE"),
    ("3304990000", "KGM", "42.00", "FR"),
    ("3901100000", "KGM", "1.35", "SA"),
    ("4703210000", "KGM", "0.82", "BR"),
    ("5201000000", "KGM", "1.90", "US"),
    ("7201100000", "KGM", "0.45", "RU"),
    ("7318150000", "KGM", "2.60", "DE"),
    ("8473309000", "KGM", "35.00", "JP"),
)
BEEF = ("0202300000", "KGM", "6.50", "AU")  # automatic import licence (document 7)
SHRIMP = ("0306179000", "KGM", "6.00", "VN")  # ACFTA preference, certificate of origin
#: Brokers (UNB senders) and how many traders each files for.
BROKERS = ("BROKER01", "BROKER02", "BROKER03", "BROKER04", "BROKER05", "BROKER06")
TRADERS_PER_BROKER = 8
#: Licences per trader, and the uses drawn from each before the next is quoted (of 12 allowed).
LICENCES_PER_TRADER = 60
USES_PER_LICENCE = 12
#: How the day's declarations arrive: (declarations per interchange, share of declarations).
SIZES = ((1, 0.2), (10, 0.3), (1000, 0.5))


@dataclass(frozen=True)
class Trader:
    """A consignee: its USCC, name, credit grade, licence number and certificate number."""

    uscc: str
    name: str
    grade: str
    licence: str  # the prefix of its licences: LICENCE + 3 digits
    certificate: str

    def licence_number(self, k: int) -> str:
        """The trader's ``k``-th automatic import licence (12 uses each: the policy's most)."""
        return f"{self.licence}{k:03d}"


def _uscc(n: int) -> str:
    body = f"91310000MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def traders() -> list[Trader]:
    """The traders of the day: mostly certified enterprises, some general ones."""
    grades = ("advanced_certified", "general_certified", "general_certified", "general")
    out = []
    for n in range(len(BROKERS) * TRADERS_PER_BROKER):
        out.append(
            Trader(
                uscc=_uscc(n + 1),
                name=f"BENCH TRADING CO {n + 1:03d} LTD",
                grade=grades[n % len(grades)],
                licence=f"26-AB-{n:03d}",
                certificate=f"E26{n + 1:013d}",
            )
        )
    return out


def registry_lines(people: list[Trader]) -> list[str]:
    """JSON Lines of the traders, their licences and their certificates (a day's allowance)."""
    lines: list[dict[str, object]] = []
    for t in people:
        lines.append(
            {
                "record": "trader",
                "uscc": t.uscc,
                "name": t.name,
                "credit_grade": t.grade,
                "valid_from": "2024-01-01",
                "valid_to": None,
            }
        )
        lines.extend(
            {
                "record": "licence",
                "number": t.licence_number(k),
                "type_code": "7",
                "holder_uscc": t.uscc,
                "holder_name": t.name,
                "direction": "import",
                "commodity_codes": ["02023000"],
                "quantity": "100000000",
                "unit": "KGM",
                "max_uses": USES_PER_LICENCE,
                "tolerance": "0.05",
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
                "status": "active",
                "issuer": "MOFCOM Shanghai",
            }
            for k in range(LICENCES_PER_TRADER)
        )
        lines.append(
            {
                "record": "certificate",
                "number": t.certificate,
                "agreement": "ACFTA",
                "document_code": "Y",
                "issuing_country": "VN",
                "exporter_name": "VIETNAM SEAFOOD EXPORT JSC",
                "importer_name": t.name,
                "importer_uscc": t.uscc,
                "issue_date": "2026-03-01",
                "valid_to": "2027-02-28",
                "lines": [
                    {
                        "line": 1,
                        "hs_code": "030617",
                        "description": "FROZEN WHITELEG SHRIMP",
                        "quantity": "100000000",
                        "unit": "KGM",
                    }
                ],
                "status": "valid",
            }
        )
    return [json.dumps(line) for line in lines]


def _item(n: int, goods: tuple[str, str, str, str], qty: int, docs: list[str]) -> list[str]:
    code, unit, price, origin = goods
    value = (Decimal(price) * qty).quantize(Decimal("0.01"))
    return [
        f"CST+{n}+{code}+1:ZLM",
        f"LOC+27+{origin}",
        f"MEA+AAE+ZDQ+{unit}:{qty}",
        f"MEA+AAE+ZS1+{unit}:{qty}",
        f"MOA+38:{value}:USD",
        *docs,
    ]


def declaration(
    rng: random.Random, trader: Trader, reference: str, ref: str, uses: dict[str, int]
) -> list[str]:
    """One CUSDEC message (UNH..UNT) of five items for ``trader`` (``uses``: licence draws so
    far per trader, so that each licence is quoted at most 11 times)."""
    items: list[list[str]] = []
    total = Decimal(0)
    draw = rng.random()
    for n in range(1, 6):
        qty = rng.randint(50, 900)
        if n == 1 and draw < 0.15:  # beef on the trader's licence
            k = uses.get(trader.uscc, 0)
            uses[trader.uscc] = k + 1
            goods = BEEF
            docs = [f"DOC+911+{trader.licence_number(k // (USES_PER_LICENCE - 1))}"]
        elif n == 1 and draw < 0.30:  # ASEAN shrimp with a certificate of origin
            goods, docs = SHRIMP, [f"DOC+861:::ACFTA+{trader.certificate}"]
            items.append(
                [
                    f"CST+{n}+{goods[0]}+ACFTA:PRF+1:ZLM",
                    *_item(n, goods, qty, docs)[1:],
                ]
            )
            total += Decimal(goods[2]) * qty
            continue
        else:
            goods, docs = rng.choice(ORDINARY), []
        items.append(_item(n, goods, qty, docs))
        total += Decimal(goods[2]) * qty
    # The certificate names its exporter: an ASEAN shrimp shipment comes from that exporter.
    asean = 0.15 <= draw < 0.30
    consignor, country = ("VIETNAM SEAFOOD EXPORT JSC", "VN") if asean else ("OVERSEAS LTD", "AU")
    body = [
        f"UNH+{ref}+CUSDEC:D:96B:UN",
        f"BGM+929+{reference}+9",
        "CST++0110:ZTM+101:ZLT",
        "LOC+22+2201",
        "LOC+41+2248",
        f"LOC+35+{country}",
        f"LOC+ZTC+{country}",
        f"DTM+137:{DAY}:102",
        f"NAD+CN+{trader.uscc}::ZUS++{trader.name}+1 MAIN ROAD+SHANGHAI++200000+CN",
        f"NAD+OS+++{consignor}+1 HARBOUR ROAD+PORT++10000+{country}",
        "TOD+++CIF",
        f"MOA+39:{total.quantize(Decimal('0.01'))}:USD",
        "UNS+D",
    ]
    for item in items:
        body += item
    body += ["UNS+S", f"CNT+2:{len(items)}"]
    body.append(f"UNT+{len(body) + 1}+{ref}")
    return body


def interchange(
    rng: random.Random,
    broker: str,
    clients: list[Trader],
    number: int,
    size: int,
    uses: dict[str, int],
) -> bytes:
    """One interchange of ``size`` declarations from ``broker`` for its ``clients``."""
    control = f"{broker[-2:]}{number:012d}"
    segments = [f"UNB+UNOC:3+{broker}:ZZZ+CNCUSTOMS:ZZZ+260615:0930+{control}++CUSDEC"]
    for m in range(size):
        trader = rng.choice(clients)
        reference = f"{broker}-{number:07d}-{m:04d}"
        segments += declaration(rng, trader, reference, f"M{m + 1:06d}", uses)
    segments.append(f"UNZ+{size}+{control}")
    return ("'\n".join(segments) + "'\n").encode()


def day(total: int, seed: int = 15, sizes: tuple[tuple[int, float], ...] = SIZES) -> list[bytes]:
    """About ``total`` declarations as the day's interchanges, in arrival order."""
    rng = random.Random(seed)
    people = traders()
    clients = {
        b: people[i * TRADERS_PER_BROKER : (i + 1) * TRADERS_PER_BROKER]
        for i, b in enumerate(BROKERS)
    }
    files: list[bytes] = []
    counters = dict.fromkeys(BROKERS, 0)
    uses: dict[str, int] = {}
    for size, share in sizes:
        for _ in range(max(1, round(total * share / size)) if share else 0):
            broker = rng.choice(BROKERS)
            counters[broker] += 1
            files.append(interchange(rng, broker, clients[broker], counters[broker], size, uses))
    rng.shuffle(files)
    return files


def one_interchange(declarations: int, seed: int = 15) -> bytes:
    """``declarations`` declarations in one interchange (the memory benchmark's input)."""
    rng = random.Random(seed)
    people = traders()
    return interchange(rng, BROKERS[0], people[:TRADERS_PER_BROKER], 1, declarations, {})


def chunks_of(data: list[bytes]) -> Iterator[int]:
    """Declarations per interchange of ``data`` (UNH count), for summaries."""
    for raw in data:
        yield raw.count(b"UNH+")


def main() -> None:
    """Print a summary of a generated day (and write the files when a folder is given)."""
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    files = day(total)
    counts = list(chunks_of(files))
    print(f"{len(files)} interchanges, {sum(counts)} declarations of 5 items")
    for size, _ in SIZES:
        n = sum(1 for c in counts if c == size)
        print(f"  {n:5d} interchanges of {size} declaration(s)")
    if len(sys.argv) > 2:
        out = Path(sys.argv[2])
        out.mkdir(parents=True, exist_ok=True)
        for n, raw in enumerate(files):
            (out / f"day-{n:05d}.edi").write_bytes(raw)
        (out / "registries.jsonl").write_text("\n".join(registry_lines(traders())) + "\n")


if __name__ == "__main__":
    main()
