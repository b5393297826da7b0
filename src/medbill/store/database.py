"""Engines, sessions and migrations.

The database is SQLite at a path (the embedded default: ``medbill.db`` in the working folder the caller names)
or any SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``. ``open_database`` brings the schema to the
newest Alembic revision before handing out sessions, so a fresh file and an old one both work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from medbill.errors import MedbillError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(target: str | Path) -> str:
    """A URL as given, or a SQLite URL for a file path."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).resolve()}"


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there)."""
    try:
        command.upgrade(alembic_config(engine), "head")
    except Exception as exc:
        raise MedbillError(f"the database cannot be migrated: {type(exc).__name__}: {exc}") from exc


class Database:
    """An engine and its session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back (nothing written) when it raises."""
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(target: str | Path, *, upgrade: bool = True) -> Database:
    engine = make_engine(database_url(target))
    if upgrade:
        migrate(engine)
    return Database(engine)
