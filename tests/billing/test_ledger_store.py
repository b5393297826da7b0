"""The ledger in the store: entries round-trip, re-posting is a no-op, and the database itself refuses to
change or delete a posted row (SQLite and PostgreSQL triggers from migration 0001)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from medbill.errors import Conflict
from medbill.ledger import PATIENT, ClaimId, Coverage, Ledger, PayerId
from medbill.money import Money
from medbill.services.claims import create_claims
from medbill.services.demo import build_practice, encounters
from medbill.services.encounters import record_encounter
from medbill.services.ledger import post_claim_charges, receivables
from medbill.store.database import Database
from medbill.store.ledger_repo import LedgerRepository
from medbill.store.tables import ClaimRow, LedgerEntryRow

DAY = dt.date(2024, 5, 6)
AETNA = Coverage(PayerId("DEMOCOM01"))
CLAIM = ClaimId("C-1")


def sample(ledger: Ledger) -> None:
    ledger.charge(CLAIM, 1, Money.of("100.00"), AETNA, date=DAY, source="test", key="charge:C-1:1")
    adjustments = [("CO", "45", Money.of("20.00")), ("PR", "2", Money.of("10.00"))]
    ledger.payment(CLAIM, 1, AETNA, Money.of("70.00"), adjustments, date=DAY, source="835 test", trace_number="TRN1")


def test_entries_round_trip_and_balances_match(database: Database) -> None:
    ledger = Ledger()
    sample(ledger)
    with database.transaction() as session:
        LedgerRepository(session).save_all(ledger.entries)
    with database.transaction() as session:
        stored = LedgerRepository(session).all()
    assert stored == list(ledger.entries)
    again = Ledger(stored)
    assert again.claim_balance(CLAIM) == Money.of("10.00")
    assert again.responsibility(CLAIM)[PATIENT] == Money.of("10.00")
    assert sum((m.amount for m in again.trial_balance().values()), Decimal(0)) == 0


def test_reposting_is_a_no_op_and_other_amounts_conflict(database: Database) -> None:
    ledger = Ledger()
    sample(ledger)
    with database.transaction() as session:
        repo = LedgerRepository(session)
        repo.save_all(ledger.entries)
        fresh = Ledger()
        again = fresh.charge(CLAIM, 1, Money.of("100.00"), AETNA, date=DAY, source="again", key="charge:C-1:1")
        assert repo.save(again).id == ledger.entries[0].id
        other = Ledger().charge(CLAIM, 1, Money.of("99.00"), AETNA, date=DAY, source="x", key="charge:C-1:1")
        with pytest.raises(Conflict):
            repo.save(other)
    with database.transaction() as session:
        assert len(LedgerRepository(session).all()) == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_postings SET amount = 0",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_entries SET memo = 'x'",
        "DELETE FROM ledger_entries",
    ],
)
def test_the_database_refuses_to_change_posted_rows(database: Database, statement: str) -> None:
    ledger = Ledger()
    sample(ledger)
    with database.transaction() as session:
        LedgerRepository(session).save_all(ledger.entries)
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text(statement))
    with database.transaction() as session:
        assert len(LedgerRepository(session).all()) == 2
        assert session.scalars(select(LedgerEntryRow.memo)).all() != ["x", "x"]


def test_claim_charges_post_once_and_age(database: Database) -> None:
    with database.transaction() as session:
        practice = build_practice(session, patients=10)
        for data in encounters(practice, count=5):
            create_claims(session, record_encounter(session, data), actor="t")
    with database.transaction() as session:
        claims = list(session.scalars(select(ClaimRow)))
        lines = sum(len(c.lines) for c in claims)
        assert post_claim_charges(session, claims, actor="t") == lines
        assert post_claim_charges(session, claims, actor="t") == 0
        ar = receivables(session, dt.date(2024, 12, 31))
    total = sum((c.total for c in claims), Decimal(0))
    assert ar.total.amount == total and ar.entries == lines
    assert sum((m.amount for m in ar.patient.values()), Decimal(0)) == 0
