"""Posting to the A/R ledger from claims, and the receivables view.

Charges are posted once per claim line when a claim is submitted (idempotency key ``charge:<claim>:<line>``),
against the receivable of the claim's coverage; remittance posting (835) builds on the same repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from medbill.ledger import ClaimId, Coverage, CoverageOrder, Ledger, PayerId
from medbill.ledger.views import AgingBucket
from medbill.money import Money
from medbill.store.ledger_repo import LedgerRepository
from medbill.store.tables import ClaimRow, CoverageRow, PayerRow

ORDERS = {1: CoverageOrder.PRIMARY, 2: CoverageOrder.SECONDARY, 3: CoverageOrder.TERTIARY}


def post_claim_charges(session: Session, claims: Sequence[ClaimRow], *, actor: str) -> int:
    """Post each line's charge to the payer's receivable; returns how many entries were new."""
    repo = LedgerRepository(session)
    ledger = Ledger()
    new = 0
    for claim in claims:
        coverage = session.get(CoverageRow, claim.coverage_id)
        payer = session.get(PayerRow, coverage.payer_id) if coverage is not None else None
        if coverage is None or payer is None:
            continue
        who = Coverage(PayerId(payer.payer_id), ORDERS.get(coverage.priority, CoverageOrder.PRIMARY))
        for line in claim.lines:
            charge = line.charge
            entry = ledger.charge(
                ClaimId(claim.claim_number),
                line.line,
                Money(charge.amount),
                who,
                date=charge.date_from,
                source=f"claim {claim.claim_number} by {actor}",
                key=f"charge:{claim.claim_number}:{line.line}",
            )
            stored = repo.save(entry)
            new += stored is entry
    return new


@dataclass(frozen=True, slots=True)
class Receivables:
    as_of: dt.date
    insurance: dict[AgingBucket, Money]
    patient: dict[AgingBucket, Money]
    total: Money
    entries: int


def receivables(session: Session, as_of: dt.date) -> Receivables:
    """Open A/R by bucket, insurance and patient, computed from every posted entry."""
    entries = LedgerRepository(session).all()
    aging = Ledger(entries).aging(as_of)
    insurance: dict[AgingBucket, Money] = dict.fromkeys(AgingBucket, Money.zero())
    patient: dict[AgingBucket, Money] = dict.fromkeys(AgingBucket, Money.zero())
    for who, buckets in aging.buckets.items():
        target = patient if who == "patient" else insurance
        for bucket, amount in buckets.items():
            target[bucket] = target[bucket] + amount
    total = sum((m for m in (*insurance.values(), *patient.values())), Money.zero())
    return Receivables(as_of, insurance, patient, total, len(entries))
