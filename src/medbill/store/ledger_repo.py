"""Persisting ledger entries: insert and read, never update or delete (the database refuses both as well).

``save`` keeps the domain's idempotency: an entry whose idempotency key is already stored with the same postings
returns the stored entry; the same key with other postings is a ``Conflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from medbill.errors import Conflict
from medbill.ledger import (
    AccountKind,
    AccountRef,
    ClaimId,
    Coverage,
    CoverageOrder,
    Entry,
    EntryId,
    EntryKind,
    PayerId,
    Posting,
)
from medbill.money import Money
from medbill.store.tables import LedgerEntryRow, LedgerPostingRow


def _entry(row: LedgerEntryRow) -> Entry:
    postings = tuple(
        Posting(
            AccountRef(
                AccountKind(p.account),
                ClaimId(p.claim_number) if p.claim_number is not None else None,
                p.line,
                Coverage(PayerId(p.payer_id), CoverageOrder(p.coverage_order or "primary"))
                if p.payer_id is not None
                else None,
            ),
            Money(p.amount.quantize(Money.zero().amount)),
            p.note,
        )
        for p in row.postings
    )
    posted_at = row.posted_at if row.posted_at.tzinfo else row.posted_at.replace(tzinfo=dt.UTC)
    return Entry(
        EntryId(row.entry_id),
        EntryKind(row.kind),
        row.effective,
        posted_at,
        row.source,
        postings,
        row.memo,
        row.idempotency_key,
        EntryId(row.reverses) if row.reverses else None,
    )


class LedgerRepository:
    """Entries in and out of the store. No update, no delete."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _query() -> Select[tuple[LedgerEntryRow]]:
        return select(LedgerEntryRow).options(selectinload(LedgerEntryRow.postings)).order_by(LedgerEntryRow.id)

    def by_key(self, key: str) -> Entry | None:
        row = self.session.scalars(self._query().where(LedgerEntryRow.idempotency_key == key)).first()
        return _entry(row) if row is not None else None

    def save(self, entry: Entry) -> Entry:
        if entry.idempotency_key is not None:
            stored = self.by_key(entry.idempotency_key)
            if stored is not None:
                if not stored.same_postings(entry):
                    raise Conflict(f"ledger: key {entry.idempotency_key} was posted with other amounts")
                return stored
        row = LedgerEntryRow(
            entry_id=entry.id,
            kind=entry.kind,
            effective=entry.date,
            posted_at=entry.posted_at,
            source=entry.source,
            idempotency_key=entry.idempotency_key,
            memo=entry.memo,
            reverses=entry.reverses,
        )
        self.session.add(row)
        self.session.flush()
        self.session.add_all(
            LedgerPostingRow(
                entry_id=row.id,
                account=p.account.kind,
                claim_number=p.account.claim_id,
                line=p.account.line,
                payer_id=p.account.payer.payer_id if p.account.payer is not None else None,
                coverage_order=p.account.payer.order if p.account.payer is not None else None,
                amount=p.amount.amount,
                note=p.note,
            )
            for p in entry.postings
        )
        self.session.flush()
        return entry

    def save_all(self, entries: Iterable[Entry]) -> list[Entry]:
        return [self.save(entry) for entry in entries]

    def all(self) -> list[Entry]:
        return [_entry(row) for row in self.session.scalars(self._query())]

    def for_claims(self, claim_numbers: Sequence[str]) -> list[Entry]:
        """Every entry with a posting on one of these claims (the whole entry, all its postings)."""
        ids = select(LedgerPostingRow.entry_id).where(LedgerPostingRow.claim_number.in_(list(claim_numbers)))
        return [_entry(row) for row in self.session.scalars(self._query().where(LedgerEntryRow.id.in_(ids)))]
