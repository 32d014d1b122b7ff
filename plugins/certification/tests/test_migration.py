"""The Alembic branch creates exactly the tables the models describe (no drift)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from core.db import Base
from core.migrate import upgrade
from core.testing import make_host
from plugins.certification import models  # noqa: F401 - registers the tables on Base


def test_migration_matches_the_models(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade(engine, make_host())
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    ours = [d for d in diff if "certification_" in repr(d)]
    assert ours == []
    engine.dispose()
