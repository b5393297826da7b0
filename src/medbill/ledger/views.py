"""Computed views over a sequence of entries: balances, claim balance, responsibility, trial balance, aging.

Nothing here is stored; every figure is summed from the entries each time, so a view can never drift from
the journal. Because every entry balances, the trial balance always sums to zero and a claim's balance
(the sum of its receivables) equals charges − payments − adjustments + refunds for that claim.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from medbill.ledger.entries import (
    RECEIVABLES,
    AccountKind,
    AccountRef,
    ClaimId,
    Entry,
    EntryId,
    EntryKind,
    Responsible,
)
from medbill.money import Money

_ZERO = Decimal("0.00")


def _effective(entries: Iterable[Entry], as_of: date | None) -> Iterable[Entry]:
    return entries if as_of is None else (e for e in entries if e.date <= as_of)


def balances(entries: Iterable[Entry], *, as_of: date | None = None) -> dict[AccountRef, Money]:
    """The trial balance: every account with a non-zero balance (its values always sum to zero)."""
    sums: dict[AccountRef, Decimal] = defaultdict(lambda: _ZERO)
    for entry in _effective(entries, as_of):
        for posting in entry.postings:
            sums[posting.account] += posting.amount.amount
    return {account: Money(amount) for account, amount in sums.items() if amount}


def balance(entries: Iterable[Entry], account: AccountRef, *, as_of: date | None = None) -> Money:
    """The balance of one account (exact match on kind, claim, line and payer)."""
    total = _ZERO
    for entry in _effective(entries, as_of):
        total += sum((p.amount.amount for p in entry.postings if p.account == account), _ZERO)
    return Money(total)


def total(
    entries: Iterable[Entry], kind: AccountKind, *, claim_id: ClaimId | None = None, as_of: date | None = None
) -> Money:
    """The sum over every account of a kind (optionally only those of one claim): a practice-level total."""
    amount = _ZERO
    for entry in _effective(entries, as_of):
        for p in entry.postings:
            if p.account.kind is kind and (claim_id is None or p.account.claim_id == claim_id):
                amount += p.amount.amount
    return Money(amount)


def responsibility(
    entries: Iterable[Entry], claim_id: ClaimId, *, as_of: date | None = None
) -> dict[Responsible, Money]:
    """Who owes what on a claim (all lines): every payer and the patient that ever had a receivable on it."""
    owed: dict[Responsible, Decimal] = {}
    for entry in _effective(entries, as_of):
        for p in entry.postings:
            who = p.account.responsible
            if who is not None and p.account.claim_id == claim_id:
                owed[who] = owed.get(who, _ZERO) + p.amount.amount
    return {who: Money(amount) for who, amount in owed.items()}


def claim_balance(entries: Iterable[Entry], claim_id: ClaimId, *, as_of: date | None = None) -> Money:
    """What is still owed on a claim, by anyone: charges − payments − adjustments + refunds."""
    return Money(sum((m.amount for m in responsibility(entries, claim_id, as_of=as_of).values()), _ZERO))


class AgingBucket(StrEnum):
    """A/R aging buckets, in days since the date of service (insurance) or the transfer date (patient)."""

    D0_30 = "0-30"
    """0 to 30 days (a date in the future counts here too)."""
    D31_60 = "31-60"
    """31 to 60 days."""
    D61_90 = "61-90"
    """61 to 90 days."""
    D91_120 = "91-120"
    """91 to 120 days."""
    OVER_120 = "120+"
    """More than 120 days."""

    @classmethod
    def for_days(cls, days: int) -> AgingBucket:
        for limit, bucket in ((30, cls.D0_30), (60, cls.D31_60), (90, cls.D61_90), (120, cls.D91_120)):
            if days <= limit:
                return bucket
        return cls.OVER_120


@dataclass(frozen=True, slots=True)
class Aging:
    """Open receivables by responsible party and bucket; credit balances are listed apart, not aged."""

    as_of: date
    buckets: Mapping[Responsible, Mapping[AgingBucket, Money]]
    credits: Mapping[AccountRef, Money]


def aging(entries: Iterable[Entry], as_of: date) -> Aging:
    """Age every receivable as of a date.

    Each debit to a receivable starts a layer dated by the claim's date of service (insurance) or by the entry
    date (patient: the PR posting or the transfer); a reversal keeps its original's date. Credits pay off the
    oldest layers first (FIFO); what is left is bucketed by its age on ``as_of``.
    """
    effective = list(_effective(entries, as_of))
    by_id: dict[EntryId, Entry] = {e.id: e for e in effective}
    service: dict[tuple[ClaimId | None, int | None], date] = {}
    for entry in effective:
        if entry.kind is EntryKind.CHARGE:
            for p in entry.postings:
                for key in ((p.account.claim_id, p.account.line), (p.account.claim_id, None)):
                    if key not in service or entry.date < service[key]:
                        service[key] = entry.date

    layers: dict[AccountRef, list[tuple[date, Decimal]]] = defaultdict(list)
    credited: dict[AccountRef, Decimal] = defaultdict(lambda: _ZERO)
    for entry in effective:
        original = by_id.get(entry.reverses) if entry.reverses is not None else None
        when = entry.date if original is None else original.date
        for p in entry.postings:
            account = p.account
            if account.kind not in RECEIVABLES:
                continue
            if p.amount.amount < 0:
                credited[account] -= p.amount.amount
                continue
            if account.kind is AccountKind.INSURANCE_RECEIVABLE:
                anchor = service.get((account.claim_id, account.line)) or service.get((account.claim_id, None))
                when_here = anchor or when
            else:
                when_here = when
            layers[account].append((when_here, p.amount.amount))

    buckets: dict[Responsible, dict[AgingBucket, Decimal]] = {}
    credits: dict[AccountRef, Money] = {}
    for account in set(layers) | set(credited):
        remaining_credit = credited[account]
        open_layers: list[tuple[date, Decimal]] = []
        for when, amount in sorted(layers[account]):
            used = min(amount, remaining_credit)
            remaining_credit -= used
            if amount - used:
                open_layers.append((when, amount - used))
        if remaining_credit:
            credits[account] = Money(-remaining_credit)
            continue
        who = account.responsible
        assert who is not None  # receivables only
        for when, amount in open_layers:
            bucket = AgingBucket.for_days((as_of - when).days)
            per = buckets.setdefault(who, {})
            per[bucket] = per.get(bucket, _ZERO) + amount
    return Aging(
        as_of,
        {who: {b: Money(a) for b, a in per.items()} for who, per in buckets.items()},
        credits,
    )
