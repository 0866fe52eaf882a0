"""Canonical value types: what pydantic refuses by itself, and identifier checks (cached)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from edi.model import Amount, IdentifierScheme, PartyIdentifier, Quantity
from edi.model.parties import check_identifier


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_amounts_and_quantities_must_be_finite(raw: str) -> None:
    with pytest.raises(ValidationError, match="finite"):
        Amount(value=Decimal(raw), currency="USD")
    with pytest.raises(ValidationError, match="finite"):
        Quantity(value=Decimal(raw), unit="KGM")


def test_a_quantity_cannot_be_negative_but_an_amount_can() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Quantity(value=Decimal("-1"), unit="KGM")
    assert Amount(value=Decimal("-1.50"), currency="USD").value == Decimal("-1.50")


def test_an_invalid_uscc_is_refused_every_time_it_comes_back() -> None:
    # The verdict is cached; a cached refusal must still refuse.
    for _ in range(2):
        with pytest.raises(ValueError, match="invalid USCC"):
            check_identifier(IdentifierScheme.USCC, "91310115MA1K4D3X7M")
        with pytest.raises(ValidationError, match="invalid USCC"):
            PartyIdentifier(scheme=IdentifierScheme.USCC, value="91310115MA1K4D3X7M")


def test_a_valid_uscc_passes_every_time() -> None:
    for _ in range(2):
        check_identifier(IdentifierScheme.USCC, "91310115MA1K4D3X7L")
    identifier = PartyIdentifier(scheme=IdentifierScheme.USCC, value="91310115MA1K4D3X7L")
    assert identifier.value == "91310115MA1K4D3X7L"


def test_gb_eori_shape_and_vat_check_digits_are_checked() -> None:
    check_identifier(IdentifierScheme.EORI, "GB553202734852")
    with pytest.raises(ValueError, match="12 or 15 digits"):
        check_identifier(IdentifierScheme.EORI, "GB55320273485")
    with pytest.raises(ValueError, match="fails its check"):
        check_identifier(IdentifierScheme.EORI, "GB123456789000123")
