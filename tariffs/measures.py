"""Measures: what applies to a commodity code, for which origins, from when to when.

A measure has a *type* (MFN rate, agreement rate, anti-dumping duty, VAT …). Every type plays one
*role* in the assessment; new types are added as data (a ``measure_type`` record) by naming the
role they play, so the model is extendable without code.

Geography is a country (ISO alpha-2), ``ERGA_OMNES`` (all countries), or a group. A group's
membership has its own validity, so a country that joins an agreement gets its rates from the day it
joins (time travel). An *agreement* is a group that also names the proof of origin it requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tariffs.expressions import DutyExpression

#: The geography that covers every country.
ERGA_OMNES = "ERGA_OMNES"


class Role(StrEnum):
    """The part a measure type plays in an assessment."""

    RATE_COLUMN = "rate_column"  # one of the alternative duty rates; exactly one is chosen
    ADDITIONAL_DUTY = "additional_duty"  # anti-dumping, countervailing, safeguard: added on top
    CONSUMPTION_TAX = "consumption_tax"  # consumption tax / excise, with its own base
    VAT = "vat"  # import VAT, on value + duties + consumption tax
    EXPORT_DUTY = "export_duty"  # export duty (value = FOB / (1 + rate))
    EXPORT_REBATE = "export_rebate"  # export VAT rebate rate (informational)
    CONTROL = "control"  # no money: conditions only (licences, prohibitions)


@dataclass(frozen=True, slots=True)
class MeasureType:
    """A measure type: stable id, role, names in English and Chinese."""

    id: str
    role: Role
    name_en: str
    name_zh: str


def _t(id_: str, role: Role, en: str, zh: str) -> MeasureType:
    return MeasureType(id_, role, en, zh)


#: Built-in measure types; a schedule may add more with ``measure_type`` records.
BUILTIN_MEASURE_TYPES: dict[str, MeasureType] = {
    t.id: t
    for t in (
        _t("mfn", Role.RATE_COLUMN, "MFN rate", "最惠国税率"),
        _t("provisional", Role.RATE_COLUMN, "provisional rate", "暂定税率"),
        _t("conventional", Role.RATE_COLUMN, "agreement rate", "协定税率"),
        _t("special_preferential", Role.RATE_COLUMN, "special preferential rate", "特惠税率"),
        _t("general", Role.RATE_COLUMN, "general rate", "普通税率"),
        _t("quota_in", Role.RATE_COLUMN, "in-quota rate", "关税配额税率"),
        _t("quota_out", Role.RATE_COLUMN, "out-of-quota rate", "配额外税率"),
        _t("third_country", Role.RATE_COLUMN, "third-country duty", "第三国关税"),
        _t("preference", Role.RATE_COLUMN, "preferential rate", "优惠税率"),
        _t("suspension", Role.RATE_COLUMN, "autonomous suspension", "自主暂停征税"),
        _t("anti_dumping", Role.ADDITIONAL_DUTY, "anti-dumping duty", "反倾销税"),
        _t("countervailing", Role.ADDITIONAL_DUTY, "countervailing duty", "反补贴税"),
        _t("safeguard", Role.ADDITIONAL_DUTY, "safeguard duty", "保障措施关税"),
        _t("consumption_tax", Role.CONSUMPTION_TAX, "consumption tax", "消费税"),
        _t("excise", Role.CONSUMPTION_TAX, "excise duty", "消费税（欧盟式）"),
        _t("vat", Role.VAT, "import VAT", "进口环节增值税"),
        _t("export_duty", Role.EXPORT_DUTY, "export duty", "出口关税"),
        _t("export_provisional", Role.EXPORT_DUTY, "provisional export duty", "出口暂定税率"),
        _t("export_rebate", Role.EXPORT_REBATE, "export rebate rate", "出口退税率"),
        _t("licence", Role.CONTROL, "licence requirement", "许可证件管理"),
    )
}


class ConditionAction(StrEnum):
    """What happens when none of a condition's documents is presented."""

    OTHER_RATE = "other_rate"  # the measure does not apply (or ``duty_if_missing`` applies)
    DOCUMENTS_REQUIRED = "documents_required"  # the measure applies; the declaration is held
    REJECT = "reject"  # the item cannot be accepted without the document


@dataclass(frozen=True, slots=True)
class MeasureCondition:
    """A condition: one of ``documents`` must be presented, else ``action``."""

    documents: tuple[str, ...]
    action: ConditionAction
    duty_if_missing: DutyExpression | None = None


@dataclass(frozen=True, slots=True)
class DocumentType:
    """A document code (随附单证 / 监管证件代码, or a CDS document code) and its names."""

    code: str
    name_en: str
    name_zh: str = ""


@dataclass(frozen=True, slots=True)
class Membership:
    """A country's membership of a group, valid ``valid_from`` .. ``valid_to`` (inclusive)."""

    country: str
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class GeoGroup:
    """A group of countries; an agreement if ``is_agreement`` (with the proof it requires)."""

    id: str
    name_en: str
    name_zh: str = ""
    is_agreement: bool = False
    proof_documents: tuple[str, ...] = ()
    memberships: tuple[Membership, ...] = ()


@dataclass(frozen=True, slots=True)
class Quota:
    """A tariff quota: order number, volume in a unit, period."""

    order_number: str
    description: str
    volume: Decimal
    unit: str
    period_from: date
    period_to: date
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure attached to a commodity code (at any level) for a geography and a period."""

    id: str
    type: str
    code: str
    geo: str
    valid_from: date
    valid_to: date | None = None
    duty: DutyExpression | None = None
    excluded: tuple[str, ...] = ()
    conditions: tuple[MeasureCondition, ...] = ()
    quota: str | None = None
    additional_code: str | None = None
    legal_base: str | None = None
    source: str = ""  # "file:line" it was loaded from

    def in_force(self, as_of: date) -> bool:
        """True if the measure is valid on ``as_of`` (both ends inclusive)."""
        return in_force(self.valid_from, self.valid_to, as_of)


def in_force(valid_from: date, valid_to: date | None, as_of: date) -> bool:
    """``valid_from <= as_of <= valid_to`` with an open end when ``valid_to`` is None."""
    return valid_from <= as_of and (valid_to is None or as_of <= valid_to)
