"""Tenancy and permissions, in one place: what each actor may call and which rows it sees.

Every read of trader data in the application layer goes through a filter from here, and every
use case starts with :func:`require`. Another tenant's object is indistinguishable from an
unknown one (:class:`~clearance.app.errors.NotFoundError`), and lists never contain it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from clearance.app.actor import OFFICE_ROLES, Actor, Role
from clearance.app.errors import NotFoundError, NotPermittedError
from clearance.store.fx_tables import FxObjection
from clearance.store.statistics_request_tables import StatConfidentialityRequest
from clearance.store.statistics_tables import StatFact
from clearance.store.tables import (
    Declaration,
    DeclarationVersion,
    Event,
    InboundMessage,
    OutboundMessage,
)
from rules.registry import CertificateOfOrigin, Licence


class Permission(StrEnum):
    """The use-case families a role may call."""

    SUBMIT = "submit"  # send interchanges, amend, invalidate
    RETRY = "retry"  # process a failed or stuck message again (scoped: the senders one sees)
    READ = "read"  # list and show declarations, messages, events (scoped)
    OFFICER = "officer"  # queue, claim, decide, request documents, examinations
    REGISTRIES = "registries"  # load registries, register licences and certificates
    TARIFFS = "tariffs"  # load tariff schedules
    QUOTE = "quote"  # tariff lookups and quotes (no declaration involved)
    REBATES = "rebates"  # rebate batches, their acknowledgements and corrections
    EXIT = "exit"  # confirm the exit of a released export's goods (出境确认), which clears it
    ANALYSE = "analyse"  # reassess a decision, replay a candidate ruleset
    IDENTITY = "identity"  # subjects, API keys, mandates (issue 12)
    FX = "fx"  # FX monitoring: bank feeds, indicators, classification, the goods feed
    SUPERVISE = "supervise"  # reassign officers' claims, act on a declaration another holds
    STATISTICS = "statistics"  # protected statistical tables
    STATISTICS_UNPROTECTED = "statistics_unprotected"  # clearance: tables before protection
    STATISTICS_MANAGE = "statistics_manage"  # refresh, publish, generate synthetic facts
    METRICS = "metrics"  # scrape the process's metrics (counts and times, no tenant data)
    HOUSEKEEPING = "housekeeping"  # scheduled sweeps: expiry, quotas, retention, batches
    REFERENCE = "reference"  # public reference data (the customs-offices registry): every role


_EVERYTHING = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: _EVERYTHING,
    Role.ADMIN: frozenset(
        {Permission.READ, Permission.REGISTRIES, Permission.TARIFFS, Permission.QUOTE}
    ),
    Role.TRADER: frozenset(
        {Permission.SUBMIT, Permission.RETRY, Permission.READ, Permission.QUOTE}
    ),
    Role.BROKER: frozenset(
        {Permission.SUBMIT, Permission.RETRY, Permission.READ, Permission.QUOTE}
    ),
    # An officer confirms the exit of the goods of its offices' exports (the declaration's
    # office scopes it, as for every officer action); the rebate batches stay the operator's.
    Role.OFFICER: frozenset(
        {
            Permission.READ,
            Permission.OFFICER,
            Permission.QUOTE,
            Permission.ANALYSE,
            Permission.EXIT,
        }
    ),
    Role.AGENCY: frozenset({Permission.REGISTRIES}),
    Role.STATISTICIAN: frozenset({Permission.QUOTE}),
}
# Issue 12: the admin manages subjects, keys and mandates (the operator has every permission).
ROLE_PERMISSIONS[Role.ADMIN] = ROLE_PERMISSIONS[Role.ADMIN] | {Permission.IDENTITY}
# The administrators' monitoring scrapes /metrics with an admin's API key.
ROLE_PERMISSIONS[Role.ADMIN] = ROLE_PERMISSIONS[Role.ADMIN] | {Permission.METRICS}
# Issue 15: the admin is the service's operator over HTTP and in the console: it sees the dead
# letters and stuck messages of every sender and has them processed again (it files nothing).
ROLE_PERMISSIONS[Role.ADMIN] = ROLE_PERMISSIONS[Role.ADMIN] | {Permission.RETRY}

# FX monitoring (issue 14): the FX authority runs it; officers read classes as risk information.
ROLE_PERMISSIONS[Role.FX_AUTHORITY] = frozenset({Permission.FX})
# A supervisor is an officer of its offices who may also reassign and override claims.
ROLE_PERMISSIONS[Role.SUPERVISOR] = ROLE_PERMISSIONS[Role.OFFICER] | {Permission.SUPERVISE}
# Public reference data (issue 12: the customs offices) is read by every authenticated subject;
# a permission all the same, so that reading it goes through ``require`` like every use case.
for _role in Role:
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.REFERENCE}


def require(actor: Actor, permission: Permission) -> None:
    """Refuse (``NotPermittedError``) when ``actor``'s role may not call this kind of use case,
    or when the credential it came with is scoped and ``permission`` is not among its scopes."""
    if permission not in ROLE_PERMISSIONS[actor.role]:
        raise NotPermittedError(f"{_a(actor)} may not {permission.value}")
    _require_scope(actor, permission)


def within_scopes(actor: Actor, permission: Permission) -> bool:
    """Whether the credential ``actor`` came with allows ``permission`` (an unscoped one
    allows whatever the role and grants do)."""
    return actor.scopes is None or permission.value in actor.scopes


def _require_scope(actor: Actor, permission: Permission) -> None:
    """The one scope check: every :func:`require` and :func:`require_granted` ends here."""
    if within_scopes(actor, permission):
        return
    held = ", ".join(sorted(actor.scopes or ())) or "none"
    raise NotPermittedError(
        f"this credential lacks the scope {permission.value!r} (its scopes: {held})"
    )


def parse_scopes(names: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The known permission names among ``names`` and the unknown ones, apart."""
    known = {p.value for p in Permission}
    given = set(names)
    return frozenset(given & known), frozenset(given - known)


def scopes_text(scopes: Iterable[str]) -> str:
    """Scopes as stored and as a token's ``scope`` claim: space-separated, in the order of
    :class:`Permission` (so the same set is always the same text)."""
    given = set(scopes)
    return " ".join(p.value for p in Permission if p.value in given)


def effective_permissions(actor: Actor) -> frozenset[Permission]:
    """What ``actor`` may do in this call: its role's permissions and grants, within its
    credential's scopes."""
    held = ROLE_PERMISSIONS[actor.role] | {p for p in Permission if p.value in actor.grants}
    return frozenset(p for p in held if within_scopes(actor, p))


def _a(actor: Actor) -> str:
    """The actor's role in a refusal's sentence: "a trader", "an officer"."""
    role = actor.role.value.replace("_", " ")
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}"


def require_sender(actor: Actor, sender: str) -> None:
    """Refuse (``NotPermittedError``) filing a message under ``sender`` unless ``actor`` is it.

    The operator may file under any sender; a trader or broker only under a party id it acts
    as (its own, or a mandating trader's).
    """
    if actor.sees_everything or sender in actor.party_ids:
        return
    raise NotPermittedError(f"{_a(actor)} may not file messages as sender {sender}")


def sender_for(actor: Actor, row: Declaration) -> str:
    """Who a change of ``row`` is sent as: the declaration's own sender for the operator (and
    for a party acting as it); its other identifier for a party acting only as that (a firm's
    customs code beside the USCC it is filed under); otherwise the actor's only party id.
    Registration then refuses a change from anyone but the declaration's sender."""
    if actor.sees_everything or row.sender in actor.party_ids or len(actor.party_ids) != 1:
        return row.sender
    if row.sender_alias is not None and row.sender_alias in actor.party_ids:
        return row.sender_alias
    (party,) = actor.party_ids
    return party


def declarations_visible(actor: Actor) -> ColumnElement[bool]:
    """The declarations ``actor`` may see: by sender or trader party, or by office for an
    officer. A trader sees the declarations made for it (``trader_id``) also when a broker
    sent them; a broker sees those of the traders that mandated it."""
    if actor.sees_everything:
        return true()
    if actor.role in (Role.TRADER, Role.BROKER):
        if not actor.party_ids:
            return false()
        parties = sorted(actor.party_ids)
        # A sender known by two ids (a DecMessage declarant's USCC and customs code) is the
        # same party under either: a subject acting as its other id sees its declarations.
        return or_(
            Declaration.sender.in_(parties),
            Declaration.sender_alias.in_(parties),
            Declaration.trader_id.in_(parties),
        )
    if actor.role in OFFICE_ROLES:
        return Declaration.office.in_(sorted(actor.offices)) if actor.offices else false()
    return false()


def messages_visible(actor: Actor) -> ColumnElement[bool]:
    """The inbound messages ``actor`` may see: its own senders' (filed under one of its party
    ids, or under a party's canonical id with one of its ids as the alias: a DecMessage
    declarant's USCC and customs code) and those it submitted itself (also when refused for
    their sender); everything for the operator."""
    if actor.sees_everything:
        return true()
    if actor.role in (Role.TRADER, Role.BROKER):
        own = InboundMessage.submitted_by == actor.subject
        if actor.party_ids:
            parties = sorted(actor.party_ids)
            senders = or_(
                InboundMessage.sender.in_(parties), InboundMessage.sender_alias.in_(parties)
            )
            return or_(senders, own)
        return own
    return false()


def events_visible(actor: Actor) -> ColumnElement[bool]:
    """Events about a visible declaration or a visible inbound message."""
    if actor.sees_everything:
        return true()
    numbers = select(Declaration.number).where(declarations_visible(actor))
    messages = select(InboundMessage.id).where(messages_visible(actor))
    return or_(Event.declaration_number.in_(numbers), Event.inbound_message_id.in_(messages))


def visible_declaration(
    session: Session, actor: Actor, number: str, *, for_update: bool = False
) -> Declaration:
    """Declaration ``number`` if ``actor`` may see it, else ``NotFoundError`` (never a hint why)."""
    query = select(Declaration).where(Declaration.number == number, declarations_visible(actor))
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError(f"no declaration {number}")
    return row


def registry_document_visible(actor: Actor, record: Licence | CertificateOfOrigin) -> bool:
    """Whether ``actor`` may see, register or revoke this licence or certificate.

    Issue 12 will scope an agency to the documents it issues: a licence names its issuing
    agency in ``issuer``, and an agency sees the licences whose issuer is one of its party ids.
    A certificate names only its issuing country, not an agency, so an agency sees none until
    the record has an issuer too (closed, not open, by default).
    """
    if actor.sees_everything:
        return True
    if actor.role is Role.AGENCY and isinstance(record, Licence):
        return record.issuer is not None and record.issuer in actor.party_ids
    return False


def visible_registry_document(
    actor: Actor, record: Licence | CertificateOfOrigin
) -> Licence | CertificateOfOrigin:
    """``record`` if ``actor`` may see it, else ``NotFoundError`` (as for an unknown number)."""
    if not registry_document_visible(actor, record):
        raise NotFoundError(f"no {record.record} {record.number} in the registry in force")
    return record


def require_registry_write(
    actor: Actor,
    record: Licence | CertificateOfOrigin,
    existing: Licence | CertificateOfOrigin | None,
) -> None:
    """Refuse registering ``record`` unless ``actor`` may see it and the record it replaces.

    The refusal is the same whether the record is another issuer's or names one: it says
    nothing about a document the actor may not see.
    """
    if registry_document_visible(actor, record) and (
        existing is None or registry_document_visible(actor, existing)
    ):
        return
    raise NotPermittedError(
        f"{_a(actor)} may register only {record.record}s it issues, and replace only those"
    )


def visible_message(session: Session, actor: Actor, message_id: int) -> InboundMessage:
    """Inbound message ``message_id`` if ``actor`` may see it, else ``NotFoundError``."""
    return _message_where(session, message_id, messages_visible(actor))


def _message_where(
    session: Session, message_id: int, visible: ColumnElement[bool]
) -> InboundMessage:
    """Inbound message ``message_id`` if ``visible`` holds for it; else ``NotFoundError``, as
    for an unknown id."""
    row = session.scalars(
        select(InboundMessage).where(InboundMessage.id == message_id, visible)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"no message {message_id}")
    return row


def fx_trader_visible(actor: Actor, trader: str) -> bool:
    """Whether ``actor`` may see trader ``trader``'s FX class and indicators.

    The operator and the FX authority see every trader; an officer too (risk information on
    the declaration page); a trader or broker only the party ids it acts as.
    """
    if actor.sees_everything or actor.role is Role.FX_AUTHORITY or actor.role in OFFICE_ROLES:
        return True
    return actor.role in (Role.TRADER, Role.BROKER) and trader in actor.party_ids


def visible_fx_trader(actor: Actor, trader: str) -> str:
    """``trader`` if ``actor`` may see its FX class, else ``NotFoundError`` (as for an unknown)."""
    if not fx_trader_visible(actor, trader):
        raise NotFoundError(f"no FX monitoring record for trader {trader}")
    return trader


def require_fx_objector(actor: Actor, trader: str) -> str:
    """``trader`` if ``actor`` may object to its FX class, else refuse.

    The trader itself files (a trader subject acting as that party id); the local operator may
    file on its behalf. A broker may not: its mandate is for customs formalities, and an
    objection to the FX authority is the firm's own (as a confidentiality request is). Another
    trader is ``NotFoundError``, as an unknown one; any other role ``NotPermittedError``.
    """
    if actor.role is Role.OPERATOR:
        return trader
    if actor.role is not Role.TRADER:
        raise NotPermittedError(f"{_a(actor)} may not object to an FX class; the trader does")
    return visible_fx_trader(actor, trader)


def fx_objections_visible(actor: Actor) -> ColumnElement[bool]:
    """The FX objections ``actor`` may see: every one for the operator and the FX authority;
    a trader's or broker's own (the party ids it acts as, as it sees their class); any other
    role is refused (``NotPermittedError``): an objection is between the firm and the authority.
    """
    if actor.role is Role.OPERATOR or actor.role is Role.FX_AUTHORITY:
        return true()
    if actor.role in (Role.TRADER, Role.BROKER):
        if not actor.party_ids:
            return false()
        return FxObjection.trader.in_(sorted(actor.party_ids))
    raise NotPermittedError(f"{_a(actor)} may not see FX objections")


def may_supervise(actor: Actor) -> bool:
    """Whether ``actor`` may reassign claims and act on a declaration another officer holds
    (by its role, within its credential's scopes)."""
    return Permission.SUPERVISE in ROLE_PERMISSIONS[actor.role] and within_scopes(
        actor, Permission.SUPERVISE
    )


# --- the console's downloads (issue 13): raw messages and answers -------------------------


def raw_messages_visible(actor: Actor) -> ColumnElement[bool]:
    """Inbound messages whose raw bytes ``actor`` may download.

    A raw interchange belongs to its sender: a trader or broker downloads only the messages
    of the senders it acts as (its own party ids and its mandating traders', as
    :func:`messages_visible`), never one that merely names it (as consignee, say) in a
    declaration it carries, since the file may carry other traders' declarations too. An
    officer downloads an interchange only when at least one declaration it carried (as an
    original, amendment or cancellation) is of the officer's offices; an interchange of other
    offices' declarations only is unknown to it.
    """
    if actor.sees_everything:
        return true()
    if actor.role in (Role.TRADER, Role.BROKER):
        return messages_visible(actor)
    if actor.role in OFFICE_ROLES:
        if not actor.offices:
            return false()
        offices = sorted(actor.offices)
        originals = select(Declaration.inbound_message_id).where(Declaration.office.in_(offices))
        versions = (
            select(DeclarationVersion.inbound_message_id)
            .join(Declaration, Declaration.id == DeclarationVersion.declaration_id)
            .where(Declaration.office.in_(offices))
        )
        return or_(InboundMessage.id.in_(originals), InboundMessage.id.in_(versions))
    return false()


def visible_raw_message(session: Session, actor: Actor, message_id: int) -> InboundMessage:
    """Inbound message ``message_id`` if ``actor`` may download its raw bytes
    (:func:`raw_messages_visible`), else ``NotFoundError``: the one rule for every route that
    hands out an interchange as received (the API's ``/v1/submissions/{id}/raw`` and its
    answers, the console's message downloads)."""
    return _message_where(session, message_id, raw_messages_visible(actor))


def answers_visible(actor: Actor) -> ColumnElement[bool]:
    """Outbound answers ``actor`` may download (and read in a declaration's view).

    An answer belongs to the sender of the message it answers (and the brokers acting as
    it): a trader or broker reads the answers to its own messages, the carrier its X12 350s
    about someone's declaration included. A trader for whom another sender filed a
    declaration (its consignee, say) also reads the answers about that declaration in that
    sender's conversation (its CUSRES), never an answer to the whole interchange (a CONTRL, a
    997), which speaks of the other declarations it carried, nor the carrier's 350 about it.
    An officer reads the answers about a declaration of its offices, and the interchange-level
    ones to a message it may download (:func:`raw_messages_visible`).
    """
    if actor.sees_everything:
        return true()
    if actor.role in OFFICE_ROLES:
        messages = select(InboundMessage.id).where(raw_messages_visible(actor))
        numbers = select(Declaration.id).where(declarations_visible(actor))
        return or_(
            OutboundMessage.declaration_id.in_(numbers),
            and_(
                OutboundMessage.declaration_id.is_(None),
                OutboundMessage.inbound_message_id.in_(messages),
            ),
        )
    if actor.role not in (Role.TRADER, Role.BROKER):
        return false()
    # Correlated, by primary key: an answer's own message is one row to look at, not every
    # message of the actor's senders (inbound_messages.sender has no index).
    own = (
        select(InboundMessage.id)
        .where(InboundMessage.id == OutboundMessage.inbound_message_id, messages_visible(actor))
        .correlate(OutboundMessage)
        .exists()
    )
    # The answer's recipient is the sender of the message it answers: the declaration's own
    # sender for its CUSRES, the carrier for a 350 (read without the inbound message, which
    # row-level security hides from a trader who is not its sender).
    in_its_conversation = (
        select(Declaration.id)
        .where(
            Declaration.id == OutboundMessage.declaration_id,
            Declaration.sender == OutboundMessage.recipient,
            declarations_visible(actor),
        )
        .correlate(OutboundMessage)
        .exists()
    )
    return or_(own, in_its_conversation)


def answers_about_visible(actor: Actor, declaration: Declaration) -> ColumnElement[bool]:
    """Of the answers about ``declaration``, which ``actor`` may see, those it may read: as
    :func:`answers_visible` has it, worked out from the row in hand (no subquery, for the
    declaration's page and ``GET /v1/declarations/{number}``). An officer of its office reads
    them all; a trader or broker those in the declaration's own conversation (addressed to its
    sender) and those addressed to itself, not the carrier's 350 about it."""
    if actor.sees_everything or actor.role in OFFICE_ROLES:
        return true()
    return OutboundMessage.recipient.in_(sorted({declaration.sender, *actor.party_ids}))


def registry_document_held(actor: Actor, record: Licence | CertificateOfOrigin) -> bool:
    """Whether ``record`` is ``actor``'s own: a licence it holds or a certificate of origin for
    its imports (by the USCC the record names), for the portal's list of its documents."""
    if actor.sees_everything:
        return True
    if actor.role not in (Role.TRADER, Role.BROKER):
        return False
    holder = record.holder_uscc if isinstance(record, Licence) else record.importer_uscc
    return holder is not None and holder in actor.party_ids


# --- statistics (issue 14) ------------------------------------------------------------------
ROLE_PERMISSIONS[Role.STATISTICIAN] = ROLE_PERMISSIONS[Role.STATISTICIAN] | {Permission.STATISTICS}


def granted(actor: Actor, permission: Permission) -> bool:
    """Whether ``actor`` holds ``permission`` by its role or by a grant of its own, within its
    credential's scopes."""
    held = permission in ROLE_PERMISSIONS[actor.role] or permission.value in actor.grants
    return held and within_scopes(actor, permission)


def require_granted(actor: Actor, permission: Permission) -> None:
    """Refuse (``NotPermittedError``) unless ``actor`` holds ``permission`` (role or grant)
    and its credential's scopes include it."""
    if not (permission in ROLE_PERMISSIONS[actor.role] or permission.value in actor.grants):
        raise NotPermittedError(f"{_a(actor)} may not {permission.value}")
    _require_scope(actor, permission)


def stat_facts_visible(actor: Actor) -> ColumnElement[bool]:
    """The statistical records ``actor`` may see one by one: a trader's (or its mandates')
    own; everything for the operator; none for anyone else (statisticians see aggregates)."""
    if actor.sees_everything and actor.role is Role.OPERATOR:
        return true()
    if actor.role in (Role.TRADER, Role.BROKER) and actor.party_ids:
        return StatFact.trader.in_(sorted(actor.party_ids))
    return false()


# --- webhooks (issues 12 and 15) ------------------------------------------------------------


def webhook_endpoints_visible(actor: Actor) -> ColumnElement[bool]:
    """The webhook endpoints ``actor`` may see and manage: its own; every one for the local
    operator (who holds the store). An admin is not the owner of a trader's endpoints: they
    carry the trader's choice of URL and nothing an admin needs."""
    from clearance.store.webhook_tables import WebhookEndpoint

    if actor.role is Role.OPERATOR:
        return true()
    return WebhookEndpoint.owner_subject == actor.subject


def may_file_confidentiality(actor: Actor, party: str) -> bool:
    """Whether ``actor`` may ask for ``party``'s statistics to be confidential: a trader for
    its own party only (not a broker for its principals); a statistics manager for anyone."""
    if granted(actor, Permission.STATISTICS_MANAGE):
        return True
    return actor.role is Role.TRADER and party in actor.party_ids


def confidentiality_requests_visible(actor: Actor) -> ColumnElement[bool]:
    """The confidentiality requests ``actor`` may see: a statistics manager every one, a trader
    those of its own party, anyone else none."""
    if granted(actor, Permission.STATISTICS_MANAGE):
        return true()
    if actor.role is Role.TRADER and actor.party_ids:
        return StatConfidentialityRequest.party.in_(sorted(actor.party_ids))
    return false()
