"""equipment: asset audits (last audit, next audit due)

Revision ID: e002_equipment_audit
Revises: e001_equipment
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "e002_equipment_audit"
down_revision: str | Sequence[str] | None = "e001_equipment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("equipment_asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_audit_at", core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("next_audit_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("equipment_asset", schema=None) as batch_op:
        batch_op.drop_column("next_audit_on")
        batch_op.drop_column("last_audit_at")
