"""Shared fixtures: one compiled code-set store per test session, in a private MEDBILL_HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from medbill.codes import CodeLibrary

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
