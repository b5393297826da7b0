"""ClaimFacts: what every rule asks about a claim, worked out once per claim (dates, age, sex, code records).

A hundred rules read the same claim; looking each diagnosis up a hundred times would dominate the scrub, so the
facts are computed here once and rules stay one-liners over them. Dates of service come from the lines
(837P 2400 DTP*472) and fall back to the claim's statement or service dates (837I 2300 DTP*434, 837P DTP*472).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from hashlib import blake2b
from typing import TYPE_CHECKING, NamedTuple

from medbill.billing.claim import Claim, Party, ServiceLine
from medbill.codes.icd10cm import Icd10cmCode, normalize
from medbill.codes.periods import Period

if TYPE_CHECKING:
    from medbill.scrub.context import ScrubContext

NO_FLAGS: frozenset[str] = frozenset()
PRINCIPAL_QUALIFIERS = frozenset({"ABK", "BK"})


class DxFact(NamedTuple):
    position: int
    """1-based position on the claim: what diagnosis pointers refer to."""
    code: str
    """As written on the claim (normally without the dot)."""
    key: str
    """Normalized store key ("E119")."""
    record: Icd10cmCode | None
    period: Period | None
    """The validity period in force on the claim's first date of service (None: not billable then)."""
    qualifier: str
    poa: str

    @property
    def flags(self) -> frozenset[str]:
        return self.period.flags if self.period is not None else NO_FLAGS

    @property
    def dotted(self) -> str:
        return self.record.code if self.record is not None else self.code


class LineFact(NamedTuple):
    number: int
    """The service line number (LX01), 1-based."""
    code: str
    qualifier: str
    modifiers: tuple[str, ...]
    units: Decimal | None
    charge: Decimal | None
    day: date | None
    """The line's date of service, or the claim's when the line has none."""
    last_day: date | None
    place_of_service: str
    pointers: tuple[int, ...]
    line: ServiceLine


@dataclass(frozen=True, slots=True)
class Coverage:
    """The patient's coverage with this claim's payer, as the practice recorded it (for date-span edits)."""

    effective: date | None = None
    termination: date | None = None


@dataclass(frozen=True, slots=True)
class ClaimExtras:
    """What the claim itself cannot tell: coverage dates, when it is being sent, claims already sent.

    ``history`` holds duplicate fingerprints (``facts.fingerprint()``) of claims already submitted, mapped to
    their claim ids; ``facility_kind`` is the practice's record of the service location ("office",
    "hospital", "home" …) for place-of-service consistency."""

    coverage: Coverage | None = None
    submitted_on: date | None = None
    history: dict[str, str] = field(default_factory=dict)
    facility_kind: str = ""


@dataclass(slots=True)
class ClaimFacts:
    claim: Claim
    claim_id: str
    kind: str
    dx: tuple[DxFact, ...]
    lines: tuple[LineFact, ...]
    first_day: date | None
    last_day: date | None
    birth_date: date | None
    sex: str
    age: int | None
    """Age in whole years on the first date of service (None without a birth date or a date)."""
    patient: Party
    extras: ClaimExtras
    _fingerprint: str | None = None

    @classmethod
    def of(cls, claim: Claim, ctx: ScrubContext, extras: ClaimExtras | None = None) -> ClaimFacts:
        first, last = _service_span(claim)
        icd = ctx.icd_record
        dx = tuple(
            DxFact(
                i,
                d.code,
                key := normalize(d.code),
                rec := icd(key),
                rec.period_on(first) if rec is not None and first is not None else None,
                d.qualifier,
                d.poa,
            )
            for i, d in enumerate(claim.diagnoses, 1)
        )
        pos_default = claim.facility_code if claim.kind == "P" else ""
        lines = tuple(
            LineFact(
                line.line_number or n,
                line.procedure_code.strip().upper(),
                line.procedure_qualifier,
                tuple(m.strip().upper() for m in line.modifiers if m.strip()),
                line.units,
                line.charge,
                line.service_date_from or first,
                line.service_date_to or line.service_date_from or last,
                line.place_of_service or pos_default,
                line.diagnosis_pointers,
                line,
            )
            for n, line in enumerate(claim.lines, 1)
        )
        if claim.patient is not None:
            person, birth, sex = claim.patient.party, claim.patient.birth_date, claim.patient.sex
        else:
            person, birth, sex = claim.subscriber.party, claim.subscriber.birth_date, claim.subscriber.sex
        return cls(
            claim,
            claim.claim_id,
            claim.kind,
            dx,
            lines,
            first,
            last,
            birth,
            sex.strip().upper(),
            age_on(birth, first) if birth is not None and first is not None else None,
            person,
            extras or NO_EXTRAS,
        )

    def days(self) -> dict[date | None, list[LineFact]]:
        """Lines grouped by date of service (NCCI and MUE edits apply per day)."""
        out: dict[date | None, list[LineFact]] = {}
        for line in self.lines:
            out.setdefault(line.day, []).append(line)
        return out

    def pointed(self, line: LineFact) -> Iterator[DxFact]:
        for p in line.pointers:
            if 1 <= p <= len(self.dx):
                yield self.dx[p - 1]

    def fingerprint(self) -> str:
        """Same patient, provider, payer, dates and line codes: what payers call a duplicate claim.

        A 32-character digest (BLAKE2b), stable across processes and runs, so sent claims can be remembered
        compactly; computed once per claim (several duplicate edits ask for it)."""
        if self._fingerprint is None:
            claim = self.claim
            lines = sorted(f"{ln.day}|{ln.code}|{'+'.join(ln.modifiers)}|{ln.units}|{ln.charge}" for ln in self.lines)
            text = "\x1f".join(
                (
                    claim.billing_provider.id,
                    claim.subscriber.member_id,
                    self.patient.last_or_org.upper(),
                    self.patient.first.upper(),
                    self.birth_date.isoformat() if self.birth_date else "",
                    claim.payer.payer_id,
                    *lines,
                )
            )
            self._fingerprint = blake2b(text.encode(), digest_size=16).hexdigest()
        return self._fingerprint


NO_EXTRAS = ClaimExtras()


def age_on(birth: date, on: date) -> int:
    """Whole years from birth to the date (the MCE's age on the date of service)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _service_span(claim: Claim) -> tuple[date | None, date | None]:
    starts = [line.service_date_from for line in claim.lines if line.service_date_from is not None]
    ends = [line.service_date_to or line.service_date_from for line in claim.lines if line.service_date_from]
    if starts:
        return min(starts), max(d for d in ends if d is not None)
    for qualifier in ("434", "472"):
        span = claim.dates.get(qualifier)
        if span is not None and span[0] is not None:
            return span[0], span[1] or span[0]
    return None, None
