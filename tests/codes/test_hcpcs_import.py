"""A newer HCPCS Level II quarter as a drop-in import, in both accepted layouts.

Two synthetic quarters are built from the shipped July 2024 file: January 2026 as a CSV export of CMS's
alpha-numeric spreadsheet (long descriptions continued on RECID 4 lines, a modifier record to skip) and April 2026
in the shipped file's own layout. Both change the same things: J1100 terminated on 2025-12-31 and an invented
code J9997 added on 2026-01-01; April also adds an invented J9996 from 2026-04-01. Each import rebuilds the store
(about 12 s), so the module shares one MEDBILL_HOME.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medbill.cli.main import app
from medbill.codes.sources import DATA_DIR

TERMINATED = "J1100"
NEW = "J9997"
NEW_TITLE = "Injection, synthetic test drug, 1 mg (invented for medbill tests)"
APRIL_NEW = "J9996"
APRIL_TITLE = "Injection, second synthetic test drug, 5 mg (invented for medbill tests)"

CMS_HEADER = [
    "HCPC",
    "SEQNUM",
    "RECID",
    "LONG DESCRIPTION",
    "SHORT DESCRIPTION",
    "PRICE1",
    "MULT_PI",
    "COV",
    "BETOS",
    "ADD DT",
    "ACT EFF DT",
    "TERM DT",
    "ACTION CD",
]


def _shipped() -> tuple[list[str], list[dict[str, str]]]:
    text = gzip.decompress((DATA_DIR / "hcpcs_level2_2024-07.csv.gz").read_bytes()).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def _quarter_rows(april: bool) -> list[dict[str, str]]:
    """The shipped rows with the quarter's changes, in the shipped layout (dates YYYY-MM-DD)."""
    fields, rows = _shipped()
    out = []
    for r in rows:
        r = dict(r)
        if r["hcpcs_code"] == TERMINATED:
            r["date_term"], r["action"] = "2025-12-31", "D"
        out.append(r)
    blank = dict.fromkeys(fields, "")
    out.append(
        blank
        | {"hcpcs_code": NEW, "date_added": "2026-01-01", "long_description": NEW_TITLE, "short_description": "Synth"}
    )
    if april:
        out.append(
            blank
            | {"hcpcs_code": APRIL_NEW, "date_added": "2026-04-01", "long_description": APRIL_TITLE, "action": "A"}
        )
    return out


def _medbill_layout(rows: list[dict[str, str]]) -> str:
    fields, _ = _shipped()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _cms_layout(rows: list[dict[str, str]]) -> str:
    """CMS's spreadsheet as CSV: 80-character description lines, continuations (RECID 4) written in reverse SEQNUM
    order so joining must follow SEQNUM, dates as YYYYMMDD, and one modifier record (RECID 7/8) to be skipped."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CMS_HEADER)
    writer.writerow(
        ["AA", "00100", "7", "Anesthesia services performed personally by", "Anes perf by anesthesiologist"] + [""] * 8
    )
    writer.writerow(["AA", "00200", "8", "anesthesiologist"] + [""] * 9)
    for r in rows:
        lines = textwrap.wrap(r["long_description"], 80, break_long_words=False, break_on_hyphens=False) or [""]
        added, term = r["date_added"].replace("-", ""), r["date_term"].replace("-", "")
        writer.writerow(
            [
                r["hcpcs_code"],
                "00100",
                "3",
                lines[0],
                r["short_description"],
                r["price"],
                r["multi"],
                r["cov"],
                r["betos"],
                added,
                added,
                term,
                r["action"],
            ]
        )
        for seq in range(len(lines) - 1, 0, -1):
            writer.writerow([r["hcpcs_code"], f"{seq + 1:03d}00", "4", lines[seq]] + [""] * 9)
    return buf.getvalue()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("hcpcs-home")
    files = tmp_path_factory.mktemp("hcpcs-files")
    january = files / "HCPC2026_JAN_ANWEB.csv"
    january.write_text(_cms_layout(_quarter_rows(april=False)), encoding="utf-8")
    april = files / "hcpcs_level2_2026-04.csv"
    april.write_text(_medbill_layout(_quarter_rows(april=True)), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDBILL_HOME", str(home))
        runner = CliRunner()
        for path, edition in ((january, "January 2026"), (april, "April 2026")):
            result = runner.invoke(app, ["codes", "import-hcpcs", str(path)])
            assert result.exit_code == 0, result.output
            assert f"HCPCS Level II {edition} quarter (user import)" in result.output
        yield home


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _validate(code: str, on: str) -> dict[str, object]:
    exit_code, output = _run("codes", "validate", f"hcpcs:{code}", "--on", on, "--json")
    [answer] = json.loads(output)
    assert exit_code == (0 if answer["valid"] else 1)
    assert isinstance(answer, dict)
    return answer


def _issue_codes(answer: dict[str, object]) -> list[str]:
    issues = answer["issues"]
    assert isinstance(issues, list)
    return [i["code"] for i in issues]


def test_both_quarters_join_the_timeline(home: Path) -> None:
    exit_code, output = _run("codes", "editions", "--json")
    assert exit_code == 0
    hcpcs = {e["name"]: (e["effective"], e["through"]) for e in json.loads(output) if e["system"] == "HCPCS"}
    assert hcpcs == {
        "HCPCS Level II July 2024 quarter": ("2024-07-01", "2024-09-30"),
        "HCPCS Level II January 2026 quarter (user import)": ("2026-01-01", "2026-03-31"),
        "HCPCS Level II April 2026 quarter (user import)": ("2026-04-01", "2026-06-30"),
    }
    imports = json.loads((home / "imports" / "imports.json").read_text())
    assert sorted(i["effective"] for i in imports if i["kind"] == "hcpcs") == ["2026-01-01", "2026-04-01"]


def test_dates_answer_from_the_quarter_in_force(home: Path) -> None:
    assert _validate("J1100", "2024-08-01")["edition"] == "HCPCS Level II July 2024 quarter"
    assert _validate("J1100", "2025-12-31")["valid"]
    for on, quarter in (("2026-02-01", "January"), ("2026-03-31", "January"), ("2026-05-01", "April")):
        answer = _validate("J0131", on)
        assert answer["valid"]
        assert answer["edition"] == f"HCPCS Level II {quarter} 2026 quarter (user import)"
        assert "EDITION-NOT-LOADED" not in _issue_codes(answer)
    # Between the shipped quarter and the imports no edition is loaded, and the answer says so.
    assert "EDITION-NOT-LOADED" in _issue_codes(_validate("J0131", "2025-06-01"))


def test_terminated_code(home: Path) -> None:
    answer = _validate(TERMINATED, "2026-02-01")
    assert not answer["valid"]
    assert _issue_codes(answer) == ["HCPCS-TERMINATED"]


def test_new_codes_are_valid_only_from_their_add_date(home: Path) -> None:
    answer = _validate(NEW, "2026-02-01")
    assert answer["valid"] and answer["title"] == NEW_TITLE
    assert _issue_codes(answer) == []
    early = _validate(NEW, "2025-06-01")
    assert not early["valid"]
    assert _issue_codes(early)[0] == "HCPCS-NOT-YET-VALID"
    assert _issue_codes(_validate(APRIL_NEW, "2026-02-01")) == ["HCPCS-NOT-YET-VALID"]
    assert _validate(APRIL_NEW, "2026-05-01")["valid"]


def test_new_code_is_searchable(home: Path) -> None:
    exit_code, output = _run("codes", "search", "synthetic test drug", "--system", "hcpcs", "--json")
    assert exit_code == 0
    assert {NEW, APRIL_NEW} <= {hit["code"] for hit in json.loads(output)}


def test_the_same_quarter_again_replaces_rather_than_adds(home: Path, tmp_path: Path) -> None:
    again = tmp_path / "hcpcs_level2_2026-04.csv"
    again.write_text(_medbill_layout(_quarter_rows(april=True)), encoding="utf-8")  # same bytes: no rebuild
    exit_code, output = _run("codes", "import-hcpcs", str(again))
    assert exit_code == 0, output
    imports = json.loads((home / "imports" / "imports.json").read_text())
    assert sorted(i["effective"] for i in imports if i["kind"] == "hcpcs") == ["2026-01-01", "2026-04-01"]


def test_bad_file_is_refused_naming_the_line_and_changes_nothing(home: Path, tmp_path: Path) -> None:
    before = (home / "imports" / "imports.json").read_text()
    rows = _quarter_rows(april=False)[:5]
    rows[1] = rows[1] | {"date_added": "2026-02-30"}
    rows[3] = rows[3] | {"hcpcs_code": "Smith"}
    for layout, text in (("cms", _cms_layout(rows)), ("medbill", _medbill_layout(rows))):
        bad = tmp_path / f"HCPC2026_JUL_{layout}.csv"
        bad.write_text(text, encoding="utf-8")
        exit_code, output = _run("codes", "import-hcpcs", str(bad))
        assert exit_code == 2, output
        line = 3 if layout == "medbill" else 5  # the CMS file has two modifier lines before the codes
        output = " ".join(output.split())
        assert bad.name in output and "2 line(s)" in output
        assert f"line {line}: date '20260230'" in output or f"line {line}: date '2026-02-30'" in output
        assert "Smith" not in output and "SMITH" not in output
    assert (home / "imports" / "imports.json").read_text() == before


def test_cms_long_descriptions_are_joined_in_seqnum_order() -> None:
    from medbill.codes.imports import parse_hcpcs

    _, shipped = _shipped()
    entries = parse_hcpcs(_cms_layout(_quarter_rows(april=False)).encode(), "HCPC2026_JAN_ANWEB.csv")
    by_code = {e.code: e for e in entries}
    assert len(by_code) == len(shipped) + 1 and "AA" not in by_code
    long_ones = [r for r in shipped if len(r["long_description"]) > 240]
    assert long_ones
    for r in shipped:
        title = r["long_description"].strip() or r["short_description"].strip()
        assert " ".join(by_code[r["hcpcs_code"]].title.split()) == " ".join(title.split())
    assert by_code[TERMINATED].end == date(2025, 12, 31)
    assert by_code[NEW].start == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,TERM DT\nJ0131,00200,4,more,,,\n", "line 2"),
        (
            "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,TERM DT\nJ0131,00100,3,,,20240101,\n",
            "J0131 has no",
        ),
        ("HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,TERM DT\nJ0131,00100,5,x,,20240101,\n", "RECID"),
        (
            "hcpcs_code,long_description,short_description,date_added,date_term\nJ0131,x,,2026-01-01,2025-01-01\n",
            "ends",
        ),
        ("hcpcs_code,long_description,short_description,date_added,date_term\nW0131,x,,2026-01-01,\n", "'W0131'"),
        ("name,dob\nJohn Smith,1970-01-01\n", "not a HCPCS header"),
    ],
)
def test_malformed_files_are_refused(data: str, message: str) -> None:
    from medbill.codes.imports import parse_hcpcs
    from medbill.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        parse_hcpcs(data.encode(), "q.csv")
    assert message in caught.value.message
    assert "Smith" not in caught.value.message


def test_quarter_dates_come_from_the_file_name_or_effective(tmp_path: Path) -> None:
    from medbill.codes.imports import _quarter_start, import_hcpcs
    from medbill.errors import InvalidInput

    assert _quarter_start("HCPC2026_JAN_ANWEB_v2.csv", None) == date(2026, 1, 1)
    assert _quarter_start("hcpcs_level2_2026-07.csv", None) == date(2026, 7, 1)
    assert _quarter_start("October 2026 alpha-numeric HCPCS.csv", None) == date(2026, 10, 1)
    assert _quarter_start("hcpcs.csv", date(2026, 4, 1)) == date(2026, 4, 1)
    plain = tmp_path / "hcpcs.csv"
    plain.write_text("hcpcs_code,long_description,short_description,date_added,date_term\nJ0131,x,,,\n")
    with pytest.raises(InvalidInput, match="--effective"):
        import_hcpcs(plain, tmp_path / "home")
    assert not (tmp_path / "home" / "imports").exists()
