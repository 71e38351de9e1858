"""Messages: the API key that sent them

A text written by a REST API request (a decision or an invitation) records the API key
in `messages.sent_by_api_key_id`, so the candidate page can say "by API key “Name”" as
the audit trail names the key, not "Screenline (automatic)" or the key's creator. Rows
written before this revision keep the column empty. Downgrading drops the column.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_messages_sent_by_api_key"


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("sent_by_api_key_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            FOREIGN_KEY, "api_keys", ["sent_by_api_key_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch.drop_column("sent_by_api_key_id")
