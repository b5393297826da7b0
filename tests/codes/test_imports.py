"""User imports that change the library: a newer ICD-10-CM release (drop-in edition) and the main index.

One private MEDBILL_HOME for the module: each import rebuilds the store (about 12 s), so they share it.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medbill.cli.main import app
from medbill.codes import CodeLibrary
from medbill.codes.index_tables import IndexKind
from medbill.codes.sources import DATA_DIR
from medbill.coding.validation import Validator

BEFORE = date(2026, 5, 1)
AFTER = date(2026, 11, 28)


def _order_line(order: int, key: str, billable: bool, title: str) -> str:
    # CMS order-file layout: order (5), space, code (7), space, flag, space, short title (60), space, long title.
    return f"{order:05d} {key:<7} {int(billable)} {title[:60]:<60} {title}"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, library: CodeLibrary) -> Iterator[Path]:
    """A home where a synthetic "FY2027" order file and the external cause index (as a main index) are imported.

    The synthetic release is the real billable set of 2026-05-01, minus E11.9, plus an invented category E12
    with one billable code, so both the dropped and the added code can be checked."""
    home = tmp_path_factory.mktemp("imports-home")
    icd = library.icd10cm
    lines = []
    order = 0
    for rec in icd.records():
        if rec.kind in ("chapter", "block") or rec.key == "E119":
            continue
        billable = rec.period_on(BEFORE) is not None
        if billable or rec.children:
            order += 1
            lines.append(_order_line(order, rec.key, billable, rec.title))
    lines.append(_order_line(order + 1, "E12", False, "Synthetic test category"))
    lines.append(_order_line(order + 2, "E120", True, "Synthetic test code"))
    order_file = home / "icd10cm_order_2027.txt"
    order_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index_file = home / "icd10cm-index-2026.xml"
    # Stand-in for the (unshipped) main index: the external cause index has the same schema; retitle it.
    eindex = gzip.decompress((DATA_DIR / "icd10cm-eindex-April-1-2026-XML.xml.gz").read_bytes())
    index_file.write_bytes(eindex.replace(b"EXTERNAL CAUSE of INJURIES INDEX", b"INDEX TO DISEASES and INJURIES"))

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDBILL_HOME", str(home))
        runner = CliRunner()
        result = runner.invoke(app, ["codes", "import-icd10cm", str(order_file)])
        assert result.exit_code == 0, result.output
        assert "FY2027" in result.output
        result = runner.invoke(app, ["codes", "import-index", str(index_file)])
        assert result.exit_code == 0, result.output
        yield home


@pytest.fixture(scope="module")
def imported(home: Path) -> Iterator[CodeLibrary]:
    lib = CodeLibrary.open(home)
    yield lib
    lib.close()


def test_newer_release_is_an_edition(imported: CodeLibrary) -> None:
    choice = imported.icd10cm.timeline.choose(AFTER)
    assert choice.edition.name == "ICD-10-CM FY2027 (user import)"
    assert choice.edition.effective == date(2026, 10, 1)
    assert choice.notice is None
    # The shipped newest edition now ends the day before.
    assert imported.icd10cm.timeline.choose(BEFORE).edition.through == date(2026, 9, 30)


def test_dropped_code_is_deleted_after_the_new_release(imported: CodeLibrary) -> None:
    validator = Validator(imported)
    assert validator.validate("E11.9", BEFORE).valid
    after = validator.validate("E11.9", AFTER)
    assert not after.valid
    assert [i.code for i in after.issues] == ["DX-DELETED"]
    assert "2026-09-30" in after.issues[0].message


def test_added_code_is_valid_only_from_the_new_release(imported: CodeLibrary) -> None:
    validator = Validator(imported)
    assert validator.validate("E12.0", AFTER).valid
    before = validator.validate("E12.0", BEFORE)
    assert [i.code for i in before.issues] == ["DX-NOT-YET-VALID"]
    rec = imported.icd10cm.get("E12")
    assert rec is not None and rec.parent == "E08-E13"


def test_billable_count_follows_the_release(imported: CodeLibrary, library: CodeLibrary) -> None:
    shipped = library.icd10cm.count_billable(BEFORE)
    assert imported.icd10cm.count_billable(BEFORE) == shipped
    assert imported.icd10cm.count_billable(AFTER) == shipped - 1 + 1


def test_main_index_import_is_loaded(imported: CodeLibrary, library: CodeLibrary) -> None:
    assert library.index_table(IndexKind.DISEASE) is None
    table = imported.index_table(IndexKind.DISEASE)
    assert table is not None
    assert sum(1 for _ in table.main_terms()) == 314
    editions = json.loads((imported.path.parent.parent / "imports" / "imports.json").read_text())
    assert {e["kind"] for e in editions} == {"icd10cm", "index"}


def test_bad_order_file_is_refused_and_changes_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDBILL_HOME", str(home))
    before = (home / "imports" / "imports.json").read_text()
    bad = tmp_path / "icd10cm_order_2028.txt"
    bad.write_text(_order_line(1, "E119", True, "ok") + "\n" + _order_line(2, "E11", True, "x").replace(" 1 x", " 7 x"))
    result = CliRunner().invoke(app, ["codes", "import-icd10cm", str(bad)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "billable flag" in result.output
    assert (home / "imports" / "imports.json").read_text() == before


def test_order_file_needs_a_date_when_its_name_has_no_year(tmp_path: Path, home: Path) -> None:
    from medbill.codes.imports import import_icd10cm
    from medbill.errors import InvalidInput

    plain = tmp_path / "order.txt"
    plain.write_text(_order_line(1, "E119", True, "Type 2 diabetes mellitus without complications") + "\n")
    with pytest.raises(InvalidInput, match="--effective"):
        import_icd10cm(plain, home)


def test_shipped_fy2025_order_file_agrees_with_mce_validity(library: CodeLibrary) -> None:
    """Two CMS sources, one truth: the FY2025 order file's billable codes are the MCE's codes valid in FY2025."""
    from medbill.codes.imports import parse_icd10cm_order

    entries = parse_icd10cm_order(gzip.decompress((DATA_DIR / "icd10cm_order_fy2025.csv.gz").read_bytes()), "fy2025")
    order_billable = {e.key for e in entries if e.billable}
    on = date(2025, 3, 1)
    mce_billable = {r.key for r in library.icd10cm.records() if r.period_on(on) is not None}
    assert len(order_billable) == 74_260
    assert order_billable == mce_billable


def test_a_wrong_file_is_refused_without_echoing_its_contents() -> None:
    from medbill.codes.imports import parse_cpt
    from medbill.errors import InvalidInput

    data = b"name,dob,long description\nJohn Smith,1970-01-01,x\nJane Roe,1980-02-02,y\n"
    with pytest.raises(InvalidInput) as caught:
        parse_cpt(data, "patients.csv")
    text = caught.value.message + " ".join(i.message for i in caught.value.issues)
    assert "no code column" in text
    assert "Smith" not in text and "Jane" not in text

    plain = b"John Smith has an appointment\n99213 Test descriptor one\n"
    with pytest.raises(InvalidInput) as caught:
        parse_cpt(plain, "notes.txt")
    assert "JOHN" not in caught.value.message and "Smith" not in caught.value.message
    assert "line 1" in caught.value.message


def test_duplicate_cpt_codes_are_refused_with_both_lines() -> None:
    from medbill.codes.imports import parse_cpt
    from medbill.errors import InvalidInput

    data = b"code,long description\n99213,Test descriptor one\n0042T,Test descriptor two\n99213,Test descriptor three\n"
    with pytest.raises(InvalidInput, match=r"line 4: 99213 appears again \(first on line 2\)"):
        parse_cpt(data, "dup.csv")


def test_external_cause_index_is_not_accepted_as_the_main_index(tmp_path: Path) -> None:
    from medbill.codes.imports import import_index
    from medbill.errors import InvalidInput

    eindex = tmp_path / "icd10cm-eindex-2026.xml"
    eindex.write_bytes(gzip.decompress((DATA_DIR / "icd10cm-eindex-April-1-2026-XML.xml.gz").read_bytes()))
    with pytest.raises(InvalidInput, match="External Cause Index"):
        import_index(eindex, tmp_path / "home")
    assert not (tmp_path / "home" / "imports").exists()
