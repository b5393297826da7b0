"""Scrubber fixtures: the tables every rule may consult, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrubkit import ScrubEnv

from medbill.billing.fees import MedicareFeeSchedule
from medbill.codes import CodeLibrary
from medbill.scrub import shipped_profiles
from medbill.scrub.ncci import NcciTables


@pytest.fixture(scope="session")
def scrub_env(library: CodeLibrary, medbill_home: Path) -> ScrubEnv:
    return ScrubEnv(library, NcciTables.load(medbill_home / "ncci"), MedicareFeeSchedule.load(), shipped_profiles())
