"""Shared fixtures: one compiled code-set store per test session, in a private MEDBILL_HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from medbill.codes import CodeLibrary
from medbill.store.database import Database, make_engine, migrate

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def medbill_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("medbill-home")
    previous = os.environ.get("MEDBILL_HOME")
    os.environ["MEDBILL_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("MEDBILL_HOME", None)
    else:
        os.environ["MEDBILL_HOME"] = previous


@pytest.fixture(scope="session")
def library(medbill_home: Path) -> Iterator[CodeLibrary]:
    lib = CodeLibrary.open(medbill_home)
    yield lib
    lib.close()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (a user's clone has none)")
    return SHARED


# -- databases: SQLite always, PostgreSQL when MEDBILL_TEST_DATABASE_URL names one (.ci/run starts one) --
BACKENDS = ["sqlite", "postgresql"]


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'medbill.db'}"
    else:
        url = os.environ.get("MEDBILL_TEST_DATABASE_URL", "")
        if not url:
            pytest.skip("no PostgreSQL (set MEDBILL_TEST_DATABASE_URL; .ci/run does)")
        _reset_postgres(url)
    engine = make_engine(url)
    migrate(engine)
    db = Database(engine)
    yield db
    db.close()
