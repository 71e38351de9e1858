"""Transcript search in each transcript's language (PostgreSQL): a stored search document
per answer, stemmed with the text search configuration of the transcript's language, and
the GIN index on it

0004 indexed every transcript as English, although since issue 11 transcripts come in
the caller's language. `answers.transcript_search` is a generated column,
to_tsvector(<configuration of `transcript_language`>, transcript): 'english' for en and
en-*, 'spanish' for es and es-*, 'simple' (no stemming) for any other language, and
'english' where the language is unknown (transcripts from before 0012 recorded it,
indexed as English until now). PostgreSQL keeps it in step with the transcript and its
language. Stored, it also spares ranking from parsing every matching transcript again
on every search (ranking 50,000 matching transcripts in psql: 0.27 s instead of 1.9 s,
on the shared development machine under load). The models do not
declare it (voice.search.is_search_object); SQLite's FTS5 table is left as it is (FTS5
has no Spanish stemmer).

Adding the column computes it for every answer and rewrites the table, under a lock
on `answers`, once.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 12:00:00
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEX = "ix_answers_transcript_search"
COLUMN = "transcript_search"
# voice.search.config_sql("transcript_language"), written out: a migration keeps the
# expression it was written with (tests/voice/test_search.py checks the two agree).
CONFIG = (
    "CASE lower(split_part(coalesce(transcript_language, 'en'), '-', 1)) "
    "WHEN 'en' THEN 'english'::regconfig "
    "WHEN 'es' THEN 'spanish'::regconfig "
    "ELSE 'simple'::regconfig END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute(
        f"ALTER TABLE answers ADD COLUMN {COLUMN} tsvector "
        f"GENERATED ALWAYS AS (to_tsvector({CONFIG}, coalesce(transcript, ''))) STORED"
    )
    op.execute(f"CREATE INDEX {INDEX} ON answers USING gin ({COLUMN})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute(f"ALTER TABLE answers DROP COLUMN IF EXISTS {COLUMN}")
    op.execute(
        f"CREATE INDEX {INDEX} ON answers "
        "USING gin (to_tsvector('english'::regconfig, coalesce(transcript, '')))"
    )
