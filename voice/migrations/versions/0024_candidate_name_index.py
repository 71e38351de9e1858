"""Candidates: an index on the interview page's name order, for keyset pagination

The interview page sorts by name (A-Z, ignoring case; on PostgreSQL in ICU's root
collation, so "Álvarez" sorts among the A's) as well as by latest activity;
voice/candidate_order.py reads a page of that order straight from this index.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The expression of voice.candidate_order.NameKey: on PostgreSQL lower-cased names in
    # ICU's root collation (accented letters with their base letter), elsewhere lower().
    if op.get_bind().dialect.name == "postgresql":
        key = sa.text('(lower(name) COLLATE "und-x-icu")')
    else:
        key = sa.text("lower(name)")
    op.create_index("ix_candidates_name", "candidates", ["interview_id", key, "id"])


def downgrade() -> None:
    op.drop_index("ix_candidates_name", table_name="candidates")
