"""Answers: who checked a flagged transcript and when, and a person's correction of it

`transcript_checked_by_id`/`_at`: a person listened and marked the transcript checked
(or corrected it); `transcript_flagged` is cleared then, so it reads "still to check",
and `transcript_flags` keeps the machine's reasons. `machine_transcript`: the speech
model's own text once a person corrected `transcript` (NULL otherwise), with
`transcript_edited_by_id`/`_at`. The correction stays in `transcript`, so the stored
search document of 0016 (a generated column on PostgreSQL) and SQLite's FTS5 triggers
(0004, 0013) follow it without change.

On PostgreSQL a plain ALTER TABLE. On SQLite `answers` is rebuilt by a batch copy both
ways (a foreign key cannot be added or dropped otherwise), which drops the transcript
search triggers of 0004: they are made again, word for word, and the index rebuilt, as
0018 does.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 09:00:00
"""

import warnings

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import SAWarning

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

PEOPLE = ("transcript_edited_by_id", "transcript_checked_by_id")
TIMES = ("transcript_edited_at", "transcript_checked_at")
# The triggers of 0004, as 0013 restores them (voice/search.py queries the table they feed).
TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS answer_transcripts_ai AFTER INSERT ON answers BEGIN "
    "INSERT INTO answer_transcripts(rowid, transcript) "
    "VALUES (new.id, coalesce(new.transcript, '')); END",
    "CREATE TRIGGER IF NOT EXISTS answer_transcripts_ad AFTER DELETE ON answers BEGIN "
    "INSERT INTO answer_transcripts(answer_transcripts, rowid, transcript) "
    "VALUES ('delete', old.id, coalesce(old.transcript, '')); END",
    "CREATE TRIGGER IF NOT EXISTS answer_transcripts_au AFTER UPDATE OF transcript ON answers "
    "BEGIN "
    "INSERT INTO answer_transcripts(answer_transcripts, rowid, transcript) "
    "VALUES ('delete', old.id, coalesce(old.transcript, '')); "
    "INSERT INTO answer_transcripts(rowid, transcript) "
    "VALUES (new.id, coalesce(new.transcript, '')); END",
)


def _columns() -> list[sa.Column]:
    return [
        sa.Column("machine_transcript", sa.Text(), nullable=True),
        *(
            sa.Column(
                column,
                sa.Integer(),
                # Named: a batch copy adds only named constraints.
                sa.ForeignKey("users.id", ondelete="SET NULL", name=f"fk_answers_{column}"),
            )
            for column in PEOPLE
        ),
        *(sa.Column(column, sa.DateTime(timezone=True), nullable=True) for column in TIMES),
    ]


def _rebuilt_on_sqlite(change) -> None:
    """Run `change(batch)` on `answers` rebuilt by a batch copy (SQLite has no ALTER for
    foreign keys, and reads back ON DELETE only from a table-level clause), then make the
    transcript search triggers of 0004 again (the copy drops them) and rebuild the index."""
    with warnings.catch_warnings():
        # The batch copy reflects the tables `answers` refers to; SQLAlchemy cannot
        # reflect candidates' expression index (0015), which stays untouched.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        with op.batch_alter_table("answers", recreate="always") as batch:
            change(batch)
    for statement in TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO answer_transcripts(answer_transcripts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":

        def add(batch) -> None:
            for column in _columns():
                batch.add_column(column)

        _rebuilt_on_sqlite(add)
        return
    for column in _columns():
        op.add_column("answers", column)


def downgrade() -> None:
    names = (*TIMES, *PEOPLE, "machine_transcript")
    if op.get_bind().dialect.name == "sqlite":

        def drop(batch) -> None:
            for column in names:
                batch.drop_column(column)

        _rebuilt_on_sqlite(drop)
        return
    for column in names:
        op.drop_column("answers", column)  # its foreign key goes with it
