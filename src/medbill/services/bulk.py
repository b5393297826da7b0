"""Set-based billing for many encounters at once: the same rows, models and files as the per-claim services.

``services.claims`` and ``services.batches`` work one ORM object at a time, which is right for an interactive
edit and slow for a day's encounters (a millisecond or more per claim). The functions here do the same work with
a handful of set-based SELECTs and Core ``INSERT``/``UPDATE`` statements run as executemany:

* ``create_claims_bulk`` — draft claims for the encounters that have none (``services.claims.create_claims``);
* ``mark_ready_bulk`` — draft → ready with one event each (``services.claims.move``);
* ``claim_models_bulk`` — the ``billing.claim.Claim`` values of ``services.claims.claim_model``;
* ``batch_bulk`` — 837 files, batch rows and the move to submitted (``services.batches.create_batches``).

Claim numbers, totals, diagnosis pointers, events, file names, control numbers and file bytes are exactly those
of the per-claim path for the same inputs (tests/billing/test_bulk.py compares both on SQLite and PostgreSQL).
Core statements bypass the ORM session: ``ClaimRow`` objects already loaded in the session are expired when
their status changes here, so they reload on next access. Event rows with constant values are written with
``INSERT … SELECT``; large row sets go through ``COPY`` on PostgreSQL (psycopg). The functions pause the cyclic
garbage collector while they run (see ``_gc_paused``). bench/bench_billing.py measures the whole path.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import Connection, Select, String, Table, exists, insert, literal, select, update
from sqlalchemy.orm import Session

from medbill.billing.claim import (
    Address,
    Claim,
    ClaimKind,
    Contact,
    Diagnosis,
    Party,
    Patient,
    Payer,
    ServiceLine,
    Subscriber,
)
from medbill.billing.lifecycle import ClaimStatus
from medbill.billing.splitting import PlannedClaim, plan_claims
from medbill.errors import Conflict, InvalidInput, NotFound
from medbill.fileio import write_atomic
from medbill.services.batches import (
    DEFAULT_MAX_CLAIMS,
    BatchFile,
    Submitter,
    Validate,
    next_control_number,
)
from medbill.services.claims import RESPONSIBILITY
from medbill.store.tables import (
    BatchClaimRow,
    BatchRow,
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
from medbill.x12.validator import ValidationReport, validate_x12
from medbill.x12.writers import write_837

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

CHUNK = 5000
"""Ids per ``IN (…)`` list: well inside SQLite's 32,766 and PostgreSQL's 65,535 bound parameters."""

CLAIMS = cast(Table, ClaimRow.__table__)
ENCOUNTERS = cast(Table, EncounterRow.__table__)
CLAIM_LINES = cast(Table, ClaimLineRow.__table__)
CLAIM_DIAGNOSES = cast(Table, ClaimDiagnosisRow.__table__)
CLAIM_EVENTS = cast(Table, ClaimEventRow.__table__)
BATCHES = cast(Table, BatchRow.__table__)
BATCH_CLAIMS = cast(Table, BatchClaimRow.__table__)


def _gc_paused(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with the cyclic garbage collector paused (and resumed after, if it was on). The bulk
    functions allocate a few hundred thousand acyclic objects (rows, parameters, models); the collector's
    generation-2 passes over them cost about 15 % of a 20,000-claim run and free nothing."""

    @functools.wraps(func)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return func(*args, **kwargs)
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _expire_claims(session: Session, claim_ids: Iterable[int]) -> None:
    """Expire ``ClaimRow`` objects the session holds for these ids (Core UPDATEs do not touch them)."""
    if not session.identity_map:
        return
    wanted = set(claim_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ClaimRow) and obj.id in wanted:
            session.expire(obj)


def _insert_rows(db: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows (all with the same keys): COPY … FROM STDIN on PostgreSQL with psycopg (about three
    times quicker than a multi-row INSERT there), a Core executemany elsewhere."""
    if not rows:
        return
    if db.dialect.name == "postgresql" and db.dialect.driver == "psycopg":
        names = list(rows[0])
        cursor = db.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            columns = ", ".join(f'"{name}"' for name in names)
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[name] for name in names])
        finally:
            cursor.close()
        return
    db.execute(insert(table), rows)


# -- claims from encounters -----------------------------------------------------------------------------------


def _has_original_claim() -> Any:
    return exists().where(ClaimRow.encounter_id == EncounterRow.id, ClaimRow.frequency_code == "1")


@_gc_paused
def create_claims_bulk(
    session: Session,
    encounter_ids: Sequence[int] | None,
    *,
    actor: str,
    kind: str = "P",
    type_of_bill: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Draft claims for every listed encounter (all encounters when None) that has no original claim yet, in
    encounter-id order; the number of claims created. The same rows as ``create_claims`` per encounter: split by
    the form's limits, numbered ``EXTERNAL-ID`` / ``EXTERNAL-ID-2``…, each with its diagnoses, lines and a draft
    event. Nothing is written when an encounter cannot be billed (``InvalidInput`` names it)."""
    if kind == "I" and len(type_of_bill) != 4:
        raise InvalidInput("an institutional claim needs a 4-digit type of bill (e.g. 0131)")
    if not actor:
        raise ValueError("a transition needs an actor")
    session.flush()
    now = at or _now()
    encounter_cols = (
        EncounterRow.id,
        EncounterRow.external_id,
        EncounterRow.patient_id,
        EncounterRow.date_from,
        EncounterRow.diagnoses,
    )
    charge_cols = (ChargeRow.encounter_id, ChargeRow.id, ChargeRow.amount, ChargeRow.pointers)
    encounters: list[Any] = []
    charges: dict[int, list[tuple[int, Decimal, str]]] = {}
    if encounter_ids is None:
        encounters = list(
            session.connection().execute(
                select(*encounter_cols).where(~_has_original_claim()).order_by(EncounterRow.id)
            )
        )
        pending = select(EncounterRow.id).where(~_has_original_claim())
        charge_rows: Iterable[Any] = (
            session.connection()
            .execute(
                select(*charge_cols)
                .where(ChargeRow.encounter_id.in_(pending))
                .order_by(ChargeRow.encounter_id, ChargeRow.line)
            )
            .all()
        )
        for encounter_id, charge_id, amount, pointers in charge_rows:
            charges.setdefault(encounter_id, []).append((charge_id, amount, pointers))
    else:
        wanted = sorted(set(encounter_ids))
        for chunk in _chunks(wanted):
            encounters.extend(
                session.connection().execute(
                    select(*encounter_cols).where(EncounterRow.id.in_(chunk), ~_has_original_claim())
                )
            )
            for encounter_id, charge_id, amount, pointers in (
                session.connection()
                .execute(
                    select(*charge_cols)
                    .where(ChargeRow.encounter_id.in_(chunk))
                    .order_by(ChargeRow.encounter_id, ChargeRow.line)
                )
                .all()
            ):
                charges.setdefault(encounter_id, []).append((charge_id, amount, pointers))
        encounters.sort(key=lambda row: row[0])
    if not encounters:
        return 0
    coverages = _primary_coverages(session, sorted({row[2] for row in encounters}))

    plans: dict[tuple[str, tuple[str, ...]], list[PlannedClaim]] = {}
    claim_params: list[dict[str, Any]] = []
    details: list[tuple[PlannedClaim, list[tuple[int, Decimal, str]], str]] = []
    for encounter_id, external_id, patient_id, date_from, diagnosis_text in encounters:
        lines = charges.get(encounter_id, [])
        key = (diagnosis_text, tuple(pointers for _, _, pointers in lines))
        planned = plans.get(key)
        if planned is None:
            diagnoses = [code for code in diagnosis_text.split(",") if code]
            pointer_lists = [[int(p) for p in pointers.split(",") if p] for pointers in key[1]]
            planned = plans[key] = plan_claims(kind, diagnoses, pointer_lists)
        coverage_id = _coverage_on(coverages.get(patient_id, ()), date_from)
        if coverage_id is None:
            raise InvalidInput(f"encounter {external_id}: no coverage of order 1 on {date_from.isoformat()}")
        for plan in planned:
            total = sum((lines[index][1] for index, _ in plan.lines), Decimal(0))
            number = f"{external_id[:34]}-{plan.part}" if plan.part > 1 else external_id[:38]
            claim_params.append(
                {
                    "claim_number": number,
                    "encounter_id": encounter_id,
                    "coverage_id": coverage_id,
                    "kind": kind,
                    "part": plan.part,
                    "frequency_code": "1",
                    "original_claim_id": None,
                    "payer_claim_control_number": "",
                    "type_of_bill": type_of_bill,
                    "status": str(ClaimStatus.DRAFT),
                    "total": total,
                    "created_at": now,
                }
            )
            details.append((plan, lines, external_id))

    db = session.connection()
    _insert_rows(db, CLAIMS, claim_params)
    # The new ids, read back by (encounter, part): an INSERT … RETURNING that keeps the parameter order runs one
    # statement per row on SQLite, while a plain executemany and one SELECT per chunk of encounters do not.
    # The draft events are an INSERT … SELECT over the same chunk: no per-row parameters.
    new_ids: dict[tuple[int, int], int] = {}
    for chunk in _chunks(sorted({p["encounter_id"] for p in claim_params})):
        new = (CLAIMS.c.encounter_id.in_(chunk), CLAIMS.c.frequency_code == "1")
        for claim_id, encounter_id, part in db.execute(
            select(CLAIMS.c.id, CLAIMS.c.encounter_id, CLAIMS.c.part).where(*new)
        ).all():
            new_ids[(encounter_id, part)] = claim_id
        reason = literal("built from encounter ", String) + ENCOUNTERS.c.external_id
        _insert_events(
            db,
            select(CLAIMS.c.id, reason)
            .join_from(CLAIMS, ENCOUNTERS, ENCOUNTERS.c.id == CLAIMS.c.encounter_id)
            .where(*new),
            CLAIMS.c.id,
            "",
            ClaimStatus.DRAFT,
            actor=actor,
            at=now,
        )
    claim_ids = [new_ids[(p["encounter_id"], p["part"])] for p in claim_params]
    diagnosis_params: list[dict[str, Any]] = []
    line_params: list[dict[str, Any]] = []
    for claim_id, (plan, lines, _) in zip(claim_ids, details, strict=True):
        for position, code in enumerate(plan.diagnoses, start=1):
            diagnosis_params.append({"claim_id": claim_id, "position": position, "code": code})
        for line, (index, claim_pointers) in enumerate(plan.lines, start=1):
            line_params.append(
                {
                    "claim_id": claim_id,
                    "line": line,
                    "charge_id": lines[index][0],
                    "diagnosis_pointers": ",".join(map(str, claim_pointers)),
                }
            )
    _insert_rows(db, CLAIM_DIAGNOSES, diagnosis_params)
    _insert_rows(db, CLAIM_LINES, line_params)
    return len(claim_ids)


def _primary_coverages(session: Session, patient_ids: Sequence[int]) -> dict[int, list[tuple[int, dt.date, Any]]]:
    """Priority-1 coverages per patient, newest start first (the order ``coverage_for`` picks from)."""
    found: dict[int, list[tuple[int, dt.date, Any]]] = {}
    cols = (CoverageRow.patient_id, CoverageRow.id, CoverageRow.start_date, CoverageRow.end_date)
    for chunk in _chunks(patient_ids):
        for patient_id, coverage_id, start, end in (
            session.connection()
            .execute(select(*cols).where(CoverageRow.patient_id.in_(chunk), CoverageRow.priority == 1))
            .all()
        ):
            found.setdefault(patient_id, []).append((coverage_id, start, end))
    for rows in found.values():
        rows.sort(key=lambda r: (-r[1].toordinal(), r[0]))
    return found


def _coverage_on(rows: Iterable[tuple[int, dt.date, Any]], on: dt.date) -> int | None:
    for coverage_id, start, end in rows:
        if start <= on and (end is None or end >= on):
            return coverage_id
    return None


# -- lifecycle ------------------------------------------------------------------------------------------------


@_gc_paused
def mark_ready_bulk(
    session: Session, claim_ids: Sequence[int], *, actor: str, reason: str, at: dt.datetime | None = None
) -> int:
    """Draft → ready for the listed claims, one event each; the number moved. Claims already ready are left as
    they are; any other status is a ``Conflict`` (nothing is changed)."""
    if not actor:
        raise ValueError("a transition needs an actor")
    session.flush()
    now = at or _now()
    wanted = sorted(set(claim_ids))
    statuses: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(wanted):
        for claim_id, number, status in session.connection().execute(
            select(ClaimRow.id, ClaimRow.claim_number, ClaimRow.status).where(ClaimRow.id.in_(chunk))
        ):
            statuses[claim_id] = (number, status)
    missing = [i for i in wanted if i not in statuses]
    if missing:
        raise NotFound(f"no claim with id {missing[0]}")
    drafts: list[int] = []
    for claim_id in wanted:
        number, status = statuses[claim_id]
        if status == ClaimStatus.DRAFT:
            drafts.append(claim_id)
        elif status != ClaimStatus.READY:
            raise Conflict(f"claim {number}: {status} cannot become ready here (only draft claims are marked ready)")
    _move_many(session, drafts, ClaimStatus.DRAFT, ClaimStatus.READY, actor=actor, reasons=reason, at=now)
    return len(drafts)


def _move_many(
    session: Session,
    claim_ids: Sequence[int],
    source: ClaimStatus,
    target: ClaimStatus,
    *,
    actor: str,
    reasons: str,
    at: dt.datetime,
) -> None:
    """The events (INSERT … SELECT) and the status change (UPDATE) of the listed claims, a chunk at a time."""
    db = session.connection()
    moved = 0
    for chunk in _chunks(claim_ids):
        where = (CLAIMS.c.id.in_(chunk), CLAIMS.c.status == str(source))
        _insert_events(
            db,
            select(CLAIMS.c.id, literal(reasons, String)).where(*where),
            CLAIMS.c.id,
            source,
            target,
            actor=actor,
            at=at,
        )
        result = db.execute(update(CLAIMS).where(*where).values(status=str(target)))
        moved += cast(int, getattr(result, "rowcount", len(chunk)))
    if moved != len(claim_ids):  # another transaction moved some of them after they were read
        raise Conflict(f"{len(claim_ids) - moved} claim(s) are no longer {source} (roll the transaction back)")
    _expire_claims(session, claim_ids)


def _insert_events(
    db: Connection,
    rows: Select[Any],
    order: Any,
    source: str,
    target: str,
    *,
    actor: str,
    at: dt.datetime,
) -> None:
    """INSERT INTO claim_events … SELECT: ``rows`` gives (claim id, reason); the rest are constants."""
    columns = rows.add_columns(
        literal(str(source), String),
        literal(str(target), String),
        literal(at, CLAIM_EVENTS.c.at.type),
        literal(actor, String),
    ).order_by(order)
    db.execute(
        insert(CLAIM_EVENTS).from_select(["claim_id", "reason", "from_status", "to_status", "at", "actor"], columns)
    )


# -- the Claim models -----------------------------------------------------------------------------------------


class _Parties:
    """Reference rows loaded once per call; the frozen model values built from them are shared between claims
    (equal values, as ``claim_model`` builds them, so the writer groups and renders them the same way)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.billing: dict[int, Party] = {}
        self.payers: dict[int, tuple[Payer, str, str]] = {}
        self.facilities: dict[int, Party] = {}
        self.providers: dict[int, Party] = {}
        self.diagnoses: dict[tuple[str, tuple[str, ...]], tuple[Diagnosis, ...]] = {}

    def load(self, billing_ids: set[int], payer_ids: set[int], facility_ids: set[int], provider_ids: set[int]) -> None:
        for b in self._rows(BillingProviderRow, billing_ids):
            self.billing[b.id] = Party(
                "2",
                b.name,
                id_qualifier="XX",
                id=b.npi,
                address=_address(b),
                tax_id=b.tax_id,
                taxonomy=b.taxonomy,
            )
        for p in self._rows(PayerRow, payer_ids):
            payer = Payer(p.name, p.payer_id, _address(p) if p.address1 else None)
            self.payers[p.id] = (payer, p.claim_filing_indicator, p.trading_partner or p.payer_id[:15])
        for f in self._rows(FacilityRow, facility_ids):
            self.facilities[f.id] = Party(
                "2", f.name, id_qualifier="XX" if f.npi else "", id=f.npi, address=_address(f)
            )
        for r in self._rows(ProviderRow, provider_ids):
            self.providers[r.id] = Party(
                "1", r.last_name, r.first_name, id_qualifier="XX", id=r.npi, taxonomy=r.taxonomy
            )

    def _rows(self, model: type[Any], ids: set[int]) -> list[Any]:
        """Core rows (attribute access by column name) of a table, by id."""
        table = cast(Table, model.__table__)
        rows: list[Any] = []
        for chunk in _chunks(sorted(ids)):
            rows.extend(self.session.connection().execute(select(table).where(table.c.id.in_(chunk))))
        return rows

    def diagnosis_list(self, codes: tuple[str, ...], kind: str) -> tuple[Diagnosis, ...]:
        """The claim's diagnoses: the first principal (ABK), the others ABF; POA "Y" on an 837I."""
        key = (kind, codes)
        found = self.diagnoses.get(key)
        if found is None:
            poa = "Y" if kind == "I" else ""
            found = self.diagnoses[key] = tuple(
                Diagnosis(code, "ABK" if k == 0 else "ABF", poa) for k, code in enumerate(codes)
            )
        return found


class _Memo(dict[str, tuple[Any, ...]]):
    """A parse of a comma-separated column, computed once per distinct text."""

    def __init__(self, parse: Callable[[str], tuple[Any, ...]]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, text: str) -> tuple[Any, ...]:
        value = self[text] = self.parse(text)
        return value

    def __call__(self, text: str) -> tuple[Any, ...]:
        return self[text]


def _address(row: Any) -> Address:
    return Address(row.address1, row.address2, row.city, row.state, row.postal_code)


_CLAIM_COLS = (
    ClaimRow.id,
    ClaimRow.claim_number,
    ClaimRow.kind,
    ClaimRow.frequency_code,
    ClaimRow.type_of_bill,
    ClaimRow.payer_claim_control_number,
    ClaimRow.total,
    EncounterRow.id,
    EncounterRow.patient_id,
    EncounterRow.billing_provider_id,
    EncounterRow.rendering_provider_id,
    EncounterRow.referring_provider_id,
    EncounterRow.facility_id,
    EncounterRow.place_of_service,
    EncounterRow.date_from,
    EncounterRow.date_to,
    CoverageRow.id,
    CoverageRow.payer_id,
    CoverageRow.priority,
    CoverageRow.member_id,
    CoverageRow.group_number,
    CoverageRow.relationship_code,
    CoverageRow.subscriber_last_name,
    CoverageRow.subscriber_first_name,
    CoverageRow.subscriber_birth_date,
    CoverageRow.subscriber_sex,
)


@_gc_paused
def claim_models_bulk(session: Session, claim_ids: Sequence[int]) -> list[Claim]:
    """``claim_model`` for each listed claim, in the order given, from a few set-based SELECTs."""
    session.flush()
    heads: dict[int, Any] = {}
    diagnoses: dict[int, list[str]] = {}
    lines: dict[int, list[Any]] = {}
    wanted = sorted(set(claim_ids))
    line_cols = (
        ClaimLineRow.claim_id,
        ClaimLineRow.line,
        ClaimLineRow.diagnosis_pointers,
        ChargeRow.code,
        ChargeRow.amount,
        ChargeRow.modifiers,
        ChargeRow.units,
        ChargeRow.date_from,
        ChargeRow.date_to,
        ChargeRow.revenue_code,
        ChargeRow.ndc,
    )
    for chunk in _chunks(wanted):
        for row in (
            session.connection()
            .execute(
                select(*_CLAIM_COLS)
                .join(EncounterRow, EncounterRow.id == ClaimRow.encounter_id)
                .join(CoverageRow, CoverageRow.id == ClaimRow.coverage_id)
                .where(ClaimRow.id.in_(chunk))
            )
            .all()
        ):
            heads[row[0]] = row
        for claim_id, code in (
            session.connection()
            .execute(
                select(ClaimDiagnosisRow.claim_id, ClaimDiagnosisRow.code)
                .where(ClaimDiagnosisRow.claim_id.in_(chunk))
                .order_by(ClaimDiagnosisRow.claim_id, ClaimDiagnosisRow.position)
            )
            .all()
        ):
            diagnoses.setdefault(claim_id, []).append(code)
        for row in (
            session.connection()
            .execute(
                select(*line_cols)
                .join(ChargeRow, ChargeRow.id == ClaimLineRow.charge_id)
                .where(ClaimLineRow.claim_id.in_(chunk))
                .order_by(ClaimLineRow.claim_id, ClaimLineRow.line)
            )
            .all()
        ):
            lines.setdefault(row[0], []).append(row)
    missing = [i for i in claim_ids if i not in heads]
    if missing:
        raise NotFound(f"no claim with id {missing[0]} (or its encounter or coverage is missing)")

    parties = _Parties(session)
    billing_ids: set[int] = set()
    payer_ids: set[int] = set()
    facility_ids: set[int] = set()
    provider_ids: set[int] = set()
    patient_ids: set[int] = set()
    for h in heads.values():
        billing_ids.add(h[9])
        payer_ids.add(h[17])
        patient_ids.add(h[8])
        if h[12]:
            facility_ids.add(h[12])
        if h[10]:
            provider_ids.add(h[10])
        if h[11]:
            provider_ids.add(h[11])
    parties.load(billing_ids, payer_ids, facility_ids, provider_ids)
    patients = {p.id: p for p in parties._rows(PatientRow, patient_ids)}
    # (patient id, coverage id) → (subscriber, patient or None): one value per coverage, shared by its claims
    subscribers: dict[tuple[int, int], tuple[Subscriber, Patient | None]] = {}

    split_modifiers = _Memo(lambda text: tuple(m for m in text.split(",") if m))
    split_pointers = _Memo(lambda text: tuple(int(p) for p in text.split(",") if p))
    models: list[Claim] = []
    for claim_id in claim_ids:
        h = heads[claim_id]
        (
            _,
            number,
            claim_kind,
            frequency,
            type_of_bill,
            payer_ccn,
            total,
            _,
            patient_id,
            billing_id,
            rendering_id,
            referring_id,
            facility_id,
            place_of_service,
            date_from,
            date_to,
            coverage_id,
            payer_id,
            priority,
            member_id,
            group_number,
            relationship,
            sub_last,
            sub_first,
            sub_birth,
            sub_sex,
        ) = h
        billing = parties.billing.get(billing_id)
        payer_entry = parties.payers.get(payer_id)
        patient = patients.get(patient_id)
        if patient is None or billing is None or payer_entry is None:
            raise NotFound(f"claim {number}: its patient, billing provider or payer is missing")
        payer, filing_indicator, _partner = payer_entry
        who = subscribers.get((patient_id, coverage_id))
        if who is None:
            who = subscribers[(patient_id, coverage_id)] = _subscriber(
                patient,
                priority,
                member_id,
                group_number,
                relationship,
                sub_last,
                sub_first,
                sub_birth,
                sub_sex,
                filing_indicator,
            )
        subscriber, claim_patient = who
        kind: ClaimKind = "P" if claim_kind == "P" else "I"
        service_lines: list[ServiceLine] = []
        for _, line, pointers, code, charge, modifiers, units, start, end, revenue_code, ndc in lines.get(claim_id, ()):
            service_lines.append(
                ServiceLine(
                    line,
                    code if claim_kind == "P" or code else "",
                    charge,
                    procedure_qualifier="HC" if code else "",
                    modifiers=split_modifiers(modifiers),
                    units=units,
                    diagnosis_pointers=split_pointers(pointers) if claim_kind == "P" else (),
                    service_date_from=start,
                    service_date_to=end if end != start else None,
                    revenue_code=revenue_code,
                    ndc=ndc,
                    line_control_number=f"{number[:27]}-{line}",
                )
            )
        dates: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        if kind == "I":
            dates["434"] = (date_from, date_to)
        person = parties.providers.get
        models.append(
            Claim(
                kind,
                number,
                total,
                place_of_service if kind == "P" else type_of_bill[1:3],
                billing,
                subscriber,
                payer,
                facility_qualifier="B" if kind == "P" else "A",
                frequency_code=frequency,
                provider_signature="Y" if kind == "P" else "",
                patient=claim_patient,
                diagnoses=parties.diagnosis_list(tuple(diagnoses.get(claim_id, ())), kind),
                dates=dates,
                institutional=("3", "1", "01") if kind == "I" else None,
                payer_claim_control_number=payer_ccn,
                referring_provider=person(referring_id) if referring_id else None,
                rendering_provider=person(rendering_id) if rendering_id and kind == "P" else None,
                attending_provider=person(rendering_id) if rendering_id and kind == "I" else None,
                service_facility=parties.facilities.get(facility_id) if facility_id and kind == "P" else None,
                lines=tuple(service_lines),
            )
        )
    return models


def _subscriber(
    patient: Any,
    priority: int,
    member_id: str,
    group_number: str,
    relationship: str,
    sub_last: str,
    sub_first: str,
    sub_birth: dt.date | None,
    sub_sex: str,
    filing_indicator: str,
) -> tuple[Subscriber, Patient | None]:
    address = _address(patient)
    responsibility = RESPONSIBILITY.get(priority, "P")
    if relationship == "18":
        party = Party("1", patient.last_name, patient.first_name, patient.middle_name, "", "MI", member_id, address)
        subscriber = Subscriber(
            party,
            member_id=member_id,
            group_number=group_number,
            relationship="18",
            payer_responsibility=responsibility,
            claim_filing_indicator=filing_indicator,
            birth_date=patient.birth_date,
            sex=patient.sex,
        )
        return subscriber, None
    subscriber = Subscriber(
        Party("1", sub_last, sub_first, "", "", "MI", member_id, address),
        member_id=member_id,
        group_number=group_number,
        relationship="",
        payer_responsibility=responsibility,
        claim_filing_indicator=filing_indicator,
        birth_date=sub_birth,
        sex=sub_sex,
    )
    patient_party = Party("1", patient.last_name, patient.first_name, patient.middle_name, address=address)
    return subscriber, Patient(patient_party, relationship, patient.birth_date, patient.sex)


# -- 837 batches ----------------------------------------------------------------------------------------------


@_gc_paused
def batch_bulk(
    session: Session,
    claim_ids: Sequence[int],
    *,
    out_dir: Path,
    submitter: Submitter,
    actor: str,
    max_claims: int = DEFAULT_MAX_CLAIMS,
    validate: Validate | None = None,
    created: dt.datetime | None = None,
    timings: dict[str, float] | None = None,
    executor: Executor | None = None,
) -> list[BatchFile]:
    """``create_batches`` for ready claims given by id: the same grouping (trading partner, kind), order, control
    numbers, file names, bytes, batch rows and events. A file the validator rejects is still written but its
    claims stay ready. ``timings``, when given, accumulates seconds per stage (models, write, validate, files,
    db) for profiling. ``executor`` (e.g. a ``ProcessPoolExecutor``; ``validate`` must then be picklable) runs
    the validation of each file while the next one is rendered; the results are the same."""
    if not 1 <= max_claims <= 99_999:
        raise InvalidInput(f"max claims per file must be 1..99999, not {max_claims}")
    if not actor:
        raise ValueError("a transition needs an actor")
    clock = time.perf_counter
    spent = timings if timings is not None else {}

    def add(stage: str, since: float) -> float:
        now = clock()
        spent[stage] = spent.get(stage, 0.0) + now - since
        return now

    t = clock()
    session.flush()
    info: dict[int, tuple[str, str, str, str]] = {}
    for chunk in _chunks(sorted(set(claim_ids))):
        for claim_id, number, status, kind, partner, payer_id in session.connection().execute(
            select(
                ClaimRow.id,
                ClaimRow.claim_number,
                ClaimRow.status,
                ClaimRow.kind,
                PayerRow.trading_partner,
                PayerRow.payer_id,
            )
            .join(CoverageRow, CoverageRow.id == ClaimRow.coverage_id)
            .join(PayerRow, PayerRow.id == CoverageRow.payer_id)
            .where(ClaimRow.id.in_(chunk))
        ):
            info[claim_id] = (number, status, kind, partner or payer_id[:15])
    missing = [i for i in claim_ids if i not in info]
    if missing:
        raise NotFound(f"no claim with id {missing[0]} (or no payer for it)")
    not_ready = [info[i][0] for i in claim_ids if info[i][1] != ClaimStatus.READY]
    if not_ready:
        raise Conflict(f"claim {not_ready[0]} is not ready (scrub it first); {len(not_ready)} claim(s) not ready")
    check = validate or validate_batch
    when = (created or _now()).replace(microsecond=0)
    groups: dict[tuple[str, str], list[int]] = {}
    for claim_id in claim_ids:
        _, _, kind, partner = info[claim_id]
        groups.setdefault((partner, kind), []).append(claim_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    sender = Party(
        "2", submitter.name, id=submitter.sender_id, contact=Contact(submitter.contact_name, (("TE", submitter.phone),))
    )
    t = add("db", t)
    # Render every file first (models per file, so the first file is ready early), validating each as soon as it
    # is rendered (in ``executor`` when given, which overlaps validation with rendering the next file); then
    # write the files and record them in order.
    # (partner, kind, claims, control number), in file order; the control numbers are taken in that order
    jobs: list[tuple[str, str, list[int], int]] = [
        (partner, kind, members[start : start + max_claims], next_control_number(session, partner))
        for (partner, kind), members in sorted(groups.items())
        for start in range(0, len(members), max_claims)
    ]
    t = add("db", t)
    # With an executor the smallest file is rendered first, so that validation (the longer step per claim)
    # starts as early as possible; the files, their numbers and the order they are recorded in do not change.
    order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][2])) if executor is not None else range(len(jobs))
    rendered: dict[int, tuple[str, ValidationReport | Future[ValidationReport]]] = {}
    for j in order:
        partner, kind, chunk, control = jobs[j]
        models = claim_models_bulk(session, chunk)
        t = add("models", t)
        text = write_837(
            models,
            kind="P" if kind == "P" else "I",
            sender=submitter.sender_id,
            receiver=partner,
            submitter=sender,
            receiver_party=Party("2", partner, id=partner),
            control_number=control,
            created=when,
            usage="P",
        )
        del models
        t = add("write", t)
        rendered[j] = (text, executor.submit(check, text) if executor is not None else check(text))
        t = add("validate", t)
    files: list[BatchFile] = []
    submitted: list[int] = []
    now = _now()
    db = session.connection()
    for j, (partner, kind, chunk, control) in enumerate(jobs):
        text, verdict = rendered.pop(j)
        report = verdict.result() if isinstance(verdict, Future) else verdict
        errors = sum(1 for f in report.findings if f.is_error)
        t = add("validate", t)
        path = out_dir / f"{partner}-{control:09d}.837{kind.lower()}"
        write_atomic(path, text)
        t = add("files", t)
        batch_id = int(
            db.execute(
                insert(BATCHES).returning(BATCHES.c.id),
                {
                    "trading_partner": partner,
                    "interchange_control": control,
                    "kind": kind,
                    "created_at": when,
                    "file_name": path.name,
                    "claim_count": len(chunk),
                    "accepted": report.accepted,
                },
            ).scalar_one()
        )
        _insert_rows(
            db,
            BATCH_CLAIMS,
            [{"batch_id": batch_id, "claim_id": i, "position": k} for k, i in enumerate(chunk, start=1)],
        )
        if report.accepted:
            _submit(session, batch_id, len(chunk), path.name, actor=actor, at=now)
            submitted.extend(chunk)
        files.append(BatchFile(batch_id, partner, control, path, len(chunk), report.accepted, errors))
        t = add("db", t)
    _expire_claims(session, submitted)
    add("db", t)
    return files


def validate_batch(text: str) -> ValidationReport:
    """The default check of a batch file: envelope and TR3 rules, no code sets (what ``create_batches`` runs).
    A module-level function, so a process pool can run it."""
    return validate_x12(text, name="batch")


def _submit(session: Session, batch_id: int, count: int, name: str, *, actor: str, at: dt.datetime) -> None:
    """Ready → submitted for the claims of an accepted file, each event naming the file (set-based: the claims
    are those of the batch's batch_claims rows)."""
    db = session.connection()
    members = select(BATCH_CLAIMS.c.claim_id).where(BATCH_CLAIMS.c.batch_id == batch_id)
    _insert_events(
        db,
        select(BATCH_CLAIMS.c.claim_id, literal(f"batch {name}", String)).where(BATCH_CLAIMS.c.batch_id == batch_id),
        BATCH_CLAIMS.c.position,
        ClaimStatus.READY,
        ClaimStatus.SUBMITTED,
        actor=actor,
        at=at,
    )
    result = db.execute(
        update(CLAIMS)
        .where(CLAIMS.c.id.in_(members), CLAIMS.c.status == str(ClaimStatus.READY))
        .values(status=str(ClaimStatus.SUBMITTED))
    )
    moved = cast(int, getattr(result, "rowcount", count))
    if moved != count:
        raise Conflict(f"{count - moved} claim(s) of {name} are no longer ready (roll the transaction back)")


def claim_ids_in_status(session: Session, status: ClaimStatus) -> list[int]:
    """Ids of the claims in a status, in id order (what a bulk run feeds to the next stage)."""
    return [
        int(i)
        for i in session.connection().scalars(
            select(CLAIMS.c.id).where(CLAIMS.c.status == str(status)).order_by(CLAIMS.c.id)
        )
    ]
