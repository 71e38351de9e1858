"""Users: after a score key (1-5) on the candidate page, go on to the next answer

A per-user review setting, on for everyone: existing users get the new behaviour, and
can turn it off on their review settings page.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 22:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases, as 0021: a batch operation would copy `users` on
# SQLite, which the foreign keys pointing at it refuse.


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("advance_after_score", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("users", "advance_after_score")
