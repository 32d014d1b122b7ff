"""attendance tables

Revision ID: a001_attendance
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "a001_attendance"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("attendance",)
depends_on: str | Sequence[str] | None = "0001_core"


def _org_fk() -> sa.Column:
    return sa.Column("organisation_id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "attendance_status",
        sa.Column("id", sa.Integer(), nullable=False),
        _org_fk(),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("acronym", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_attendance_status_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_status")),
    )
    op.create_index(
        op.f("ix_attendance_status_organisation_id"), "attendance_status", ["organisation_id"]
    )

    op.create_table(
        "attendance_session",
        sa.Column("id", sa.Integer(), nullable=False),
        _org_fk(),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("checkin_code", sa.String(length=12), nullable=False),
        sa.Column("taken_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_attendance_session_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_attendance_session_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["course_group.id"],
            name=op.f("fk_attendance_session_group_id_course_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["course_section.id"],
            name=op.f("fk_attendance_session_section_id_course_section"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_session_trainer_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_session_taken_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_session")),
    )
    op.create_index(
        op.f("ix_attendance_session_organisation_id"), "attendance_session", ["organisation_id"]
    )
    op.create_index(op.f("ix_attendance_session_course_id"), "attendance_session", ["course_id"])
    op.create_index(op.f("ix_attendance_session_starts_at"), "attendance_session", ["starts_at"])

    op.create_table(
        "attendance_record",
        sa.Column("id", sa.Integer(), nullable=False),
        _org_fk(),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_name", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("remark", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_attendance_record_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["attendance_session.id"],
            name=op.f("fk_attendance_record_session_id_attendance_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_record_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["attendance_status.id"],
            name=op.f("fk_attendance_record_status_id_attendance_status"),
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_record_marked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_record")),
        sa.UniqueConstraint(
            "session_id", "user_id", name=op.f("uq_attendance_record_session_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_attendance_record_organisation_id"), "attendance_record", ["organisation_id"]
    )
    op.create_index(op.f("ix_attendance_record_session_id"), "attendance_record", ["session_id"])
    op.create_index(op.f("ix_attendance_record_user_id"), "attendance_record", ["user_id"])

    op.create_table(
        "attendance_record_change",
        sa.Column("id", sa.Integer(), nullable=False),
        _org_fk(),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("old_status", sa.String(length=64), nullable=False),
        sa.Column("new_status", sa.String(length=64), nullable=False),
        sa.Column("old_remark", sa.String(length=255), nullable=False),
        sa.Column("new_remark", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_attendance_record_change_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["attendance_record.id"],
            name=op.f("fk_attendance_record_change_record_id_attendance_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_record_change_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_record_change")),
    )
    op.create_index(
        op.f("ix_attendance_record_change_organisation_id"),
        "attendance_record_change",
        ["organisation_id"],
    )
    op.create_index(
        op.f("ix_attendance_record_change_record_id"), "attendance_record_change", ["record_id"]
    )

    op.create_table(
        "attendance_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        _org_fk(),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raised_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("cleared_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("dismissed_at", core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_attendance_warning_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_attendance_warning_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_warning_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_warning")),
    )
    op.create_index(
        op.f("ix_attendance_warning_organisation_id"), "attendance_warning", ["organisation_id"]
    )
    op.create_index(op.f("ix_attendance_warning_course_id"), "attendance_warning", ["course_id"])
    op.create_index(op.f("ix_attendance_warning_user_id"), "attendance_warning", ["user_id"])


def downgrade() -> None:
    op.drop_table("attendance_warning")
    op.drop_table("attendance_record_change")
    op.drop_table("attendance_record")
    op.drop_table("attendance_session")
    op.drop_table("attendance_status")
