"""`medbill rules` and `medbill claims scrub`, in-process: the database path, the --x12 path, JSON, exit codes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import Result
from scrubkit import dx, institutional, professional
from typer.testing import CliRunner

from medbill.billing.claim import Party
from medbill.cli.main import app
from medbill.codes import CodeLibrary
from medbill.scrub.registry import SECTIONS, load_rules
from medbill.x12.writers import write_837

WIDE = {"COLUMNS": "220"}


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=WIDE)


@pytest.fixture(scope="module", autouse=True)
def store(library: CodeLibrary) -> CodeLibrary:
    return library


def _file(tmp_path: Path, name: str, claims: list[object], kind: str = "P") -> Path:
    text = write_837(
        claims,  # type: ignore[arg-type]
        kind="P" if kind == "P" else "I",
        sender="SUB01",
        receiver="12345",
        submitter=Party("2", "ACME CLINIC", id_qualifier="46", id="SUB01"),
        receiver_party=Party("2", "ACME HEALTH PLAN", id_qualifier="46", id="12345"),
        control_number=1,
        created=datetime(2024, 9, 1, 9, 30, tzinfo=UTC),
        usage="T",
    )
    path = tmp_path / name
    path.write_text(text)
    return path


def test_rules_list_and_show() -> None:
    listed = run("rules", "list", "--json")
    assert listed.exit_code == 0, listed.output
    rules = json.loads(listed.stdout)
    assert len(rules) == len(load_rules()) >= 120
    assert {"code", "name", "severity", "status", "summary"} <= set(rules[0])
    dx_only = json.loads(run("rules", "list", "--family", "DX", "--json").stdout)
    assert dx_only and all(r["code"].startswith("DX") for r in dx_only)
    medicare = {r["code"] for r in json.loads(run("rules", "list", "--profile", "medicare", "--json").stdout)}
    assert any(c.startswith("PY1") for c in medicare) and not any(c.startswith("PY3") for c in medicare)
    shown = run("rules", "show", "DX002")
    assert shown.exit_code == 0, shown.output
    for section in SECTIONS:
        assert section in shown.stdout
    table = run("rules", "list")
    assert table.exit_code == 0 and "DX002" in table.stdout
    internal = run("rules", "show", "INT001")
    assert internal.exit_code == 0 and "exception" in internal.stdout
    missing = run("rules", "show", "ZZ999")
    assert missing.exit_code == 2 and "no rule" in missing.stderr


def test_scrub_x12_clean_file_exits_0(tmp_path: Path) -> None:
    path = _file(tmp_path, "clean.837", [professional()])
    result = run("claims", "scrub", "--x12", str(path), "--today", "2024-09-03", "--json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert [f for f in findings if f["severity"] != "info"] == []


def test_scrub_x12_reports_errors_with_claim_and_line(tmp_path: Path) -> None:
    bad = professional(claim_id="BAD1", diagnoses=dx("E11", "I10"))  # a header code heads the claim
    lines = (replace(professional().lines[0], diagnosis_pointers=(7,)), *professional().lines[1:])
    worse = professional(claim_id="BAD2", lines=lines)
    later = tuple(replace(ln, service_date_from=date(2024, 8, 15)) for ln in professional().lines)
    good = professional(claim_id="GOOD", lines=later)  # another visit: not a duplicate of BAD1
    path = _file(tmp_path, "bad.837", [bad, worse, good])
    result = run("claims", "scrub", "--x12", str(path), "--today", "2024-09-03", "--json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)
    for f in findings:
        assert {"rule", "severity", "message", "claim", "line"} <= set(f)
    assert any(f["rule"] == "DX002" and f["claim"] == "BAD1" for f in findings)
    pointer = [f for f in findings if f["claim"] == "BAD2" and f["rule"] == "CL023"]
    assert pointer and pointer[0]["line"] == 1
    assert not [f for f in findings if f["claim"] == "GOOD" and f["severity"] == "error"]
    table = run("claims", "scrub", "--x12", str(path), "--today", "2024-09-03")
    assert table.exit_code == 1 and "3 claims scrubbed: 1 without errors" in " ".join(table.stdout.split())


def test_scrub_x12_institutional_and_profile_choice(tmp_path: Path) -> None:
    path = _file(tmp_path, "inst.837", [institutional()], kind="I")
    result = run("claims", "scrub", "--x12", str(path), "--today", "2024-09-03", "--profile", "medicare", "--json")
    assert result.exit_code == 0, result.output
    late = run("claims", "scrub", "--x12", str(path), "--today", "2026-01-05", "--json")
    assert late.exit_code == 1
    assert any(f["rule"] == "DT006" for f in json.loads(late.stdout))  # past the commercial 90 days


def test_scrub_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.837"
    junk.write_bytes(b"\x00\x01not x12 at all")
    result = run("claims", "scrub", "--x12", str(junk))
    assert result.exit_code == 2 and "junk.837" in result.stderr and "ISA" in result.stderr
    assert "Traceback" not in result.output
    nothing = run("claims", "scrub", "--db", str(tmp_path / "none.db"))
    assert nothing.exit_code != 0 and "none.db" in nothing.stderr
    profile = tmp_path / "p.toml"
    profile.write_text("select = [\n")
    bad_profile = run("claims", "scrub", "--x12", str(junk), "--profile", str(profile))
    assert bad_profile.exit_code == 2 and "p.toml" in bad_profile.stderr


def _draft_practice(path: Path, count: int) -> list[str]:
    """A demo practice with ``count`` encounters made into draft claims (not scrubbed, not batched)."""
    from sqlalchemy import select

    from medbill.services.claims import create_claims
    from medbill.services.demo import build_practice, encounters
    from medbill.services.encounters import record_encounter
    from medbill.store.database import open_database
    from medbill.store.tables import ClaimDiagnosisRow, ClaimRow, PatientRow

    database = open_database(path)
    with database.transaction() as session:
        practice = build_practice(session)
        for data in encounters(practice, count=count):
            patient = session.scalars(select(PatientRow).where(PatientRow.account_number == data.patient_account)).one()
            payer = patient.coverages[0].payer if patient.coverages else None
            create_claims(session, record_encounter(session, data, payer=payer), actor="test")
        claims = list(session.scalars(select(ClaimRow).order_by(ClaimRow.id)))
        first = session.scalars(
            select(ClaimDiagnosisRow).where(ClaimDiagnosisRow.claim_id == claims[0].id, ClaimDiagnosisRow.position == 1)
        ).one()
        first.code = "E11"  # a header code: the first claim must stay a draft
        numbers = [c.claim_number for c in claims]
    database.close()
    return numbers


def test_scrub_database_claims_and_ready(tmp_path: Path) -> None:
    from sqlalchemy import select

    from medbill.store.database import open_database
    from medbill.store.tables import ClaimRow

    db = tmp_path / "practice.db"
    numbers = _draft_practice(db, 12)
    result = run("claims", "scrub", "--db", str(db), "--today", "2024-12-31", "--json", "--ready")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)
    assert {f["claim"] for f in findings} <= set(numbers)
    assert any(f["claim"] == numbers[0] and f["rule"] == "DX002" for f in findings)
    with_errors = {f["claim"] for f in findings if f["severity"] == "error"}
    database = open_database(db)
    with database.transaction() as session:
        status = {row.claim_number: row.status for row in session.scalars(select(ClaimRow))}
    database.close()
    assert status[numbers[0]] == "draft"
    for number in numbers:
        assert status[number] == ("draft" if number in with_errors else "ready"), number
    assert any(v == "ready" for v in status.values())
    one = run("claims", "scrub", numbers[0], "--db", str(db), "--today", "2024-12-31", "--json")
    assert one.exit_code == 1 and {f["claim"] for f in json.loads(one.stdout)} == {numbers[0]}
    missing = run("claims", "scrub", "NOPE-1", "--db", str(db))
    assert missing.exit_code != 0 and "NOPE-1" in missing.stderr
