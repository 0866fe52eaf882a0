"""Manifest reconciliation: the declaration's quantities against its bill on the manifest.

Packages and gross mass (converted to kilograms) are compared with the bill; outside the
tolerance (percent of the manifest's figure) gives ``MAN-002`` per quantity, within gives one
``MAN-000`` naming the manifest and the bill (docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from clearance.store.manifest_tables import Manifest, ManifestBill
from edi.model import Declaration
from rules.findings import Finding, Severity, evidence

RULE_VERSION = 1
_HUNDRED = Decimal(100)
#: Kilograms per unit for the UN/ECE Rec. 20 weight units a 309 or a declaration may use.
_KILOGRAMS = {
    unit: Decimal(factor)
    for unit, factor in (
        ("KGM", "1"), ("GRM", "0.001"), ("TNE", "1000"), ("LBR", "0.45359237"),
        ("ONZ", "0.028349523125"), ("STN", "907.18474"), ("LTN", "1016.0469088"),
    )
}  # fmt: skip


def compare(
    declaration: Declaration, bill: ManifestBill, manifest: Manifest, tolerance: Decimal
) -> list[Finding]:
    """``MAN-002`` per quantity outside ``tolerance`` percent, else one ``MAN-000``."""
    where = {"manifest_id": manifest.id, "voyage": manifest.voyage, "bill": bill.bill_number}
    findings: list[Finding] = []
    if declaration.packages is not None:
        packages = _Compared(
            "packages", "件数", Decimal(declaration.packages), bill.quantity, bill.quantity_unit
        )
        findings += packages.outside(tolerance, where)
    mass = declaration.gross_mass
    if mass is not None:
        factors = (_KILOGRAMS.get(mass.unit.upper()), _KILOGRAMS.get(bill.weight_unit.upper()))
        if factors[0] is None or factors[1] is None:  # units we cannot convert: officer looks
            unit = f"{mass.unit}/{bill.weight_unit}"
            compared = _Compared("gross_mass", "毛重", mass.value, bill.gross_weight, unit)
            findings.append(compared.finding(tolerance, where))
        else:
            declared, listed = mass.value * factors[0], bill.gross_weight * factors[1]
            compared = _Compared("gross_mass", "毛重", declared, listed, "KGM")
            findings += compared.outside(tolerance, where)
    if findings:
        return findings
    return [
        Finding(
            "MAN-000",
            RULE_VERSION,
            Severity.INFO,
            f"已核对舱单 {manifest.id}（航次 {manifest.voyage}）提单 {bill.bill_number}",
            f"matched manifest {manifest.id} (voyage {manifest.voyage}) bill {bill.bill_number}",
            evidence(**where, tolerance_percent=tolerance),
        )
    ]


@dataclass(frozen=True, slots=True)
class _Compared:
    """One quantity of the declaration against the bill (mass in KGM once converted)."""

    quantity: str  # packages | gross_mass
    label_zh: str
    declared: Decimal
    listed: Decimal
    unit: str  # the bill's package unit, KGM, or "declared/manifest" when not convertible

    @property
    def percent(self) -> Decimal | None:
        """|declared − manifest| in percent of the manifest's figure (None: manifest is 0)."""
        if self.listed == 0:
            return None
        return abs(self.declared - self.listed) * _HUNDRED / self.listed

    def outside(self, tolerance: Decimal, where: dict[str, object]) -> list[Finding]:
        """A finding when the difference exceeds ``tolerance`` percent."""
        # Measured against the manifest, the carrier's record of what was loaded, so a
        # declaration cannot widen its own tolerance by overstating.
        percent = self.percent
        if self.declared == self.listed or (percent is not None and percent <= tolerance):
            return []
        return [self.finding(tolerance, where)]

    def finding(self, tolerance: Decimal, where: dict[str, object]) -> Finding:
        """``MAN-002`` with both values, the difference and the tolerance as evidence."""
        convertible = "/" not in self.unit
        exact = self.percent if convertible else None
        percent = None if exact is None else exact.quantize(Decimal("0.01"))
        shown = "-" if percent is None else f"{percent}%"
        declared, listed = self.declared.normalize(), self.listed.normalize()
        values = f"{declared} / {listed} {self.unit}"
        return Finding(
            "MAN-002",
            RULE_VERSION,
            Severity.DOCUMENTS,
            f"舱单数量不符：{self.label_zh} 申报/舱单 {values}，差 {shown}，容差 {tolerance}%",
            f"manifest quantity mismatch: {self.quantity.replace('_', ' ')} declared/manifest "
            f"{values}, difference {shown}, tolerance {tolerance}%",
            evidence(
                **where,
                quantity=self.quantity,
                declared=declared,
                manifest=listed,
                unit=self.unit,
                difference=(self.declared - self.listed).normalize() if convertible else None,
                difference_percent=percent,
                tolerance_percent=tolerance,
            ),
        )
