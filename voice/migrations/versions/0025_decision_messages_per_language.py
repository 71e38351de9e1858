"""Decision messages: one custom text per decision and language

A decision SMS now goes in the candidate's language (voice.messages.message_language),
so an organisation's custom text is per language: `message_templates` gains `language`
("en", "es": voice.messages.MESSAGE_LANGUAGES) and is unique per (organisation, kind,
language). Every existing custom text was written for (and sent to) everyone, in the
language it was typed in, which the product only offered in English: it becomes the
English text. The Spanish texts start empty, that is, Spanish candidates get the
built-in Spanish text until a manager writes one. Downgrading keeps the English texts
and drops the others (the old table holds one text per decision); each dropped text is
logged by organisation id and kind.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 10:00:00
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

UNIQUE = "uq_message_templates"

# A batch operation, so SQLite (which cannot alter a constraint) copies the table; no
# foreign key points at `message_templates`, so the copy is allowed there.


def upgrade() -> None:
    with op.batch_alter_table("message_templates") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=10), nullable=False, server_default="en")
        )
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["organization_id", "kind", "language"])


def downgrade() -> None:
    bind = op.get_bind()
    dropped = bind.execute(
        sa.text(
            "SELECT organization_id, kind, language FROM message_templates "
            "WHERE language <> 'en' ORDER BY organization_id, kind, language"
        )
    ).all()
    for organization_id, kind, language in dropped:
        log.warning(
            "organisation %s: the %s text for %s dropped (one text per decision before 0025)",
            organization_id,
            language,
            kind,
        )
    bind.execute(sa.text("DELETE FROM message_templates WHERE language <> 'en'"))
    with op.batch_alter_table("message_templates") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["organization_id", "kind"])
        batch.drop_column("language")
