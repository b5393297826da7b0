"""Unit tests for the ledger: each helper with concrete numbers, idempotency, reversals, invariants, aging."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.errors import Conflict, InvalidInput, NotFound
from medbill.ledger import (
    PATIENT,
    AccountKind,
    AccountRef,
    AdjustmentGroup,
    AgingBucket,
    BrokenInvariant,
    CasAdjustment,
    ClaimId,
    Coverage,
    CoverageOrder,
    Entry,
    EntryId,
    EntryKind,
    Ledger,
    PayerId,
    Posting,
    receivable,
)
from medbill.money import Money

C1 = ClaimId("C1")
PRIMARY = Coverage(PayerId("MCR"), CoverageOrder.PRIMARY)
SECONDARY = Coverage(PayerId("BCBS"), CoverageOrder.SECONDARY)
DOS = date(2026, 1, 5)
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def m(value: str) -> Money:
    return Money.of(value)


def new_ledger() -> Ledger:
    counter = itertools.count(1)
    return Ledger(new_id=lambda: EntryId(f"E{next(counter)}"), clock=lambda: NOW)


def charged(amount: str = "100") -> Ledger:
    ledger = new_ledger()
    ledger.charge(C1, 1, m(amount), PRIMARY, date=DOS, source="user alice")
    return ledger


def assert_trial_balance_zero(ledger: Ledger) -> None:
    assert sum((v.amount for v in ledger.trial_balance().values()), Decimal(0)) == 0


# -- helpers ---------------------------------------------------------------------------------------------------


def test_charge_debits_the_payer_receivable_and_credits_revenue() -> None:
    ledger = charged()
    assert ledger.balance(receivable(C1, 1, PRIMARY)) == m("100")
    assert ledger.balance(AccountRef(AccountKind.REVENUE, C1, 1)) == m("-100")
    assert ledger.claim_balance(C1) == m("100")
    assert ledger.responsibility(C1) == {PRIMARY: m("100")}
    assert_trial_balance_zero(ledger)


def test_payment_with_co_and_pr_leaves_the_patient_owing_the_pr() -> None:
    ledger = charged()
    entry = ledger.payment(
        C1,
        1,
        PRIMARY,
        m("70"),
        [CasAdjustment(AdjustmentGroup.CO, "45", m("20")), (AdjustmentGroup.PR, "2", m("10"))],
        date=date(2026, 2, 1),
        source="835 file era1.835 seg 42",
        trace_number="CHK123",
    )
    assert entry.kind is EntryKind.PAYMENT
    assert entry.idempotency_key == "MCR|CHK123|C1|1"
    assert ledger.claim_balance(C1) == m("10")
    assert ledger.responsibility(C1) == {PRIMARY: m("0"), PATIENT: m("10")}
    assert ledger.total(AccountKind.CASH) == m("70")
    assert ledger.total(AccountKind.CONTRACTUAL_ADJUSTMENT) == m("20")
    assert ledger.total(AccountKind.OTHER_ADJUSTMENT) == m("0")
    assert {p.note for p in entry.postings} == {"", "CO-45", "PR-2"}
    assert_trial_balance_zero(ledger)


def test_oa_adjustments_go_to_other_adjustments_and_string_groups_are_accepted() -> None:
    ledger = charged()
    ledger.payment(C1, 1, PRIMARY, m("0"), [("OA", "23", m("100"))], date=DOS, source="835")
    assert ledger.total(AccountKind.OTHER_ADJUSTMENT) == m("100")
    assert ledger.claim_balance(C1) == m("0")


def test_patient_payment_clears_the_patient_balance() -> None:
    ledger = charged()
    ledger.payment(C1, 1, PRIMARY, m("70"), [("CO", "45", m("20")), ("PR", "2", m("10"))], date=DOS, source="835")
    ledger.patient_payment(C1, 1, m("10"), date=date(2026, 3, 1), source="user bob")
    assert ledger.claim_balance(C1) == m("0")
    assert ledger.responsibility(C1)[PATIENT] == m("0")
    assert ledger.total(AccountKind.CASH) == m("80")


def test_unapplied_cash_then_applied() -> None:
    ledger = charged()
    ledger.transfer(C1, 1, PRIMARY, PATIENT, m("30"), date=DOS, source="user bob")
    ledger.patient_payment(None, None, m("50"), date=DOS, source="front desk")
    assert ledger.total(AccountKind.UNAPPLIED_CASH) == m("-50")
    ledger.apply_unapplied(C1, 1, m("30"), date=DOS, source="user bob")
    assert ledger.total(AccountKind.UNAPPLIED_CASH) == m("-20")
    assert ledger.responsibility(C1) == {PRIMARY: m("70"), PATIENT: m("0")}
    with pytest.raises(InvalidInput):
        ledger.patient_payment(None, 1, m("5"), date=DOS, source="front desk")


def test_transfer_primary_to_secondary_to_patient() -> None:
    ledger = charged()
    ledger.payment(C1, 1, PRIMARY, m("60"), [("CO", "45", m("20"))], date=DOS, source="835")
    ledger.transfer(C1, 1, PRIMARY, SECONDARY, m("20"), date=date(2026, 2, 1), source="user bob")
    assert ledger.responsibility(C1) == {PRIMARY: m("0"), SECONDARY: m("20")}
    ledger.transfer(C1, 1, SECONDARY, PATIENT, m("5"), date=date(2026, 3, 1), source="user bob")
    assert ledger.responsibility(C1) == {PRIMARY: m("0"), SECONDARY: m("15"), PATIENT: m("5")}
    assert ledger.claim_balance(C1) == m("20")
    with pytest.raises(InvalidInput):
        ledger.transfer(C1, 1, PATIENT, PATIENT, m("1"), date=DOS, source="x")


def test_refund_of_a_patient_overpayment() -> None:
    ledger = charged()
    ledger.payment(C1, 1, PRIMARY, m("80"), [("PR", "1", m("20"))], date=DOS, source="835")
    ledger.patient_payment(C1, 1, m("25"), date=DOS, source="user bob")
    assert ledger.responsibility(C1)[PATIENT] == m("-5")
    ledger.refund(C1, 1, PATIENT, m("5"), date=DOS, source="user bob")
    assert ledger.responsibility(C1)[PATIENT] == m("0")
    assert ledger.total(AccountKind.REFUNDS_PAYABLE) == m("-5")
    assert ledger.claim_balance(C1) == m("0")


def test_write_off_moves_a_balance_to_other_adjustments() -> None:
    ledger = charged()
    ledger.transfer(C1, 1, PRIMARY, PATIENT, m("100"), date=DOS, source="user bob")
    entry = ledger.write_off(C1, 1, PATIENT, m("100"), reason="bad debt", date=DOS, source="user bob")
    assert entry.kind is EntryKind.ADJUSTMENT
    assert ledger.claim_balance(C1) == m("0")
    assert ledger.total(AccountKind.OTHER_ADJUSTMENT) == m("100")
    with pytest.raises(InvalidInput):
        ledger.write_off(C1, 1, PATIENT, m("1"), reason="", date=DOS, source="user bob")


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_helpers_reject_non_positive_amounts(amount: str) -> None:
    ledger = charged()
    with pytest.raises(InvalidInput):
        ledger.charge(C1, 2, m(amount), PRIMARY, date=DOS, source="x")
    with pytest.raises(InvalidInput):
        ledger.patient_payment(C1, 1, m(amount), date=DOS, source="x")


def test_a_payment_of_nothing_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        charged().payment(C1, 1, PRIMARY, m("0"), [], date=DOS, source="835")


# -- idempotency -----------------------------------------------------------------------------------------------


def test_reposting_the_same_remittance_is_a_no_op() -> None:
    ledger = charged()
    args = (C1, 1, PRIMARY, m("70"), [("CO", "45", m("20")), ("PR", "2", m("10"))])
    first = ledger.payment(*args, date=DOS, source="835 file a", trace_number="T1")
    before = (len(ledger), ledger.trial_balance())
    again = ledger.payment(*args, date=DOS, source="835 file b", trace_number="T1")
    assert again is first
    assert (len(ledger), ledger.trial_balance()) == before


def test_same_key_with_different_postings_is_a_conflict() -> None:
    ledger = charged()
    ledger.payment(C1, 1, PRIMARY, m("70"), [], date=DOS, source="835", trace_number="T1")
    with pytest.raises(Conflict):
        ledger.payment(C1, 1, PRIMARY, m("71"), [], date=DOS, source="835", trace_number="T1")
    # the same trace on another line is another payment
    ledger.payment(C1, 2, PRIMARY, m("1"), [], date=DOS, source="835", trace_number="T1")


# -- reversals -------------------------------------------------------------------------------------------------


def test_reversal_restores_balances_exactly() -> None:
    ledger = charged()
    before = ledger.trial_balance()
    adjustments = [("CO", "45", m("20")), ("PR", "2", m("10"))]
    payment = ledger.payment(C1, 1, PRIMARY, m("70"), adjustments, date=DOS, source="835")
    reversal = ledger.reverse(payment.id, date=date(2026, 2, 2), source="835 CLP02=22", reason="payer reversal")
    assert reversal.kind is EntryKind.REVERSAL
    assert reversal.reverses == payment.id
    assert ledger.reversal_of(payment.id) is reversal
    assert ledger.trial_balance() == before
    assert ledger.claim_balance(C1) == m("100")
    assert len(ledger) == 3  # nothing is deleted


def test_reversing_twice_or_reversing_a_reversal_is_an_error() -> None:
    ledger = charged()
    charge = ledger.entries[0]
    reversal = ledger.reverse(charge.id, date=DOS, source="user bob", reason="wrong patient")
    with pytest.raises(Conflict):
        ledger.reverse(charge.id, date=DOS, source="user bob", reason="again")
    with pytest.raises(Conflict):
        ledger.reverse(reversal.id, date=DOS, source="user bob", reason="undo")
    with pytest.raises(NotFound):
        ledger.reverse(EntryId("nope"), date=DOS, source="user bob", reason="x")


def test_a_hand_built_reversal_must_mirror_its_original() -> None:
    ledger = charged()
    charge = ledger.entries[0]
    wrong = Entry(
        EntryId("R1"),
        EntryKind.REVERSAL,
        DOS,
        NOW,
        "user bob",
        (
            Posting(receivable(C1, 1, PRIMARY), m("-90")),
            Posting(AccountRef(AccountKind.REVENUE, C1, 1), m("90")),
        ),
        reverses=charge.id,
    )
    with pytest.raises(BrokenInvariant):
        ledger.post(wrong)


def test_no_update_or_delete_api() -> None:
    public = {name for name in dir(Ledger) if not name.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove", "edit", "set", "clear"))}
    assert isinstance(new_ledger().entries, tuple)


# -- entry invariants ------------------------------------------------------------------------------------------


def make_entry(*amounts: str, kind: EntryKind = EntryKind.CHARGE) -> Entry:
    accounts = itertools.cycle([receivable(C1, 1, PRIMARY), AccountRef(AccountKind.REVENUE, C1, 1)])
    postings = tuple(Posting(account, m(a)) for account, a in zip(accounts, amounts, strict=False))
    return Entry(EntryId("E"), kind, DOS, NOW, "test", postings)


def test_unbalanced_entry_raises() -> None:
    with pytest.raises(BrokenInvariant, match=r"sum to 1\.00"):
        make_entry("100", "-99")


@pytest.mark.parametrize("amounts", [(), ("0",), ("0", "0"), ("5", "-5", "0")])
def test_empty_single_and_zero_postings_raise(amounts: tuple[str, ...]) -> None:
    with pytest.raises(BrokenInvariant):
        make_entry(*amounts)


def test_entry_field_checks() -> None:
    make_entry("5", "-5")
    with pytest.raises(BrokenInvariant):
        make_entry("5", "-5", kind=EntryKind.REVERSAL)  # a reversal names its original
    with pytest.raises(BrokenInvariant):
        Entry(EntryId("E"), EntryKind.CHARGE, DOS, datetime(2026, 1, 1), "x", make_entry("5", "-5").postings)  # noqa: DTZ001
    with pytest.raises(TypeError):
        Money(0.1)  # type: ignore[arg-type]
    with pytest.raises(BrokenInvariant):
        AccountRef(AccountKind.INSURANCE_RECEIVABLE, C1)  # no payer
    with pytest.raises(BrokenInvariant):
        AccountRef(AccountKind.CASH, None, 1)  # a line without a claim


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-(10**6), 10**6).filter(bool), min_size=1, max_size=6), st.integers(-3, 3))
def test_entries_balance_or_raise(cents: list[int], skew: int) -> None:
    amounts = [Money(Decimal(c).scaleb(-2)) for c in cents]
    closing = -sum((a.amount for a in amounts), Decimal(0)) + Decimal(skew).scaleb(-2)
    postings = [Posting(AccountRef(AccountKind.CASH, C1, i), a) for i, a in enumerate(amounts)]
    postings.append(Posting(AccountRef(AccountKind.REVENUE, C1), Money(closing.quantize(Decimal("0.01")))))
    if skew == 0 and closing:
        entry = Entry(EntryId("E"), EntryKind.CHARGE, DOS, NOW, "test", tuple(postings))
        assert sum((p.amount.amount for p in entry.postings), Decimal(0)) == 0
    else:
        with pytest.raises(BrokenInvariant):
            Entry(EntryId("E"), EntryKind.CHARGE, DOS, NOW, "test", tuple(postings))


# -- aging -----------------------------------------------------------------------------------------------------


def test_aging_insurance_from_service_date_patient_from_transfer_date() -> None:
    ledger = charged()
    ledger.transfer(C1, 1, PRIMARY, PATIENT, m("30"), date=date(2026, 3, 1), source="user bob")
    aging = ledger.aging(date(2026, 4, 10))
    # insurance: 95 days since 2026-01-05; patient: 40 days since the transfer
    assert aging.buckets == {PRIMARY: {AgingBucket.D91_120: m("70")}, PATIENT: {AgingBucket.D31_60: m("30")}}
    assert ledger.aging(date(2026, 1, 4)).buckets == {}  # nothing is effective yet


def test_aging_pays_off_oldest_layers_first_and_lists_credits_apart() -> None:
    ledger = charged()
    ledger.transfer(C1, 1, PRIMARY, PATIENT, m("10"), date=date(2026, 1, 10), source="x")
    ledger.transfer(C1, 1, PRIMARY, PATIENT, m("20"), date=date(2026, 3, 1), source="x")
    ledger.patient_payment(C1, 1, m("15"), date=date(2026, 3, 5), source="x")
    aging = ledger.aging(date(2026, 3, 20))
    assert aging.buckets[PATIENT] == {AgingBucket.D0_30: m("15")}
    ledger.patient_payment(C1, 1, m("20"), date=date(2026, 3, 6), source="x")
    aging = ledger.aging(date(2026, 3, 20))
    assert PATIENT not in aging.buckets
    assert aging.credits == {receivable(C1, 1, PATIENT): m("-5")}


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-3, AgingBucket.D0_30), (0, AgingBucket.D0_30), (30, AgingBucket.D0_30), (31, AgingBucket.D31_60),
     (60, AgingBucket.D31_60), (61, AgingBucket.D61_90), (90, AgingBucket.D61_90), (91, AgingBucket.D91_120),
     (120, AgingBucket.D91_120), (121, AgingBucket.OVER_120)],
)  # fmt: skip
def test_bucket_edges(days: int, bucket: AgingBucket) -> None:
    assert AgingBucket.for_days(days) is bucket


def test_as_of_views_ignore_later_entries() -> None:
    ledger = charged()
    ledger.payment(C1, 1, PRIMARY, m("100"), [], date=date(2026, 2, 1), source="835")
    assert ledger.claim_balance(C1, as_of=date(2026, 1, 31)) == m("100")
    assert ledger.claim_balance(C1) == m("0")
