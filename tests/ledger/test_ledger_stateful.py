"""Hypothesis state machine over the ledger: random charges, payments with CAS adjustments, transfers, patient
payments, refunds, write-offs, reversals of earlier entries and re-posts with the same idempotency key.

After every step: every entry balances; the trial balance sums to zero; each claim's balance equals
charges − payments − adjustments + refunds summed from the entry list by account kind, and equals a model kept
by the test itself; responsibility sums to the claim balance; aging plus credits equals the receivables.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from medbill.errors import Conflict, InvalidInput
from medbill.ledger import (
    PATIENT,
    AccountKind,
    AccountRef,
    AdjustmentGroup,
    ClaimId,
    Coverage,
    CoverageOrder,
    Entry,
    EntryId,
    EntryKind,
    Ledger,
    PayerId,
    Responsible,
    idempotency_key,
    views,
)
from medbill.money import Money

CLAIMS = [ClaimId("C1"), ClaimId("C2"), ClaimId("C3")]
PAYERS = [Coverage(PayerId("MCR"), CoverageOrder.PRIMARY), Coverage(PayerId("BCBS"), CoverageOrder.SECONDARY)]
BASE = date(2026, 1, 1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
ZERO = Decimal("0.00")

claims = st.sampled_from(CLAIMS)
lines = st.sampled_from([None, 1, 2])
payers = st.sampled_from(PAYERS)
parties: st.SearchStrategy[Responsible] = st.sampled_from([*PAYERS, PATIENT])
amounts = st.integers(min_value=1, max_value=50_000).map(lambda c: Money(Decimal(c).scaleb(-2)))
signed = st.integers(min_value=-5_000, max_value=50_000).map(lambda c: Money(Decimal(c).scaleb(-2)))
dates = st.integers(min_value=0, max_value=400).map(lambda d: BASE + timedelta(days=d))
adjustment_lists = st.lists(
    st.tuples(st.sampled_from(list(AdjustmentGroup)), st.sampled_from(["1", "2", "45", "23"]), signed), max_size=3
)

Remittance = tuple[ClaimId, int | None, Coverage, Money, list[tuple[AdjustmentGroup, str, Money]], str]


def claim_balance_from_entries(entries: tuple[Entry, ...], claim_id: ClaimId) -> Decimal:
    """charges − payments − adjustments + refunds, from the non-receivable side of every entry."""
    sums: dict[AccountKind, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        for p in entry.postings:
            if p.account.claim_id == claim_id:
                sums[p.account.kind] += p.amount.amount
    charges = -sums[AccountKind.REVENUE]
    payments = sums[AccountKind.CASH]
    adjustments = sums[AccountKind.CONTRACTUAL_ADJUSTMENT] + sums[AccountKind.OTHER_ADJUSTMENT]
    refunds = -sums[AccountKind.REFUNDS_PAYABLE]
    return charges - payments - adjustments + refunds


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        counter = itertools.count(1)
        self.ledger = Ledger(new_id=lambda: EntryId(f"E{next(counter)}"), clock=lambda: NOW)
        self.model: dict[ClaimId, Decimal] = defaultdict(lambda: ZERO)
        """The test's own expectation of each claim balance."""
        self.effect: dict[EntryId, tuple[ClaimId | None, Decimal]] = {}
        self.payment_args: dict[str, tuple[Decimal, list[tuple[str, str, Decimal]]]] = {}
        self.remittances: list[Remittance] = []
        """Every keyed payment posted, with its arguments, to send again."""
        self.trial_by_length: dict[int, dict[AccountRef, Money]] = {0: {}}
        """The trial balance seen after each step, by journal length (the journal only grows)."""

    def _record(self, entry: Entry, claim_id: ClaimId | None, delta: Decimal) -> None:
        self.effect[entry.id] = (claim_id, delta)
        if claim_id is not None:
            self.model[claim_id] += delta

    def _unchanged(self, before: tuple[int, dict[AccountRef, Money]]) -> None:
        assert (len(self.ledger), self.ledger.trial_balance()) == before

    def _snapshot(self) -> tuple[int, dict[AccountRef, Money]]:
        return len(self.ledger), dict(self.ledger.trial_balance())

    @rule(claim_id=claims, line=lines, amount=amounts, payer=parties, when=dates)
    def charge(self, claim_id: ClaimId, line: int | None, amount: Money, payer: Responsible, when: date) -> None:
        entry = self.ledger.charge(claim_id, line, amount, payer, date=when, source="test charge")
        self._record(entry, claim_id, amount.amount)

    @rule(
        claim_id=claims,
        line=lines,
        payer=payers,
        paid=signed,
        adjustments=adjustment_lists,
        trace=st.sampled_from([None, "T1", "T2"]),
        when=dates,
    )
    def payment(
        self,
        claim_id: ClaimId,
        line: int | None,
        payer: Coverage,
        paid: Money,
        adjustments: list[tuple[AdjustmentGroup, str, Money]],
        trace: str | None,
        when: date,
    ) -> None:
        normalized = sorted((str(g), r, a.amount) for g, r, a in adjustments if a.amount)
        key = None if trace is None else idempotency_key(payer.payer_id, trace, claim_id, line)
        before = self._snapshot()
        if not paid.amount and not normalized:
            with pytest.raises(InvalidInput):
                self.ledger.payment(
                    claim_id, line, payer, paid, adjustments, date=when, source="835", trace_number=trace
                )
            self._unchanged(before)
            return
        if key is not None and key in self.payment_args:
            event("payment re-posted with a known key")
            if self.payment_args[key] == (paid.amount, normalized):
                entry = self.ledger.payment(
                    claim_id, line, payer, paid, adjustments, date=when, source="835 again", trace_number=trace
                )
                assert entry.idempotency_key == key
            else:
                event("payment key conflict")
                with pytest.raises(Conflict):
                    self.ledger.payment(
                        claim_id, line, payer, paid, adjustments, date=when, source="835", trace_number=trace
                    )
            self._unchanged(before)
            return
        entry = self.ledger.payment(
            claim_id, line, payer, paid, adjustments, date=when, source="835", trace_number=trace
        )
        if key is not None and trace is not None:
            self.payment_args[key] = (paid.amount, normalized)
            self.remittances.append((claim_id, line, payer, paid, adjustments, trace))
        # PR only moves the balance to the patient; everything else leaves the claim
        reduction = paid.amount + sum((a for g, _, a in normalized if g != AdjustmentGroup.PR), ZERO)
        self._record(entry, claim_id, -reduction)

    @rule(claim_id=claims, line=lines, giver=parties, taker=parties, amount=amounts, when=dates)
    def transfer(
        self, claim_id: ClaimId, line: int | None, giver: Responsible, taker: Responsible, amount: Money, when: date
    ) -> None:
        if giver == taker:
            with pytest.raises(InvalidInput):
                self.ledger.transfer(claim_id, line, giver, taker, amount, date=when, source="user")
            return
        entry = self.ledger.transfer(claim_id, line, giver, taker, amount, date=when, source="user")
        self._record(entry, claim_id, ZERO)

    @rule(claim_id=claims, line=lines, amount=amounts, when=dates)
    def patient_payment(self, claim_id: ClaimId, line: int | None, amount: Money, when: date) -> None:
        entry = self.ledger.patient_payment(claim_id, line, amount, date=when, source="front desk")
        self._record(entry, claim_id, -amount.amount)

    @rule(claim_id=claims, line=lines, to=parties, amount=amounts, when=dates)
    def refund(self, claim_id: ClaimId, line: int | None, to: Responsible, amount: Money, when: date) -> None:
        entry = self.ledger.refund(claim_id, line, to, amount, date=when, source="user")
        self._record(entry, claim_id, amount.amount)

    @rule(claim_id=claims, line=lines, who=parties, amount=amounts, when=dates)
    def write_off(self, claim_id: ClaimId, line: int | None, who: Responsible, amount: Money, when: date) -> None:
        entry = self.ledger.write_off(claim_id, line, who, amount, reason="small balance", date=when, source="user")
        self._record(entry, claim_id, -amount.amount)

    @precondition(lambda self: len(self.ledger) > 0)
    @rule(data=st.data(), when=dates)
    def reverse(self, data: st.DataObject, when: date) -> None:
        original = data.draw(st.sampled_from(self.ledger.entries), label="original")
        before = self._snapshot()
        if original.kind is EntryKind.REVERSAL or self.ledger.reversal_of(original.id) is not None:
            event("reversal refused")
            with pytest.raises(Conflict):
                self.ledger.reverse(original.id, date=when, source="user", reason="again")
            self._unchanged(before)
            return
        claim_balances_before = {c: self.ledger.claim_balance(c) for c in CLAIMS}
        last = self.ledger.entries[-1].id == original.id
        reversal = self.ledger.reverse(original.id, date=when, source="user", reason="correction")
        assert reversal.reverses == original.id
        assert reversal.postings == tuple(p.negated() for p in original.postings)
        # the journal without the pair gives the same figures: the original's effect is gone, nothing else moved
        others = tuple(e for e in self.ledger.entries if e.id not in {original.id, reversal.id})
        assert self.ledger.trial_balance() == views.balances(others)
        for c in CLAIMS:
            assert self.ledger.claim_balance(c) == views.claim_balance(others, c)
        claim_id, delta = self.effect[original.id]
        if claim_id is not None:
            assert self.ledger.claim_balance(claim_id).amount == claim_balances_before[claim_id].amount - delta
        event(f"reversed a {original.kind}")
        if last:  # reversing the latest entry returns to the state recorded before it was posted
            assert self.ledger.trial_balance() == self.trial_by_length[len(self.ledger) - 2]
        self._record(reversal, claim_id, -delta)

    @precondition(lambda self: any(e.idempotency_key for e in self.ledger.entries))
    @rule(data=st.data())
    def repost_same_key(self, data: st.DataObject) -> None:
        keyed = [e for e in self.ledger.entries if e.idempotency_key]
        original = data.draw(st.sampled_from(keyed), label="keyed")
        before = self._snapshot()
        event("re-posted a keyed entry")
        again = dataclasses.replace(original, id=EntryId("fresh-" + original.id), source="835 file resent")
        assert self.ledger.post(again) is original
        self._unchanged(before)

    @precondition(lambda self: bool(self.remittances))
    @rule(data=st.data(), when=dates)
    def resend_remittance(self, data: st.DataObject, when: date) -> None:
        claim_id, line, payer, paid, adjustments, trace = data.draw(st.sampled_from(self.remittances), label="sent")
        before = self._snapshot()
        event("remittance sent again")
        entry = self.ledger.payment(
            claim_id, line, payer, paid, list(reversed(adjustments)), date=when, source="835 again", trace_number=trace
        )
        assert entry.idempotency_key == idempotency_key(payer.payer_id, trace, claim_id, line)
        self._unchanged(before)

    @invariant()
    def every_entry_balances(self) -> None:
        for entry in self.ledger.entries:
            assert len(entry.postings) >= 2
            assert all(p.amount.amount for p in entry.postings)
            assert sum((p.amount.amount for p in entry.postings), ZERO) == 0

    @invariant()
    def trial_balance_is_zero(self) -> None:
        trial = self.ledger.trial_balance()
        assert sum((m.amount for m in trial.values()), ZERO) == 0
        self.trial_by_length.setdefault(len(self.ledger), dict(trial))

    @invariant()
    def claim_balance_matches_independent_sums(self) -> None:
        entries = self.ledger.entries
        for c in CLAIMS:
            balance = self.ledger.claim_balance(c).amount
            assert balance == claim_balance_from_entries(entries, c)
            assert balance == self.model[c]
            assert sum((m.amount for m in self.ledger.responsibility(c).values()), ZERO) == balance

    @invariant()
    def aging_accounts_for_every_receivable(self) -> None:
        as_of = BASE + timedelta(days=1000)
        aging = self.ledger.aging(as_of)
        aged = sum((m.amount for per in aging.buckets.values() for m in per.values()), ZERO)
        credits = sum((m.amount for m in aging.credits.values()), ZERO)
        receivables = sum(
            (self.ledger.total(k).amount for k in (AccountKind.INSURANCE_RECEIVABLE, AccountKind.PATIENT_RECEIVABLE)),
            ZERO,
        )
        assert aged + credits == receivables
        assert all(m.amount > 0 for per in aging.buckets.values() for m in per.values())
        assert all(m.amount < 0 for m in aging.credits.values())


LedgerMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestLedgerMachine = LedgerMachine.TestCase
