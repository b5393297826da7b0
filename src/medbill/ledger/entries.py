"""Ledger values: accounts, postings and entries (immutable; an entry is checked when it is built).

Invariants held here, raised as ``BrokenInvariant`` because breaking one is a bug, not bad user data:
an entry has at least two postings, no posting is zero, the postings sum to exactly zero, and only a
reversal entry (and every reversal entry) points at the entry it reverses. Amounts are ``Money`` (Decimal
cents, signed: positive = debit, negative = credit), dates are ``datetime.date``, ``posted_at`` is an aware
``datetime``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Literal, NewType

from medbill.errors import MedbillError
from medbill.money import Money

ClaimId = NewType("ClaimId", str)
PayerId = NewType("PayerId", str)
EntryId = NewType("EntryId", str)


class BrokenInvariant(MedbillError):
    """A ledger invariant does not hold (an unbalanced entry, a reversal that does not mirror its original)."""


class CoverageOrder(StrEnum):
    """Which coverage of the patient a payer is for this claim (SBR01 payer responsibility sequence)."""

    PRIMARY = "primary"
    """Billed first."""
    SECONDARY = "secondary"
    """Billed after the primary adjudicated, with the primary's payment and adjustments (2320/2430)."""
    TERTIARY = "tertiary"
    """Billed after the secondary."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """An insurance payer in a coverage position on a claim: the insurance side of responsibility."""

    payer_id: PayerId
    order: CoverageOrder = CoverageOrder.PRIMARY

    def __post_init__(self) -> None:
        if not self.payer_id:
            raise BrokenInvariant("a coverage needs a payer id")


PATIENT: Final = "patient"
Responsible = Coverage | Literal["patient"]
"""Who owes a receivable: an insurance coverage or the patient."""


class AccountKind(StrEnum):
    """The kinds of account; receivables are per claim (and line), the others are practice-level totals."""

    INSURANCE_RECEIVABLE = "insurance_receivable"
    """What a payer (in a coverage order) still owes on a claim or line."""
    PATIENT_RECEIVABLE = "patient_receivable"
    """What the patient still owes on a claim or line (negative: a credit balance to refund)."""
    REVENUE = "revenue"
    """Gross charges (credit balance)."""
    CASH = "cash"
    """Payments received, from payers and patients (debit balance)."""
    CONTRACTUAL_ADJUSTMENT = "contractual_adjustment"
    """CAS group CO: the part of the charge the contract says nobody pays."""
    OTHER_ADJUSTMENT = "other_adjustment"
    """CAS groups OA/PI/CR, write-offs and bad debt."""
    REFUNDS_PAYABLE = "refunds_payable"
    """Refunds owed back to a payer or the patient (credit balance until paid out)."""
    UNAPPLIED_CASH = "unapplied_cash"
    """Money received that is not yet applied to a claim (credit balance)."""


RECEIVABLES: Final = frozenset({AccountKind.INSURANCE_RECEIVABLE, AccountKind.PATIENT_RECEIVABLE})


@dataclass(frozen=True, slots=True)
class AccountRef:
    """Names an account. Practice-level accounts may carry the claim, line and payer as reporting dimensions."""

    kind: AccountKind
    claim_id: ClaimId | None = None
    line: int | None = None
    payer: Coverage | None = None

    def __post_init__(self) -> None:
        if self.line is not None and self.claim_id is None:
            raise BrokenInvariant("an account with a line needs a claim")
        if self.kind in RECEIVABLES and self.claim_id is None:
            raise BrokenInvariant(f"a {self.kind} account needs a claim")
        if self.kind is AccountKind.INSURANCE_RECEIVABLE and self.payer is None:
            raise BrokenInvariant("an insurance receivable needs a payer")
        if self.kind is AccountKind.PATIENT_RECEIVABLE and self.payer is not None:
            raise BrokenInvariant("a patient receivable has no payer")

    @property
    def responsible(self) -> Responsible | None:
        """Who owes this account's balance (receivables only)."""
        if self.kind is AccountKind.INSURANCE_RECEIVABLE:
            return self.payer
        if self.kind is AccountKind.PATIENT_RECEIVABLE:
            return PATIENT
        return None


def receivable(claim_id: ClaimId, line: int | None, who: Responsible) -> AccountRef:
    """The receivable account of ``who`` on a claim (line)."""
    if who == PATIENT:
        return AccountRef(AccountKind.PATIENT_RECEIVABLE, claim_id, line)
    if not isinstance(who, Coverage):
        raise BrokenInvariant(f"not a responsible party: {who!r}")
    return AccountRef(AccountKind.INSURANCE_RECEIVABLE, claim_id, line, who)


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of an entry: a signed amount on an account (positive debit, negative credit)."""

    account: AccountRef
    amount: Money
    note: str = ""
    """E.g. the CAS group and reason ("CO-45")."""

    def negated(self) -> Posting:
        return Posting(self.account, -self.amount, self.note)


class EntryKind(StrEnum):
    """What an entry records."""

    CHARGE = "charge"
    """A service billed: receivable up, revenue up."""
    PAYMENT = "payment"
    """Money received from a payer (with its CAS adjustments) or the patient, or unapplied cash applied."""
    ADJUSTMENT = "adjustment"
    """A write-off or bad debt: receivable down, other adjustments up."""
    TRANSFER = "transfer"
    """Responsibility moved between payers or from a payer to the patient (or back)."""
    REFUND = "refund"
    """An overpayment to be returned: receivable up, refunds payable up."""
    REVERSAL = "reversal"
    """The exact negation of an earlier entry, pointing at it."""


class AdjustmentGroup(StrEnum):
    """CAS01 claim adjustment group codes."""

    CO = "CO"
    """Contractual obligation: written off against the contract; never billed to the patient."""
    PR = "PR"
    """Patient responsibility: deductible, coinsurance, copay; moved to the patient receivable."""
    OA = "OA"
    """Other adjustment."""
    PI = "PI"
    """Payer initiated reduction."""
    CR = "CR"
    """Correction and reversal (legacy group)."""


@dataclass(frozen=True, slots=True)
class CasAdjustment:
    """One CAS triplet as the ledger needs it: group, CARC reason and amount."""

    group: AdjustmentGroup
    reason: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Entry:
    """An append-only ledger entry; once built it balances."""

    id: EntryId
    kind: EntryKind
    date: date
    """The effective date (date of service for a charge, payment date, transfer date)."""
    posted_at: datetime
    source: str
    """Where it came from: "835 file X seg 123", "user alice"."""
    postings: tuple[Posting, ...]
    memo: str = ""
    idempotency_key: str | None = None
    reverses: EntryId | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise BrokenInvariant("an entry needs an id")
        if isinstance(self.date, datetime) or not isinstance(self.date, date):
            raise BrokenInvariant(f"entry {self.id}: date must be a datetime.date")
        if not isinstance(self.posted_at, datetime) or self.posted_at.tzinfo is None:
            raise BrokenInvariant(f"entry {self.id}: posted_at must be an aware datetime")
        if not self.source:
            raise BrokenInvariant(f"entry {self.id}: every entry names its source")
        if len(self.postings) < 2:
            raise BrokenInvariant(f"entry {self.id}: needs at least two postings, has {len(self.postings)}")
        for posting in self.postings:
            if not isinstance(posting.amount, Money):
                raise BrokenInvariant(f"entry {self.id}: posting amounts are Money")
            if not posting.amount.amount:
                raise BrokenInvariant(f"entry {self.id}: zero posting on {posting.account.kind}")
        total = sum((p.amount.amount for p in self.postings), Money.zero().amount)
        if total:
            raise BrokenInvariant(f"entry {self.id}: postings sum to {total}, not zero")
        if (self.kind is EntryKind.REVERSAL) != (self.reverses is not None):
            raise BrokenInvariant(f"entry {self.id}: only a reversal, and every reversal, names what it reverses")

    def same_postings(self, other: Entry) -> bool:
        """True when both entries post the same amounts to the same accounts, in any order."""
        return Counter(self.postings) == Counter(other.postings)


def idempotency_key(payer_id: str, trace_number: str, claim_id: str, line: int | None) -> str:
    """The key that makes re-posting the same remittance a no-op: payer + trace (check/EFT) + claim + line."""
    return "|".join((payer_id, trace_number, claim_id, "" if line is None else str(line)))
