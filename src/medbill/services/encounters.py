"""Encounters and their charges: what was done, for whom, by whom, where and when, priced from the charge
master (the practice's charge) and the fee schedule (what the payer is expected to pay)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from medbill.errors import InvalidInput, NotFound
from medbill.services.practice import charge_for
from medbill.store.tables import (
    BillingProviderRow,
    ChargeRow,
    EncounterRow,
    FacilityRow,
    PatientRow,
    PayerRow,
    ProviderRow,
)

MAX_DIAGNOSES = 12
MAX_MODIFIERS = 4

Expected = Callable[[PayerRow | None, str, str, Decimal, str, str, dt.date], Decimal | None]
"""(payer, code, first modifier, units, place of service, locality, date) → expected reimbursement."""


@dataclass(frozen=True, slots=True)
class ChargeInput:
    code: str
    pointers: tuple[int, ...]
    units: Decimal = Decimal(1)
    modifiers: tuple[str, ...] = ()
    amount: Decimal | None = None
    """None: from the charge master (× units)."""
    ndc: str = ""
    revenue_code: str = ""


@dataclass(frozen=True, slots=True)
class EncounterInput:
    external_id: str
    patient_account: str
    billing_provider_npi: str
    place_of_service: str
    date_from: dt.date
    diagnoses: tuple[str, ...]
    charges: tuple[ChargeInput, ...]
    date_to: dt.date | None = None
    rendering_npi: str = ""
    referring_npi: str = ""
    facility: str = ""
    notes: tuple[str, ...] = field(default=())


def _one(session: Session, model: type, what: str, **key: str) -> int:
    row_id = session.scalar(select(model.id).filter_by(**key))  # type: ignore[attr-defined]
    if row_id is None:
        raise NotFound(f"{what} not found")
    return int(row_id)


def record_encounter(
    session: Session, data: EncounterInput, *, payer: PayerRow | None = None, expected: Expected | None = None
) -> EncounterRow:
    """Store an encounter with priced charges; the same external id again returns the stored one unchanged."""
    found = session.scalars(select(EncounterRow).where(EncounterRow.external_id == data.external_id)).first()
    if found is not None:
        return found
    diagnoses = [code.replace(".", "").upper() for code in data.diagnoses]
    if not 1 <= len(diagnoses) <= MAX_DIAGNOSES * 4:
        raise InvalidInput(f"encounter {data.external_id}: 1 or more diagnoses are needed")
    if not data.charges:
        raise InvalidInput(f"encounter {data.external_id}: no charges")
    end = data.date_to or data.date_from
    if end < data.date_from:
        raise InvalidInput(f"encounter {data.external_id}: the last date of service is before the first")
    facility_id = _one(session, FacilityRow, "facility", name=data.facility) if data.facility else None
    locality = session.get(FacilityRow, facility_id).locality if facility_id else ""  # type: ignore[union-attr]
    row = EncounterRow(
        external_id=data.external_id,
        patient_id=_one(
            session, PatientRow, f"patient for encounter {data.external_id}", account_number=data.patient_account
        ),
        billing_provider_id=_one(session, BillingProviderRow, "billing provider", npi=data.billing_provider_npi),
        rendering_provider_id=_one(session, ProviderRow, "rendering provider", npi=data.rendering_npi)
        if data.rendering_npi
        else None,
        referring_provider_id=_one(session, ProviderRow, "referring provider", npi=data.referring_npi)
        if data.referring_npi
        else None,
        facility_id=facility_id,
        place_of_service=data.place_of_service,
        date_from=data.date_from,
        date_to=end,
        diagnoses=",".join(diagnoses),
    )
    session.add(row)
    session.flush()
    for line, charge in enumerate(data.charges, start=1):
        if len(charge.modifiers) > MAX_MODIFIERS:
            raise InvalidInput(f"encounter {data.external_id} line {line}: at most {MAX_MODIFIERS} modifiers")
        first_modifier = charge.modifiers[0] if charge.modifiers else ""
        amount = charge.amount
        if amount is None:
            unit_charge = charge_for(session, charge.code, first_modifier, data.date_from)
            if unit_charge is None:
                raise InvalidInput(
                    f"encounter {data.external_id} line {line}: no charge master amount for {charge.code}"
                )
            amount = (unit_charge * charge.units).quantize(Decimal("0.01"))
        price = (
            expected(payer, charge.code, first_modifier, charge.units, data.place_of_service, locality, data.date_from)
            if expected is not None
            else None
        )
        session.add(
            ChargeRow(
                encounter_id=row.id,
                line=line,
                code=charge.code,
                modifiers=",".join(charge.modifiers),
                units=charge.units,
                pointers=",".join(map(str, charge.pointers)),
                amount=amount,
                expected=price,
                revenue_code=charge.revenue_code,
                ndc=charge.ndc,
                date_from=data.date_from,
                date_to=end,
            )
        )
    session.flush()
    session.refresh(row)
    return row


def encounters_without_claims(session: Session, external_ids: Sequence[str] | None = None) -> list[EncounterRow]:
    from medbill.store.tables import ClaimRow

    query = select(EncounterRow).where(~EncounterRow.id.in_(select(ClaimRow.encounter_id)))
    if external_ids is not None:
        query = query.where(EncounterRow.external_id.in_(external_ids))
    return list(session.scalars(query.order_by(EncounterRow.id)))
