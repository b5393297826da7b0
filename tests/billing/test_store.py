"""The migrations and the tables agree: a database built by Alembic has exactly the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from medbill.store.database import Database
from medbill.store.tables import Base


def test_migrations_build_the_declared_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
