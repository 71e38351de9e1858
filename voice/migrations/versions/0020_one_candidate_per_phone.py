"""Candidates: one candidate per phone number in an interview (a partial unique index)

Caller ID finds a candidate by their number, so two candidates of one interview with the
same phone recognise neither (the caller is asked for a PIN). voice/candidates.py now
refuses a second one and the import merges rows by phone; this index is the database's
guarantee: unique (interview_id, phone) where phone is not null. Candidates without a
phone are not constrained; an erased (or erasing) candidate's phone is NULL
(voice/erasure.py), so their old number is free for someone new.

Rows added before this revision may share a number (`screenline candidate add` and the
API did not check). Before the index is made, each such group keeps the number on one
candidate: the one furthest along (completed, then in progress, abandoned, screened out,
invited), the earliest added among equals. The others' phone is set to NULL; nothing
else of theirs changes (name, PIN, answers, calls, messages stay), so they still take or
resume the interview with their PIN, and the number itself is still on record on the
kept candidate. Each change is logged as a warning by candidate id ("candidate 12
(interview 3): phone cleared, the number stays with candidate 7"); the number itself is
personal data and stays out of the log. Downgrading drops the index; cleared phones stay
cleared.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 16:00:00
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

INDEX = "uq_candidates_interview_phone"
WHERE = "phone IS NOT NULL"
# Which candidate of a group keeps the number: furthest along first, then the earliest.
RANK = (
    "CASE status WHEN 'completed' THEN 0 WHEN 'in progress' THEN 1 WHEN 'abandoned' THEN 2 "
    "WHEN 'screened out' THEN 3 ELSE 4 END, id"
)
DUPLICATES = sa.text(
    "SELECT id, interview_id, phone, keeper FROM ("
    " SELECT id, interview_id, phone,"
    f"  first_value(id) OVER (PARTITION BY interview_id, phone ORDER BY {RANK}) AS keeper"
    f" FROM candidates WHERE {WHERE}"
    ") ranked WHERE id <> keeper ORDER BY interview_id, phone, id"
)


def upgrade() -> None:
    bind = op.get_bind()
    cleared = bind.execute(DUPLICATES).all()
    for candidate_id, interview_id, _phone, keeper in cleared:
        log.warning(
            "candidate %s (interview %s): phone cleared, the number stays with candidate %s",
            candidate_id,
            interview_id,
            keeper,
        )
    ids = [row[0] for row in cleared]
    for start in range(0, len(ids), 500):
        bind.execute(
            sa.text("UPDATE candidates SET phone = NULL WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": ids[start : start + 500]},
        )
    op.create_index(
        INDEX,
        "candidates",
        ["interview_id", "phone"],
        unique=True,
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="candidates")
