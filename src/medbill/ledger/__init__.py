"""The double-entry, append-only A/R ledger (pure domain, no database).

Learned from beancount: entries whose postings sum to zero, never updated or deleted; corrections are reversal
entries pointing at the original; idempotency keys (payer + trace number + claim + line) make re-posting a
no-op. Receivables are per claim (and line) and split by responsibility (each insurance coverage, the patient);
revenue, cash, adjustments, refunds payable and unapplied cash are practice-level accounts. Balances,
responsibility and aging are computed from the entries, never stored.

    entries   AccountRef, Posting, Entry and the enums; an unbalanced entry raises BrokenInvariant
    ledger    Ledger: post, reverse, charge/payment/transfer/patient_payment/refund/write_off
    views     balance, claim balance, responsibility, trial balance, aging (pure functions over entries)
"""

from medbill.ledger.entries import (
    PATIENT,
    AccountKind,
    AccountRef,
    AdjustmentGroup,
    BrokenInvariant,
    CasAdjustment,
    ClaimId,
    Coverage,
    CoverageOrder,
    Entry,
    EntryId,
    EntryKind,
    PayerId,
    Posting,
    Responsible,
    idempotency_key,
    receivable,
)
from medbill.ledger.ledger import Ledger
from medbill.ledger.views import Aging, AgingBucket

__all__ = [
    "PATIENT",
    "AccountKind",
    "AccountRef",
    "AdjustmentGroup",
    "Aging",
    "AgingBucket",
    "BrokenInvariant",
    "CasAdjustment",
    "ClaimId",
    "Coverage",
    "CoverageOrder",
    "Entry",
    "EntryId",
    "EntryKind",
    "Ledger",
    "PayerId",
    "Posting",
    "Responsible",
    "idempotency_key",
    "receivable",
]
