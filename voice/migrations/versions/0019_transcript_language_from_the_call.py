"""Transcripts of unknown language take the language the candidate was asked in

Transcripts saved before 0012 recorded a language have `transcript_language` NULL, and
voice/search.py stems those as English, so a Spanish interview's old answers missed
Spanish inflections. Each such transcript is given the language its candidate chose on
the call, else its interview's language, as its primary subtag in lower case (`es`),
as the transcription job stores it (voice.pipeline.transcribed does the same from now on
when an engine reports no language). On PostgreSQL the generated search document of
0016 follows the new language by itself; SQLite's FTS5 stems every transcript as
English either way, and its triggers watch only the transcript, which is unchanged.

Answers without a transcript keep NULL. Downgrading leaves the languages written here:
the search before this revision reads them as well as a NULL.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 14:00:00
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The tag the call was in: the candidate's choice, else the interview's (both like es-MX,
# voice.language_codes.LANGUAGE_CODE), else en-US; voice.pipeline.spoken_language, in SQL.
SPOKEN = (
    "(SELECT coalesce(candidates.language, interviews.language, 'en-US') "
    "FROM candidates JOIN interviews ON interviews.id = candidates.interview_id "
    "WHERE candidates.id = answers.candidate_id)"
)


def _primary(tag: str, dialect: str) -> str:
    """SQL for the lower-case primary subtag of the tag expression `tag` (es-MX -> es)."""
    if dialect == "postgresql":
        return f"lower(split_part({tag}, '-', 1))"
    return f"lower(substr({tag}, 1, instr({tag} || '-', '-') - 1))"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(
        f"UPDATE answers SET transcript_language = {_primary(SPOKEN, dialect)} "
        "WHERE transcript_language IS NULL AND transcript IS NOT NULL"
    )


def downgrade() -> None:
    # Which languages were guessed here is not recorded; they are kept (see above).
    pass
