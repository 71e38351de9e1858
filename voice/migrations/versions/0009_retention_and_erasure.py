"""Retention, legal hold and erasure: an organisation's default retention, legal holds on
interviews and candidates, a candidate's erasure state (pending with what is still owed,
then done, and why), and the answer status `erased`

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ANSWER_STATUSES = (
    "('recording', 'announced', 'stored', 'transcribed', 'no audio', 'failed', "
    "'no model', 'keypad', 'erased')"
)
OLD_ANSWER_STATUSES = (
    "('recording', 'announced', 'stored', 'transcribed', 'no audio', 'failed', "
    "'no model', 'keypad')"
)
CANDIDATE_COLUMNS = (
    "legal_hold",
    "erasure_requested_at",
    "erasure_reason",
    "erasure_owed",
    "erasure_error",
    "erased_at",
)


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("erasure_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("erasure_reason", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("erasure_owed", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("erasure_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_candidates_erasure_requested_at", ["erasure_requested_at"])
    with op.batch_alter_table("answers") as batch:
        batch.drop_constraint("ck_answers_status", type_="check")
        batch.create_check_constraint("ck_answers_status", f"status IN {ANSWER_STATUSES}")


def downgrade() -> None:
    op.execute("UPDATE answers SET status = 'no audio' WHERE status = 'erased'")
    with op.batch_alter_table("answers") as batch:
        batch.drop_constraint("ck_answers_status", type_="check")
        batch.create_check_constraint("ck_answers_status", f"status IN {OLD_ANSWER_STATUSES}")
    with op.batch_alter_table("candidates") as batch:
        batch.drop_index("ix_candidates_erasure_requested_at")
        for column in reversed(CANDIDATE_COLUMNS):
            batch.drop_column(column)
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("legal_hold")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("retention_days")
