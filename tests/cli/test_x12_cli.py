"""`medbill x12 validate`: one verdict per file, JSON lines, exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medbill.cli.main import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"


ORIGINAL_FIXTURES = (
    "270_single_line.270",
    "271_subscriber.271",
    "276_claim_level.276",
    "277_claim_level.277",
    "835_mult_loops.txt",
    "837i_demo.837i",
    "837p_ambulance.edi",
    "837p_hccinfhir_11.txt",
    "999_834_ls_le_ls.txt",
)


def test_json_lines_one_object_per_file_at_both_levels() -> None:
    files = [FIXTURES / name for name in ORIGINAL_FIXTURES]
    result = CliRunner().invoke(app, ["x12", "validate", "--json", *map(str, files)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p in files]
    for line in lines:
        assert line["level"] == "implementation"
        assert isinstance(line["accepted"], bool)
        for finding in line["findings"]:
            assert {"severity", "code", "message", "segment_index", "loop"} <= set(finding)
    codes = {Path(line["file"]).name: {f["code"] for f in line["findings"]} for line in lines}
    rejected = sorted(Path(line["file"]).name for line in lines if not line["accepted"])
    # Implementation-guide examples with made-up NPIs, a non-adopted 837I version (X223A3), a pre-errata 999.
    assert rejected == [
        "276_claim_level.276",
        "277_claim_level.277",
        "837i_demo.837i",
        "837p_ambulance.edi",
        "837p_hccinfhir_11.txt",
        "999_834_ls_le_ls.txt",
    ]
    assert "X12-NPI-CHECK-DIGIT" in codes["837p_ambulance.edi"]
    assert "X12-ELEMENT-CODE" in codes["999_834_ls_le_ls.txt"]
    assert {"X12-SE-COUNT", "X12-SEGMENT-UNEXPECTED"} <= codes["837p_hccinfhir_11.txt"]
    assert result.exit_code == 1
    envelope = CliRunner().invoke(app, ["x12", "validate", "--json", "--level", "envelope", *map(str, files)])
    lines = [json.loads(line) for line in envelope.stdout.splitlines()]
    assert all(line["level"] == "envelope" for line in lines)
    rejected = [Path(line["file"]).name for line in lines if not line["accepted"]]
    assert rejected == ["837p_hccinfhir_11.txt"]  # its SE01 says 24; ST..SE holds 25


def test_all_accepted_exits_0_and_text_names_the_segment() -> None:
    good = FIXTURES / "835_mult_loops.txt"
    assert CliRunner().invoke(app, ["x12", "validate", str(good)]).exit_code == 0
    bad = CliRunner().invoke(app, ["x12", "validate", str(FIXTURES / "837p_hccinfhir_11.txt")])
    assert bad.exit_code == 1
    assert "X12-SE-COUNT" in bad.stdout and "SE]" in bad.stdout


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["x12", "validate", str(tmp_path / "missing.edi")])
    assert result.exit_code == 2
    assert "cannot be read" in result.output
    assert "Traceback" not in result.output


def test_parse_prints_typed_models_one_line_per_transaction_set() -> None:
    result = CliRunner().invoke(app, ["x12", "parse", str(FIXTURES / "835_mult_loops.txt"), "--json"])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(text) for text in result.stdout.splitlines()]
    assert (line["guide"], line["control_number"], line["accepted"]) == ("835", "0001", True)
    (remittance,) = line["models"]
    assert remittance["payment_date"] == "2004-10-28" and remittance["total_paid"] == "0"
    (claim,) = remittance["claims"]
    assert claim["charge"] == "915.39" and claim["status"] == "4"  # money as exact decimal text
    claims = CliRunner().invoke(app, ["x12", "parse", str(FIXTURES / "837p_ambulance.edi")])
    (line,) = [json.loads(text) for text in claims.stdout.splitlines()]
    assert line["guide"] == "837P" and not line["accepted"]  # its NPIs fail the check digit
    assert [m["total_charge"] for m in line["models"]] == ["766.50"]
    assert sum(len(m["lines"]) for m in line["models"]) == 4


def test_show_names_statuses_verdicts_and_benefits() -> None:
    status = CliRunner().invoke(app, ["x12", "show", str(FIXTURES / "277_claim_level.277")])
    assert "claim status categories (STC01-1): F0: 1, F2: 2, P3: 1" in status.stdout
    benefits = CliRunner().invoke(app, ["x12", "show", str(FIXTURES / "271_subscriber.271")])
    assert "eligibility and benefits (EB01): 1: 2, B: 2, L: 1" in benefits.stdout


def test_parse_segments_prints_every_segment_as_json() -> None:
    result = CliRunner().invoke(app, ["x12", "parse", str(FIXTURES / "270_single_line.270"), "--segments"])
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert parsed["delimiters"] == {"element": "*", "component": ":", "repetition": "^", "segment": "~"}
    ids = [s["id"] for s in parsed["segments"]]
    assert ids[:3] == ["ISA", "GS", "ST"] and ids[-3:] == ["SE", "GE", "IEA"]
    assert [s["index"] for s in parsed["segments"]] == list(range(len(ids)))


def test_show_summarizes_parties_and_amounts_without_patients() -> None:
    remit = CliRunner().invoke(app, ["x12", "show", str(FIXTURES / "835_mult_loops.txt")])
    assert remit.exit_code == 0, remit.output
    assert "1 x 835" in remit.stdout and "charges 915.39, paid 0.00" in remit.stdout
    claim = CliRunner().invoke(app, ["x12", "show", str(FIXTURES / "837p_ambulance.edi")])
    assert "billing provider: AAA AMBULANCE SERVICE" in claim.stdout
    assert "charges 766.50" in claim.stdout and "paid" not in claim.stdout
    patient_names = [
        seg for seg in (FIXTURES / "837p_ambulance.edi").read_text().split("~") if seg.startswith("NM1*QC")
    ]
    for seg in patient_names:
        assert seg.split("*")[3] not in claim.stdout


def test_parse_and_show_refuse_non_x12_with_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    for command in ("parse", "show"):
        result = CliRunner().invoke(app, ["x12", command, str(junk)])
        assert result.exit_code == 2
        assert "does not start with an ISA" in result.output


def test_ack_writes_ta1_and_999_that_reject_the_miscounted_set(tmp_path: Path) -> None:
    source = FIXTURES / "837p_hccinfhir_11.txt"
    result = CliRunner().invoke(
        app, ["x12", "validate", str(source), "--ack", str(tmp_path), "--ack-control", "500", "--json"]
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert sorted(Path(p).name for p in report["acks"]) == ["837p_hccinfhir_11.txt.999", "837p_hccinfhir_11.txt.ta1"]
    ack = (tmp_path / "837p_hccinfhir_11.txt.999").read_text()
    assert "IK5*R*4*5~" in ack and "AK9*R*1*1*0~" in ack
    assert "IK3*SV1*" in ack  # the segments the guide does not expect where they stand
    assert "TA1*" in (tmp_path / "837p_hccinfhir_11.txt.ta1").read_text()
    # The acknowledgments are themselves well-formed interchanges.
    again = CliRunner().invoke(app, ["x12", "validate", *(str(p) for p in sorted(tmp_path.iterdir()))])
    assert again.exit_code == 0, again.output


def test_ack_names_stay_distinct_for_same_named_inputs_and_old_acks_go(tmp_path: Path) -> None:
    a, b, acks = tmp_path / "a", tmp_path / "b", tmp_path / "acks"
    a.mkdir()
    b.mkdir()
    (a / "x.edi").write_bytes((FIXTURES / "835_mult_loops.txt").read_bytes())
    (b / "x.edi").write_bytes((FIXTURES / "837p_ambulance.edi").read_bytes())
    acks.mkdir()
    (acks / "x.edi.3.999").write_text("stale")
    result = CliRunner().invoke(
        app, ["x12", "validate", str(a / "x.edi"), str(b / "x.edi"), "--ack", str(acks), "--level", "envelope"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in acks.iterdir()) == ["x-2.edi.999", "x-2.edi.ta1", "x.edi.999", "x.edi.ta1"]
    assert "AK1*HP" in (acks / "x.edi.999").read_text() and "AK1*HC" in (acks / "x-2.edi.999").read_text()
