"""Small schedules for tests, written as JSON Lines exactly as a file would be."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tariffs import (
    AssessmentRequest,
    Charge,
    DeclarationAssessment,
    Document,
    ItemAssessment,
    ItemRequest,
    Money,
    Quantity,
    RegimeProfile,
    Schedule,
    assess_declaration,
    loads_schedule,
)

ROOT = Path(__file__).resolve().parents[3]
CN_SAMPLE = ROOT / "samples" / "tariffs" / "cn-extract.jsonl"
UK_SAMPLE = ROOT / "samples" / "tariffs" / "uk-extract.jsonl"
D = Decimal


def header(
    currency: str = "CNY", id_: str = "test-1", published: str = "2026-01-01"
) -> dict[str, Any]:
    """A schedule header record."""
    return {
        "kind": "schedule",
        "id": id_,
        "name": "test schedule",
        "published": published,
        "currency": currency,
    }


def jsonl(records: list[dict[str, Any]]) -> str:
    """Records → JSON Lines text."""
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def nomenclature(*codes: str, valid_from: str = "2020-01-01") -> list[dict[str, Any]]:
    """Nomenclature records for ``codes`` and every level above them."""
    seen: list[str] = []
    for code in codes:
        for n in (2, 4, 6, 8, 10):
            if n <= len(code) and code[:n] not in seen:
                seen.append(code[:n])
    return [
        {
            "kind": "nomenclature",
            "code": c,
            "description_en": f"goods {c}",
            "valid_from": valid_from,
        }
        for c in seen
    ]


def measure(
    id_: str, type_: str, code: str, duty: list[dict[str, Any]] | None, **kw: Any
) -> dict[str, Any]:
    """A measure record (ERGA_OMNES from 2020-01-01 unless given)."""
    rec: dict[str, Any] = {
        "kind": "measure",
        "id": id_,
        "type": type_,
        "code": code,
        "geo": kw.pop("geo", "ERGA_OMNES"),
        "valid_from": kw.pop("valid_from", "2020-01-01"),
    }
    if duty is not None:
        rec["duty"] = duty
    rec.update(kw)
    return rec


def pct(p: str) -> list[dict[str, Any]]:
    """A one-component ad valorem duty."""
    return [{"percent": p}]


def build(records: list[dict[str, Any]], currency: str = "CNY") -> Schedule:
    """Load ``records`` (a header is added first) as a schedule."""
    return loads_schedule(jsonl([header(currency), *records]), "test.jsonl")


def item(
    code: str,
    origin: str = "JP",
    value: str = "10000",
    currency: str = "CNY",
    quantities: tuple[tuple[str, str], ...] = (),
    documents: tuple[str, ...] = (),
    sequence: int = 1,
    **kw: Any,
) -> ItemRequest:
    """An item request; documents as ``"Y"`` or ``"Y:ACFTA"``."""
    docs = []
    for d in documents:
        code_, _, agreement = d.partition(":")
        docs.append(Document(code=code_, agreement=agreement or None))
    return ItemRequest(
        sequence=sequence,
        code=code,
        origin=origin,
        value=Money(amount=D(value), currency=currency),
        quantities=tuple(Quantity(value=D(v), unit=u, kind="net") for v, u in quantities),
        documents=tuple(docs),
        **kw,
    )


def request(
    *items: ItemRequest,
    on: date = date(2026, 3, 2),
    incoterm: str = "CIF",
    freight: Charge | None = None,
    insurance: Charge | None = None,
    other: Charge | None = None,
    direction: str = "import",
    **kw: Any,
) -> AssessmentRequest:
    """A declaration of ``items``."""
    return AssessmentRequest.model_validate(
        {
            "as_of": on,
            "incoterm": incoterm,
            "freight": freight,
            "insurance": insurance,
            "other_charges": other,
            "direction": direction,
            "items": items,
            **kw,
        }
    )


def assess_one(
    schedule: Schedule, regime: RegimeProfile, it: ItemRequest, **kw: Any
) -> tuple[ItemAssessment, DeclarationAssessment]:
    """Assess a one-item declaration; returns (item, declaration)."""
    result = assess_declaration(request(it, **kw), schedule, regime)
    return result.items[0], result
