"""Calls: the consent record (words asked, their language, key pressed, when)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("consent_text", "consent_language", "consent_key", "consent_at")


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("consent_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("consent_language", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("consent_key", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
