"""Which licences and certificate lines a declaration draws on, and how much.

The licence and origin controls check these claims against registries and balances; the pipeline
reserves exactly the same :class:`Draw` list on its ledgers, so what was checked is what is booked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from edi.model import DocumentKind, DocumentReference, GoodsItem
from rules.context import ControlContext
from rules.ledger import Allowance, Balance
from rules.registry import CertificateLine, CertificateOfOrigin, Licence
from tariffs.preference import claimed_agreement, proof_serves


def licence_key(number: str) -> str:
    """Ledger key of a licence."""
    return f"licence:{number}"


def certificate_line_key(number: str, line: int) -> str:
    """Ledger key of one goods line of a certificate of origin."""
    return f"certificate:{number}:{line}"


def licence_allowance(licence: Licence) -> Allowance:
    """What a licence allows: quantity with overshipment tolerance, and uses."""
    return Allowance(licence.quantity, licence.unit, licence.tolerance, licence.max_uses)


def certificate_line_allowance(line: CertificateLine) -> Allowance:
    """What a certificate line allows: its certified quantity, no tolerance, any number of uses."""
    return Allowance(line.quantity, line.unit)


def quantity_in(item: GoodsItem, unit: str) -> Decimal | None:
    """The item's quantity in ``unit``: declared, first or second statutory, or net mass."""
    for quantity in (
        item.quantity,
        item.statutory_quantity,
        item.second_statutory_quantity,
        item.net_mass,
    ):
        if quantity is not None and quantity.unit == unit:
            return quantity.value
    return None


@dataclass(frozen=True, slots=True)
class LicenceClaim:
    """A licence cited by the declaration and the items drawing on it."""

    number: str
    document: DocumentReference
    licence: Licence | None
    items: tuple[GoodsItem, ...]
    quantity: Decimal  # sum over items measured in the licence unit
    unmeasured: tuple[int, ...]  # items without a quantity in the licence unit

    def balance(self, context: ControlContext) -> Balance:
        """The licence balance before this declaration (fresh when none supplied)."""
        assert self.licence is not None
        fresh = Balance(licence_allowance(self.licence))
        return context.balance(licence_key(self.number), fresh)


@dataclass(frozen=True, slots=True)
class CertificateClaim:
    """An item claiming a preference on a certificate, and the certificate line it draws on."""

    number: str
    document: DocumentReference
    certificate: CertificateOfOrigin | None
    item: GoodsItem
    line: CertificateLine | None


@dataclass(frozen=True, slots=True)
class Draw:
    """An amount the declaration takes from one ledger (reserve these on acceptance)."""

    key: str
    quantity: Decimal
    uses: int
    unit: str | None
    document: str  # the licence or certificate number


def licence_claims(context: ControlContext) -> tuple[LicenceClaim, ...]:
    """Every licence cited, at item or header level, with the items it covers."""
    return context.memo("licence_claims", lambda: _licence_claims(context))


def cites_licence(context: ControlContext) -> bool:
    """Whether the declaration cites any licence (the licence rules' guard: without a claim
    they have nothing to check)."""
    return bool(licence_claims(context))


def cites_no_document(context: ControlContext) -> bool:
    """Whether the declaration cites no document at all, in its header or an item.

    A licence claim and a certificate claim are both a cited document (a header certificate
    serves the items claiming its agreement), so such a declaration claims nothing and draws
    on no ledger: most declarations cite none, and the claims need not be searched for.
    """
    declaration = context.declaration
    return not declaration.documents and not any(item.documents for item in declaration.items)


def _licence_claims(context: ControlContext) -> tuple[LicenceClaim, ...]:
    if cites_no_document(context):
        return ()
    registries = context.registries
    cited: dict[str, DocumentReference] = {}
    items: defaultdict[str, dict[int, GoodsItem]] = defaultdict(dict)
    header = [d for d in context.declaration.documents if _is_licence(context, d)]
    for doc in header:
        cited.setdefault(doc.number, doc)
        licence = registries.licence(doc.number)
        for item in context.declaration.items:
            if licence is not None and licence.covers(item.commodity_code):
                items[doc.number][item.sequence] = item
    for item in context.declaration.items:
        for doc in item.documents:
            if _is_licence(context, doc):
                cited.setdefault(doc.number, doc)
                items[doc.number][item.sequence] = item
    return tuple(_claim(context, number, doc, items[number]) for number, doc in cited.items())


def _claim(
    context: ControlContext, number: str, doc: DocumentReference, items: dict[int, GoodsItem]
) -> LicenceClaim:
    licence = context.registries.licence(number)
    ordered = tuple(items[k] for k in sorted(items))
    total, unmeasured = Decimal(0), []
    for item in ordered:
        quantity = None if licence is None else quantity_in(item, licence.unit)
        if quantity is None:
            unmeasured.append(item.sequence)
        else:
            total += quantity
    return LicenceClaim(number, doc, licence, ordered, total, tuple(unmeasured))


def _is_licence(context: ControlContext, doc: DocumentReference) -> bool:
    return doc.kind is DocumentKind.LICENCE or context.registries.licence(doc.number) is not None


def _is_certificate(context: ControlContext, doc: DocumentReference) -> bool:
    is_kind = doc.kind is DocumentKind.CERTIFICATE_OF_ORIGIN
    return is_kind or context.registries.certificate(doc.number) is not None


def certificate_claims(context: ControlContext) -> tuple[CertificateClaim, ...]:
    """Per item: the certificate it cites, or the header certificate of its claimed agreement."""
    return context.memo("certificate_claims", lambda: _certificate_claims(context))


def cites_certificate(context: ControlContext) -> bool:
    """Whether any item claims a certificate of origin (the guard of the certificate rules
    after COO-001: without a claim they have nothing to check)."""
    return bool(certificate_claims(context))


def _certificate_claims(context: ControlContext) -> tuple[CertificateClaim, ...]:
    if cites_no_document(context):
        return ()
    header = [d for d in context.declaration.documents if _is_certificate(context, d)]
    claims = []
    for item in context.declaration.items:
        own = [d for d in item.documents if _is_certificate(context, d)]
        claim = item_claim(context, item, own)
        # The tariff side's rule (tariffs.preference): a certificate cited on the item is its
        # claim; a header certificate serves only the items claiming its agreement (or naming
        # none, which the certificate controls then check against the registry).
        candidates = own or [
            d for d in header if claim and proof_serves(claim, _agreement(context, d), claim)
        ]
        if not candidates:
            continue
        doc = candidates[0]
        certificate = context.registries.certificate(doc.number)
        line = None if certificate is None else certificate.line_for(item.commodity_code)
        claims.append(CertificateClaim(doc.number, doc, certificate, item, line))
    return tuple(claims)


def item_claim(
    context: ControlContext, item: GoodsItem, own: list[DocumentReference] | None = None
) -> str | None:
    """The agreement ``item`` claims (:func:`tariffs.preference.claimed_agreement`): its
    preference, else the agreement of a certificate it cites itself."""
    if own is None:
        own = [d for d in item.documents if _is_certificate(context, d)]
    return claimed_agreement(item.preference, (_agreement(context, d) for d in own))


def _agreement(context: ControlContext, doc: DocumentReference) -> str | None:
    certificate = context.registries.certificate(doc.number)
    return certificate.agreement if certificate is not None else doc.agreement


def certificate_line_draws(context: ControlContext) -> dict[tuple[str, int], Decimal]:
    """Quantity drawn per (certificate, line), summed over the items that claim it."""
    drawn: defaultdict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for claim in certificate_claims(context):
        if claim.line is not None:
            quantity = quantity_in(claim.item, claim.line.unit)
            drawn[(claim.number, claim.line.line)] += quantity or Decimal(0)
    return dict(drawn)


def declaration_draws(context: ControlContext) -> tuple[Draw, ...]:
    """What to reserve on acceptance: one use plus the quantity per licence, quantity per line.

    Worked out once per context (the claims and the registries decide it, never the
    balances): the pipeline asks before locking the ledgers and again after the controls.
    """
    return context.memo("declaration_draws", lambda: _declaration_draws(context))


def _declaration_draws(context: ControlContext) -> tuple[Draw, ...]:
    if cites_no_document(context):  # no claim: nothing to draw (the claims remembered empty)
        context.memo("licence_claims", tuple)
        context.memo("certificate_claims", tuple)
        return ()
    draws = [
        Draw(licence_key(c.number), c.quantity, 1, c.licence.unit, c.number)
        for c in licence_claims(context)
        if c.licence is not None
    ]
    for (number, line), quantity in certificate_line_draws(context).items():
        if quantity <= 0:
            continue
        certificate = context.registries.certificates[number]
        unit = next(x.unit for x in certificate.lines if x.line == line)
        draws.append(Draw(certificate_line_key(number, line), quantity, 0, unit, number))
    return tuple(draws)
