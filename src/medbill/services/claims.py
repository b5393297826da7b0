"""Claims from encounters, their lifecycle, and the Claim model the 837 writer and the CMS-1500 take.

``create_claims`` splits an encounter by the form's limits (``billing.splitting``) and records each claim as
draft; ``move`` applies a lifecycle transition and records the event; ``claim_model`` assembles the parties,
diagnoses and lines from the store into ``billing.claim.Claim``. Replacement (7) and void (8) claims name the
original and need the payer's claim control number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medbill.billing.claim import Address, Claim, ClaimKind, Diagnosis, Party, Patient, Payer, ServiceLine, Subscriber
from medbill.billing.lifecycle import ClaimStatus, transition
from medbill.billing.splitting import plan_claims
from medbill.errors import Conflict, InvalidInput, NotFound
from medbill.store.tables import (
    BillingProviderRow,
    ChargeRow,
    ClaimDiagnosisRow,
    ClaimEventRow,
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    EncounterRow,
    FacilityRow,
    PatientRow,
    PayerRow,
    ProviderRow,
)

RESPONSIBILITY = {1: "P", 2: "S", 3: "T"}
FREQUENCIES = {"1": "original", "7": "replacement", "8": "void"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def coverage_for(session: Session, encounter: EncounterRow, priority: int = 1) -> CoverageRow:
    """The patient's coverage of that order in force on the first date of service."""
    on = encounter.date_from
    row = session.scalars(
        select(CoverageRow)
        .where(CoverageRow.patient_id == encounter.patient_id, CoverageRow.priority == priority)
        .where(CoverageRow.start_date <= on)
        .where((CoverageRow.end_date.is_(None)) | (CoverageRow.end_date >= on))
        .order_by(CoverageRow.start_date.desc())
    ).first()
    if row is None:
        raise InvalidInput(f"encounter {encounter.external_id}: no coverage of order {priority} on {on.isoformat()}")
    return row


def create_claims(
    session: Session, encounter: EncounterRow, *, kind: str = "P", actor: str, type_of_bill: str = ""
) -> list[ClaimRow]:
    """Draft claims for an encounter (several when it exceeds the form's limits). Idempotent: an encounter that
    already has original claims gets them back unchanged."""
    existing = session.scalars(
        select(ClaimRow)
        .where(ClaimRow.encounter_id == encounter.id, ClaimRow.frequency_code == "1")
        .order_by(ClaimRow.part)
    ).all()
    if existing:
        return list(existing)
    if kind == "I" and len(type_of_bill) != 4:
        raise InvalidInput("an institutional claim needs a 4-digit type of bill (e.g. 0131)")
    charges = list(encounter.charges)
    diagnoses = [code for code in encounter.diagnoses.split(",") if code]
    pointers = [[int(p) for p in charge.pointers.split(",") if p] for charge in charges]
    coverage = coverage_for(session, encounter)
    now = _now()
    rows: list[ClaimRow] = []
    for plan in plan_claims(kind, diagnoses, pointers):
        total = sum((charges[index].amount for index, _ in plan.lines), Decimal(0))
        number = f"{encounter.external_id[:34]}-{plan.part}" if plan.part > 1 else encounter.external_id[:38]
        row = ClaimRow(
            claim_number=number,
            encounter_id=encounter.id,
            coverage_id=coverage.id,
            kind=kind,
            part=plan.part,
            frequency_code="1",
            type_of_bill=type_of_bill,
            status=ClaimStatus.DRAFT,
            total=total,
            created_at=now,
        )
        session.add(row)
        session.flush()
        for position, code in enumerate(plan.diagnoses, start=1):
            session.add(ClaimDiagnosisRow(claim_id=row.id, position=position, code=code))
        for line, (index, claim_pointers) in enumerate(plan.lines, start=1):
            session.add(
                ClaimLineRow(
                    claim_id=row.id,
                    line=line,
                    charge_id=charges[index].id,
                    diagnosis_pointers=",".join(map(str, claim_pointers)),
                )
            )
        session.add(
            ClaimEventRow(
                claim_id=row.id,
                from_status="",
                to_status=ClaimStatus.DRAFT,
                at=now,
                actor=actor,
                reason=f"built from encounter {encounter.external_id}",
            )
        )
        rows.append(row)
    session.flush()
    return rows


def move(session: Session, claim: ClaimRow, target: ClaimStatus, *, actor: str, reason: str) -> ClaimEventRow:
    """Apply a lifecycle transition and record who, when and why."""
    event = transition(claim.claim_number, ClaimStatus(claim.status), target, at=_now(), actor=actor, reason=reason)
    claim.status = target
    row = ClaimEventRow(
        claim_id=claim.id,
        from_status=event.from_status,
        to_status=event.to_status,
        at=event.at,
        actor=actor,
        reason=reason,
    )
    session.add(row)
    session.flush()
    return row


def replacement(
    session: Session, original: ClaimRow, *, frequency: str, payer_claim_control_number: str, actor: str, reason: str
) -> ClaimRow:
    """A corrected (7) or void (8) claim for ``original``; the payer's claim control number (from the 835 or
    277CA) is required so the payer can find what it replaces."""
    if frequency not in ("7", "8"):
        raise InvalidInput(f"a replacement claim has frequency 7 or 8, not {frequency!r}")
    if not payer_claim_control_number.strip():
        raise InvalidInput(f"claim {original.claim_number}: frequency {frequency} needs the payer claim control number")
    count = session.scalar(select(func.count()).where(ClaimRow.original_claim_id == original.id)) or 0
    row = ClaimRow(
        claim_number=f"{original.claim_number[:33]}-R{count + 1}",
        encounter_id=original.encounter_id,
        coverage_id=original.coverage_id,
        kind=original.kind,
        part=original.part,
        frequency_code=frequency,
        original_claim_id=original.id,
        payer_claim_control_number=payer_claim_control_number.strip(),
        type_of_bill=original.type_of_bill[:3] + frequency if original.type_of_bill else "",
        status=ClaimStatus.DRAFT,
        total=original.total,
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    for dx in session.scalars(select(ClaimDiagnosisRow).where(ClaimDiagnosisRow.claim_id == original.id)):
        session.add(ClaimDiagnosisRow(claim_id=row.id, position=dx.position, code=dx.code))
    for line in original.lines:
        session.add(
            ClaimLineRow(
                claim_id=row.id, line=line.line, charge_id=line.charge_id, diagnosis_pointers=line.diagnosis_pointers
            )
        )
    if ClaimStatus(original.status) is not ClaimStatus.CORRECTED:
        # A closed claim cannot become corrected; the new claim still records the link to it.
        with contextlib.suppress(Conflict):
            move(session, original, ClaimStatus.CORRECTED, actor=actor, reason=f"replaced by {row.claim_number}")
    session.add(
        ClaimEventRow(
            claim_id=row.id,
            from_status="",
            to_status=ClaimStatus.DRAFT,
            at=_now(),
            actor=actor,
            reason=f"{FREQUENCIES[frequency]} of {original.claim_number}: {reason}",
        )
    )
    session.flush()
    return row


# -- the Claim model ---------------------------------------------------------------------------------------


def _address(row: BillingProviderRow | FacilityRow | PayerRow | PatientRow) -> Address:
    return Address(row.address1, row.address2, row.city, row.state, row.postal_code)


def _person(row: ProviderRow | None) -> Party | None:
    if row is None:
        return None
    return Party("1", row.last_name, row.first_name, id_qualifier="XX", id=row.npi, taxonomy=row.taxonomy)


def claim_model(session: Session, claim: ClaimRow) -> Claim:
    encounter = session.get(EncounterRow, claim.encounter_id)
    coverage = session.get(CoverageRow, claim.coverage_id)
    if encounter is None or coverage is None:
        raise NotFound(f"claim {claim.claim_number}: its encounter or coverage is missing")
    patient = session.get(PatientRow, encounter.patient_id)
    billing = session.get(BillingProviderRow, encounter.billing_provider_id)
    payer_row = session.get(PayerRow, coverage.payer_id)
    if patient is None or billing is None or payer_row is None:
        raise NotFound(f"claim {claim.claim_number}: its patient, billing provider or payer is missing")
    patient_party = Party("1", patient.last_name, patient.first_name, patient.middle_name, address=_address(patient))
    responsibility = RESPONSIBILITY.get(coverage.priority, "P")
    is_self = coverage.relationship_code == "18"
    subscriber = Subscriber(
        Party(
            "1",
            patient.last_name if is_self else coverage.subscriber_last_name,
            patient.first_name if is_self else coverage.subscriber_first_name,
            patient.middle_name if is_self else "",
            "",
            "MI",
            coverage.member_id,
            _address(patient),
        ),
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        relationship="18" if is_self else "",
        payer_responsibility=responsibility,
        claim_filing_indicator=payer_row.claim_filing_indicator,
        birth_date=patient.birth_date if is_self else coverage.subscriber_birth_date,
        sex=patient.sex if is_self else coverage.subscriber_sex,
    )
    # The 2000C patient loop only when the patient is not the subscriber (the subscriber's address is the
    # patient's: coverage rows hold no separate subscriber address).
    claim_patient = (
        None if is_self else Patient(patient_party, coverage.relationship_code, patient.birth_date, patient.sex)
    )
    diagnoses = session.scalars(
        select(ClaimDiagnosisRow.code)
        .where(ClaimDiagnosisRow.claim_id == claim.id)
        .order_by(ClaimDiagnosisRow.position)
    ).all()
    lines: list[ServiceLine] = []
    for line in claim.lines:
        charge: ChargeRow = line.charge
        lines.append(
            ServiceLine(
                line.line,
                charge.code if claim.kind == "P" or charge.code else "",
                charge.amount,
                procedure_qualifier="HC" if charge.code else "",
                modifiers=tuple(m for m in charge.modifiers.split(",") if m),
                units=charge.units,
                diagnosis_pointers=tuple(int(p) for p in line.diagnosis_pointers.split(",") if p)
                if claim.kind == "P"
                else (),
                service_date_from=charge.date_from,
                service_date_to=charge.date_to if charge.date_to != charge.date_from else None,
                revenue_code=charge.revenue_code,
                ndc=charge.ndc,
                line_control_number=f"{claim.claim_number[:27]}-{line.line}",
            )
        )
    facility = session.get(FacilityRow, encounter.facility_id) if encounter.facility_id else None
    kind: ClaimKind = "P" if claim.kind == "P" else "I"
    dates: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    if kind == "I":
        dates["434"] = (encounter.date_from, encounter.date_to)
    return Claim(
        kind,
        claim.claim_number,
        claim.total,
        encounter.place_of_service if kind == "P" else claim.type_of_bill[1:3],
        Party(
            "2",
            billing.name,
            id_qualifier="XX",
            id=billing.npi,
            address=_address(billing),
            tax_id=billing.tax_id,
            taxonomy=billing.taxonomy,
        ),
        subscriber,
        Payer(payer_row.name, payer_row.payer_id, _address(payer_row) if payer_row.address1 else None),
        facility_qualifier="B" if kind == "P" else "A",
        frequency_code=claim.frequency_code,
        provider_signature="Y" if kind == "P" else "",
        patient=claim_patient,
        diagnoses=tuple(
            Diagnosis(code, "ABK" if k == 0 else "ABF", "Y" if kind == "I" else "") for k, code in enumerate(diagnoses)
        ),
        dates=dates,
        institutional=("3", "1", "01") if kind == "I" else None,
        payer_claim_control_number=claim.payer_claim_control_number,
        referring_provider=_person(session.get(ProviderRow, encounter.referring_provider_id))
        if encounter.referring_provider_id
        else None,
        rendering_provider=_person(session.get(ProviderRow, encounter.rendering_provider_id))
        if encounter.rendering_provider_id and kind == "P"
        else None,
        attending_provider=_person(session.get(ProviderRow, encounter.rendering_provider_id))
        if encounter.rendering_provider_id and kind == "I"
        else None,
        service_facility=Party(
            "2", facility.name, id_qualifier="XX" if facility.npi else "", id=facility.npi, address=_address(facility)
        )
        if facility is not None and kind == "P"
        else None,
        lines=tuple(lines),
    )


def claims_in(session: Session, numbers: Sequence[str]) -> list[ClaimRow]:
    rows = session.scalars(select(ClaimRow).where(ClaimRow.claim_number.in_(numbers))).all()
    found = {row.claim_number for row in rows}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise NotFound(f"no claim {missing[0]}")
    return list(rows)
