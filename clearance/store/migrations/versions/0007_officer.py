"""Officer work: claims, document requests and presented documents, examinations.

Revision ID: 0007
Revises: 0001
Create Date: 2026-12-05

Written by hand to match ``clearance/store/officer_tables.py``. Officer work keeps its own
branch, ``officer``, from the initial schema (its tables refer to ``declarations`` only).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = ("officer",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the officer work tables."""
    op.create_table(
        "officer_claims",
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), primary_key=True),
        sa.Column("declaration_number", sa.String(18), nullable=False, unique=True),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("claimed_at", Stamp, nullable=False),
    )
    op.create_index("ix_officer_claims_officer", "officer_claims", ["officer"])
    op.create_table(
        "document_requests",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", Stamp, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answered_at", Stamp, nullable=True),
    )
    op.create_index("ix_document_requests_declaration_id", "document_requests", ["declaration_id"])
    op.create_table(
        "presented_documents",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("request_id", BigId, sa.ForeignKey("document_requests.id"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("presented_by", sa.String(64), nullable=False),
        sa.Column("presented_at", Stamp, nullable=False),
    )
    op.create_index("ix_presented_documents_request_id", "presented_documents", ["request_id"])
    op.create_table(
        "examinations",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("declaration_id", BigId, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("containers", sa.Text(), nullable=False),
        sa.Column("seals", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("recorded_at", Stamp, nullable=False),
    )
    op.create_index("ix_examinations_declaration_id", "examinations", ["declaration_id"])


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    op.drop_index("ix_examinations_declaration_id", "examinations")
    op.drop_table("examinations")
    op.drop_index("ix_presented_documents_request_id", "presented_documents")
    op.drop_table("presented_documents")
    op.drop_index("ix_document_requests_declaration_id", "document_requests")
    op.drop_table("document_requests")
    op.drop_index("ix_officer_claims_officer", "officer_claims")
    op.drop_table("officer_claims")
