"""Registry records: licences, certificates of origin, agreement memberships, traders, prices.

Each record is a frozen pydantic model and doubles as one line of the JSON Lines registry format
(the ``record`` field names the type; see ``docs/rules.md``). Dates are inclusive; ``valid_to``
``None`` means open-ended.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from edi.model import Direction, IdentifierScheme
from edi.model.parties import check_identifier

_FROZEN = ConfigDict(frozen=True, extra="forbid")

#: Maximum uses of a "non one-batch-one-licence" licence (非一批一证) *(policy)*.
MAX_LICENCE_USES = 12


def _uscc(value: str) -> str:
    check_identifier(IdentifierScheme.USCC, value)
    return value


Uscc = Annotated[str, AfterValidator(_uscc)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Unit = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,8}$")]
#: A commodity code or a prefix of one (chapter, heading, HS-6, national line).
CodePrefix = Annotated[str, Field(pattern=r"^\d{2,10}$")]
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


def in_period(on: date, valid_from: date, valid_to: date | None) -> bool:
    """``valid_from <= on <= valid_to`` with an open end when ``valid_to`` is ``None``."""
    return valid_from <= on and (valid_to is None or on <= valid_to)


class _Dated(BaseModel):
    model_config = _FROZEN

    valid_from: date
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Dated:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def valid_on(self, on: date) -> bool:
        """Whether the record is in force on ``on``."""
        return in_period(on, self.valid_from, self.valid_to)


class LicenceStatus(StrEnum):
    """Status the issuing agency reports for a licence."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CANCELLED = "cancelled"


class Licence(_Dated):
    """A licence or permit (许可证/监管证件) as the issuing agency registered it."""

    record: Literal["licence"] = "licence"
    number: str = Field(min_length=1, max_length=35)
    type_code: str = Field(pattern=r"^[0-9A-Za-z]{1,8}$", description="监管证件代码, e.g. 7, O, 1.")
    holder_uscc: Uscc
    holder_name: str | None = Field(default=None, max_length=256)
    direction: Direction
    commodity_codes: tuple[CodePrefix, ...] = Field(min_length=1)
    quantity: Positive
    unit: Unit
    max_uses: int = Field(ge=1, le=MAX_LICENCE_USES, description="1 = one batch (一批一证).")
    tolerance: Decimal = Field(
        default=Decimal(0), ge=0, lt=1, description="Overshipment allowed, e.g. 0.05 for 5%."
    )
    status: LicenceStatus = LicenceStatus.ACTIVE
    issuer: str | None = Field(default=None, max_length=70)

    @property
    def one_batch(self) -> bool:
        """Whether the licence covers a single declaration (一批一证)."""
        return self.max_uses == 1

    def covers(self, commodity_code: str) -> bool:
        """Whether ``commodity_code`` falls under one of the licence's commodity codes."""
        return any(commodity_code.startswith(code) for code in self.commodity_codes)


class CertificateStatus(StrEnum):
    """Status of a certificate of origin as exchanged with the issuing country."""

    VALID = "valid"
    CANCELLED = "cancelled"


class CertificateLine(BaseModel):
    """A goods line of a certificate: HS-6 or finer, with the quantity certified."""

    model_config = _FROZEN

    line: int = Field(ge=1, le=999)
    hs_code: str = Field(pattern=r"^\d{6}(\d{2}){0,2}$")
    description: str | None = Field(default=None, max_length=256)
    quantity: Positive
    unit: Unit

    def matches(self, commodity_code: str) -> bool:
        """The item's code agrees with the line at HS-6 and, where the line is finer, beyond."""
        return commodity_code.startswith(self.hs_code)


class CertificateOfOrigin(BaseModel):
    """A certificate (or other proof) of origin under a preferential agreement."""

    model_config = _FROZEN

    record: Literal["certificate"] = "certificate"
    number: str = Field(min_length=1, max_length=35)
    agreement: str = Field(pattern=r"^[A-Z0-9_-]{2,16}$")
    document_code: str = Field(default="Y", pattern=r"^[0-9A-Za-z]{1,8}$")
    issuing_country: Country
    exporter_name: str = Field(min_length=1, max_length=256)
    importer_name: str | None = Field(default=None, max_length=256)
    importer_uscc: Uscc | None = None
    issue_date: date
    valid_to: date
    lines: tuple[CertificateLine, ...] = Field(min_length=1)
    status: CertificateStatus = CertificateStatus.VALID

    @model_validator(mode="after")
    def _consistent(self) -> CertificateOfOrigin:
        if self.valid_to < self.issue_date:
            raise ValueError("valid_to is before issue_date")
        numbers = [line.line for line in self.lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError("certificate line numbers must be unique")
        return self

    def line_for(self, commodity_code: str) -> CertificateLine | None:
        """The first line (by number) whose goods match ``commodity_code``."""
        matching = (line for line in sorted(self.lines, key=lambda x: x.line))
        return next((line for line in matching if line.matches(commodity_code)), None)


class AgreementMembership(_Dated):
    """A country's membership of a preferential agreement over a period."""

    record: Literal["membership"] = "membership"
    agreement: str = Field(pattern=r"^[A-Z0-9_-]{2,16}$")
    country: Country


class CreditGrade(StrEnum):
    """Customs credit grade of an enterprise (企业信用等级)."""

    ADVANCED_CERTIFIED = "advanced_certified"  # 高级认证企业
    GENERAL_CERTIFIED = "general_certified"  # 一般认证企业
    GENERAL = "general"  # 一般信用企业 / 其他企业
    DISCREDITED = "discredited"  # 失信企业


class TraderProfile(_Dated):
    """A trader's credit grade over a period."""

    record: Literal["trader"] = "trader"
    uscc: Uscc
    name: str = Field(min_length=1, max_length=256)
    credit_grade: CreditGrade


class PriceRange(_Dated):
    """A reference unit-price range for a commodity (optionally per origin)."""

    record: Literal["price_range"] = "price_range"
    commodity_code: CodePrefix
    origin: Country | None = None
    unit: Unit
    currency: Currency
    low: Positive
    high: Positive
    source: str | None = Field(default=None, max_length=128)

    @model_validator(mode="after")
    def _low_high(self) -> PriceRange:
        if self.high < self.low:
            raise ValueError("high is below low")
        return self


RegistryRecord = Licence | CertificateOfOrigin | AgreementMembership | TraderProfile | PriceRange
