"""Parties to a declaration and their identifiers."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, Field, model_validator
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import vat as gb_vat

from edi.model.values import FROZEN, CountryCode


class PartyRole(StrEnum):
    """The role a party plays (报关单 roles and their WCO equivalents)."""

    CONSIGNEE = "consignee"  # 境内收货人 (imports)
    CONSIGNOR = "consignor"  # 境内发货人 (exports)
    OVERSEAS_CONSIGNOR = "overseas_consignor"  # 境外发货人
    OVERSEAS_CONSIGNEE = "overseas_consignee"  # 境外收货人
    DECLARANT = "declarant"  # 申报单位 (broker / declarant)
    IMPORTER = "importer"
    EXPORTER = "exporter"
    MANUFACTURER = "manufacturer"  # 生产销售单位 / 消费使用单位
    CARRIER = "carrier"
    REPRESENTATIVE = "representative"


class IdentifierScheme(StrEnum):
    """Known identifier schemes; ``other`` is kept verbatim without checks."""

    USCC = "uscc"  # 统一社会信用代码, 18 characters with a check character
    CUSTOMS_CODE = "customs_code"  # 海关编码, 10 characters
    EORI = "eori"  # EU/UK Economic Operators Registration and Identification
    OTHER = "other"


_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")
_CUSTOMS_CODE = re.compile(r"^[0-9A-Z]{10}$")


class PartyIdentifier(BaseModel):
    """An identifier with its scheme; validated where a checksum is known."""

    model_config = FROZEN

    scheme: IdentifierScheme
    value: str = Field(min_length=1, max_length=35)

    @model_validator(mode="after")
    def _check(self) -> PartyIdentifier:
        check_identifier(self.scheme, self.value)
        return self


def check_identifier(scheme: IdentifierScheme, value: str) -> None:
    """Raise ``ValueError`` when ``value`` is not a valid identifier of ``scheme``.

    USCC and the GB VAT part of GB/XI EORIs are checked with python-stdnum; python-stdnum has
    no EORI module, so other EORIs are checked for their published shape only.
    """
    problem = _identifier_problem(scheme, value)
    if problem is not None:
        raise ValueError(problem)


# The verdict is a pure function of (scheme, value), and the same traders' identifiers come
# back on declaration after declaration: python-stdnum's USCC check costs about 15 µs (it
# cleans and re-checks the registration-authority and organisation-code parts), a cache hit
# well under 1 µs. Bounded, so a flood of distinct values cannot grow it without limit.
@lru_cache(maxsize=16384)
def _identifier_problem(scheme: IdentifierScheme, value: str) -> str | None:
    try:
        if scheme is IdentifierScheme.USCC:
            try:
                uscc.validate(value)
            except StdnumError as exc:
                return f"invalid USCC {value!r}: {exc}"
        elif scheme is IdentifierScheme.EORI:
            if not _EORI.match(value):
                return f"invalid EORI {value!r}: expected country code and up to 15 characters"
            if value[:2] in {"GB", "XI"}:
                _check_gb_eori(value)
        elif scheme is IdentifierScheme.CUSTOMS_CODE and not _CUSTOMS_CODE.match(value):
            return f"invalid customs code {value!r}: expected 10 characters"
    except ValueError as exc:
        return str(exc)
    return None


def _check_gb_eori(value: str) -> None:
    # A GB EORI is GB + the 9-digit VAT number + 000 (or a 12-digit number for non-VAT traders).
    digits = value[2:]
    if not digits.isdigit() or len(digits) not in (12, 15):
        raise ValueError(f"invalid EORI {value!r}: GB/XI EORIs carry 12 or 15 digits")
    if len(digits) == 15 and not gb_vat.is_valid(digits[:9]):
        raise ValueError(f"invalid EORI {value!r}: the VAT number {digits[:9]} fails its check")


class Party(BaseModel):
    """A person or organisation named on the declaration."""

    model_config = FROZEN

    role: PartyRole
    name: str | None = Field(default=None, max_length=256)
    identifiers: tuple[PartyIdentifier, ...] = ()
    address: tuple[str, ...] = ()
    city: str | None = None
    postcode: str | None = None
    country: CountryCode | None = None

    def identifier(self, scheme: IdentifierScheme) -> str | None:
        """The party's identifier in ``scheme``, if it has one."""
        return next((i.value for i in self.identifiers if i.scheme is scheme), None)
