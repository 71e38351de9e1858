"""Organisations: the default country for phone numbers written without a country code

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("default_country", sa.String(length=2), nullable=False, server_default="US")
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("default_country")
