"""answers checked by the learner (immediate feedback)

Revision ID: 0002_quiz
Revises: 0001_quiz
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0002_quiz"
down_revision: str | Sequence[str] | None = "0001_quiz"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quiz_attempt_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", core.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempt_answer", schema=None) as batch_op:
        batch_op.drop_column("checked_at")
