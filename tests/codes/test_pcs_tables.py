"""ICD-10-PCS tables: parse the shipped FY2024 flat CSV, check it against the April 2026 valid code list."""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
import re
import sqlite3
import time
from pathlib import Path

import pytest

from medbill.codes.pcs_tables import PcsAxis, PcsTables, parse_pcs_tables
from medbill.errors import CodeSetUnavailable, InvalidInput, NotFound

DATA = Path(__file__).resolve().parents[2] / "src" / "medbill" / "codes" / "data"
TABLES_FILE = DATA / "icd10pcs_tables_fy2024_xmlflat.csv.gz"
VALID_FILE = DATA / "icd10pcs_codes_valid_2026-04-01_mce.csv.gz"


@pytest.fixture(scope="module")
def parsed() -> tuple[PcsTables, float]:
    start = time.perf_counter()
    tables = parse_pcs_tables(TABLES_FILE)
    return tables, time.perf_counter() - start


@pytest.fixture(scope="module")
def tables(parsed: tuple[PcsTables, float]) -> PcsTables:
    return parsed[0]


@pytest.fixture(scope="module")
def valid() -> dict[str, str]:
    with gzip.open(VALID_FILE, "rt", newline="", encoding="utf-8") as handle:
        return {row["code"]: row["long_description"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def flat_text() -> str:
    return gzip.decompress(TABLES_FILE.read_bytes()).decode("utf-8")


def labels(axes: tuple[PcsAxis, ...] | None) -> list[str]:
    assert axes is not None
    return [axis.label for axis in axes]


def fy2024_codes(tables: PcsTables) -> set[str]:
    """Every code the FY2024 rows build (row strings: value chars, each optionally followed by a marker)."""
    codes: set[str] = set()
    for table, _number, *axes in tables.row_rows():
        values = [re.sub("[a-z]", "", axis) for axis in axes]
        codes.update(table + a + b + c + d for a in values[0] for b in values[1] for c in values[2] for d in values[3])
    return codes


# ---- structure and timing ------------------------------------------------------------------------------


def test_parse_is_fast_and_complete(parsed: tuple[PcsTables, float]) -> None:
    tables, seconds = parsed
    assert seconds < 5.0, f"parsing took {seconds:.2f}s"
    assert tables.version == "FY2024"
    assert len(tables.tables()) == 905
    assert len(tables.row_rows()) == 2586
    assert tables.has_row_data


def test_rows_build_the_fy2024_code_count(tables: PcsTables) -> None:
    # 78,603 is the FY2024 ICD-10-PCS code count; each pcsRow's declared "codes" was checked while parsing.
    total = 0
    for _table, _number, *axes in tables.row_rows():
        total += math.prod(len(re.sub("[a-z]", "", axis)) for axis in axes)
    assert total == 78603
    assert len(fy2024_codes(tables)) == 78603


# ---- explain ---------------------------------------------------------------------------------------------


def test_explain_medical_surgical_bypass(tables: PcsTables) -> None:
    axes = tables.explain("0016070")
    assert axes is not None
    assert [(a.position, a.title, a.value) for a in axes] == [
        (1, "Section", "0"),
        (2, "Body System", "0"),
        (3, "Operation", "1"),
        (4, "Body Part", "6"),
        (5, "Approach", "0"),
        (6, "Device", "7"),
        (7, "Qualifier", "0"),
    ]
    assert labels(axes) == [
        "Medical and Surgical",
        "Central Nervous System and Cranial Nerves",
        "Bypass",
        "Cerebral Ventricle",
        "Open",
        "Autologous Tissue Substitute",
        "Nasopharynx",
    ]
    assert axes[2].definition == "Altering the route of passage of the contents of a tubular body part"
    assert [a.definition for a in axes if a.position != 3] == [None] * 6


def test_explain_obstetrics(tables: PcsTables) -> None:
    axes = tables.explain("10D00Z0")
    assert labels(axes) == [
        "Obstetrics",
        "Pregnancy",
        "Extraction",
        "Products of Conception",
        "Open",
        "No Device",
        "High",
    ]
    assert axes is not None
    assert axes[2].definition == "Pulling or stripping out or off all or a portion of a body part by the use of force"


def test_explain_imaging_restores_none_labels(tables: PcsTables) -> None:
    # The flattening turned the CMS label "None" (code Z) into an empty value; the parser gives it back.
    axes = tables.explain("BW03ZZZ")
    assert axes is not None
    assert [(a.title, a.label) for a in axes] == [
        ("Section", "Imaging"),
        ("Body System", "Anatomical Regions"),
        ("Type", "Plain Radiography"),
        ("Body Part", "Chest"),
        ("Contrast", "None"),
        ("Qualifier", "None"),
        ("Qualifier", "None"),
    ]
    assert axes[2].definition is not None and axes[2].definition.startswith("Planar display of an image")


def test_explain_unescapes_xml_entities(tables: PcsTables) -> None:
    # "Photons &gt;10 MeV" in the flat file; the long description reads "using Photons >10 MeV".
    axes = tables.explain("DH092ZZ")
    assert labels(axes)[:5] == [
        "Radiation Therapy",
        "Skin",
        "Beam Radiation",
        "Skin, Buttock",
        "Photons >10 MeV",
    ]
    assert labels(tables.explain("D7050ZZ"))[4] == "Photons <1 MeV"
    assert not any("&" in row[4] for row in tables.to_rows())


def test_explain_uses_the_row_for_values_that_mean_different_things(tables: PcsTables) -> None:
    # In XW0 the substance character is reused per New Technology Group: "S" means three different things.
    assert labels(tables.explain("XW013S6"))[5:] == ["COVID-19 Vaccine Dose 1", "New Technology Group 6"]
    assert labels(tables.explain("XW013S9"))[5:] == [
        "Epcoritamab Monoclonal Antibody",
        "New Technology Group 9",
    ]
    assert labels(tables.explain("XW033S5"))[5:] == [
        "Iobenguane I-131 Antineoplastic",
        "New Technology Group 5",
    ]
    # 3E0 qualifier 0: "Autologous" for fertilized ovum, "Influenza Vaccine" in the vaccine rows.
    assert labels(tables.explain("3E0P7Q0"))[6] == "Autologous"
    assert labels(tables.explain("3E0P7Q1"))[6] == "Nonautologous"
    s_labels = {row[4] for row in tables.to_rows() if row[:3] == ("XW0", 6, "S")}
    assert s_labels == {
        "COVID-19 Vaccine Dose 1",
        "Epcoritamab Monoclonal Antibody",
        "Iobenguane I-131 Antineoplastic",
    }


def test_explain_rejects_undefined_values(tables: PcsTables) -> None:
    assert tables.explain("0016070") == tables.explain("0016070".lower())
    assert tables.explain("001607") is None
    assert tables.explain("00160700") is None
    assert tables.explain("") is None
    assert tables.explain("001607Z") is None  # qualifier Z is not in table 001
    assert tables.explain("0Z16070") is None  # no body system Z in section 0
    assert tables.explain("I016070") is None  # no section I
    assert tables.explain("00A6070") is None  # no table 00A


def test_is_buildable(tables: PcsTables) -> None:
    assert tables.is_buildable("0016070")
    assert tables.is_buildable("00160ZB")  # second row of 001
    # Every character exists in table 001, but no row pairs "No Device" with qualifier 0.
    assert tables.explain("00160Z0") is not None
    assert not tables.is_buildable("00160Z0")
    assert not tables.is_buildable("001607Z")
    assert not tables.is_buildable("00A6070")
    assert not tables.is_buildable("0016")


# ---- agreement with the April 2026 valid code list ------------------------------------------------------


def _words(text: str) -> set[str]:
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in re.findall("[a-z0-9]+", text.lower())}


def test_agreement_with_2026_valid_codes(tables: PcsTables, valid: dict[str, str]) -> None:
    known = set(tables.tables())
    assert len(valid) == 79193
    in_new_table = [code for code in valid if code[:3] not in known]
    in_old_table = [code for code in valid if code[:3] in known]
    unexplained = [code for code in in_old_table if tables.explain(code) is None]
    explained = [code for code in in_old_table if tables.explain(code) is not None]
    not_buildable = [code for code in explained if not tables.is_buildable(code)]
    # Codes added since FY2024: 225 in 12 new tables (071, 09X, 0C1, ...), 420 using a character the FY2024
    # table does not define (mostly X-section substances and 047 devices), 53 new combinations of known
    # characters.
    assert (len(in_new_table), len({c[:3] for c in in_new_table})) == (225, 12)
    assert len(unexplained) == 420
    assert len(not_buildable) == 53
    assert len(explained) - len(not_buildable) == 78495
    assert len(explained) / len(in_old_table) > 0.99
    # The same facts from the other side: FY2024 builds 78,603 codes, 78,495 still valid, 108 deleted since.
    fy2024 = fy2024_codes(tables)
    assert len(fy2024 & valid.keys()) == 78495
    assert len(fy2024 - valid.keys()) == 108
    assert len(valid.keys() - fy2024) == 225 + 420 + 53

    # Labels of positions 4-7 against the long description ("No Device", "No Qualifier", "None" are silent in
    # descriptions and skipped). A label matches when each of its words appears in the description
    # ("Common Iliac Artery, Right" ~ "Right Common Iliac Artery").
    checked = all_match = substring = 0
    per_position = dict.fromkeys(range(4, 8), 0)
    per_position_ok = dict.fromkeys(range(4, 8), 0)
    for code in explained:
        description = valid[code]
        if not description:
            continue
        axes = tables.explain(code)
        assert axes is not None
        words = _words(description)
        ok = whole = True
        for axis in axes[3:]:
            if axis.label.startswith("No ") or axis.label == "None":
                continue
            per_position[axis.position] += 1
            if _words(axis.label) <= words:
                per_position_ok[axis.position] += 1
            else:
                ok = False
            whole = whole and axis.label.lower() in description.lower()
        checked += 1
        all_match += ok
        substring += whole
    assert checked == 78537
    share = all_match / checked
    assert share > 0.975, share  # measured 0.9793
    assert substring / checked > 0.39  # verbatim labels: 0.396 (descriptions reorder "X, Right" etc.)
    shares = {p: per_position_ok[p] / per_position[p] for p in per_position}
    assert shares[4] > 0.997  # 0.9979
    assert shares[5] > 0.985  # 0.9855: descriptions in sections 2, 7, 9 leave out "External" approach
    assert shares[6] > 0.99  # 0.9917
    assert shares[7] > 0.9999  # 0.99994


def test_ambiguous_values_agree_with_descriptions(tables: PcsTables, valid: dict[str, str]) -> None:
    counts: dict[tuple[str, int, str], int] = {}
    for row in tables.to_rows():
        if row[1] >= 4:
            counts[row[:3]] = counts.get(row[:3], 0) + 1
    ambiguous = {key for key, n in counts.items() if n > 1}
    assert len(ambiguous) == 32
    checked = 0
    for code, description in valid.items():
        hits = [p for p in range(4, 8) if (code[:3], p, code[p - 1]) in ambiguous]
        if not hits or not description or not tables.is_buildable(code):
            continue
        axes = tables.explain(code)
        assert axes is not None
        for p in hits:
            assert _words(axes[p - 1].label) <= _words(description), (code, axes[p - 1].label, description)
        checked += 1
    assert checked == 134


# ---- persistence -------------------------------------------------------------------------------------------


def _sample_codes(valid: dict[str, str]) -> list[str]:
    rng = random.Random(2024)
    extra = ["00160Z0", "001607Z", "XW013S6", "XW013S9", "3E0P7Q0", "BW03ZZZ", "DH092ZZ", "XW0", "0016070X"]
    return rng.sample(sorted(valid), 1000) + extra


def test_round_trip_through_sqlite(tables: PcsTables, valid: dict[str, str]) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("create table pcs_axis(prefix text, position int, value text, title text, label text, definition)")
    db.execute("create table pcs_row(tbl text, num int, p4 text, p5 text, p6 text, p7 text)")
    rows, row_rows = tables.to_rows(), tables.row_rows()
    rng = random.Random(7)
    rng.shuffle(rows)  # order must not matter
    rng.shuffle(row_rows)
    db.executemany("insert into pcs_axis values (?,?,?,?,?,?)", rows)
    db.executemany("insert into pcs_row values (?,?,?,?,?,?)", row_rows)
    rebuilt = PcsTables.from_rows(
        tables.version,
        db.execute("select * from pcs_axis").fetchall(),
        db.execute("select * from pcs_row").fetchall(),
    )
    assert rebuilt == tables
    assert rebuilt.to_rows() == tables.to_rows()
    assert rebuilt.row_rows() == tables.row_rows()
    explained = 0
    for code in _sample_codes(valid):
        assert rebuilt.explain(code) == tables.explain(code), code
        assert rebuilt.is_buildable(code) == tables.is_buildable(code), code
        explained += tables.explain(code) is not None
    assert explained > 980


def test_round_trip_without_row_data(tables: PcsTables, valid: dict[str, str]) -> None:
    rebuilt = PcsTables.from_rows(tables.version, tables.to_rows())
    assert not rebuilt.has_row_data
    assert rebuilt.row_rows() == []
    with pytest.raises(CodeSetUnavailable):
        rebuilt.is_buildable("0016070")
    counts: dict[tuple[str, int, str], int] = {}
    for row in tables.to_rows():
        counts[row[:3]] = counts.get(row[:3], 0) + 1
    ambiguous_tables = {key[0] for key, n in counts.items() if n > 1}
    assert ambiguous_tables == {"3E0", "XW0"}
    same = 0
    for code in _sample_codes(valid):
        if code[:3] not in ambiguous_tables:
            assert rebuilt.explain(code) == tables.explain(code), code
            same += 1
    assert same > 900
    # Without rows an ambiguous value falls back to its first label (sorted): here not the right one.
    assert labels(rebuilt.explain("XW013S6"))[5] == "COVID-19 Vaccine Dose 1"
    assert labels(rebuilt.explain("XW033S5"))[5] == "COVID-19 Vaccine Dose 1"


@pytest.mark.parametrize(
    ("rows", "row_rows", "why"),
    [
        ([("0", 1, "0", "Section", "Medical and Surgical", None)], None, "prefix"),
        ([("", 8, "0", "Section", "Medical and Surgical", None)], None, "position"),
        ([("", 1, "00", "Section", "Medical and Surgical", None)], None, "value"),
        ([("", 1, "0", "Section", "", None)], None, "title/label"),
        ([("", 1, "0", "Section", "A", None), ("", 1, "0", "Section", "B", None)], None, "twice"),
        ([("", 1, "0", "Section", "A")], None, "6-tuple"),
        (
            [("001", 4, "6", "Body Part", "Cerebral Ventricle", None)],
            [("001", 0, "6", "0", "7", "0")],
            "no such",
        ),
        (
            [("001", 4, "6", "Body Part", "Cerebral Ventricle", None)],
            [("001", 0, "6b", "", "", "")],
            "variant 1",
        ),
        (
            [("001", 4, "6", "Body Part", "Cerebral Ventricle", None)],
            [("001", 0, "6?", "", "", "")],
            "row format",
        ),
    ],
)
def test_from_rows_rejects_bad_tuples(rows: list[tuple[object, ...]], row_rows: object, why: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(why)):
        PcsTables.from_rows("x", rows, row_rows)  # type: ignore[arg-type]


# ---- malformed input -------------------------------------------------------------------------------------


def _first_table(flat_text: str) -> str:
    """Header plus the rows of table 001 (the second pcsTable starts at rowid 148)."""
    return "".join(flat_text.splitlines(keepends=True)[:148])


def test_single_table_file(flat_text: str) -> None:
    one = parse_pcs_tables(_first_table(flat_text).encode(), name="one.csv")
    assert one.tables() == ("001",)
    assert labels(one.explain("0016070"))[6] == "Nasopharynx"
    assert len(one.row_rows()) == 3
    # Plain and gzip input parse the same.
    assert parse_pcs_tables(gzip.compress(_first_table(flat_text).encode()), name="one.csv.gz") == one


def test_truncated_gzip(tmp_path: Path) -> None:
    raw = TABLES_FILE.read_bytes()
    bad = tmp_path / "tables.csv.gz"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InvalidInput, match=r"tables\.csv\.gz.*(truncated|corrupt)"):
        parse_pcs_tables(bad)


def test_truncated_csv_mid_axis(flat_text: str) -> None:
    text = "".join(flat_text.splitlines(keepends=True)[:60])  # stops inside the qualifier axis of row 1
    with pytest.raises(InvalidInput, match=r"^cut\.csv: row 50: axis pos 7 declares 11 values, has 3 labels"):
        parse_pcs_tables(text.encode(), name="cut.csv")


def test_truncated_csv_mid_row(flat_text: str) -> None:
    text = "".join(flat_text.splitlines(keepends=True)[:40])  # row 1 has only positions 4 and 5 so far
    with pytest.raises(InvalidInput, match=r"cut\.csv: row 22: pcsRow has axes \[4, 5\]"):
        parse_pcs_tables(text.encode(), name="cut.csv")


def test_not_the_flat_csv() -> None:
    with pytest.raises(InvalidInput, match=r"notes\.txt: header lacks column\(s\) elem, elemid"):
        parse_pcs_tables(b"hello,world\n1,2\n", name="notes.txt")
    with pytest.raises(InvalidInput, match=r"blob\.bin: not UTF-8"):
        parse_pcs_tables(b"\xff\xfe\x00garbage\x80", name="blob.bin")
    with pytest.raises(InvalidInput, match=r"empty\.csv: empty file"):
        parse_pcs_tables(b"", name="empty.csv")
    with pytest.raises(InvalidInput, match=r"<bytes>: no title"):
        parse_pcs_tables(b"rowid,elem,elemid,attr,value,level2,level3,level4,level5\n")


def test_missing_column(flat_text: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for record in csv.reader(io.StringIO(_first_table(flat_text))):
        writer.writerow(record[:2] + record[3:])  # drop elemid
    with pytest.raises(InvalidInput, match=r"x\.csv: header lacks column\(s\) elemid"):
        parse_pcs_tables(out.getvalue().encode(), name="x.csv")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "29,label,18.0,code,6,",
            "29,label,18.0,code,?,",
            r"row 28: label 'Cerebral Ventricle' has code '\?'",
        ),
        (
            "23,pcsRow,15.0,codes,99,",
            "23,pcsRow,15.0,codes,98,",
            r"row 22: pcsRow declares 98 codes, its axes give 99",
        ),
        ("10,axis,8.0,pos,2,", "10,axis,8.0,pos,5,", r"row 9: axis pos 5 here"),
        ("7,label,7.0,,Medical and Surgical,", "7,label,7.0,,,", r"row 7: empty 'label'"),
        (
            "12,title,9.0,,Body System,",
            "12,caption,9.0,,Body System,",
            r"row 12: element 'caption' does not end",
        ),
        ("4,axis,5.0,pos,1,", "4,axis,5.0,pos,one,", r"row 3: attribute 'pos' is 'one'"),
        ("29,label,18.0,code,6,", "29,label,18.0,code,6,extra,", r"row 29: 10 fields, header has 9"),
    ],
)
def test_inconsistent_rows(flat_text: str, old: str, new: str, message: str) -> None:
    text = _first_table(flat_text)
    assert old in text
    with pytest.raises(InvalidInput, match=r"^bad\.csv: " + message):
        parse_pcs_tables(text.replace(old, new, 1).encode(), name="bad.csv")


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"nope\.csv\.gz: file not found"):
        parse_pcs_tables(tmp_path / "nope.csv.gz")
