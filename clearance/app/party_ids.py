"""Party ids of subjects and mandates: a USCC, an EORI or a customs code, checked on entry.

The checks are the canonical model's (:func:`edi.model.parties.check_identifier`, python-stdnum
for the USCC and GB VAT numbers), so a subject's party id is valid exactly when the same id
in a declaration is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clearance.app.errors import RefusedError
from edi.model.parties import IdentifierScheme, check_identifier

#: Schemes a subject may be identified by (``other`` is not: it is never checked).
SCHEMES = (IdentifierScheme.USCC, IdentifierScheme.EORI, IdentifierScheme.CUSTOMS_CODE)
#: An interchange sender id agreed with a partner (UNB 0004, ISA06) that is none of the
#: schemes above, e.g. ``BROKER01``: given only as ``edi:ID``, never guessed.
EDI_SCHEME = "edi"
_EDI_ID = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,34}$")


@dataclass(frozen=True, slots=True)
class PartyId:
    """A checked party id with its scheme."""

    scheme: str
    value: str


def parse_party_id(text: str) -> PartyId:
    """``scheme:value`` or a bare value (the scheme guessed from its shape), checked.

    Raises :class:`RefusedError` naming the value and what is wrong with it.
    """
    text = text.strip()
    head, sep, tail = text.partition(":")
    if sep and head.lower() == EDI_SCHEME:
        value = tail.strip().upper()
        if not _EDI_ID.match(value):
            raise RefusedError(
                f"party id {text!r}: an interchange sender id has 1-35 letters, digits, "
                "'.', '_', '/' or '-'"
            )
        return PartyId(EDI_SCHEME, value)
    if sep:
        try:
            scheme = IdentifierScheme(head.lower())
        except ValueError:
            scheme = None
        if scheme not in SCHEMES:
            names = ", ".join([*(s.value for s in SCHEMES), EDI_SCHEME])
            raise RefusedError(f"party id {text!r}: unknown scheme {head!r} (one of {names})")
        assert scheme is not None
        return _checked(scheme, tail.strip().upper())
    value = text.upper()
    return _checked(_guess(value), value)


def _guess(value: str) -> IdentifierScheme:
    # A USCC has 18 characters; a customs code 10; anything else starting with a country
    # code is taken for an EORI (and checked as one).
    if len(value) == 18 and not value[:2].isalpha():
        return IdentifierScheme.USCC
    if len(value) == 10 and not value[:2].isalpha():
        return IdentifierScheme.CUSTOMS_CODE
    return IdentifierScheme.EORI


def _checked(scheme: IdentifierScheme, value: str) -> PartyId:
    try:
        check_identifier(scheme, value)
    except ValueError as exc:
        raise RefusedError(f"party id: {exc}") from None
    return PartyId(scheme.value, value)
