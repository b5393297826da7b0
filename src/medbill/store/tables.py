"""The tables. Money is Numeric(12, 2) (Decimal in Python); dates are Date; every table has an integer id.

Ledger entries and postings are append-only: repositories offer no update or delete, and on PostgreSQL a
trigger (migration 0001) refuses UPDATE and DELETE on them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MONEY = Numeric(12, 2)
QUANTITY = Numeric(12, 3)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AddressColumns:
    address1: Mapped[str] = mapped_column(String(55), default="")
    address2: Mapped[str] = mapped_column(String(55), default="")
    city: Mapped[str] = mapped_column(String(30), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(15), default="")


class BillingProviderRow(AddressColumns, Base):
    """The organization (or person) that bills: 2010AA."""

    __tablename__ = "billing_providers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    tax_id: Mapped[str] = mapped_column(String(9))
    taxonomy: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(15), default="")


class ProviderRow(Base):
    """A rendering, referring or supervising clinician (a person with an NPI)."""

    __tablename__ = "providers"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(60))
    first_name: Mapped[str] = mapped_column(String(35))
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    taxonomy: Mapped[str] = mapped_column(String(10), default="")


class FacilityRow(AddressColumns, Base):
    """A service facility location (2310C / box 32)."""

    __tablename__ = "facilities"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    npi: Mapped[str] = mapped_column(String(10), default="")
    place_of_service: Mapped[str] = mapped_column(String(2))
    locality: Mapped[str] = mapped_column(String(12), default="")
    """Medicare carrier and locality, "CCCCC-LL", for PFS pricing."""


class PayerRow(AddressColumns, Base):
    __tablename__ = "payers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    payer_id: Mapped[str] = mapped_column(String(80), unique=True)
    claim_filing_indicator: Mapped[str] = mapped_column(String(2))
    """SBR09: MB Medicare Part B, MC Medicaid, CI commercial, BL Blue Cross, HM HMO …"""
    timely_filing_days: Mapped[int] = mapped_column(Integer, default=365)
    trading_partner: Mapped[str] = mapped_column(String(15), default="")
    """The receiver id (ISA08) of the clearinghouse or payer the 837 goes to."""


class PatientRow(AddressColumns, Base):
    """Protected health information: never logged, never in error messages."""

    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(38), unique=True)
    last_name: Mapped[str] = mapped_column(String(60))
    first_name: Mapped[str] = mapped_column(String(35))
    middle_name: Mapped[str] = mapped_column(String(25), default="")
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    coverages: Mapped[list[CoverageRow]] = relationship(back_populates="patient", order_by="CoverageRow.priority")


class CoverageRow(Base):
    __tablename__ = "coverages"
    __table_args__ = (UniqueConstraint("patient_id", "payer_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id"))
    priority: Mapped[int] = mapped_column(Integer)
    """1 primary, 2 secondary, 3 tertiary."""
    member_id: Mapped[str] = mapped_column(String(80))
    group_number: Mapped[str] = mapped_column(String(50), default="")
    relationship_code: Mapped[str] = mapped_column(String(2), default="18")
    """Patient's relationship to the subscriber: 18 self, 01 spouse, 19 child, G8 other."""
    subscriber_last_name: Mapped[str] = mapped_column(String(60), default="")
    subscriber_first_name: Mapped[str] = mapped_column(String(35), default="")
    subscriber_birth_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    subscriber_sex: Mapped[str] = mapped_column(String(1), default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    patient: Mapped[PatientRow] = relationship(back_populates="coverages")
    payer: Mapped[PayerRow] = relationship()


class ChargeMasterRow(Base):
    """The practice's charge for a code (and modifier) from a date."""

    __tablename__ = "charge_master"
    __table_args__ = (UniqueConstraint("code", "modifier", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5))
    modifier: Mapped[str] = mapped_column(String(2), default="")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class ContractRateRow(Base):
    """What a payer agreed to pay: a fixed amount or a percent of the Medicare PFS amount."""

    __tablename__ = "contract_rates"
    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id"))
    code: Mapped[str] = mapped_column(String(5), default="")
    """Empty: the payer's default rate for every code."""
    kind: Mapped[str] = mapped_column(String(16))
    """"fixed" or "percent_of_medicare"."""
    value: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class EncounterRow(Base):
    __tablename__ = "encounters"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    """The source system's id: importing the same encounter twice is a no-op."""
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    billing_provider_id: Mapped[int] = mapped_column(ForeignKey("billing_providers.id"))
    rendering_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), nullable=True)
    referring_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), nullable=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), nullable=True)
    place_of_service: Mapped[str] = mapped_column(String(2))
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date] = mapped_column(Date)
    diagnoses: Mapped[str] = mapped_column(String(120))
    """Up to 12 ICD-10-CM codes without dots, in order, comma-separated (the first is the principal)."""
    charges: Mapped[list[ChargeRow]] = relationship(back_populates="encounter", order_by="ChargeRow.line")


class ChargeRow(Base):
    __tablename__ = "charges"
    __table_args__ = (UniqueConstraint("encounter_id", "line"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"))
    line: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[str] = mapped_column(String(11), default="")
    """Up to four two-character modifiers, comma-separated."""
    units: Mapped[Decimal] = mapped_column(QUANTITY)
    pointers: Mapped[str] = mapped_column(String(12))
    """Diagnosis pointers (1-based positions in the encounter's list), comma-separated, up to four."""
    amount: Mapped[Decimal] = mapped_column(MONEY)
    expected: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    """Expected reimbursement (contract or Medicare PFS), for underpayment detection."""
    revenue_code: Mapped[str] = mapped_column(String(4), default="")
    ndc: Mapped[str] = mapped_column(String(11), default="")
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date] = mapped_column(Date)
    encounter: Mapped[EncounterRow] = relationship(back_populates="charges")


class ClaimRow(Base):
    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_number: Mapped[str] = mapped_column(String(38), unique=True)
    """CLM01, the patient control number the payer echoes back in the 277CA and 835."""
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    coverage_id: Mapped[int] = mapped_column(ForeignKey("coverages.id"))
    kind: Mapped[str] = mapped_column(String(1))
    """P professional (837P, CMS-1500) or I institutional (837I, UB-04)."""
    part: Mapped[int] = mapped_column(Integer, default=1)
    """1.. when an encounter was split (12 diagnoses / 50 lines on an 837P)."""
    frequency_code: Mapped[str] = mapped_column(String(1), default="1")
    original_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), nullable=True)
    payer_claim_control_number: Mapped[str] = mapped_column(String(50), default="")
    type_of_bill: Mapped[str] = mapped_column(String(4), default="")
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    lines: Mapped[list[ClaimLineRow]] = relationship(back_populates="claim", order_by="ClaimLineRow.line")
    events: Mapped[list[ClaimEventRow]] = relationship(order_by="ClaimEventRow.id")


class ClaimLineRow(Base):
    __tablename__ = "claim_lines"
    __table_args__ = (UniqueConstraint("claim_id", "line"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    line: Mapped[int] = mapped_column(Integer)
    charge_id: Mapped[int] = mapped_column(ForeignKey("charges.id"))
    diagnosis_pointers: Mapped[str] = mapped_column(String(12))
    """Pointers into this claim's own diagnosis list (after a split they differ from the encounter's)."""
    claim: Mapped[ClaimRow] = relationship(back_populates="lines")
    charge: Mapped[ChargeRow] = relationship()


class ClaimDiagnosisRow(Base):
    __tablename__ = "claim_diagnoses"
    __table_args__ = (UniqueConstraint("claim_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))


class ClaimEventRow(Base):
    """Every lifecycle transition: who, when, why."""

    __tablename__ = "claim_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")


class ControlNumberRow(Base):
    """The last interchange control number used per trading partner (one row each; locked while taken)."""

    __tablename__ = "control_numbers"
    trading_partner: Mapped[str] = mapped_column(String(15), primary_key=True)
    last_interchange: Mapped[int] = mapped_column(Integer, default=0)


class BatchRow(Base):
    """One 837 file sent to a trading partner; re-sending it reuses its control numbers."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("trading_partner", "interchange_control"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    trading_partner: Mapped[str] = mapped_column(String(15))
    interchange_control: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(1))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    claim_count: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    """medbill's own validator accepted the file."""


class BatchClaimRow(Base):
    __tablename__ = "batch_claims"
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class LedgerEntryRow(Base):
    """Append-only (see the module docstring)."""

    __tablename__ = "ledger_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    effective: Mapped[dt.date] = mapped_column(Date)
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    reverses: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    """The entry this one reverses (at most one reversal per entry)."""
    postings: Mapped[list[LedgerPostingRow]] = relationship(order_by="LedgerPostingRow.id")


class LedgerPostingRow(Base):
    __tablename__ = "ledger_postings"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(24))
    claim_number: Mapped[str | None] = mapped_column(String(38), nullable=True, index=True)
    line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payer_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    coverage_order: Mapped[str | None] = mapped_column(String(10), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    note: Mapped[str] = mapped_column(String(200), default="")
