"""Candidates: an index on the interview page's order, for keyset pagination

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# voice.models.EARLIEST_SQL, written out: a migration keeps the value it was written with.
EARLIEST = "'1900-01-01 00:00:00+00:00'"


def upgrade() -> None:
    op.create_index(
        "ix_candidates_listing",
        "candidates",
        [
            "interview_id",
            sa.text(f"coalesce(completed_at, {EARLIEST}) DESC"),
            sa.text(f"coalesce(started_at, {EARLIEST}) DESC"),
            sa.text("created_at DESC"),
            sa.text("id DESC"),
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_candidates_listing", table_name="candidates")
