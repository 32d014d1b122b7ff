"""joblinks tables

Revision ID: joblinks_0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "joblinks_0001"
down_revision: str | Sequence[str] | None = None
# The plugin's own branch, applied after core's (depends_on names core's branch label).
branch_labels: str | Sequence[str] | None = ("joblinks",)
depends_on: str | Sequence[str] | None = "core"


def upgrade() -> None:
    op.create_table(
        "joblinks_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_joblinks_link_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_joblinks_link_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joblinks_link")),
    )
    with op.batch_alter_table("joblinks_link") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_joblinks_link_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "joblinks_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_joblinks_use_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["joblinks_link.id"],
            name=op.f("fk_joblinks_use_link_id_joblinks_link"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_joblinks_use_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joblinks_use")),
        sa.UniqueConstraint("link_id", "user_id", name=op.f("uq_joblinks_use_link_id_user_id")),
    )
    with op.batch_alter_table("joblinks_use") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_joblinks_use_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_joblinks_use_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("joblinks_use")
    op.drop_table("joblinks_link")
