"""The answer status `superseded`: an attempt a retake replaced, stored but not transcribed

On SQLite changing the status check rebuilds `answers` (batch mode: copy, drop,
rename), which drops the transcript search triggers of 0004 (see 0013): they are made
again here, word for word, and the index rebuilt.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 13:00:00
"""

import warnings

from alembic import op
from sqlalchemy.exc import SAWarning

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

ANSWER_STATUSES = (
    "('recording', 'announced', 'stored', 'transcribed', 'no audio', 'failed', "
    "'no model', 'keypad', 'erased', 'superseded')"
)
OLD_ANSWER_STATUSES = (
    "('recording', 'announced', 'stored', 'transcribed', 'no audio', 'failed', "
    "'no model', 'keypad', 'erased')"
)
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


def _status_check(statuses: str) -> None:
    with warnings.catch_warnings():
        # SQLite's batch copy reflects the tables `answers` refers to, and SQLAlchemy
        # cannot reflect candidates' expression index (0015): it says so and skips it.
        # Only `answers` is rebuilt, so that index is untouched.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        with op.batch_alter_table("answers") as batch:
            batch.drop_constraint("ck_answers_status", type_="check")
            batch.create_check_constraint("ck_answers_status", f"status IN {statuses}")
    if op.get_bind().dialect.name == "sqlite":
        for statement in TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO answer_transcripts(answer_transcripts) VALUES ('rebuild')")


def upgrade() -> None:
    _status_check(ANSWER_STATUSES)


def downgrade() -> None:
    # A superseded attempt keeps its stored original: `stored` again, the sweep would
    # transcribe it, as the code before this revision did.
    op.execute("UPDATE answers SET status = 'stored', error = NULL WHERE status = 'superseded'")
    _status_check(OLD_ANSWER_STATUSES)
