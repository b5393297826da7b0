"""Editions: which release of a code set answers for a date of service, and what to say when none is loaded.

An edition is data (a name, the dates it covers, its source). For a date past the newest loaded edition the
answer still comes from that edition, with a notice that a newer release applies and is not loaded.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class CodeSystem(StrEnum):
    ICD10CM = "ICD-10-CM"
    """Diagnoses (NCHS/CMS), fiscal-year editions from Oct 1 with occasional Apr 1 / Jan 1 updates."""
    ICD10PCS = "ICD-10-PCS"
    """Inpatient procedures (CMS), fiscal-year editions."""
    HCPCS = "HCPCS"
    """HCPCS Level II (CMS), quarterly."""
    CPT = "CPT"
    """CPT (AMA, licensed): code numbers known from CMS tables; descriptors only from a user's import."""
    MODIFIER = "modifier"
    """CPT and HCPCS modifiers."""
    POS = "POS"
    """CMS place of service codes."""
    CARC = "CARC"
    """Claim adjustment reason codes (X12)."""
    RARC = "RARC"
    """Remittance advice remark codes (X12)."""
    CAS_GROUP = "CAS group"
    """Claim adjustment group codes (CO, PR, OA, PI, CR)."""
    TAXONOMY = "taxonomy"
    """NUCC health care provider taxonomy."""


@dataclass(frozen=True, slots=True)
class Edition:
    system: CodeSystem
    name: str
    effective: date
    through: date | None
    source: str

    def covers(self, on: date) -> bool:
        return self.effective <= on and (self.through is None or on <= self.through)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "system": str(self.system),
            "name": self.name,
            "effective": self.effective.isoformat(),
            "through": self.through.isoformat() if self.through else None,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class EditionChoice:
    """The edition that answers for a date, and a plain-language notice when it is not the one in force."""

    edition: Edition
    notice: str | None
    slot: int
    """Position of the date on the timeline: -1 before the first edition, i inside edition i, len(editions)
    past the newest one. Code records carry one validity bit per slot (see Icd10cmCode.mask)."""


def fiscal_year(on: date) -> int:
    """The US federal fiscal year (Oct 1 - Sep 30) that contains a date."""
    return on.year + 1 if on.month >= 10 else on.year


class Timeline:
    """The loaded editions of one code system, ordered by effective date."""

    def __init__(self, editions: list[Edition]) -> None:
        if not editions:
            raise ValueError("a timeline needs at least one edition")
        self.editions = tuple(sorted(editions, key=lambda e: e.effective))
        self._starts = [e.effective for e in self.editions]
        self.cache: dict[date, EditionChoice] = {}  # filled by choose(); readers may consult it first

    @property
    def newest(self) -> Edition:
        return self.editions[-1]

    @property
    def oldest(self) -> Edition:
        return self.editions[0]

    def choose(self, on: date) -> EditionChoice:
        choice = self.cache.get(on)
        if choice is None:
            choice = self._choose(on)
            if len(self.cache) < 100_000:
                self.cache[on] = choice
        return choice

    def _choose(self, on: date) -> EditionChoice:
        index = bisect.bisect_right(self._starts, on) - 1
        if index < 0:
            first = self.oldest
            return EditionChoice(
                first,
                f"{on.isoformat()} is before the oldest loaded {first.system} edition ({first.name}, "
                f"effective {first.effective.isoformat()}); answered from it",
                -1,
            )
        edition = self.editions[index]
        if edition.covers(on):
            return EditionChoice(edition, None, index)
        newer = _newer_release_name(edition, on)
        beyond = index == len(self.editions) - 1
        return EditionChoice(
            edition,
            f"{newer} applies to {on.isoformat()} and is not loaded; answered from {edition.name} "
            f"(covers {edition.effective.isoformat()} to {edition.through.isoformat() if edition.through else '-'})",
            len(self.editions) if beyond else index,
        )


def validity_mask(editions: list[Edition], periods: list[tuple[date, date | None]]) -> int:
    """One bit per timeline slot (see EditionChoice.slot): set where the code is valid. Periods start and end on
    edition boundaries, so a period holds a whole edition or none of it, and testing its first day is exact."""
    ordered = sorted(editions, key=lambda e: e.effective)
    mask = 0
    for i, edition in enumerate(ordered):
        day = edition.effective
        if any(start <= day and (end is None or day <= end) for start, end in periods):
            mask |= 1 << i
    if any(end is None for _, end in periods):
        mask |= 1 << len(ordered)
    return mask


def _newer_release_name(edition: Edition, on: date) -> str:
    if edition.system in (CodeSystem.ICD10CM, CodeSystem.ICD10PCS):
        return f"{edition.system} FY{fiscal_year(on)}"
    return f"a newer {edition.system} release"
