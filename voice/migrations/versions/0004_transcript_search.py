"""Full-text search over transcripts: a GIN expression index (PostgreSQL) or FTS5 (SQLite)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:00:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Names and expressions are kept in step with voice/search.py, which queries them.


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_answers_transcript_search ON answers "
            "USING gin (to_tsvector('english'::regconfig, coalesce(transcript, '')))"
        )
    elif dialect == "sqlite":
        # An external-content FTS5 table over answers.transcript, kept in sync by triggers.
        op.execute(
            "CREATE VIRTUAL TABLE answer_transcripts USING fts5("
            "transcript, content='answers', content_rowid='id', "
            "tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER answer_transcripts_ai AFTER INSERT ON answers BEGIN "
            "INSERT INTO answer_transcripts(rowid, transcript) "
            "VALUES (new.id, coalesce(new.transcript, '')); END"
        )
        op.execute(
            "CREATE TRIGGER answer_transcripts_ad AFTER DELETE ON answers BEGIN "
            "INSERT INTO answer_transcripts(answer_transcripts, rowid, transcript) "
            "VALUES ('delete', old.id, coalesce(old.transcript, '')); END"
        )
        op.execute(
            "CREATE TRIGGER answer_transcripts_au AFTER UPDATE OF transcript ON answers BEGIN "
            "INSERT INTO answer_transcripts(answer_transcripts, rowid, transcript) "
            "VALUES ('delete', old.id, coalesce(old.transcript, '')); "
            "INSERT INTO answer_transcripts(rowid, transcript) "
            "VALUES (new.id, coalesce(new.transcript, '')); END"
        )
        op.execute("INSERT INTO answer_transcripts(answer_transcripts) VALUES ('rebuild')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_answers_transcript_search")
    elif dialect == "sqlite":
        for trigger in ("answer_transcripts_ai", "answer_transcripts_ad", "answer_transcripts_au"):
            op.execute("DROP TRIGGER IF EXISTS " + trigger)
        op.execute("DROP TABLE IF EXISTS answer_transcripts")
