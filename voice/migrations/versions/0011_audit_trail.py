"""The audit trail: audit_events, one hash chain per organisation (voice/audit.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=True
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("actor_data", sa.JSON(), nullable=True),
        sa.Column("actor_digest", sa.String(length=64), nullable=False),
        sa.Column("subject_data", sa.JSON(), nullable=True),
        sa.Column("subject_digest", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("scrubbed_at", sa.DateTime(timezone=True), nullable=True),
    )
    has_org = sa.text("organization_id IS NOT NULL")
    no_org = sa.text("organization_id IS NULL")
    op.create_index(
        "uq_audit_events_seq",
        "audit_events",
        ["organization_id", "seq"],
        unique=True,
        postgresql_where=has_org,
        sqlite_where=has_org,
    )
    op.create_index(
        "uq_audit_events_seq_no_org",
        "audit_events",
        ["seq"],
        unique=True,
        postgresql_where=no_org,
        sqlite_where=no_org,
    )
    op.create_index("ix_audit_events_created", "audit_events", ["organization_id", "created_at"])
    op.create_index("ix_audit_events_candidate_id", "audit_events", ["candidate_id"])


def downgrade() -> None:
    op.drop_table("audit_events")
