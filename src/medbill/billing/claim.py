"""The Claim model: one shape for the billing core and the 837P/837I reader and writer.

Frozen dataclasses so a parsed claim can be compared, hashed into caches by id and never mutated behind the
back of the writer; money is ``Decimal`` and dates are ``datetime.date``. A field that a file left empty or
that could not be parsed is ``None`` (the validator reports why), so readers never have to raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

ClaimKind = Literal["P", "I"]


@dataclass(frozen=True, slots=True)
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """A PER contact: name and up to three communication numbers (qualifier, number), e.g. ("TE", "555…")."""

    name: str = ""
    numbers: tuple[tuple[str, str], ...] = ()
    function: str = "IC"


@dataclass(frozen=True, slots=True)
class Party:
    """A person ("1") or organization ("2") as an NM1 with its address, ids and taxonomy."""

    entity: str = "2"
    last_or_org: str = ""
    first: str = ""
    middle: str = ""
    suffix: str = ""
    id_qualifier: str = ""
    id: str = ""
    address: Address | None = None
    tax_id: str = ""
    """REF*EI (or SY for a person's SSN on the billing provider)."""
    taxonomy: str = ""
    secondary_ids: dict[str, str] = field(default_factory=dict)
    """Other REF ids of the party, qualifier → value (insertion order is kept when written)."""
    contact: Contact | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    party: Party
    member_id: str = ""
    group_number: str = ""
    relationship: str = "18"
    """SBR02 / individual relationship code: "18" self; empty when a 2000C patient exists."""
    payer_responsibility: str = "P"
    claim_filing_indicator: str = ""
    birth_date: date | None = None
    sex: str = ""
    group_name: str = ""
    insurance_type: str = ""


@dataclass(frozen=True, slots=True)
class Patient:
    """The 2000C patient, present only when the patient is not the subscriber."""

    party: Party
    relationship: str = ""
    birth_date: date | None = None
    sex: str = ""


@dataclass(frozen=True, slots=True)
class Payer:
    name: str = ""
    payer_id: str = ""
    address: Address | None = None
    id_qualifier: str = "PI"
    secondary_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    code: str
    """Without the dot: "E119"."""
    qualifier: str = "ABF"
    """ABK principal, ABF other, ABJ admitting, ABN external cause, APR reason for visit (BK/BF: ICD-9)."""
    poa: str = ""
    """Present-on-admission indicator (837I): Y, N, U, W or 1."""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet: group (CO, PR, OA, PI, CR), reason code, amount and optional quantity."""

    group: str
    reason: str
    amount: Decimal | None
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """2430: what another payer did with this line."""

    payer_id: str
    paid: Decimal | None
    procedure_qualifier: str = "HC"
    procedure_code: str = ""
    modifiers: tuple[str, ...] = ()
    units: Decimal | None = None
    revenue_code: str = ""
    adjustments: tuple[Adjustment, ...] = ()
    adjudication_date: date | None = None


@dataclass(frozen=True, slots=True)
class ServiceLine:
    line_number: int
    procedure_code: str
    charge: Decimal | None
    procedure_qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    unit_basis: str = "UN"
    units: Decimal | None = None
    place_of_service: str = ""
    diagnosis_pointers: tuple[int, ...] = ()
    service_date_from: date | None = None
    service_date_to: date | None = None
    revenue_code: str = ""
    """837I SV201."""
    ndc: str = ""
    ndc_quantity: Decimal | None = None
    ndc_unit: str = ""
    line_control_number: str = ""
    rendering_provider: Party | None = None
    adjudications: tuple[LineAdjudication, ...] = ()
    emergency: str = ""
    non_covered_charge: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """2320/2330: another payer on the claim (coordination of benefits)."""

    subscriber: Subscriber
    payer: Payer
    responsibility: str = "P"
    adjustments: tuple[Adjustment, ...] = ()
    paid: Decimal | None = None
    remaining: Decimal | None = None
    benefits_assignment: str = "Y"
    release_of_info: str = "Y"
    adjudication_date: date | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    kind: ClaimKind
    claim_id: str
    total_charge: Decimal | None
    facility_code: str
    """CLM05-1: place of service (837P) or the first two type-of-bill digits (837I)."""
    billing_provider: Party
    subscriber: Subscriber
    payer: Payer
    facility_qualifier: str = "B"
    frequency_code: str = "1"
    provider_signature: str = "Y"
    assignment: str = "A"
    benefits_assignment: str = "Y"
    release_of_info: str = "Y"
    patient_signature_source: str = ""
    related_causes: tuple[str, ...] = ()
    delay_reason: str = ""
    pay_to: Party | None = None
    patient: Patient | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    dates: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    """DTP qualifier → (from, to); to is None for a single date (434 statement, 431 onset, 435 admission …)."""
    institutional: tuple[str, str, str] | None = None
    """837I CL1: (admission type, admission source, patient status)."""
    payer_claim_control_number: str = ""
    prior_authorization: str = ""
    referral_number: str = ""
    medical_record_number: str = ""
    referring_provider: Party | None = None
    rendering_provider: Party | None = None
    service_facility: Party | None = None
    attending_provider: Party | None = None
    operating_provider: Party | None = None
    other_payers: tuple[OtherPayer, ...] = ()
    lines: tuple[ServiceLine, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    """NTE (reference code, text)."""

    @property
    def line_total(self) -> Decimal:
        """Σ line charges (lines with an unreadable charge count as zero): what CLM02 should equal."""
        return sum((line.charge for line in self.lines if line.charge is not None), Decimal(0))
