"""Registries the controls consult: licences, certificates, memberships, traders, prices."""

from rules.registry.loader import (
    load_registries,
    parse_registry_lines,
    read_registry_file,
    read_registry_record,
    read_registry_sources,
)
from rules.registry.snapshot import DuplicateRecordError, Registries, records_digest
from rules.registry.types import (
    MAX_LICENCE_USES,
    AgreementMembership,
    CertificateLine,
    CertificateOfOrigin,
    CertificateStatus,
    CreditGrade,
    Licence,
    LicenceStatus,
    PriceRange,
    RegistryRecord,
    TraderProfile,
    in_period,
)

__all__ = [
    "MAX_LICENCE_USES",
    "AgreementMembership",
    "CertificateLine",
    "CertificateOfOrigin",
    "CertificateStatus",
    "CreditGrade",
    "DuplicateRecordError",
    "Licence",
    "LicenceStatus",
    "PriceRange",
    "Registries",
    "RegistryRecord",
    "TraderProfile",
    "in_period",
    "load_registries",
    "parse_registry_lines",
    "read_registry_file",
    "read_registry_record",
    "read_registry_sources",
    "records_digest",
]
