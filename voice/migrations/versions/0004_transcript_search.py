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

# Kept in step with voice/search.py, which queries exactly these expressions.
PG_INDEX = "ix_answers_transcript_search"
FTS_TABLE = "answer_transcripts"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON answers "
            "USING gin (to_tsvector('english'::regconfig, coalesce(transcript, '')))"
        )
    elif dialect == "sqlite":
        # An external-content FTS5 table over answers.transcript, kept in sync by triggers.
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "transcript, content='answers', content_rowid='id', "
            "tokenize='porter unicode61')"
        )
        op.execute(
            f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON answers BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, transcript) "
            "VALUES (new.id, coalesce(new.transcript, '')); END"
        )
        op.execute(
            f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON answers BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, transcript) "
            "VALUES ('delete', old.id, coalesce(old.transcript, '')); END"
        )
        op.execute(
            f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF transcript ON answers BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, transcript) "
            "VALUES ('delete', old.id, coalesce(old.transcript, '')); "
            f"INSERT INTO {FTS_TABLE}(rowid, transcript) "
            "VALUES (new.id, coalesce(new.transcript, '')); END"
        )
        op.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif dialect == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
