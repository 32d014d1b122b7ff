"""The plugin's migrations build exactly the tables its models describe (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.db import Base
from core.testing import Kit


def test_migrated_schema_matches_the_models(declic: Kit) -> None:
    with declic.state.write_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diff if "equipment_" in repr(d)]
    assert ours == []
