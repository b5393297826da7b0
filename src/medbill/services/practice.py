"""The practice's reference data: billing providers, clinicians, facilities, payers, patients, coverages and the
charge master. Each ``ensure_*`` finds the row by its natural key (NPI, payer id, account number …) and creates it
only when missing, so loading the same practice twice changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from medbill.errors import InvalidInput
from medbill.store.tables import (
    BillingProviderRow,
    ChargeMasterRow,
    CoverageRow,
    FacilityRow,
    PatientRow,
    PayerRow,
    ProviderRow,
)
from medbill.x12.rules import npi_valid

Row = TypeVar("Row", BillingProviderRow, ProviderRow, FacilityRow, PayerRow, PatientRow, CoverageRow, ChargeMasterRow)


def _ensure(session: Session, model: type[Row], key: dict[str, Any], values: dict[str, Any]) -> Row:
    row = session.scalars(select(model).filter_by(**key)).first()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        session.flush()
    return row


def _npi(npi: str, what: str) -> str:
    if not npi_valid(npi):
        raise InvalidInput(f"{what}: {npi!r} is not a valid NPI (10 digits with a Luhn check digit)")
    return npi


def ensure_billing_provider(session: Session, *, npi: str, **values: Any) -> BillingProviderRow:
    tax_id = str(values.get("tax_id", ""))
    if len(tax_id) != 9 or not tax_id.isdigit():
        raise InvalidInput("billing provider: the tax id (EIN) has 9 digits")
    return _ensure(session, BillingProviderRow, {"npi": _npi(npi, "billing provider")}, values)


def ensure_provider(session: Session, *, npi: str, **values: Any) -> ProviderRow:
    return _ensure(session, ProviderRow, {"npi": _npi(npi, "provider")}, values)


def ensure_facility(session: Session, *, name: str, **values: Any) -> FacilityRow:
    if values.get("npi"):
        _npi(str(values["npi"]), "facility")
    return _ensure(session, FacilityRow, {"name": name}, values)


def ensure_payer(session: Session, *, payer_id: str, **values: Any) -> PayerRow:
    return _ensure(session, PayerRow, {"payer_id": payer_id}, values)


def ensure_patient(session: Session, *, account_number: str, **values: Any) -> PatientRow:
    return _ensure(session, PatientRow, {"account_number": account_number}, values)


def ensure_coverage(
    session: Session, *, patient: PatientRow, payer: PayerRow, member_id: str, **values: Any
) -> CoverageRow:
    if values.get("priority") not in (1, 2, 3):
        raise InvalidInput("coverage order (priority) is 1 primary, 2 secondary or 3 tertiary")
    return _ensure(
        session, CoverageRow, {"patient_id": patient.id, "payer_id": payer.id, "member_id": member_id}, values
    )


def ensure_charge(
    session: Session, *, code: str, amount: Decimal, effective_from: dt.date, modifier: str = ""
) -> ChargeMasterRow:
    if not isinstance(amount, Decimal) or amount <= 0:
        raise InvalidInput(f"charge master {code}: the charge is a positive Decimal amount")
    return _ensure(
        session,
        ChargeMasterRow,
        {"code": code, "modifier": modifier, "effective_from": effective_from},
        {"amount": amount},
    )


def charge_for(session: Session, code: str, modifier: str, on: dt.date) -> Decimal | None:
    """The charge master amount for a code (the modifier-specific row first) on a date."""
    for mod in dict.fromkeys((modifier, "")):
        row = session.scalars(
            select(ChargeMasterRow)
            .where(ChargeMasterRow.code == code, ChargeMasterRow.modifier == mod)
            .where(ChargeMasterRow.effective_from <= on)
            .where((ChargeMasterRow.effective_to.is_(None)) | (ChargeMasterRow.effective_to >= on))
            .order_by(ChargeMasterRow.effective_from.desc())
        ).first()
        if row is not None:
            return row.amount
    return None
