"""Organisations: the time zone dates are shown in and the builder's deadline is typed in

An IANA name such as America/Chicago (voice/time_zones.py checks it); every existing
organisation gets UTC, which is how their dates read until now. Stored times stay UTC.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 21:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has had DROP COLUMN since 3.35): a batch
# operation would copy `organizations` on SQLite, which its users' foreign keys refuse.


def upgrade() -> None:
    op.add_column(
        "organizations",
        sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC"),
    )


def downgrade() -> None:
    op.drop_column("organizations", "time_zone")
