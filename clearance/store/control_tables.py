"""Controls: registry loads and changes, ledgers, decisions, rulesets, export-rebate records.

Ledger entries are immutable and stay the record: each head also keeps its running balance
(reserved, consumed and their uses), added to in the same transaction as every entry under the
head's row lock, so a check reads one row instead of summing a history (issue 15); it can always
be recomputed from the entries (:mod:`clearance.ledgers.recompute`). A decision row is written
for every automatic decision and every officer action, with everything needed to recompute it
(``inputs``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base, BigId


class RegistryLoad(Base):
    """One load of registry files: the canonical records kept, versioned by content hash."""

    __tablename__ = "registry_loads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    filenames: Mapped[str] = mapped_column(Text)
    record_count: Mapped[int] = mapped_column(Integer)
    records: Mapped[str] = mapped_column(Text)  # JSON Lines, one canonical record a line
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegistryChange(Base):
    """One change of the registry in force: a file load, or one record registered or revoked.

    The load in force is the one the newest change points at, so a change that brings back
    the content of an earlier load (loads are unique by content hash) makes it current again.
    """

    __tablename__ = "registry_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("registry_loads.id"))
    based_on_load_id: Mapped[int | None] = mapped_column(ForeignKey("registry_loads.id"))
    action: Mapped[str] = mapped_column(String(16))  # load | register | revoke
    kind: Mapped[str | None] = mapped_column(String(16))  # licence | certificate
    number: Mapped[str | None] = mapped_column(String(35))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(64))  # the subject; None before 0006
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LedgerHead(Base):
    """One ledger (a licence, a certificate line or a tariff quota) and what it allows."""

    __tablename__ = "ledger_heads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # licence | certificate | quota
    document: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(8))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    tolerance: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The running balance: the signed sums of the entries, kept by clearance.ledgers.balances
    # (read through it, not from this object: a head kept in the session from an earlier
    # transaction may hold older figures).
    reserved: Mapped[Decimal] = mapped_column(Numeric(20, 4), server_default="0")
    consumed: Mapped[Decimal] = mapped_column(Numeric(20, 4), server_default="0")
    reserved_uses: Mapped[int] = mapped_column(Integer, server_default="0")
    consumed_uses: Mapped[int] = mapped_column(Integer, server_default="0")


class LedgerEntry(Base):
    """An immutable movement: reserve, consume, release or return, for one declaration."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("ledger_heads.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    uses: Mapped[int] = mapped_column(Integer)
    declaration_number: Mapped[str] = mapped_column(String(18))
    declaration_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # A declaration's holding on one head is summed over its own entries: with an index on
    # the number alone SQLite chose the head's index and read the head's whole history.
    __table_args__ = (Index("ix_ledger_entries_declaration_head", "declaration_number", "head_id"),)


class RulesetRow(Base):
    """A risk ruleset version as used by a decision, content kept for replays."""

    __tablename__ = "rulesets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ruleset_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DecisionRow(Base):
    """A lane and decision for one declaration version, automatic or by an officer."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    lane: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(24))
    auto_release: Mapped[bool]
    ruleset_id: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    fired_rules: Mapped[str] = mapped_column(Text)  # JSON list of RULE@version
    inputs_digest: Mapped[str] = mapped_column(String(64))
    findings: Mapped[str] = mapped_column(Text)  # JSON list
    reasons: Mapped[str] = mapped_column(Text)  # JSON list
    inputs: Mapped[str] = mapped_column(Text)  # JSON: what the decision was computed from
    seed: Mapped[str] = mapped_column(String(128))
    as_of: Mapped[date] = mapped_column(Date)
    registry_load_id: Mapped[int | None] = mapped_column(ForeignKey("registry_loads.id"))
    decided_by: Mapped[str] = mapped_column(String(64))  # "auto" or the officer id
    note: Mapped[str | None] = mapped_column(Text)  # the officer's reason
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: Statuses of a rebate record (docs/rebates.md). They live beside the table because readers
#: outside the controls package (the exit confirmation behind invalidation after release)
#: need them too, and importing :mod:`clearance.decisions` from there would be circular.
REBATE_AWAITING = "awaiting_exit_confirmation"
REBATE_CONFIRMED = "confirmed"
REBATE_TRANSMITTED = "transmitted"
REBATE_INVALIDATED = "invalidated"  # the declaration was invalidated after release: never sent
#: The tax authority's acknowledgement of a transmitted record (docs/rebates.md). A rejected
#: record keeps its batch and reason; correcting and resending it (back to ``confirmed``, then
#: a new batch) is for the statistics and exchanges issue.
REBATE_ACCEPTED = "accepted"
REBATE_REJECTED = "rejected"


class RebateRecord(Base):
    """The export-rebate record of one released export item."""

    __tablename__ = "rebate_records"
    __table_args__ = (UniqueConstraint("declaration_id", "item_sequence"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"))
    declaration_number: Mapped[str] = mapped_column(String(18))
    item_sequence: Mapped[int] = mapped_column(Integer)
    commodity_code: Mapped[str] = mapped_column(String(10))
    export_date: Mapped[date] = mapped_column(Date, index=True)
    rebate_rate: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    fob_cny: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    base: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    estimated_amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    status: Mapped[str] = mapped_column(String(32), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_batches.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # What the tax authority matches a record on besides the declaration (0029): the item's
    # quantity in its first statutory unit (the declared unit when it has none), the
    # exporter's USCC, and the day its exit was confirmed (local date; None until then).
    # None in rows made before 0029 that nothing could be derived for (docs/rebates.md).
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    unit: Mapped[str | None] = mapped_column(String(8))
    exporter_uscc: Mapped[str | None] = mapped_column(String(18))
    exit_date: Mapped[date | None] = mapped_column(Date)
    # The tax authority's answer (accepted | rejected), with its reason, once acknowledged.
    reason_code: Mapped[str | None] = mapped_column(String(16))
    reason_text: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RebateBatch(Base):
    """One batch sent to the tax authority: its files as sent, its control record, its answer.

    Batches exported before the files were kept (schema 0006) have no content here.
    """

    __tablename__ = "rebate_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    record_count: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fob_total: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    csv_sha256: Mapped[str | None] = mapped_column(String(64))
    csv_content: Mapped[str | None] = mapped_column(Text)
    xml_content: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_count: Mapped[int | None] = mapped_column(Integer)
    rejected_count: Mapped[int | None] = mapped_column(Integer)


class RebateAcknowledgement(Base):
    """An acknowledgement file from the tax authority that changed something, as received."""

    __tablename__ = "rebate_acknowledgements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("rebate_batches.id"), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    rows: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)  # records it moved to accepted
    rejected: Mapped[int] = mapped_column(Integer)  # records it moved to rejected
    actor: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
