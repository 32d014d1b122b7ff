"""certification tables

Revision ID: c001_certification
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "c001_certification"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("certification",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "certification_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("competence", sa.String(length=80), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("quiz_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_certification_evidence_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_certification_evidence_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["given_by_id"],
            ["user_account.id"],
            name=op.f("fk_certification_evidence_given_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_evidence")),
    )
    op.create_index(
        "ix_certification_evidence_org_user",
        "certification_evidence",
        ["organisation_id", "user_id"],
    )
    op.create_index(
        op.f("ix_certification_evidence_attempt_id"), "certification_evidence", ["attempt_id"]
    )
    op.create_index(
        op.f("ix_certification_evidence_session_id"), "certification_evidence", ["session_id"]
    )

    op.create_table(
        "certification_tag_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("quiz_title", sa.String(length=300), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("question_name", sa.String(length=300), nullable=False),
        sa.Column("tag", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("seen_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_certification_tag_problem_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_tag_problem")),
        sa.UniqueConstraint(
            "organisation_id",
            "question_id",
            "tag",
            name=op.f("uq_certification_tag_problem_organisation_id_question_id_tag"),
        ),
    )
    op.create_index(
        op.f("ix_certification_tag_problem_organisation_id"),
        "certification_tag_problem",
        ["organisation_id"],
    )

    op.create_table(
        "certification_quiz_coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("quiz_title", sa.String(length=300), nullable=False),
        sa.Column("competence", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_certification_quiz_coverage_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_quiz_coverage")),
        sa.UniqueConstraint(
            "organisation_id",
            "quiz_id",
            "competence",
            name=op.f("uq_certification_quiz_coverage_organisation_id_quiz_id_competence"),
        ),
    )
    op.create_index(
        op.f("ix_certification_quiz_coverage_organisation_id"),
        "certification_quiz_coverage",
        ["organisation_id"],
    )

    op.create_table(
        "certification_workshop_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_certification_workshop_map_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["course_section.id"],
            name=op.f("fk_certification_workshop_map_section_id_course_section"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_workshop_map")),
        sa.UniqueConstraint("section_id", name=op.f("uq_certification_workshop_map_section_id")),
    )
    op.create_index(
        op.f("ix_certification_workshop_map_organisation_id"),
        "certification_workshop_map",
        ["organisation_id"],
    )

    op.create_table(
        "certification_framework_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_certification_framework_file_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_certification_framework_file_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_framework_file")),
        sa.UniqueConstraint(
            "organisation_id",
            "name",
            name=op.f("uq_certification_framework_file_organisation_id_name"),
        ),
    )
    op.create_index(
        op.f("ix_certification_framework_file_organisation_id"),
        "certification_framework_file",
        ["organisation_id"],
    )

    op.create_table(
        "certification_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("learner_name", sa.String(length=200), nullable=False),
        sa.Column("issuer_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("issued_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("revoked_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_certification_certificate_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_certification_certificate_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_certification_certificate_issued_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user_account.id"],
            name=op.f("fk_certification_certificate_revoked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_certificate")),
        sa.UniqueConstraint("code", name=op.f("uq_certification_certificate_code")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_certification_certificate_code_digest")),
    )
    op.create_index(
        op.f("ix_certification_certificate_organisation_id"),
        "certification_certificate",
        ["organisation_id"],
    )
    op.create_index(
        op.f("ix_certification_certificate_user_id"), "certification_certificate", ["user_id"]
    )


def downgrade() -> None:
    for table in (
        "certification_certificate",
        "certification_framework_file",
        "certification_workshop_map",
        "certification_quiz_coverage",
        "certification_tag_problem",
        "certification_evidence",
    ):
        op.drop_table(table)
