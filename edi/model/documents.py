"""References to documents: licences, certificates of origin, invoices, transport documents."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from edi.model.values import FROZEN, CountryCode


class DocumentKind(StrEnum):
    """What a referenced document is, independent of the national code that names it."""

    LICENCE = "licence"  # 许可证 / permits (监管证件)
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin"  # 原产地证明
    INVOICE = "invoice"
    TRANSPORT_DOCUMENT = "transport_document"  # bill of lading, air waybill (提运单)
    PACKING_LIST = "packing_list"
    CONTRACT = "contract"  # 合同协议号
    PREVIOUS_DECLARATION = "previous_declaration"
    OTHER = "other"


class DocumentReference(BaseModel):
    """A document cited by the declaration or by one item."""

    model_config = FROZEN

    kind: DocumentKind
    code: str | None = Field(
        default=None,
        max_length=8,
        description="The national document code as sent (e.g. 监管证件代码 'O' for an automatic "
        "import licence, 'Y' for an RCEP certificate, UN/EDIFACT 1001 '380' for an invoice).",
    )
    number: str = Field(min_length=1, max_length=70)
    issue_date: date | None = None
    expiry_date: date | None = None
    issuing_country: CountryCode | None = None
    agreement: str | None = Field(
        default=None, max_length=16, description="Preference agreement of a certificate (ACFTA…)."
    )
