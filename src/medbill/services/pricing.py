"""Expected reimbursement for charges from the stored contract rates and the Medicare PFS.

Medicare payers (claim filing indicator MA/MB) are priced from the PFS for the facility's locality; other payers
from their contract rates (fixed or percent of Medicare). The result is stored on each charge for
underpayment detection when the 835 arrives.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from medbill.billing.fees import ContractRate, FeeSchedule, MedicareFeeSchedule, RateKind
from medbill.errors import CodeSetUnavailable, NotFound
from medbill.services.encounters import Expected
from medbill.store.tables import ContractRateRow, PayerRow

MEDICARE_INDICATORS = frozenset({"MA", "MB"})


def fee_schedule(session: Session) -> FeeSchedule:
    payers = {row.id: row.payer_id for row in session.scalars(select(PayerRow))}
    medicare = frozenset(
        row.payer_id for row in session.scalars(select(PayerRow)) if row.claim_filing_indicator in MEDICARE_INDICATORS
    )
    contracts = tuple(
        ContractRate(
            payers[row.payer_id],
            row.code or None,
            RateKind(row.kind),
            row.value,
            row.effective_from,
            row.effective_to,
        )
        for row in session.scalars(select(ContractRateRow))
    )
    return FeeSchedule(MedicareFeeSchedule.load(), contracts, medicare)


def expected_from(schedule: FeeSchedule) -> Expected:
    """The ``record_encounter`` pricing hook: None when nothing prices the line (the charge still stands)."""

    def expected(
        payer: PayerRow | None, code: str, modifier: str, units: Decimal, pos: str, locality: str, on: dt.date
    ) -> Decimal | None:
        if payer is None or "-" not in locality:
            return None
        mac, number = locality.split("-", 1)
        try:
            amount, _ = schedule.expected(payer.payer_id, code, modifier or None, units, pos, (mac, number), on)
        except (CodeSetUnavailable, NotFound):
            return None  # a date outside the loaded PFS year, an unknown locality: no expectation, not a wrong one
        return amount

    return expected
