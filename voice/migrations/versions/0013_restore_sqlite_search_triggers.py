"""SQLite: restore the transcript search triggers that rebuilding `answers` dropped

Migration 0009 changed the answers' status check, which on SQLite rebuilds the table
(batch mode: copy, drop, rename) and so dropped the FTS5 triggers of 0004: answers
saved since were never indexed, and search found nothing new. This puts the triggers
back (as 0004 made them) and rebuilds the index from `answers`. PostgreSQL's expression
index survives such changes: nothing to do there.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:20:00
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The triggers of 0004, word for word (voice/search.py queries the table they feed).
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


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO answer_transcripts(answer_transcripts) VALUES ('rebuild')")


def downgrade() -> None:
    pass  # the triggers belong to 0004; leaving them in place is what 0004 wants
