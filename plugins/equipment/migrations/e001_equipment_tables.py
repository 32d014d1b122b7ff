"""equipment tables

Revision ID: e001_equipment
Revises:
Create Date: 2026-11-27 15:02:01.538052
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "e001_equipment"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("equipment",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "equipment_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_equipment_agreement_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_agreement_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_agreement")),
        sa.UniqueConstraint(
            "organisation_id",
            "version",
            name=op.f("uq_equipment_agreement_organisation_id_version"),
        ),
    )
    with op.batch_alter_table("equipment_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_agreement_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "equipment_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_pack_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_pack")),
        sa.UniqueConstraint(
            "organisation_id", "code", name=op.f("uq_equipment_pack_organisation_id_code")
        ),
    )
    with op.batch_alter_table("equipment_pack", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_pack_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "equipment_status_label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_status_label_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_status_label")),
        sa.UniqueConstraint(
            "organisation_id", "role", name=op.f("uq_equipment_status_label_organisation_id_role")
        ),
    )
    with op.batch_alter_table("equipment_status_label", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_status_label_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "equipment_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("make", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("cpu", sa.String(length=100), nullable=False),
        sa.Column("ram", sa.String(length=50), nullable=False),
        sa.Column("storage", sa.String(length=50), nullable=False),
        sa.Column("screen", sa.String(length=50), nullable=False),
        sa.Column("os", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("erasure_method", sa.String(length=100), nullable=False),
        sa.Column("erasure_date", sa.Date(), nullable=True),
        sa.Column("erasure_operator", sa.String(length=100), nullable=False),
        sa.Column("test_result", sa.String(length=16), nullable=False),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("delivery_ref", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status_label_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_asset_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_equipment_asset_owner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["equipment_pack.id"],
            name=op.f("fk_equipment_asset_pack_id_equipment_pack"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["status_label_id"],
            ["equipment_status_label.id"],
            name=op.f("fk_equipment_asset_status_label_id_equipment_status_label"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_asset")),
        sa.UniqueConstraint(
            "organisation_id", "serial", name=op.f("uq_equipment_asset_organisation_id_serial")
        ),
        sa.UniqueConstraint(
            "organisation_id", "tag", name=op.f("uq_equipment_asset_organisation_id_tag")
        ),
    )
    with op.batch_alter_table("equipment_asset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_asset_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_equipment_asset_pack_id"), ["pack_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_equipment_asset_status_label_id"), ["status_label_id"], unique=False
        )

    op.create_table(
        "equipment_loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=True),
        sa.Column("borrower_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=True),
        sa.Column("checked_out_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("checked_out_by_id", sa.Integer(), nullable=True),
        sa.Column("due_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("closed_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("return_condition", sa.String(length=32), nullable=False),
        sa.Column("return_notes", sa.Text(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", core.db.UTCDateTime(), nullable=True),
        sa.Column("accepted_address", sa.String(length=64), nullable=False),
        sa.Column("agreement_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("agreement_pdf_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["equipment_agreement.id"],
            name=op.f("fk_equipment_loan_agreement_id_equipment_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["user_account.id"],
            name=op.f("fk_equipment_loan_borrower_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["checked_out_by_id"],
            ["user_account.id"],
            name=op.f("fk_equipment_loan_checked_out_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_equipment_loan_closed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_loan_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["equipment_pack.id"],
            name=op.f("fk_equipment_loan_pack_id_equipment_pack"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_loan")),
    )
    with op.batch_alter_table("equipment_loan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_loan_borrower_id"), ["borrower_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_loan_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_equipment_loan_state"), ["state"], unique=False)

    op.create_table(
        "equipment_asset_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["equipment_asset.id"],
            name=op.f("fk_equipment_asset_photo_asset_id_equipment_asset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_asset_photo_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_asset_photo")),
    )
    with op.batch_alter_table("equipment_asset_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_asset_photo_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_asset_photo_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "equipment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_equipment_event_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["equipment_asset.id"],
            name=op.f("fk_equipment_event_asset_id_equipment_asset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["user_account.id"],
            name=op.f("fk_equipment_event_learner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["equipment_loan.id"],
            name=op.f("fk_equipment_event_loan_id_equipment_loan"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_event_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_event")),
    )
    with op.batch_alter_table("equipment_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_equipment_event_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_equipment_event_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_event_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_equipment_event_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_equipment_event_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "equipment_loan_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("active_asset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["equipment_asset.id"],
            name=op.f("fk_equipment_loan_item_asset_id_equipment_asset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["equipment_loan.id"],
            name=op.f("fk_equipment_loan_item_loan_id_equipment_loan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_loan_item_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_loan_item")),
        sa.UniqueConstraint("active_asset_id", name=op.f("uq_equipment_loan_item_active_asset_id")),
    )
    with op.batch_alter_table("equipment_loan_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_loan_item_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_loan_item_loan_id"), ["loan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_loan_item_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "equipment_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["equipment_loan.id"],
            name=op.f("fk_equipment_reminder_loan_id_equipment_loan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_equipment_reminder_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_reminder")),
        sa.UniqueConstraint("loan_id", "level", name=op.f("uq_equipment_reminder_loan_id_level")),
    )
    with op.batch_alter_table("equipment_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_reminder_loan_id"), ["loan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_reminder_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    for table in (
        "equipment_reminder",
        "equipment_loan_item",
        "equipment_event",
        "equipment_asset_photo",
        "equipment_loan",
        "equipment_asset",
        "equipment_status_label",
        "equipment_pack",
        "equipment_agreement",
    ):
        op.drop_table(table)
