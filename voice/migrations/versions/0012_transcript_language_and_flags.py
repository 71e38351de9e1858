"""Answers: the language each transcript is in, the language whisper heard and how sure
it was, and the flags that mark a transcript as possibly unreliable (issue 11)

Per-segment measures (mean log-probability, no-speech probability, compression ratio)
live in the existing JSON `segments` column, beside each segment's times and text.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 09:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = (
    "transcript_language",
    "detected_language",
    "detected_language_probability",
    "transcript_flags",
    "transcript_flagged",
)


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("transcript_language", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("detected_language", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("detected_language_probability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("transcript_flags", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column(
                "transcript_flagged", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.create_index("ix_answers_transcript_flagged", ["transcript_flagged"])


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_index("ix_answers_transcript_flagged")
        for column in reversed(COLUMNS):
            batch.drop_column(column)
