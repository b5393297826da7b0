"""services.scrub on SQLite and PostgreSQL: claims from the database, the payer's own filing limit, claims already
sent as duplicates, clean drafts moved to ready and nothing written for the others."""

from __future__ import annotations

from datetime import date

from scrubkit import ScrubEnv
from sqlalchemy import select

from medbill.billing.lifecycle import ClaimStatus
from medbill.scrub import Scrubber
from medbill.services.claims import create_claims, move
from medbill.services.demo import build_practice, encounters
from medbill.services.encounters import record_encounter
from medbill.services.scrub import claims_to_scrub, scrub_claims
from medbill.store.database import Database
from medbill.store.tables import ClaimDiagnosisRow, ClaimEventRow, ClaimRow, CoverageRow, EncounterRow, PatientRow


def _drafts(database: Database, count: int) -> None:
    with database.transaction() as session:
        practice = build_practice(session)
        for data in encounters(practice, count=count):
            patient = session.scalars(select(PatientRow).where(PatientRow.account_number == data.patient_account)).one()
            payer = patient.coverages[0].payer if patient.coverages else None
            create_claims(session, record_encounter(session, data, payer=payer), actor="test")


def test_scrub_claims_from_the_database(database: Database, scrub_env: ScrubEnv) -> None:
    _drafts(database, 10)
    ctx = scrub_env.context(today=date(2024, 12, 31))
    with database.transaction() as session:
        rows = claims_to_scrub(session)
        assert len(rows) == 10 and all(r.status == "draft" for r in rows)
        header = session.scalars(
            select(ClaimDiagnosisRow).where(ClaimDiagnosisRow.claim_id == rows[0].id, ClaimDiagnosisRow.position == 1)
        ).one()
        header.code = "E11"
        results = scrub_claims(
            session,
            rows,
            scrubber=Scrubber(),
            context=ctx,
            profiles=scrub_env.profiles,
            ready=True,
            submitted_on=lambda row: session.get(EncounterRow, row.encounter_id).date_from,  # type: ignore[union-attr]
        )
        assert [r.claim_number for r in results] == [r.claim_number for r in rows]
        first = results[0]
        assert not first.clean and any(f.rule == "DX002" for f in first.findings)
        by_filing = {r.profile for r in results}
        assert by_filing <= {"medicare", "medicaid", "commercial"} and len(by_filing) >= 2
        for row, result in zip(rows, results, strict=True):
            assert row.status == ("ready" if result.clean else "draft"), result
    with database.transaction() as session:
        events = session.scalars(select(ClaimEventRow).where(ClaimEventRow.to_status == "ready")).all()
        assert len(events) == sum(r.clean for r in results)
        assert all(e.reason.startswith("scrubbed") for e in events)


def test_payer_filing_limit_and_sent_duplicates(database: Database, scrub_env: ScrubEnv) -> None:
    _drafts(database, 6)
    ctx = scrub_env.context(today=date(2024, 12, 31))
    with database.transaction() as session:
        rows = claims_to_scrub(session)
        late = scrub_claims(session, rows, scrubber=Scrubber(), context=ctx, profiles=scrub_env.profiles)
        for row, result in zip(rows, late, strict=True):
            encounter = session.get(EncounterRow, row.encounter_id)
            assert encounter is not None
            overdue = any(f.rule == "DT006" for f in result.findings)
            coverage = session.get(CoverageRow, row.coverage_id)
            assert coverage is not None
            limit = coverage.payer.timely_filing_days
            assert overdue == ((date(2024, 12, 31) - encounter.date_from).days > limit), (limit, result.findings)
        # Send the first claim, then make a second claim with the same services: a duplicate of one sent.
        sent = rows[0]
        move(session, sent, ClaimStatus.READY, actor="t", reason="t")
        move(session, sent, ClaimStatus.SUBMITTED, actor="t", reason="t")
        twin = ClaimRow(
            claim_number=sent.claim_number + "-B",
            encounter_id=sent.encounter_id,
            coverage_id=sent.coverage_id,
            kind=sent.kind,
            part=2,
            frequency_code="1",
            status="draft",
            total=sent.total,
            created_at=sent.created_at,
        )
        session.add(twin)
        session.flush()
        for line in sent.lines:
            session.add(type(line)(claim_id=twin.id, line=line.line, charge_id=line.charge_id,
                                   diagnosis_pointers=line.diagnosis_pointers))  # fmt: skip
        for dx in session.scalars(select(ClaimDiagnosisRow).where(ClaimDiagnosisRow.claim_id == sent.id)):
            session.add(ClaimDiagnosisRow(claim_id=twin.id, position=dx.position, code=dx.code))
        session.flush()
        session.refresh(twin)
        [again] = scrub_claims(session, [twin], scrubber=Scrubber(), context=ctx, profiles=scrub_env.profiles)
        assert any(f.rule == "DU003" and sent.claim_number in f.message for f in again.findings), again.findings


def test_demo_medicare_ids_are_well_formed_mbis() -> None:
    from medbill.scrub.rules.payer import is_mbi
    from medbill.services.demo import demo_mbi

    ids = [demo_mbi(n) for n in range(1, 2001)]
    assert all(is_mbi(i) for i in ids), [i for i in ids if not is_mbi(i)][:3]
