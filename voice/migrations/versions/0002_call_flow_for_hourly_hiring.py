"""Call flow for hourly hiring: languages, retakes, keypad questions, SMS, accommodations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:06:28
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CANDIDATE_STATUSES = "('invited', 'in progress', 'completed', 'abandoned', 'screened out')"
OLD_CANDIDATE_STATUSES = "('invited', 'in progress', 'completed', 'abandoned')"
ANSWER_STATUSES = (
    "('recording', 'announced', 'stored', 'transcribed', 'no audio', 'failed', "
    "'no model', 'keypad')"
)
OLD_ANSWER_STATUSES = "('recording', 'announced', 'stored', 'transcribed', 'no audio', 'failed')"


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("to", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "kind", name="uq_messages_kind"),
    )
    with op.batch_alter_table("messages") as batch_op:
        batch_op.create_index("ix_messages_candidate_id", ["candidate_id"], unique=False)

    with op.batch_alter_table("answers") as batch_op:
        batch_op.add_column(sa.Column("digits", sa.String(length=20), nullable=True))
        batch_op.drop_constraint("ck_answers_status", type_="check")
        batch_op.create_check_constraint("ck_answers_status", f"status IN {ANSWER_STATUSES}")

    with op.batch_alter_table("calls") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("reached_position", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("candidates") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("screened_out_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("extra_time", sa.Float(), nullable=False, server_default="1.0")
        )
        batch_op.add_column(
            sa.Column("slow_speech", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint("ck_candidates_status", type_="check")
        batch_op.create_check_constraint(
            "ck_candidates_status", f"status IN {CANDIDATE_STATUSES}"
        )

    with op.batch_alter_table("interviews") as batch_op:
        batch_op.add_column(sa.Column("job_details", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("languages", sa.JSON(), nullable=False, server_default='["en-US"]')
        )
        batch_op.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("retakes", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("practice", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminders", sa.JSON(), nullable=False, server_default="[]"))

    # An existing interview offers the one language it had.
    conn = op.get_bind()
    for interview_id, language in conn.execute(sa.text("SELECT id, language FROM interviews")):
        conn.execute(
            sa.text("UPDATE interviews SET languages = :languages WHERE id = :id"),
            {"languages": json.dumps([language]), "id": interview_id},
        )

    with op.batch_alter_table("questions") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="voice")
        )
        batch_op.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("min_seconds", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("think_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("retakes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("must_be", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("at_least", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("at_most", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "ck_questions_kind", "kind IN ('voice', 'yes_no', 'number')"
        )


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_constraint("ck_questions_kind", type_="check")
        for column in (
            "at_most", "at_least", "must_be", "retakes", "think_seconds", "min_seconds",
            "translations", "kind",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("interviews") as batch_op:
        for column in (
            "reminders", "deadline", "practice", "retakes", "translations", "languages",
            "job_details",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.drop_constraint("ck_candidates_status", type_="check")
        batch_op.create_check_constraint(
            "ck_candidates_status", f"status IN {OLD_CANDIDATE_STATUSES}"
        )
        for column in ("slow_speech", "extra_time", "language", "screened_out_reason", "email"):
            batch_op.drop_column(column)
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_column("reached_position")
        batch_op.drop_column("language")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_constraint("ck_answers_status", type_="check")
        batch_op.create_check_constraint("ck_answers_status", f"status IN {OLD_ANSWER_STATUSES}")
        batch_op.drop_column("digits")
    op.drop_table("messages")
