"""Audit events: indexes for the audit page filtered by action or by person, in chain order

The page reads a page at a time by keyset on `seq` (dashboard/audit.py). Unfiltered,
uq_audit_events_seq (organisation, seq) serves it; filtered by action or person, a page
had to scan the organisation's chain for matching entries (EXPLAIN ANALYZE, a rare
action's first page among 200,000 entries: 321 ms). These two indexes end each filter
with `seq`, so a filtered page is also read straight from its cursor (0.15 ms).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 12:30:00
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_action", "audit_events", ["organization_id", "action", "seq"])
    op.create_index(
        "ix_audit_events_actor",
        "audit_events",
        ["organization_id", "actor_kind", "actor_id", "seq"],
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_actor", table_name="audit_events")
    op.drop_index("ix_audit_events_action", table_name="audit_events")
