"""Call progress on the call's row: prompt, misses, empty answers, steps, last request and reply

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:00:00

The IVR kept these counters in URL query strings, which a branch of the call flow or a
retried webhook reset; on the row they survive both (issue 7, "no caller is ever stuck").
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch_op:
        batch_op.add_column(
            sa.Column("prompt", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("misses", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("empty_answers", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("steps", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("request_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_reply", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch_op:
        for column in ("last_reply", "request_token", "steps", "empty_answers", "misses", "prompt"):
            batch_op.drop_column(column)
