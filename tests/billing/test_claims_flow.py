"""Encounters → claims → 837 batches on SQLite and PostgreSQL: splitting, lifecycle, control numbers, resend."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from medbill.billing.lifecycle import ClaimStatus
from medbill.errors import Conflict, InvalidInput
from medbill.services.batches import Submitter, create_batches, next_control_number, resend
from medbill.services.claims import claim_model, create_claims, move, replacement
from medbill.services.demo import build_practice, encounters
from medbill.services.encounters import ChargeInput, EncounterInput, record_encounter
from medbill.store.database import Database
from medbill.store.tables import ClaimEventRow, ClaimRow, EncounterRow
from medbill.x12.readers import read_claims
from medbill.x12.validator import validate_x12

SUBMITTER = Submitter("LAKESIDEFM", "LAKESIDE FAMILY MEDICINE", "BILLING OFFICE", "2175550100")


def seed(db: Database, count: int = 6) -> list[str]:
    with db.transaction() as session:
        practice = build_practice(session, patients=10)
        ids = []
        for data in encounters(practice, count=count):
            record_encounter(session, data)
            ids.append(data.external_id)
    return ids


def ready_claims(db: Database) -> None:
    with db.transaction() as session:
        for encounter in session.scalars(select(EncounterRow).order_by(EncounterRow.id)):
            for claim in create_claims(session, encounter, actor="tester"):
                if claim.status == ClaimStatus.DRAFT:
                    move(session, claim, ClaimStatus.READY, actor="tester", reason="scrubbed")


def test_encounters_become_claims_and_a_valid_batch(database: Database, tmp_path: Path) -> None:
    seed(database)
    ready_claims(database)
    with database.transaction() as session:
        claims = list(session.scalars(select(ClaimRow).order_by(ClaimRow.id)))
        assert len(claims) == 6 and all(c.status == ClaimStatus.READY for c in claims)
        files = create_batches(session, claims, out_dir=tmp_path, submitter=SUBMITTER, actor="tester")
    assert files and all(f.accepted and f.errors == 0 for f in files)
    assert sum(f.claims for f in files) == 6
    for f in files:
        text = f.path.read_text()
        assert validate_x12(text, name=f.path.name).accepted
        parsed = list(read_claims(text, name=f.path.name))
        assert all(c.total_charge == c.line_total for c in parsed)
    with database.transaction() as session:
        statuses = set(session.scalars(select(ClaimRow.status)))
        assert statuses == {ClaimStatus.SUBMITTED}
        events = session.scalar(select(func.count()).select_from(ClaimEventRow))
        assert events == 6 * 3  # draft, ready, submitted — each with who and why
        first = files[0]
        path = resend(session, first.batch_id, out_dir=tmp_path / "again", submitter=SUBMITTER)
    assert path.read_bytes() == first.path.read_bytes()


def test_control_numbers_increase_per_partner(database: Database) -> None:
    with database.transaction() as session:
        assert [next_control_number(session, "A") for _ in range(3)] == [1, 2, 3]
        assert next_control_number(session, "B") == 1
    with database.transaction() as session:
        assert next_control_number(session, "A") == 4


def test_batches_split_at_the_maximum(database: Database, tmp_path: Path) -> None:
    seed(database, count=7)
    ready_claims(database)
    with database.transaction() as session:
        claims = list(session.scalars(select(ClaimRow)))
        files = create_batches(session, claims, out_dir=tmp_path, submitter=SUBMITTER, actor="t", max_claims=2)
    by_partner: dict[str, list[int]] = {}
    for f in files:
        assert f.claims <= 2 and f.accepted
        by_partner.setdefault(f.trading_partner, []).append(f.interchange_control)
    for numbers in by_partner.values():
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_an_encounter_past_the_form_limits_is_split(database: Database, tmp_path: Path) -> None:
    seed(database, count=1)
    dx = ("E119", "I10", "E785", "J069", "M5450", "M5416", "Z0000", "Z23", "R0789", "M1711", "J101", "R509", "N390",
          "R300")  # fmt: skip
    lines = tuple(ChargeInput("36415", ((k % 14) + 1,)) for k in range(55))
    with database.transaction() as session:
        practice_patient = "DEMO-PT-00001"
        encounter = record_encounter(
            session,
            EncounterInput(
                "BIG-1",
                practice_patient,
                build_practice(session, patients=10).billing_npi,
                "11",
                dt.date(2024, 5, 6),
                dx,
                lines,
            ),
        )
        claims = create_claims(session, encounter, actor="t")
        assert [len(c.lines) for c in claims] == [48, 7]  # dx 1-12 on the first claim, 13-14 on the second
        models = [claim_model(session, c) for c in claims]
    assert [len(m.diagnoses) for m in models] == [12, 3]  # the principal heads both
    assert models[0].diagnoses[0].code == "E119" and models[1].diagnoses[0].code == "E119"
    assert sum((m.total_charge or Decimal(0)) for m in models) == Decimal("25.00") * 55


def test_lifecycle_refuses_a_skipped_step_and_replacements_need_the_payer_number(database: Database) -> None:
    seed(database, count=1)
    ready_claims(database)
    with database.transaction() as session:
        claim = session.scalars(select(ClaimRow)).one()
        with pytest.raises(Conflict, match="ready cannot become paid"):
            move(session, claim, ClaimStatus.PAID, actor="t", reason="skip")
        with pytest.raises(InvalidInput, match="payer claim control number"):
            replacement(session, claim, frequency="7", payer_claim_control_number=" ", actor="t", reason="fix")


def test_a_failed_encounter_leaves_nothing_behind(database: Database) -> None:
    seed(database, count=1)
    bad = EncounterInput("BAD-1", "DEMO-PT-00001", "1847194929", "11", dt.date(2024, 5, 6), ("I10",),
                         (ChargeInput("99213", (1,)), ChargeInput("00000", (1,))))  # fmt: skip
    with pytest.raises(InvalidInput, match="no charge master amount for 00000"), database.transaction() as session:
        record_encounter(session, bad)
    with database.transaction() as session:
        assert session.scalars(select(EncounterRow).where(EncounterRow.external_id == "BAD-1")).first() is None
        assert session.scalar(select(func.count()).select_from(EncounterRow)) == 1


def test_institutional_claims_become_a_valid_837i(database: Database, tmp_path: Path) -> None:
    seed(database, count=1)
    lines = (
        ChargeInput("80053", (1,), amount=Decimal("200.00"), revenue_code="0301"),
        ChargeInput("", (1,), amount=Decimal("1000.00"), revenue_code="0450"),
    )
    with database.transaction() as session:
        billing = build_practice(session, patients=10).billing_npi
        encounter = record_encounter(
            session,
            EncounterInput("ER-1", "DEMO-PT-00002", billing, "23", dt.date(2024, 6, 3), ("R0789", "I10"), lines),
        )
        (claim,) = create_claims(session, encounter, kind="I", actor="t", type_of_bill="0131")
        move(session, claim, ClaimStatus.READY, actor="t", reason="scrubbed")
        files = create_batches(session, [claim], out_dir=tmp_path, submitter=SUBMITTER, actor="t")
    (batch,) = files
    assert batch.accepted and batch.path.suffix == ".837i"
    text = batch.path.read_text()
    assert "CLM*ER-1*1200***13:A:1" in text and "SV2*0450**1000*UN*1" in text
    (parsed,) = read_claims(text, name="837i")
    assert parsed.kind == "I" and parsed.total_charge == Decimal("1200.00")


def test_control_numbers_stay_unique_under_concurrent_batching(database: Database) -> None:
    """Four threads, each taking numbers in its own transactions: every number is handed out exactly once."""
    taken: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(15):
                with database.transaction() as session:
                    number = next_control_number(session, "RACE")
                with lock:
                    taken.append(number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(taken) == list(range(1, 61))


def test_batches_pass_pyx12(database: Database, tmp_path: Path) -> None:
    pyx12_document = pytest.importorskip("pyx12.x12n_document")
    pyx12_params = pytest.importorskip("pyx12.params")
    seed(database, count=8)
    ready_claims(database)
    with database.transaction() as session:
        claims = list(session.scalars(select(ClaimRow)))
        files = create_batches(session, claims, out_dir=tmp_path, submitter=SUBMITTER, actor="t")
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    for f in files:
        ack = io.StringIO()
        ok = pyx12_document.x12n_document(
            param=pyx12_params.params(), src_file=str(f.path), fd_997=ack, fd_html=None, fd_xmldoc=None
        )
        assert ok, ack.getvalue()


def test_a_replacement_claim_carries_frequency_7_and_the_payer_number(database: Database, tmp_path: Path) -> None:
    seed(database, count=1)
    ready_claims(database)
    with database.transaction() as session:
        (original,) = session.scalars(select(ClaimRow)).all()
        create_batches(session, [original], out_dir=tmp_path / "1", submitter=SUBMITTER, actor="t")
        for status in (ClaimStatus.ACCEPTED, ClaimStatus.DENIED):
            move(session, original, status, actor="payer", reason="835")
        corrected = replacement(
            session, original, frequency="7", payer_claim_control_number="PCCN-778899", actor="biller", reason="fix"
        )
        assert original.status == ClaimStatus.CORRECTED
        move(session, corrected, ClaimStatus.READY, actor="biller", reason="scrubbed")
        (batch,) = create_batches(session, [corrected], out_dir=tmp_path / "2", submitter=SUBMITTER, actor="t")
    assert batch.accepted
    (claim,) = read_claims(batch.path.read_text(), name="837")
    assert claim.frequency_code == "7" and claim.payer_claim_control_number == "PCCN-778899"
    assert claim.claim_id.endswith("-R1")
