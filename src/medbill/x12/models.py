"""Typed models of the non-claim X12 transactions: 835 remittance, 999, 277CA/277, 270/271 and 276.

The 837 claim lives in ``medbill.billing.claim`` because the billing core owns it; these models reuse its
``Party``, ``Address``, ``Contact`` and ``Adjustment`` so a remittance can be matched to the claim it pays.
Unparsable money or dates are ``None``: the validator says what was wrong, the reader never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from medbill.billing.claim import Adjustment, Party

# --- 835 ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """2110 SVC: one adjudicated service line."""

    procedure_code: str
    charge: Decimal | None
    paid: Decimal | None
    procedure_qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    units: Decimal | None = None
    original_procedure: str = ""
    """SVC06 (qualifier:code…) as sent when the payer adjudicated a different code."""
    original_units: Decimal | None = None
    dates: dict[str, date | None] = field(default_factory=dict)
    """DTM qualifier (472 service, 150 from, 151 to) → date."""
    adjustments: tuple[Adjustment, ...] = ()
    references: tuple[tuple[str, str], ...] = ()
    """REF (qualifier, value): 6R line control number, 1B/LU … ."""
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    """AMT qualifier (B6 allowed …) → amount."""
    remarks: tuple[tuple[str, str], ...] = ()
    """LQ (qualifier HE/RX, code)."""


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """2100 CLP: the payer's decision on one claim."""

    patient_control_number: str
    status: str
    charge: Decimal | None
    paid: Decimal | None
    patient_responsibility: Decimal | None = None
    filing_indicator: str = ""
    payer_claim_control_number: str = ""
    facility_code: str = ""
    frequency_code: str = ""
    drg: str = ""
    header_number: str = "1"
    """LX01 of the 2000 loop that holds the claim."""
    adjustments: tuple[Adjustment, ...] = ()
    patient: Party | None = None
    insured: Party | None = None
    corrected_insured: Party | None = None
    rendering_provider: Party | None = None
    crossover_carrier: Party | None = None
    inpatient_remarks: tuple[str, ...] = ()
    """MIA: the element values after MIA01 as sent (remark codes sit in MIA05, MIA20-MIA24)."""
    outpatient_remarks: tuple[str, ...] = ()
    """MOA: the element values as sent (remark codes in MOA03-MOA07)."""
    references: tuple[tuple[str, str], ...] = ()
    dates: dict[str, date | None] = field(default_factory=dict)
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    services: tuple[ServicePayment, ...] = ()

    @property
    def remark_codes(self) -> tuple[str, ...]:
        """The RARC codes of MOA03-07 (outpatient) or MIA05/MIA20-24 (inpatient)."""
        moa = [v for v in self.outpatient_remarks[2:7] if v]
        mia = self.inpatient_remarks
        mia_codes = [mia[i] for i in (4, 19, 20, 21, 22, 23) if i < len(mia) and mia[i]]
        return tuple(moa + mia_codes)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB reason/amount pair (a PLB segment holds up to six)."""

    provider_id: str
    fiscal_period: date | None
    reason: str
    amount: Decimal | None
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction set: the payment, its payer and payee, and the claims it pays."""

    payer: Party
    payee: Party
    handling_code: str
    total_paid: Decimal | None
    credit_debit: str = "C"
    payment_method: str = ""
    payment_format: str = ""
    payment_date: date | None = None
    bank: tuple[str, ...] = ()
    """BPR06-BPR15 as sent (DFI qualifiers, numbers, accounts) when money moved electronically."""
    trace_type: str = "1"
    trace_number: str = ""
    trace_originator: str = ""
    trace_supplemental: str = ""
    receiver_id: str = ""
    """REF*EV."""
    version_id: str = ""
    """REF*F2."""
    production_date: date | None = None
    """DTM*405."""
    claims: tuple[ClaimPayment, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()


# --- 999 ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ElementError:
    """IK4: position (IK401 as sent, e.g. "2" or "5:1"), data element reference, error code, bad value."""

    position: str
    reference: str
    code: str
    bad_value: str = ""


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3 with its IK4 element errors."""

    segment_id: str
    position: int | None
    loop: str
    code: str
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class SetResponse:
    """AK2 … IK5: the verdict on one acknowledged transaction set."""

    set_id: str
    control_number: str
    version: str = ""
    status: str = ""
    """IK501: A accepted, E accepted with errors, R rejected, M, W, X."""
    codes: tuple[str, ...] = ()
    """IK502-IK506."""
    errors: tuple[SegmentError, ...] = ()


@dataclass(frozen=True, slots=True)
class Acknowledgment:
    """One 999: the acknowledged group (AK1), one response per set, and the group verdict (AK9)."""

    functional_id: str
    group_control_number: str
    version: str = ""
    sets: tuple[SetResponse, ...] = ()
    status: str = ""
    included: int | None = None
    received: int | None = None
    accepted: int | None = None
    codes: tuple[str, ...] = ()


# --- 277CA / 277 -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    """One STC: category, status and entity codes of each of up to three composites, date and amounts."""

    category: str
    code: str
    entity: str = ""
    effective_date: date | None = None
    action: str = ""
    charge: Decimal | None = None
    paid: Decimal | None = None
    others: tuple[tuple[str, str, str], ...] = ()
    """STC10 and STC11 (category, status, entity) when sent."""
    message: str = ""


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """A 2200 loop of a 277/277CA (claim level) or of 276 (request): the claim and its statuses."""

    level: str
    """The loop: 2200B/C (277CA receiver/provider), 2200D (subscriber claim), 2200E (dependent claim)."""
    trace_number: str = ""
    statuses: tuple[Status, ...] = ()
    patient_control_number: str = ""
    """REF*EJ."""
    payer_claim_control_number: str = ""
    """REF*1K."""
    references: tuple[tuple[str, str], ...] = ()
    service_date_from: date | None = None
    service_date_to: date | None = None
    charge: Decimal | None = None
    """AMT*T3 (276) or the STC04 of the first status."""
    subscriber: Party | None = None
    patient: Party | None = None
    provider: Party | None = None
    lines: tuple[ServiceStatus, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """2220D/2220E (277) or 2210D/2210E (276): a service line and its statuses."""

    procedure_qualifier: str
    procedure_code: str
    charge: Decimal | None = None
    paid: Decimal | None = None
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    units: Decimal | None = None
    statuses: tuple[Status, ...] = ()
    line_control_number: str = ""
    service_date_from: date | None = None
    service_date_to: date | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One 277 or 277CA transaction set: the payer, the receivers and the claims with statuses."""

    kind: str
    """277CA or 277."""
    payer: Party | None = None
    receivers: tuple[Party, ...] = ()
    providers: tuple[Party, ...] = ()
    claims: tuple[ClaimStatus, ...] = ()
    receiver_statuses: tuple[Status, ...] = ()
    """2200B/2200C statuses about the receiver or provider rather than a claim."""


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """One 276: the payer, provider, and the claims whose status is asked for."""

    payer: Party | None = None
    receiver: Party | None = None
    providers: tuple[Party, ...] = ()
    claims: tuple[ClaimStatus, ...] = ()


# --- 270 / 271 ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Benefit:
    """One EB: what the plan covers for a set of service types, with its messages."""

    eligibility_code: str
    coverage_level: str = ""
    service_types: tuple[str, ...] = ()
    insurance_type: str = ""
    plan: str = ""
    time_period: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = None
    quantity_qualifier: str = ""
    quantity: Decimal | None = None
    authorization_required: str = ""
    in_network: str = ""
    """EB12: Y in plan network, N out of network, U unknown, W not applicable."""
    procedure: str = ""
    messages: tuple[str, ...] = ()
    dates: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    related: tuple[Party, ...] = ()
    """LS/LE 2120 entities (primary care provider, other payer …)."""


@dataclass(frozen=True, slots=True)
class EligibilityMember:
    """2000C subscriber or 2000D dependent of a 270 or 271."""

    level: str
    """"subscriber" or "dependent"."""
    party: Party
    trace_numbers: tuple[str, ...] = ()
    birth_date: date | None = None
    sex: str = ""
    relationship: str = ""
    dates: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    service_types: tuple[str, ...] = ()
    """EQ01 service type codes of the 270 inquiry."""
    benefits: tuple[Benefit, ...] = ()
    rejections: tuple[tuple[str, str], ...] = ()
    """AAA (reject reason, follow-up action)."""


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    """One 270."""

    payer: Party | None = None
    provider: Party | None = None
    members: tuple[EligibilityMember, ...] = ()


@dataclass(frozen=True, slots=True)
class EligibilityResponse:
    """One 271."""

    payer: Party | None = None
    provider: Party | None = None
    members: tuple[EligibilityMember, ...] = ()
    rejections: tuple[tuple[str, str], ...] = ()
