"""The in-memory ledger aggregate: an append-only journal with idempotent posting and reversals.

There is no update or delete: a correction is a reversal entry (the exact negation of the original, pointing
at it), and an entry can be reversed once. Posting an entry whose idempotency key is already in the journal
returns the entry already there and changes nothing; the same key with different postings is a ``Conflict``.
The helpers (``charge``, ``payment`` …) build balanced entries from billing facts and post them. Balances are
computed by ``medbill.ledger.views`` from the entries on every call. Persistence belongs to ``store``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime

from medbill.errors import Conflict, InvalidInput, NotFound
from medbill.ledger import views
from medbill.ledger.entries import (
    PATIENT,
    AccountKind,
    AccountRef,
    AdjustmentGroup,
    BrokenInvariant,
    CasAdjustment,
    ClaimId,
    Coverage,
    Entry,
    EntryId,
    EntryKind,
    Posting,
    Responsible,
    idempotency_key,
    receivable,
)
from medbill.money import Money


def _new_id() -> EntryId:
    return EntryId(uuid.uuid4().hex)


def _now() -> datetime:
    return datetime.now(UTC)


def _positive(amount: Money, what: str) -> None:
    if not isinstance(amount, Money):
        raise InvalidInput(f"{what} must be Money")
    if amount.amount <= 0:
        raise InvalidInput(f"{what} must be positive, got {amount}")


class Ledger:
    """Append-only journal of balanced entries, with helpers that build entries and views that sum them."""

    def __init__(
        self,
        entries: Iterable[Entry] = (),
        *,
        new_id: Callable[[], EntryId] = _new_id,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._entries: list[Entry] = []
        self._by_id: dict[EntryId, Entry] = {}
        self._by_key: dict[str, Entry] = {}
        self._reversed_by: dict[EntryId, EntryId] = {}
        self._new_id = new_id
        self._clock = clock
        for entry in entries:
            self.post(entry)

    # -- the journal ---------------------------------------------------------------------------------------

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, entry_id: EntryId) -> Entry:
        try:
            return self._by_id[entry_id]
        except KeyError:
            raise NotFound(f"no ledger entry {entry_id}") from None

    def reversal_of(self, entry_id: EntryId) -> Entry | None:
        """The entry that reversed ``entry_id``, if any."""
        reversal = self._reversed_by.get(entry_id)
        return None if reversal is None else self._by_id[reversal]

    def post(self, entry: Entry) -> Entry:
        """Append an entry; with a known idempotency key return the stored entry instead (a no-op)."""
        if entry.idempotency_key is not None and entry.idempotency_key in self._by_key:
            existing = self._by_key[entry.idempotency_key]
            if not existing.same_postings(entry):
                raise Conflict(f"idempotency key {entry.idempotency_key!r} was posted with different postings")
            return existing
        if entry.id in self._by_id:
            raise Conflict(f"ledger entry id {entry.id} already exists")
        if entry.reverses is not None:
            original = self.get(entry.reverses)
            if original.kind is EntryKind.REVERSAL:
                raise Conflict(f"entry {original.id} is a reversal; post a new entry instead of reversing it")
            if entry.reverses in self._reversed_by:
                raise Conflict(f"entry {original.id} is already reversed by {self._reversed_by[entry.reverses]}")
            if not entry.same_postings(_mirror(original)):
                raise BrokenInvariant(f"entry {entry.id} does not exactly negate entry {original.id}")
            self._reversed_by[original.id] = entry.id
        self._entries.append(entry)
        self._by_id[entry.id] = entry
        if entry.idempotency_key is not None:
            self._by_key[entry.idempotency_key] = entry
        return entry

    def reverse(self, entry_id: EntryId, *, date: date, source: str, reason: str) -> Entry:
        """Append the exact negation of an entry, pointing at it; an entry can be reversed only once."""
        original = self.get(entry_id)
        if not reason:
            raise InvalidInput("a reversal needs a reason")
        return self.post(
            Entry(
                id=self._new_id(),
                kind=EntryKind.REVERSAL,
                date=date,
                posted_at=self._clock(),
                source=source,
                postings=tuple(p.negated() for p in original.postings),
                memo=reason,
                reverses=original.id,
            )
        )

    def _post_new(
        self,
        kind: EntryKind,
        postings: Sequence[Posting],
        *,
        date: date,
        source: str,
        memo: str,
        key: str | None,
    ) -> Entry:
        kept = tuple(p for p in postings if p.amount.amount)
        if len(kept) < 2:
            raise InvalidInput(f"nothing to post for this {kind}: every amount is zero")
        entry = Entry(self._new_id(), kind, date, self._clock(), source, kept, memo, key)
        return self.post(entry)

    # -- helpers that build and post entries ---------------------------------------------------------------

    def charge(
        self,
        claim_id: ClaimId,
        line: int | None,
        amount: Money,
        payer: Responsible,
        *,
        date: date,
        source: str,
        memo: str = "",
        key: str | None = None,
    ) -> Entry:
        """Bill a service: debit the receivable of ``payer`` (a coverage, or PATIENT for self-pay), credit
        revenue. ``date`` is the date of service (insurance aging starts there)."""
        _positive(amount, "a charge")
        return self._post_new(
            EntryKind.CHARGE,
            [
                Posting(receivable(claim_id, line, payer), amount),
                Posting(AccountRef(AccountKind.REVENUE, claim_id, line), -amount),
            ],
            date=date,
            source=source,
            memo=memo,
            key=key,
        )

    def payment(
        self,
        claim_id: ClaimId,
        line: int | None,
        payer: Coverage,
        paid: Money,
        adjustments: Iterable[CasAdjustment | tuple[AdjustmentGroup | str, str, Money]] = (),
        *,
        date: date,
        source: str,
        trace_number: str | None = None,
        memo: str = "",
    ) -> Entry:
        """Post a payer's adjudication of a claim (line): cash for ``paid``; CO to contractual adjustments;
        PR moved to the patient receivable; OA/PI/CR to other adjustments. All legs credit the payer's
        receivable. With a trace number (TRN02) the entry is idempotent on payer + trace + claim + line."""
        insurance = receivable(claim_id, line, payer)
        legs = [Posting(AccountRef(AccountKind.CASH, claim_id, line, payer), paid), Posting(insurance, -paid)]
        for item in adjustments:
            cas = item if isinstance(item, CasAdjustment) else CasAdjustment(AdjustmentGroup(item[0]), *item[1:])
            note = f"{cas.group}-{cas.reason}"
            if cas.group is AdjustmentGroup.PR:
                debit = receivable(claim_id, line, PATIENT)
            elif cas.group is AdjustmentGroup.CO:
                debit = AccountRef(AccountKind.CONTRACTUAL_ADJUSTMENT, claim_id, line, payer)
            else:
                debit = AccountRef(AccountKind.OTHER_ADJUSTMENT, claim_id, line, payer)
            legs += [Posting(debit, cas.amount, note), Posting(insurance, -cas.amount, note)]
        key = None if trace_number is None else idempotency_key(payer.payer_id, trace_number, claim_id, line)
        return self._post_new(EntryKind.PAYMENT, legs, date=date, source=source, memo=memo, key=key)

    def patient_payment(
        self,
        claim_id: ClaimId | None,
        line: int | None,
        amount: Money,
        *,
        date: date,
        source: str,
        memo: str = "",
        key: str | None = None,
    ) -> Entry:
        """Money from the patient: against the claim's patient receivable, or to unapplied cash without a claim."""
        _positive(amount, "a patient payment")
        if claim_id is None and line is not None:
            raise InvalidInput("a payment for a line needs its claim")
        credit = AccountRef(AccountKind.UNAPPLIED_CASH) if claim_id is None else receivable(claim_id, line, PATIENT)
        legs = [Posting(AccountRef(AccountKind.CASH, claim_id, line), amount), Posting(credit, -amount)]
        return self._post_new(EntryKind.PAYMENT, legs, date=date, source=source, memo=memo, key=key)

    def apply_unapplied(
        self, claim_id: ClaimId, line: int | None, amount: Money, *, date: date, source: str, memo: str = ""
    ) -> Entry:
        """Apply unapplied patient cash to a claim's patient receivable."""
        _positive(amount, "an applied amount")
        legs = [
            Posting(AccountRef(AccountKind.UNAPPLIED_CASH), amount),
            Posting(receivable(claim_id, line, PATIENT), -amount),
        ]
        return self._post_new(EntryKind.PAYMENT, legs, date=date, source=source, memo=memo, key=None)

    def transfer(
        self,
        claim_id: ClaimId,
        line: int | None,
        from_: Responsible,
        to: Responsible,
        amount: Money,
        *,
        date: date,
        source: str,
        memo: str = "",
    ) -> Entry:
        """Move responsibility (primary → secondary payer, payer → patient, or back). Patient aging starts here."""
        _positive(amount, "a transfer")
        if from_ == to:
            raise InvalidInput("a transfer needs two different responsible parties")
        legs = [Posting(receivable(claim_id, line, to), amount), Posting(receivable(claim_id, line, from_), -amount)]
        return self._post_new(EntryKind.TRANSFER, legs, date=date, source=source, memo=memo, key=None)

    def refund(
        self,
        claim_id: ClaimId,
        line: int | None,
        to: Responsible,
        amount: Money,
        *,
        date: date,
        source: str,
        memo: str = "",
    ) -> Entry:
        """Owe an overpayment back to ``to``: debit its (credit-balance) receivable, credit refunds payable."""
        _positive(amount, "a refund")
        payer = to if isinstance(to, Coverage) else None
        legs = [
            Posting(receivable(claim_id, line, to), amount),
            Posting(AccountRef(AccountKind.REFUNDS_PAYABLE, claim_id, line, payer), -amount),
        ]
        return self._post_new(EntryKind.REFUND, legs, date=date, source=source, memo=memo, key=None)

    def write_off(
        self,
        claim_id: ClaimId,
        line: int | None,
        from_: Responsible,
        amount: Money,
        *,
        reason: str,
        date: date,
        source: str,
    ) -> Entry:
        """Write off (small balance, bad debt, charity …) part of a receivable to other adjustments."""
        _positive(amount, "a write-off")
        if not reason:
            raise InvalidInput("a write-off needs a reason")
        payer = from_ if isinstance(from_, Coverage) else None
        legs = [
            Posting(AccountRef(AccountKind.OTHER_ADJUSTMENT, claim_id, line, payer), amount, reason),
            Posting(receivable(claim_id, line, from_), -amount, reason),
        ]
        return self._post_new(EntryKind.ADJUSTMENT, legs, date=date, source=source, memo=reason, key=None)

    # -- computed views ------------------------------------------------------------------------------------

    def balance(self, account: AccountRef, *, as_of: date | None = None) -> Money:
        return views.balance(self._entries, account, as_of=as_of)

    def total(self, kind: AccountKind, *, claim_id: ClaimId | None = None, as_of: date | None = None) -> Money:
        return views.total(self._entries, kind, claim_id=claim_id, as_of=as_of)

    def claim_balance(self, claim_id: ClaimId, *, as_of: date | None = None) -> Money:
        return views.claim_balance(self._entries, claim_id, as_of=as_of)

    def responsibility(self, claim_id: ClaimId, *, as_of: date | None = None) -> dict[Responsible, Money]:
        return views.responsibility(self._entries, claim_id, as_of=as_of)

    def trial_balance(self, *, as_of: date | None = None) -> dict[AccountRef, Money]:
        return views.balances(self._entries, as_of=as_of)

    def aging(self, as_of: date) -> views.Aging:
        return views.aging(self._entries, as_of)


def _mirror(entry: Entry) -> Entry:
    """A throwaway entry with the negated postings of ``entry`` (for comparing a reversal with it)."""
    return Entry(
        entry.id,
        entry.kind,
        entry.date,
        entry.posted_at,
        entry.source,
        tuple(p.negated() for p in entry.postings),
    )
