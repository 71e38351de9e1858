"""Decisions: the API key that made them

A decision made by a REST API request records the API key in
`decisions.decided_by_api_key_id`, so the candidate page's decision history and the
candidate's own copy say "API key “Name”", as the audit trail names it, rather than the
key's creator (`decided_by_id` keeps the creator, for whom the key acts). Rows written
before this revision keep the column empty. Downgrading drops the column.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_decisions_decided_by_api_key"


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("decided_by_api_key_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            FOREIGN_KEY, "api_keys", ["decided_by_api_key_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch.drop_column("decided_by_api_key_id")
