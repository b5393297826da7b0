"""Test data for the scrubber: one clean professional and one clean institutional claim, and the Case shape.

Every rule's cases start from a clean claim and change one thing, so a flag case shows exactly what the rule
catches and a pass case shows the nearest thing it must leave alone. The clean claims pass every rule under
every shipped profile (test_scrub_meta holds that), which is what makes the single-change cases meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from medbill.billing.claim import Address, Claim, Diagnosis, Party, Patient, Payer, ServiceLine, Subscriber
from medbill.billing.fees import MedicareFeeSchedule
from medbill.codes import CodeLibrary
from medbill.scrub import ClaimExtras, Finding, PayerProfile, Scrubber, ScrubContext
from medbill.scrub.ncci import NcciTables

DOS = date(2024, 8, 14)
"""Date of service of the clean claims (inside the NCCI Q3 2024 and PFS CY2024 editions)."""
TODAY = date(2024, 9, 3)
"""The scrub's "today" in cases (a few weeks after the date of service)."""

NPI_BILLING = "1234567893"
NPI_RENDERING = "1987654328"
NPI_REFERRING = "1555555550"
NPI_FACILITY = "1444444446"
NPI_ATTENDING = "1333333338"

OFFICE = Address("100 MAIN ST", "", "SPRINGFIELD", "IL", "627011234")
HOME = Address("9 ELM ST", "", "SPRINGFIELD", "IL", "627025678")
BILLING = Party(
    "2", "ACME CLINIC", id_qualifier="XX", id=NPI_BILLING, address=OFFICE, tax_id="371234567", taxonomy="207Q00000X"
)
RENDERING = Party("1", "SMITH", "ALAN", id_qualifier="XX", id=NPI_RENDERING, taxonomy="207R00000X")
REFERRING = Party("1", "JONES", "MARY", id_qualifier="XX", id=NPI_REFERRING)
SUBSCRIBER = Subscriber(
    Party("1", "DOE", "JANE", "Q", id_qualifier="MI", id="1EG4TE5MK73", address=HOME),
    member_id="1EG4TE5MK73",
    group_number="GRP01",
    relationship="18",
    payer_responsibility="P",
    claim_filing_indicator="CI",
    birth_date=date(1958, 3, 12),
    sex="F",
)
PAYER = Payer("ACME HEALTH PLAN", "12345", Address("100 PLAN WAY", "", "CHICAGO", "IL", "606011000"))


def line(
    n: int,
    code: str,
    charge: str = "100.00",
    *,
    units: str = "1",
    mods: tuple[str, ...] = (),
    ptr: tuple[int, ...] = (1,),
    day: date = DOS,
    to: date | None = None,
    **more: Any,
) -> ServiceLine:
    return ServiceLine(
        n,
        code,
        Decimal(charge),
        modifiers=mods,
        units=Decimal(units),
        diagnosis_pointers=ptr,
        service_date_from=day,
        service_date_to=to,
        **more,
    )


def professional(**changes: Any) -> Claim:
    """A clean 837P office visit: an established-patient E/M, a venipuncture and a CBC; four diagnoses."""
    lines = (
        line(1, "99213", "125.00", ptr=(1, 2, 3, 4)),
        line(2, "36415", "15.00", ptr=(2,)),
        line(3, "85025", "30.00", ptr=(2, 3)),
    )
    claim = Claim(
        "P",
        "CLM1001",
        Decimal("170.00"),
        "11",
        BILLING,
        SUBSCRIBER,
        PAYER,
        diagnoses=(
            Diagnosis("I10", "ABK"),
            Diagnosis("E1165", "ABF"),
            Diagnosis("D649", "ABF"),
            Diagnosis("Z7984", "ABF"),
        ),
        rendering_provider=RENDERING,
        lines=lines,
    )
    return replace(claim, **changes)


def institutional(**changes: Any) -> Claim:
    """A clean 837I hospital outpatient claim (type of bill 131): an ED visit and a chest X-ray."""
    lines = (
        line(1, "99284", "850.00", ptr=(), revenue_code="0450"),
        line(2, "71046", "240.00", ptr=(), revenue_code="0320"),
    )
    claim = Claim(
        "I",
        "CLM2001",
        Decimal("1090.00"),
        "13",
        replace(BILLING, last_or_org="ACME HOSPITAL", taxonomy="282N00000X"),
        SUBSCRIBER,
        PAYER,
        facility_qualifier="A",
        diagnoses=(Diagnosis("J189", "ABK"), Diagnosis("R0600", "APR"), Diagnosis("I10", "ABF")),
        dates={"434": (DOS, DOS)},
        institutional=("1", "7", "01"),
        attending_provider=Party("1", "WELBY", "MARCUS", id_qualifier="XX", id=NPI_ATTENDING),
        lines=lines,
    )
    return replace(claim, **changes)


def with_patient(claim: Claim, birth: date, sex: str, relationship: str = "19") -> Claim:
    """The claim for a dependant (child, spouse …) of the subscriber."""
    subscriber = replace(claim.subscriber, relationship="", birth_date=date(1958, 3, 12))
    patient = Patient(Party("1", "DOE", "JOHNNY", address=HOME), relationship, birth, sex)
    return replace(claim, subscriber=subscriber, patient=patient)


def with_person(claim: Claim, birth: date | None = None, sex: str | None = None) -> Claim:
    """The subscriber-patient with another birth date or sex."""
    sub = claim.subscriber
    return replace(
        claim,
        subscriber=replace(
            sub, birth_date=birth if birth is not None else sub.birth_date, sex=sex if sex is not None else sub.sex
        ),
    )


def dx(*codes: str, principal: str = "ABK", other: str = "ABF") -> tuple[Diagnosis, ...]:
    return tuple(Diagnosis(c.replace(".", ""), principal if i == 0 else other) for i, c in enumerate(codes))


def with_lines(claim: Claim, *lines: ServiceLine) -> Claim:
    """The claim with these lines and its total made to match them."""
    total = sum((ln.charge for ln in lines if ln.charge is not None), Decimal(0))
    return replace(claim, lines=tuple(lines), total_charge=total)


@dataclass(frozen=True)
class Case:
    """One data-driven case: the rule, whether the claim must flag or pass, and why."""

    rule: str
    expect: Literal["flag", "pass"]
    claim: Claim
    why: str
    profile: str = "commercial"
    params: dict[str, object] = field(default_factory=dict)
    extras: ClaimExtras | None = None
    today: date = TODAY
    history: dict[str, str] | None = None
    """Fingerprints already seen in the run (duplicate edits), as ``ScrubContext.seen``."""
    earlier: tuple[Claim, ...] = ()
    """Claims scrubbed before this one in the same run (duplicate-claim edits)."""


def flag(rule: str, claim: Claim, why: str, **more: Any) -> Case:
    return Case(rule, "flag", claim, why, **more)


def ok(rule: str, claim: Claim, why: str, **more: Any) -> Case:
    return Case(rule, "pass", claim, why, **more)


@dataclass
class ScrubEnv:
    library: CodeLibrary
    ncci: NcciTables
    fees: MedicareFeeSchedule
    profiles: dict[str, PayerProfile]

    def context(
        self, profile: str = "commercial", params: dict[str, object] | None = None, today: date = TODAY
    ) -> ScrubContext:
        chosen = self.profiles[profile]
        if params:
            chosen = replace(chosen, params={**chosen.params, **params})
        return ScrubContext(self.library, chosen, self.ncci, self.fees, today)

    def run(self, case: Case, *, only: bool = True) -> list[Finding]:
        ctx = self.context(case.profile, case.params, case.today)
        if case.history:
            ctx.seen.update(case.history)
        scrubber = Scrubber(only=[case.rule] if only else None)
        for earlier in case.earlier:
            scrubber.scrub(earlier, ctx)
        return scrubber.scrub(case.claim, ctx, case.extras)
