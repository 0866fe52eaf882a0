"""A declaration's customs offices checked against the registry before it is numbered.

The 18-digit number starts with the declaring office, so a declaration naming an office the
registry does not hold (or one closed on the day it is accepted) cannot be numbered: it is
rejected, in the sender's format, with the office code and where the message names it (each
channel flow locates the field it read). The port of entry/exit office (``port_office``) is
a customs office code too and is checked the same way. A declaration naming no declaring
office is numbered for the configured one (``CUSTOMS_OFFICE``), which must be registered too.

The registry is read once per unit of work (:func:`offices_in_unit`); each declaration then
costs two dictionary lookups. An empty registry is refused outright (docs/offices.md): a
store without offices cannot tell a real office from a typing error, and rejecting says how
to fix it (``customs offices load``) instead of numbering declarations for unknown offices.
A cancellation is not checked: it changes nothing about where the declaration was lodged,
and an office closed since must not make its declarations impossible to cancel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from clearance.flow.steps import FlowContext
from clearance.store.office_registry import as_date, offices_in_unit, valid_on
from edi.model import Declaration, DeclarationFunction

#: The header fields holding a customs office code, with what the answer calls them.
OFFICE_FIELDS: Final = (
    ("declaration_office", "declaring office"),
    ("port_office", "port of entry/exit office"),
)

#: What the answer calls the configured office a declaration naming none is numbered for.
_CONFIGURED: Final = "the declaration names no declaring office; the configured office"

EMPTY_REGISTRY: Final = (
    "the customs-offices registry is empty, so no declaration can be numbered: an "
    "administrator loads it with 'customs offices load FILE' or POST /v1/offices"
)


@dataclass(frozen=True, slots=True)
class OfficeRefusal:
    """Why a declaration's office cannot be accepted, and which header field names it
    (None: the declaration names no declaring office, or the registry is empty and it names
    none)."""

    text: str
    field: str | None


def office_refusal(ctx: FlowContext, declaration: Declaration) -> OfficeRefusal | None:
    """Why ``declaration``'s offices are refused on ``ctx``'s acceptance day (None: they
    are in the registry and valid that day)."""
    if declaration.function is DeclarationFunction.CANCELLATION:
        return None
    registry = offices_in_unit(ctx.session)
    if not registry:
        named = next((f for f, _ in OFFICE_FIELDS if getattr(declaration, f) is not None), None)
        return OfficeRefusal(EMPTY_REGISTRY, named)
    day = ctx.accepted_on
    for field, label in OFFICE_FIELDS:
        code: str | None = getattr(declaration, field)
        where: str | None = field
        if code is None:
            if field != "declaration_office":
                continue
            # Numbered for the configured office: it must be a registered one too.
            code, where, label = ctx.settings.office, None, _CONFIGURED
        validity = registry.get(code)
        if validity is None:
            return OfficeRefusal(f"{label} {code} is not in the customs-offices registry", where)
        if not valid_on(validity, day):
            first, last = validity
            last_day = None if last is None else as_date(last)
            return OfficeRefusal(_closed(label, code, day, as_date(first), last_day), where)
    return None


def _closed(label: str, code: str, day: date, first: date, last: date | None) -> str:
    until = "on" if last is None else f"to {last.isoformat()}"
    return (
        f"{label} {code} is not valid on {day.isoformat()} "
        f"(the registry has it from {first.isoformat()} {until})"
    )
