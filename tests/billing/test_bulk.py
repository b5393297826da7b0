"""The set-based path (services.bulk) against the per-claim services: the same rows, models and 837 bytes.

The per-claim path runs on a second (SQLite) database with the same inputs; the bulk path runs on the ``database``
fixture, so it is checked on SQLite and, when MEDBILL_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medbill.billing.lifecycle import ClaimStatus
from medbill.errors import Conflict
from medbill.services.batches import Submitter, create_batches
from medbill.services.bulk import (
    batch_bulk,
    claim_ids_in_status,
    claim_models_bulk,
    create_claims_bulk,
    mark_ready_bulk,
)
from medbill.services.claims import claim_model, create_claims, move
from medbill.services.demo import build_practice, encounters
from medbill.services.encounters import ChargeInput, EncounterInput, record_encounter
from medbill.services.practice import ensure_coverage, ensure_patient
from medbill.store.database import Database, make_engine, migrate
from medbill.store.tables import (
    BatchClaimRow,
    BatchRow,
    ClaimDiagnosisRow,
    ClaimEventRow,
    ClaimLineRow,
    ClaimRow,
    EncounterRow,
    PayerRow,
)

SUBMITTER = Submitter("LAKESIDEFM", "LAKESIDE FAMILY MEDICINE", "BILLING OFFICE", "2175550100")
CREATED = dt.datetime(2024, 11, 4, 9, 30, tzinfo=dt.UTC)
ENCOUNTERS = 30
MAX_CLAIMS = 7  # several files per trading partner


def seed(db: Database) -> None:
    """The demo practice, 30 demo encounters, one encounter past the 837P limits (split in two) and one for a
    dependent (a 2000C patient loop)."""
    with db.transaction() as session:
        practice = build_practice(session, patients=20)
        for data in encounters(practice, count=ENCOUNTERS):
            record_encounter(session, data)
        dx = (
            "E119",
            "I10",
            "E785",
            "J069",
            "M5450",
            "M5416",
            "Z0000",
            "Z23",
            "R0789",
            "M1711",
            "J101",
            "R509",
            "N390",
            "R300",
        )
        lines = tuple(ChargeInput("36415", ((k % 14) + 1,)) for k in range(55))
        record_encounter(
            session,
            EncounterInput("BIG-1", "DEMO-PT-00001", practice.billing_npi, "11", dt.date(2024, 5, 6), dx, lines),
        )
        child = ensure_patient(
            session,
            account_number="CHILD-1",
            last_name="ASHWOOD",
            first_name="NOOR",
            birth_date=dt.date(2016, 2, 3),
            sex="F",
            address1="12 OAK ST",
            city="SPRINGFIELD",
            state="IL",
            postal_code="62704",
        )
        payer = session.scalars(select(PayerRow).where(PayerRow.payer_id == "DEMOCOM01")).one()
        ensure_coverage(
            session,
            patient=child,
            payer=payer,
            member_id="COM900000001",
            priority=1,
            group_number="GRP0001",
            relationship_code="19",
            subscriber_last_name="ASHWOOD",
            subscriber_first_name="ALEX",
            subscriber_birth_date=dt.date(1985, 7, 9),
            subscriber_sex="M",
            start_date=dt.date(2023, 1, 1),
        )
        record_encounter(
            session,
            EncounterInput(
                "CHILD-ENC-1",
                "CHILD-1",
                practice.billing_npi,
                "11",
                dt.date(2024, 6, 3),
                ("J069",),
                (ChargeInput("99213", (1,)), ChargeInput("87880", (1,))),
            ),
        )


def all_claim_ids(session: Session) -> list[int]:
    return list(session.scalars(select(ClaimRow.id).order_by(ClaimRow.id)))


def per_claim(db: Database, out_dir: Path) -> list[Any]:
    """The reference: services.claims and services.batches, one claim at a time. The models before batching."""
    with db.transaction() as session:
        for encounter in session.scalars(select(EncounterRow).order_by(EncounterRow.id)):
            for claim in create_claims(session, encounter, actor="tester"):
                move(session, claim, ClaimStatus.READY, actor="tester", reason="scrubbed")
    with db.transaction() as session:
        claims = list(session.scalars(select(ClaimRow).order_by(ClaimRow.id)))
        models = [claim_model(session, c) for c in claims]
        create_batches(
            session,
            claims,
            out_dir=out_dir,
            submitter=SUBMITTER,
            actor="tester",
            max_claims=MAX_CLAIMS,
            created=CREATED,
        )
    return models


def bulk(db: Database, out_dir: Path) -> list[Any]:
    with db.transaction() as session:
        created = create_claims_bulk(session, None, actor="tester")
        assert created == len(all_claim_ids(session))
        assert mark_ready_bulk(session, all_claim_ids(session), actor="tester", reason="scrubbed") == created
    with db.transaction() as session:
        ids = all_claim_ids(session)
        models = claim_models_bulk(session, ids)
        batch_bulk(
            session, ids, out_dir=out_dir, submitter=SUBMITTER, actor="tester", max_claims=MAX_CLAIMS, created=CREATED
        )
    return models


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the two paths write, by natural key (timestamps aside: each path takes its own now)."""
    with db.transaction() as session:
        number = dict(session.execute(select(ClaimRow.id, ClaimRow.claim_number)).all())
        external = dict(session.execute(select(EncounterRow.id, EncounterRow.external_id)).all())
        claims = sorted(
            (
                c.id,
                c.claim_number,
                external[c.encounter_id],
                c.coverage_id,
                c.kind,
                c.part,
                c.frequency_code,
                c.original_claim_id,
                c.payer_claim_control_number,
                c.type_of_bill,
                c.status,
                c.total,
            )
            for c in session.scalars(select(ClaimRow))
        )
        lines = sorted(
            (number[r.claim_id], r.line, r.charge_id, r.diagnosis_pointers)
            for r in session.scalars(select(ClaimLineRow))
        )
        diagnoses = sorted((number[r.claim_id], r.position, r.code) for r in session.scalars(select(ClaimDiagnosisRow)))
        events = sorted(
            (number[r.claim_id], r.from_status, r.to_status, r.actor, r.reason)
            for r in session.scalars(select(ClaimEventRow))
        )
        batches = sorted(
            (
                b.trading_partner,
                b.interchange_control,
                b.kind,
                b.file_name,
                b.claim_count,
                b.accepted,
                b.created_at.replace(tzinfo=b.created_at.tzinfo or dt.UTC),
            )
            for b in session.scalars(select(BatchRow))
        )
        file_of = {b.id: b.file_name for b in session.scalars(select(BatchRow))}
        members = sorted(
            (file_of[r.batch_id], number[r.claim_id], r.position) for r in session.scalars(select(BatchClaimRow))
        )
    return {"claims": claims, "lines": lines, "diagnoses": diagnoses, "events": events, "batches": batches,
            "batch_claims": members}  # fmt: skip


@pytest.fixture
def reference(tmp_path: Path) -> tuple[dict[str, list[tuple[Any, ...]]], list[Any], Path]:
    engine = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    migrate(engine)
    db = Database(engine)
    try:
        seed(db)
        models = per_claim(db, tmp_path / "per-claim")
        return snapshot(db), models, tmp_path / "per-claim"
    finally:
        db.close()


def test_bulk_writes_what_the_per_claim_services_write(
    database: Database, tmp_path: Path, reference: tuple[dict[str, list[tuple[Any, ...]]], list[Any], Path]
) -> None:
    expected_rows, expected_models, expected_dir = reference
    seed(database)
    models = bulk(database, tmp_path / "bulk")
    rows = snapshot(database)
    assert len(rows["claims"]) == ENCOUNTERS + 2 + 1  # BIG-1 became two claims
    assert [m.claim_id for m in models if m.patient is not None] == ["CHILD-ENC-1"]
    for table, expected in expected_rows.items():
        assert rows[table] == expected, table
    assert models == expected_models
    names = sorted(p.name for p in expected_dir.iterdir())
    assert len(names) > 3 and names == sorted(p.name for p in (tmp_path / "bulk").iterdir())
    for name in names:
        assert (tmp_path / "bulk" / name).read_bytes() == (expected_dir / name).read_bytes(), name


def test_bulk_claims_are_idempotent_and_the_lifecycle_is_enforced(database: Database, tmp_path: Path) -> None:
    seed(database)
    with database.transaction() as session:
        first = session.scalars(select(EncounterRow).order_by(EncounterRow.id)).first()
        assert first is not None
        per_encounter = create_claims(session, first, actor="t")  # one encounter through the per-claim path
        made = create_claims_bulk(session, None, actor="t")
        assert made == ENCOUNTERS + 2 + 1 - len(per_encounter)
    with database.transaction() as session:
        assert create_claims_bulk(session, None, actor="t") == 0
        ids = list(session.scalars(select(EncounterRow.id)))
        assert create_claims_bulk(session, ids, actor="t") == 0
        assert create_claims(session, first, actor="t")[0].id == per_encounter[0].id
        claims = all_claim_ids(session)
        count = session.scalar(select(func.count()).select_from(ClaimRow))
        assert count == len(claims) == ENCOUNTERS + 3
        with pytest.raises(Conflict, match="not ready"):
            batch_bulk(session, claims, out_dir=tmp_path, submitter=SUBMITTER, actor="t")
        assert mark_ready_bulk(session, claims, actor="t", reason="scrubbed") == len(claims)
        assert mark_ready_bulk(session, claims, actor="t", reason="again") == 0  # already ready: unchanged
        with ThreadPoolExecutor(1) as executor:  # validation beside the rendering: the same outcome
            files = batch_bulk(session, claims, out_dir=tmp_path, submitter=SUBMITTER, actor="t", executor=executor)
        assert files and all(f.accepted and f.errors == 0 for f in files)
        assert claim_ids_in_status(session, ClaimStatus.SUBMITTED) == claims
        with pytest.raises(Conflict, match="submitted cannot become ready"):
            mark_ready_bulk(session, claims[:1], actor="t", reason="no")
        events = session.scalar(select(func.count()).select_from(ClaimEventRow))
        assert events == 3 * len(claims)
