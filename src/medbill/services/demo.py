"""The demo practice: fictitious people and organizations, Luhn-valid NPIs, real payer types and real code
numbers (ICD-10-CM billable on the dates used, CPT/HCPCS numbers only — never descriptors).

Everything is derived from a seed, so the same call builds the same practice and the same encounters; each row
is found by its natural key before it is created, so running the demo twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medbill.fileio import write_atomic
from medbill.scrub import ScrubContext
from medbill.scrub.rules.payer import MBI_LETTERS
from medbill.services.encounters import ChargeInput, EncounterInput
from medbill.services.ledger import Receivables
from medbill.services.practice import (
    ensure_billing_provider,
    ensure_charge,
    ensure_coverage,
    ensure_facility,
    ensure_patient,
    ensure_payer,
    ensure_provider,
)
from medbill.services.scrub import ClaimScrub
from medbill.store.tables import (
    BatchRow,
    ChargeRow,
    ClaimRow,
    ContractRateRow,
    EncounterRow,
    PatientRow,
    PayerRow,
)
from medbill.x12.validator import ValidationReport


def luhn_npi(stem: str) -> str:
    """The 10-digit NPI for a 9-digit stem (check digit over the prefix 80840, CMS NPI standard)."""
    total = 24
    for k, ch in enumerate(reversed(stem)):
        d = int(ch) * (2 if k % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return stem + str((10 - total % 10) % 10)


BILLING_NPI = luhn_npi("184719492")
CLINICIANS = (
    ("RIVERA", "ANA", luhn_npi("112233445"), "207Q00000X"),  # family medicine
    ("OKAFOR", "DAVID", luhn_npi("122334455"), "207R00000X"),  # internal medicine
    ("LINDQVIST", "MAJA", luhn_npi("133445566"), "363LF0000X"),  # family nurse practitioner
)
REFERRING = ("BANERJEE", "PRIYA", luhn_npi("144556677"), "207RC0000X")  # cardiology

PAYERS = (
    # name, payer id, SBR09 claim filing indicator, trading partner (ISA08), timely filing days
    ("MEDICARE PART B DEMO MAC", "DEMOMCR01", "MB", "DEMOMAC", 365),
    ("STATE MEDICAID DEMO", "DEMOMCD01", "MC", "DEMOMCD", 180),
    ("LAKESIDE COMMERCIAL HEALTH PLAN", "DEMOCOM01", "CI", "DEMOCLEAR", 90),
    ("BLUE SHIELD DEMO", "DEMOBCB01", "BL", "DEMOCLEAR", 180),
)

CHARGES = {
    # CPT/HCPCS code numbers and the practice's charge (about twice the Medicare amount, as practices set them)
    "99202": "150.00", "99203": "220.00", "99204": "330.00", "99212": "110.00", "99213": "175.00",
    "99214": "250.00", "99215": "340.00", "99395": "260.00", "99396": "280.00", "36415": "25.00",
    "81002": "20.00", "85025": "35.00", "80053": "45.00", "80061": "55.00", "83036": "40.00",
    "93000": "75.00", "71046": "120.00", "90686": "45.00", "90471": "35.00", "G0008": "35.00",
    "96372": "45.00", "J1885": "15.00", "20610": "210.00", "J3301": "20.00", "97110": "95.00",
    "G0439": "240.00", "99406": "40.00", "87880": "30.00", "87804": "35.00", "11721": "110.00",
}  # fmt: skip

# (diagnoses, charges as (code, pointers, units, modifiers)) — real billable ICD-10-CM codes, real code numbers
VISITS: tuple[tuple[tuple[str, ...], tuple[tuple[str, tuple[int, ...], int, tuple[str, ...]], ...]], ...] = (
    (("E119", "I10"), (("99214", (1, 2), 1, ()), ("83036", (1,), 1, ()), ("36415", (1,), 1, ()))),
    (("J069",), (("99213", (1,), 1, ()), ("87880", (1,), 1, ()))),
    (("I10", "E785"), (("99213", (1, 2), 1, ()), ("80061", (2,), 1, ()), ("36415", (2,), 1, ()))),
    (("M5450", "M5416"), (("99203", (1, 2), 1, ()),)),
    (("Z0000",), (("99396", (1,), 1, ()), ("85025", (1,), 1, ()), ("80053", (1,), 1, ()), ("36415", (1,), 1, ()))),
    (("Z23",), (("90686", (1,), 1, ()), ("G0008", (1,), 1, ()))),
    (("R0789", "I10"), (("99214", (1, 2), 1, ("25",)), ("93000", (1,), 1, ()), ("71046", (1,), 1, ()))),
    (("M1711",), (("99213", (1,), 1, ("25",)), ("20610", (1,), 1, ("RT",)), ("J3301", (1,), 10, ()))),
    (("J101", "R509"), (("99213", (1, 2), 1, ()), ("87804", (1,), 1, ()))),
    (("N390", "R300"), (("99212", (1, 2), 1, ()), ("81002", (1,), 1, ()))),
    (("F17210",), (("99213", (1,), 1, ("25",)), ("99406", (1,), 1, ()))),
    (("Z0000", "E119"), (("G0439", (1, 2), 1, ()),)),
    (("M25561", "S8001XA"), (("99213", (1, 2), 1, ("25",)), ("96372", (1,), 1, ()), ("J1885", (1,), 2, ()))),
    (("B351",), (("11721", (1,), 1, ()),)),
    (("M6281",), (("97110", (1,), 2, ("GP",)),)),
)

FIRST = ("ALEX", "JORDAN", "SAM", "RILEY", "CASEY", "MORGAN", "TAYLOR", "JAMIE", "AVERY", "QUINN", "DREW", "ROWAN")
LAST = ("ASHWOOD", "BRIARLY", "COLDWATER", "DUNMORE", "ELDERGROVE", "FALLOWAY", "GREYMARSH", "HOLLOWAY",
        "IRONSIDE", "JUNIPERA", "KESTRELL", "LARKSPUR", "MOSSGROVE", "NETHERBY", "OAKHURST", "PENROSE")  # fmt: skip
STREETS = ("MAPLE AVE", "OAK ST", "CEDAR LN", "BIRCH RD", "ELM ST", "PINE CT")


@dataclass(frozen=True, slots=True)
class DemoPractice:
    billing_npi: str
    payers: dict[str, PayerRow]
    patients: int


def demo_mbi(n: int) -> str:
    """A well-formed, fictitious MBI for demo patient ``n`` (C A AN N A AN N A A N N)."""
    a = MBI_LETTERS
    return (
        f"{1 + n % 9}{a[n % 20]}{a[n // 20 % 20]}{n // 400 % 10}{a[n // 7 % 20]}{a[n // 11 % 20]}{n // 13 % 10}"
        f"{a[n // 17 % 20]}{a[n // 19 % 20]}{n % 100:02d}"
    )


def build_practice(session: Session, *, patients: int = 120, seed: int = 7) -> DemoPractice:
    ensure_billing_provider(
        session,
        npi=BILLING_NPI,
        name="LAKESIDE FAMILY MEDICINE",
        tax_id="363644813",
        taxonomy="207Q00000X",
        phone="2175550100",
        address1="100 MAIN STREET",
        city="SPRINGFIELD",
        state="IL",
        postal_code="627011234",
    )
    for last, first, npi, taxonomy in (*CLINICIANS, REFERRING):
        ensure_provider(session, npi=npi, last_name=last, first_name=first, taxonomy=taxonomy)
    ensure_facility(
        session,
        name="LAKESIDE FAMILY MEDICINE CLINIC",
        npi=BILLING_NPI,
        place_of_service="11",
        locality="06102-99",  # Medicare locality: REST OF ILLINOIS
        address1="100 MAIN STREET",
        city="SPRINGFIELD",
        state="IL",
        postal_code="627011234",
    )
    payers = {}
    for name, payer_id, indicator, partner, days in PAYERS:
        payers[payer_id] = ensure_payer(
            session,
            payer_id=payer_id,
            name=name,
            claim_filing_indicator=indicator,
            trading_partner=partner,
            timely_filing_days=days,
            address1="PO BOX 1000",
            city="CHICAGO",
            state="IL",
            postal_code="606010000",
        )
    for code, amount in CHARGES.items():
        ensure_charge(session, code=code, amount=Decimal(amount), effective_from=dt.date(2024, 1, 1))
    rng = random.Random(seed)
    payer_ids = list(payers)
    for n in range(1, patients + 1):
        account = f"DEMO-PT-{n:05d}"
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 60))
        patient = ensure_patient(
            session,
            account_number=account,
            last_name=rng.choice(LAST),
            first_name=rng.choice(FIRST),
            birth_date=birth,
            sex=rng.choice("FM"),
            address1=f"{rng.randrange(10, 9999)} {rng.choice(STREETS)}",
            city="SPRINGFIELD",
            state="IL",
            postal_code="62704",
        )
        age = (dt.date(2024, 6, 1) - birth).days // 365
        payer = payers["DEMOMCR01"] if age >= 65 else payers[rng.choice(payer_ids[1:])]
        ensure_coverage(
            session,
            patient=patient,
            payer=payer,
            member_id=demo_mbi(n) if payer.claim_filing_indicator == "MB" else f"{payer.payer_id[4:7]}{n:09d}",
            priority=1,
            group_number="" if payer.claim_filing_indicator in ("MB", "MC") else f"GRP{n % 7:04d}",
            relationship_code="18",
            start_date=dt.date(2023, 1, 1),
        )
    return DemoPractice(BILLING_NPI, payers, patients)


def encounters(practice: DemoPractice, *, count: int = 300, seed: int = 11) -> Iterator[EncounterInput]:
    """``count`` outpatient visits in CY2024 (dates after 2024-03-09, when the final CY2024 conversion factor
    applies), deterministic for a seed."""
    rng = random.Random(seed)
    start = dt.date(2024, 3, 11)
    for n in range(1, count + 1):
        diagnoses, lines = VISITS[rng.randrange(len(VISITS))]
        day = start + dt.timedelta(days=rng.randrange(0, 260))
        if day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4)
        clinician = CLINICIANS[rng.randrange(len(CLINICIANS))]
        yield EncounterInput(
            external_id=f"DEMO-ENC-{n:05d}",
            patient_account=f"DEMO-PT-{rng.randrange(1, practice.patients + 1):05d}",
            billing_provider_npi=practice.billing_npi,
            place_of_service="11",
            date_from=day,
            diagnoses=diagnoses,
            charges=tuple(
                ChargeInput(code, pointers, Decimal(units), modifiers) for code, pointers, units, modifiers in lines
            ),
            rendering_npi=clinician[2],
            referring_npi=REFERRING[2] if "93000" in (c for c, *_ in lines) else "",
            facility="LAKESIDE FAMILY MEDICINE CLINIC",
        )


@dataclass(frozen=True, slots=True)
class DemoSummary:
    patients: int
    encounters: int
    claims: int
    claims_submitted_now: int
    charges: Decimal
    expected: Decimal
    batch_files: tuple[str, ...]
    batches_accepted: int
    batches_rejected: int
    ledger_entries_new: int
    receivables: Receivables
    cms1500: str
    scrubbed: tuple[ClaimScrub, ...] = ()
    """This run's scrub of the draft claims (clean ones moved to ready)."""


def scrub_drafts(session: Session, context: ScrubContext, *, actor: str) -> list[ClaimScrub]:
    """Scrub every draft claim as the practice would, a few days after the visit, and move the clean ones to
    ready; claims with error-level findings stay drafts for a coder to fix."""
    from medbill.scrub import Scrubber, shipped_profiles
    from medbill.services.scrub import claims_to_scrub, scrub_claims

    def submitted(row: ClaimRow) -> dt.date:
        encounter = session.get(EncounterRow, row.encounter_id)
        assert encounter is not None
        return encounter.date_from + SUBMISSION_LAG

    drafts = [row for row in claims_to_scrub(session) if row.status == "draft"]
    return scrub_claims(
        session,
        drafts,
        scrubber=Scrubber(),
        context=context,
        profiles=shipped_profiles(),
        ready=True,
        actor=actor,
        submitted_on=submitted,
    )


SUBMISSION_LAG = dt.timedelta(days=5)
"""The demo practice sends its claims five days after the visit."""


def run_demo(
    session: Session,
    *,
    out_dir: Path,
    encounters_count: int = 300,
    scrub: ScrubContext,
    validate: Callable[[str], ValidationReport] | None = None,
) -> DemoSummary:
    """Practice, encounters, priced charges, claims, 837P batches. Idempotent: a second run adds nothing."""
    from medbill.forms import render_cms1500
    from medbill.services.batches import Submitter, create_batches
    from medbill.services.claims import claim_model, create_claims
    from medbill.services.encounters import record_encounter
    from medbill.services.ledger import post_claim_charges, receivables
    from medbill.services.pricing import expected_from, fee_schedule

    actor = "medbill demo"
    practice = build_practice(session)
    for payer_id, kind, value in (("DEMOMCD01", "percent_of_medicare", "75"), ("DEMOCOM01", "percent_of_medicare",
                                  "125"), ("DEMOBCB01", "percent_of_medicare", "110")):  # fmt: skip
        ensure_contract(session, payer=practice.payers[payer_id], kind=kind, value=Decimal(value))
    expected = expected_from(fee_schedule(session))
    for data in encounters(practice, count=encounters_count):
        patient = session.scalars(select(PatientRow).where(PatientRow.account_number == data.patient_account)).one()
        payer = patient.coverages[0].payer if patient.coverages else None
        encounter = record_encounter(session, data, payer=payer, expected=expected)
        create_claims(session, encounter, actor=actor)
    scrubbed = scrub_drafts(session, scrub, actor=actor)
    ready = list(session.scalars(select(ClaimRow).where(ClaimRow.status == "ready").order_by(ClaimRow.id)))
    submitter = Submitter("LAKESIDEFM", "LAKESIDE FAMILY MEDICINE", "BILLING OFFICE", "2175550100")
    files = create_batches(session, ready, out_dir=out_dir / "837", submitter=submitter, actor=actor, validate=validate)
    submitted = list(session.scalars(select(ClaimRow).where(ClaimRow.status == "submitted").order_by(ClaimRow.id)))
    posted = post_claim_charges(session, submitted, actor=actor)
    pdf = out_dir / "cms1500.pdf"
    if submitted:
        write_atomic(pdf, render_cms1500([claim_model(session, claim) for claim in submitted[:3]]))
    batch_names = tuple(sorted(str(out_dir / "837" / row.file_name) for row in session.scalars(select(BatchRow))))
    accepted = session.scalar(select(func.count()).select_from(BatchRow).where(BatchRow.accepted.is_(True))) or 0
    total_batches = session.scalar(select(func.count()).select_from(BatchRow)) or 0
    return DemoSummary(
        patients=session.scalar(select(func.count()).select_from(PatientRow)) or 0,
        encounters=session.scalar(select(func.count()).select_from(EncounterRow)) or 0,
        claims=session.scalar(select(func.count()).select_from(ClaimRow)) or 0,
        claims_submitted_now=sum(f.claims for f in files if f.accepted),
        charges=session.scalar(select(func.coalesce(func.sum(ChargeRow.amount), 0))) or Decimal(0),
        expected=session.scalar(select(func.coalesce(func.sum(ChargeRow.expected), 0))) or Decimal(0),
        batch_files=batch_names,
        batches_accepted=accepted,
        batches_rejected=total_batches - accepted,
        ledger_entries_new=posted,
        receivables=receivables(session, AS_OF),
        cms1500=str(pdf) if submitted else "",
        scrubbed=tuple(scrubbed),
    )


AS_OF = dt.date(2024, 12, 31)
"""The demo's encounters fall in CY2024; its A/R is aged as of the year's end."""


def ensure_contract(session: Session, *, payer: PayerRow, kind: str, value: Decimal) -> ContractRateRow:
    """The payer's default contract rate (every code), created once."""
    row = session.scalars(select(ContractRateRow).where(ContractRateRow.payer_id == payer.id)).first()
    if row is None:
        row = ContractRateRow(payer_id=payer.id, code="", kind=kind, value=value, effective_from=dt.date(2024, 1, 1))
        session.add(row)
        session.flush()
    return row
