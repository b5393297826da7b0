"""The `medbill` command line, driven in-process with Typer's CliRunner against the session store.

CPT descriptors are AMA property: the import tests use a synthetic three-row file with invented descriptor text,
imported into a separate temporary MEDBILL_HOME (one extra store build for the module)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from medbill.cli.main import app
from medbill.codes import CodeLibrary
from medbill.codes.imports import parse_cpt
from medbill.errors import InvalidInput
from medbill.x12.validator import validate_x12

WIDE = {"COLUMNS": "200"}  # no wrapping in rich output, so text assertions see whole lines
SYNTHETIC_CPT = "\n".join(
    [
        "code,long description",
        "99213,Test descriptor one",
        "0042T,Test descriptor two",
        "3074F,Test descriptor three",
        "",
    ]
)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=WIDE)


def assert_clean_failure(result: Result, exit_code: int = 2) -> None:
    assert result.exit_code == exit_code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module", autouse=True)
def store(library: CodeLibrary) -> CodeLibrary:
    """Every CLI test runs against the session store (MEDBILL_HOME set by the conftest fixture)."""
    return library


# -- validate -----------------------------------------------------------------------------------------------


def test_validate_json_with_an_invalid_code_exits_1() -> None:
    result = run("codes", "validate", "E11.9", "S72.001", "--on", "2025-03-01", "--json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert isinstance(payload, list)
    assert len(payload) == 2
    for item in payload:
        assert {"code", "valid", "billable", "edition", "issues"} <= set(item)
    first, second = payload
    assert (first["code"], first["valid"], first["billable"]) == ("E11.9", True, True)
    assert first["edition"] == "ICD-10-CM FY2025"
    assert (second["code"], second["valid"]) == ("S72.001", False)
    assert [i["code"] for i in second["issues"]] == ["DX-7TH-REQUIRED"]
    assert all({"code", "message"} <= set(i) for i in second["issues"])


def test_validate_all_valid_exits_0() -> None:
    result = run("codes", "validate", "E11.9", "I10", "pos:11", "modifier:25", "--on", "2024-08-01", "--json")
    assert result.exit_code == 0, result.output
    assert [r["valid"] for r in json.loads(result.stdout)] == [True, True, True, True]


def test_validate_text_output() -> None:
    result = run("codes", "validate", "E11.9", "T36.01A", "--on", "2025-03-01")
    assert result.exit_code == 1
    assert "E11.9 valid" in result.stdout
    assert "T36.01A invalid" in result.stdout
    assert "DX-PLACEHOLDER" in result.stdout
    assert "hint: use T36.0X1A" in result.stdout


def test_validate_forced_system() -> None:
    result = run("codes", "validate", "11", "25", "--system", "pos", "--on", "2025-03-01", "--json")
    assert result.exit_code == 0, result.output
    assert [r["system"] for r in json.loads(result.stdout)] == ["POS", "POS"]


def test_validate_unknown_system_exits_2() -> None:
    result = run("codes", "validate", "11", "--system", "snomed")
    assert_clean_failure(result)
    assert "unknown code system" in result.stderr


def test_validate_bad_date_exits_2() -> None:
    result = run("codes", "validate", "E11.9", "--on", "2025-13-45")
    assert_clean_failure(result)
    assert "2025-13-45" in result.stderr


# -- show ---------------------------------------------------------------------------------------------------


def test_show_json_has_notes() -> None:
    result = run("codes", "show", "E11.22", "--on", "2025-03-01", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["code"] == "E11.22"
    assert payload["billable"] is True
    assert payload["edition"] == "ICD-10-CM FY2025"
    use_additional = payload["notes"]["use_additional"]
    assert {
        "text": "code to identify stage of chronic kidney disease (N18.1-N18.6)",
        "from": "E11.22",
        "inherited": False,
    } in use_additional
    assert any(n["from"] == "E11" and n["inherited"] for n in use_additional)
    assert [a["code"] for a in payload["ancestors"]] == ["E11.2", "E11", "E08-E13", "Chapter 4"]


def test_show_text_marks_inherited_notes() -> None:
    result = run("codes", "show", "E11.22", "--on", "2025-03-01")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Use additional code" in out
    assert "(from E11)" in out
    assert "code to identify stage of chronic kidney disease (N18.1-N18.6)\n" in out  # own note: no "(from"
    assert "Excludes1" in out


def test_show_seventh_characters() -> None:
    result = run("codes", "show", "S72.001", "--on", "2025-03-01", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["billable"] is False
    assert payload["seventh_characters"]["from"] == "S72"
    assert len(payload["seventh_characters"]["values"]) == 16


def test_show_future_date_has_notice() -> None:
    result = run("codes", "show", "E11.9", "--on", "2026-11-28", "--json")
    assert result.exit_code == 0
    assert "FY2027" in json.loads(result.stdout)["notice"]


def test_show_catalog_codes() -> None:
    hcpcs = json.loads(run("codes", "show", "J1100", "--on", "2024-08-01", "--json").stdout)
    assert hcpcs["system"] == "HCPCS"
    assert hcpcs["title"] == "Injection, dexamethasone sodium phosphate, 1 mg"
    assert hcpcs["active"] is True
    pos = json.loads(run("codes", "show", "pos:11", "--json").stdout)
    assert (pos["system"], pos["title"]) == ("POS", "Office")
    cpt = json.loads(run("codes", "show", "99213", "--on", "2024-08-01", "--json").stdout)
    assert cpt["system"] == "CPT"
    assert cpt["title"] is None  # no descriptors shipped


def test_show_unknown_code_exits_2_with_one_line() -> None:
    result = run("codes", "show", "NOPE99")
    assert_clean_failure(result)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "NOPE99" in lines[0]
    assert lines[0].startswith("error:")


def test_show_bad_date_exits_2() -> None:
    result = run("codes", "show", "E11.9", "--on", "2025-13-45")
    assert_clean_failure(result)
    assert "is not a date" in result.stderr


# -- search, children, editions -----------------------------------------------------------------------------


def test_search_json() -> None:
    result = run("codes", "search", "CHF", "--on", "2025-03-01", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert isinstance(hits, list)
    assert 0 < len(hits) <= 20
    for hit in hits:
        assert {"code", "description", "score", "matched"} <= set(hit)
        assert hit["matched"]
    assert any(h["code"].startswith("I50") for h in hits[:3])


def test_every_search_hit_names_its_edition() -> None:
    result = run("codes", "search", "wheelchair", "--on", "2024-08-01", "--json")
    hits = json.loads(result.stdout)
    editions = {h["system"]: h["edition"] for h in hits}
    assert editions["ICD-10-CM"] == "ICD-10-CM FY2024 April 1 update"
    assert editions["HCPCS"] == "HCPCS Level II July 2024 quarter"


def test_search_filters_and_limit() -> None:
    result = run("codes", "search", "wheelchair", "--system", "hcpcs", "--limit", "5", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 5
    assert {h["system"] for h in hits} == {"HCPCS"}
    assert_clean_failure(run("codes", "search", "wheelchair", "--system", "bogus"))


def test_search_text_table() -> None:
    result = run("codes", "search", "COPD exacerbation", "--limit", "3")
    assert result.exit_code == 0
    assert "J44.1" in result.stdout


def test_children_json() -> None:
    result = run("codes", "children", "E11.2", "--on", "2025-03-01", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "code": "E11.21",
            "title": "Type 2 diabetes mellitus with diabetic nephropathy",
            "kind": "code",
            "billable": True,
            "status": "billable",
            "edition": "ICD-10-CM FY2025",
        },
        {
            "code": "E11.22",
            "title": "Type 2 diabetes mellitus with diabetic chronic kidney disease",
            "kind": "code",
            "billable": True,
            "status": "billable",
            "edition": "ICD-10-CM FY2025",
        },
        {
            "code": "E11.29",
            "title": "Type 2 diabetes mellitus with other diabetic kidney complication",
            "kind": "code",
            "billable": True,
            "status": "billable",
            "edition": "ICD-10-CM FY2025",
        },
    ]


def test_children_of_chapter_are_blocks() -> None:
    result = run("codes", "children", "Chapter 4", "--json")
    assert result.exit_code == 0
    kids = json.loads(result.stdout)
    assert {k["kind"] for k in kids} == {"block"}
    assert "E08-E13" in [k["code"] for k in kids]


def test_children_unknown_exits_2() -> None:
    assert_clean_failure(run("codes", "children", "NOPE99"))


def test_editions_json() -> None:
    result = run("codes", "editions", "--json")
    assert result.exit_code == 0, result.output
    editions = json.loads(result.stdout)
    assert all(set(e) == {"system", "name", "effective", "through", "source"} for e in editions)
    systems = {e["system"] for e in editions}
    assert {"ICD-10-CM", "ICD-10-PCS", "HCPCS", "CPT", "POS", "modifier", "CARC", "RARC", "taxonomy"} <= systems
    names = [e["name"] for e in editions]
    assert "ICD-10-CM FY2026 April 1 update" in names
    assert "ICD-10-CM FY2016" in names


def test_editions_table() -> None:
    result = run("codes", "editions")
    assert result.exit_code == 0
    assert "ICD-10-CM FY2025" in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("medbill ")


# -- demo ---------------------------------------------------------------------------------------------------


def test_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--encounters", "40")
    assert result.exit_code == 0, (result.output, result.exception)
    assert "74,719" in result.stdout
    assert "74,260" in result.stdout
    assert "74,044" in result.stdout
    assert "E11.22" in result.stdout
    assert "Traceback" not in result.output
    text = " ".join(result.stdout.split())
    assert "120 patients, 40 encounters, 40 claims; 38 submitted in this run" in text
    # The scrubber holds two drafts: Medicaid claims whose injected drug (J1885) has no NDC.
    assert "38 clean and ready, 2 held with error-level findings" in text
    assert "PY201 medicaid-ndc-missing: 2" in text
    assert "0 rejected" in text
    batches = sorted((out / "837").iterdir())
    assert batches and (out / "medbill.db").is_file()
    first = {p.name: p.read_bytes() for p in batches}
    for path in batches:
        report = validate_x12(path.read_bytes(), name=path.name)
        assert report.accepted and not report.findings, report.findings
    again = run("demo", "--out", str(out), "--encounters", "40")  # idempotent: nothing new, same files
    assert again.exit_code == 0, again.output
    again_text = " ".join(again.stdout.split())
    assert "40 encounters, 40 claims; 0 submitted in this run" in again_text
    assert "scrubber (2 draft claims, payer profiles by filing indicator): 0 clean and ready, 2 held" in again_text
    assert {p.name: p.read_bytes() for p in sorted((out / "837").iterdir())} == first


# -- CPT import (separate MEDBILL_HOME) ---------------------------------------------------------------------


@dataclass(frozen=True)
class CptHome:
    home: Path
    files: Path
    import_result: Result


@pytest.fixture(scope="module")
def cpt_home(tmp_path_factory: pytest.TempPathFactory) -> CptHome:
    home = tmp_path_factory.mktemp("medbill-cpt-home")
    files = tmp_path_factory.mktemp("cpt-files")
    source = files / "synthetic_cpt_2025.csv"
    source.write_text(SYNTHETIC_CPT, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDBILL_HOME", str(home))
        result = run("codes", "import-cpt", str(source))
    return CptHome(home, files, result)


@pytest.fixture
def in_cpt_home(cpt_home: CptHome, monkeypatch: pytest.MonkeyPatch) -> CptHome:
    monkeypatch.setenv("MEDBILL_HOME", str(cpt_home.home))
    return cpt_home


def snapshot(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def test_import_cpt_succeeds(in_cpt_home: CptHome) -> None:
    result = in_cpt_home.import_result
    assert result.exit_code == 0, (result.output, result.exception)
    assert "imported 3 CPT codes" in result.stdout
    assert "CPT 2025 (user import)" in result.stdout
    imports = json.loads((in_cpt_home.home / "imports" / "imports.json").read_text(encoding="utf-8"))
    assert [(i["kind"], i["edition"], i["effective"]) for i in imports] == [
        ("cpt", "CPT 2025 (user import)", "2025-01-01")
    ]


@pytest.mark.parametrize(
    ("code", "title"),
    [("99213", "Test descriptor one"), ("0042T", "Test descriptor two"), ("3074F", "Test descriptor three")],
)
def test_show_imported_cpt_title(in_cpt_home: CptHome, code: str, title: str) -> None:
    result = run("codes", "show", code, "--on", "2025-06-01", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["system"] == "CPT"
    assert payload["title"] == title
    assert payload["edition"] == "CPT 2025 (user import)"


def test_imported_cpt_validates_without_descriptor_notice(in_cpt_home: CptHome) -> None:
    result = run("codes", "validate", "99213", "99999", "--on", "2025-06-01", "--json")
    assert result.exit_code == 1
    good, bad = json.loads(result.stdout)
    assert (good["valid"], good["title"], good["issues"]) == (True, "Test descriptor one", [])
    assert [i["code"] for i in bad["issues"]] == ["CPT-UNKNOWN"]
    assert "imported CPT file" in bad["issues"][0]["message"]


def test_imported_cpt_is_searchable(in_cpt_home: CptHome) -> None:
    result = run("codes", "search", "Test descriptor", "--system", "cpt", "--json")
    assert result.exit_code == 0, result.output
    assert sorted(h["code"] for h in json.loads(result.stdout)) == ["0042T", "3074F", "99213"]


def test_session_store_is_not_touched_by_the_import(cpt_home: CptHome) -> None:
    # Outside the CPT home (the session store), 99213 still has no descriptor.
    assert cpt_home.import_result.exit_code == 0
    payload = json.loads(run("codes", "show", "99213", "--on", "2024-08-01", "--json").stdout)
    assert payload["title"] is None


def test_bad_cpt_row_exits_2_naming_the_line_and_keeps_previous_import(in_cpt_home: CptHome) -> None:
    assert in_cpt_home.import_result.exit_code == 0
    before = snapshot(in_cpt_home.home)
    bad = in_cpt_home.files / "bad_cpt.csv"
    bad.write_text("code,long description\n9921A,x\nABCDE,y\n", encoding="utf-8")
    result = run("codes", "import-cpt", str(bad))
    assert_clean_failure(result)
    assert "line 2" in result.stderr and "line=3" in result.stderr
    assert "9921A" in result.stderr  # code-shaped values are named
    assert "ABCDE" not in result.stderr  # anything else (a name, say) is not echoed
    assert "building code sets" not in result.stderr  # refused before any build
    assert snapshot(in_cpt_home.home) == before
    still = json.loads(run("codes", "show", "99213", "--on", "2025-06-01", "--json").stdout)
    assert still["title"] == "Test descriptor one"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"  \n\n", "empty"),
        ("binary.csv", b"\x00\x01\x02\x03PK\x00\x00binary", "binary"),
        ("header_only.csv", b"code,long description\n", "no CPT rows"),
        ("no_descriptor.csv", b"code,units\n99213,1\n", "no descriptor column"),
        ("bad_date.csv", b"code,long description,effective date\n99213,Test descriptor one,2025-02-30\n", "line 2"),
    ],
    ids=["empty", "blank", "binary", "header-only", "no-descriptor", "bad-date"],
)
def test_unusable_cpt_file_exits_2(in_cpt_home: CptHome, name: str, content: bytes, message: str) -> None:
    before = snapshot(in_cpt_home.home)
    path = in_cpt_home.files / name
    path.write_bytes(content)
    result = run("codes", "import-cpt", str(path))
    assert_clean_failure(result)
    assert message in result.stderr
    assert name in result.stderr
    assert snapshot(in_cpt_home.home) == before


def test_bom_only_cpt_file_exits_2(in_cpt_home: CptHome) -> None:
    path = in_cpt_home.files / "bom_only.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    result = run("codes", "import-cpt", str(path))
    assert_clean_failure(result)
    assert "empty" in result.stderr


def test_missing_cpt_file_exits_2(in_cpt_home: CptHome) -> None:
    result = run("codes", "import-cpt", str(in_cpt_home.files / "does_not_exist.csv"))
    assert_clean_failure(result)
    assert "cannot be read" in result.stderr


# -- CPT parsing (no store involved) ------------------------------------------------------------------------


def test_parse_cpt_csv() -> None:
    entries = parse_cpt(SYNTHETIC_CPT.encode(), "synthetic.csv")
    assert [(e.code, e.title) for e in entries] == [
        ("99213", "Test descriptor one"),
        ("0042T", "Test descriptor two"),
        ("3074F", "Test descriptor three"),
    ]


def test_parse_cpt_text_layout_and_tsv() -> None:
    text = parse_cpt(b"99213 Test descriptor one\n0042T Test descriptor two\n", "cpt.txt")
    assert [(e.code, e.title) for e in text] == [("99213", "Test descriptor one"), ("0042T", "Test descriptor two")]
    tsv = parse_cpt(b"CPT Code\tShort Descriptor\n3074f\tTest short one\n", "cpt.tsv")
    assert [(e.code, e.title, e.short_title) for e in tsv] == [("3074F", "Test short one", "Test short one")]


def test_parse_cpt_dates_and_windows_1252() -> None:
    data = "code,long description,effective date\n99213,Test descriptor caf\u00e9,01/02/2025\n".encode("cp1252")
    (entry,) = parse_cpt(data, "cpt.csv")
    assert entry.title == "Test descriptor caf\u00e9"
    assert entry.start is not None and entry.start.isoformat() == "2025-01-02"


def test_parse_cpt_collects_every_bad_row() -> None:
    data = b"code,long description\nABCDE,x\n99213,\n0042T,Test descriptor two\n"
    with pytest.raises(InvalidInput) as info:
        parse_cpt(data, "bad.csv")
    assert [i.location.line for i in info.value.issues if i.location] == [2, 3]
    assert "line 2" in info.value.message


def test_children_name_the_state_of_each_child() -> None:
    """A deleted child and a not-yet-valid child are not headers: say which they are."""
    result = run("codes", "children", "H40.11", "--on", "2025-03-01", "--json")
    assert result.exit_code == 0, result.output
    states = {c["code"]: c["status"] for c in json.loads(result.stdout)}
    assert states["H40.11X0"] == "deleted after 2016-09-30", states
    assert states["H40.111"] == "header"  # it takes a 7th character: its children are billable


def test_expanded_code_is_a_header_since_its_split_not_deleted() -> None:
    result = run("codes", "validate", "R51", "--on", "2025-03-01", "--json")
    assert result.exit_code == 1
    (issue,) = json.loads(result.stdout)[0]["issues"]
    assert issue["code"] == "DX-HEADER"
    assert "since 2020-10-01" in issue["message"]
    assert "R51.9" in issue["hint"]


def test_markup_in_user_text_is_printed_literally_not_a_traceback() -> None:
    for args in (("codes", "show", "[/x]"), ("codes", "children", "[/]"), ("codes", "show", "pos:[/x]")):
        result = run(*args)
        assert_clean_failure(result)
        assert "[/" in result.output


def test_two_digit_code_without_a_system_is_ambiguous_for_show_too() -> None:
    result = run("codes", "show", "11")
    assert_clean_failure(result)
    assert "pos:11" in result.output
    shown = run("codes", "show", "pos:11", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["code"] == "11"


def test_bad_date_is_one_line() -> None:
    result = run("codes", "show", "E11.22", "--on", "2025-13-01")
    assert_clean_failure(result)
    assert len(result.output.strip().splitlines()) == 1


def test_cpt_code_missing_from_the_imported_edition_is_invalid_in_its_year(in_cpt_home: CptHome) -> None:
    """99214 is known from the CMS 2024 tables but absent from the user's 2025 file: invalid in 2025, fine in 2024."""
    result = run("codes", "validate", "cpt:99214", "--on", "2025-06-01", "--json")
    assert result.exit_code == 1, result.output
    assert [i["code"] for i in json.loads(result.stdout)[0]["issues"]] == ["CPT-NOT-IN-EDITION"]
    earlier = run("codes", "validate", "cpt:99214", "--on", "2024-06-01", "--json")
    assert earlier.exit_code == 0, earlier.output
    assert [i["code"] for i in json.loads(earlier.stdout)[0]["issues"]] == ["CPT-NO-DESCRIPTOR"]
