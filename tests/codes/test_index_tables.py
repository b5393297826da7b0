"""The ICD-10-CM Alphabetic Index parser, against the shipped April 1 2026 NCHS files."""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medbill.codes.index_tables as index_tables
from medbill.codes.index_tables import IndexEntry, IndexKind, IndexTable, parse_index
from medbill.errors import InvalidInput, NotFound

DATA = Path(index_tables.__file__).parent / "data"
EINDEX = DATA / "icd10cm-eindex-April-1-2026-XML.xml.gz"
DRUG = DATA / "icd10cm-drug-April-1-2026-XML.xml.gz"
NEOPLASM = DATA / "icd10cm-neoplasm-April-1-2026-XML.xml.gz"
TABULAR = DATA / "icd10cm_tabular_2026-04-01.xml.gz"

DRUG_COLUMNS = (
    "Poisoning Accidental (unintentional)",
    "Poisoning Intentional self-harm",
    "Poisoning Assault",
    "Poisoning Undetermined",
    "Adverse effect",
    "Underdosing",
)
NEOPLASM_COLUMNS = (
    "Malignant Primary",
    "Malignant Secondary",
    "Ca in situ",
    "Benign",
    "Uncertain Behavior",
    "Unspecified Behavior",
)


@pytest.fixture(scope="module")
def eindex() -> IndexTable:
    return parse_index(EINDEX, IndexKind.EXTERNAL_CAUSE)


@pytest.fixture(scope="module")
def drug() -> IndexTable:
    return parse_index(DRUG, IndexKind.DRUG)


@pytest.fixture(scope="module")
def neoplasm() -> IndexTable:
    return parse_index(NEOPLASM, IndexKind.NEOPLASM)


def child(table: IndexTable, parent: IndexEntry, title: str) -> IndexEntry:
    matches = [entry for entry in table.children(parent.id) if entry.title == title]
    assert len(matches) == 1, f"{title!r} under {table.full_title(parent.id)!r}: {matches}"
    return matches[0]


def walk(table: IndexTable, *titles: str) -> IndexEntry:
    entry = table.find_main_term(titles[0])
    assert entry is not None, titles[0]
    for title in titles[1:]:
        entry = child(table, entry, title)
    return entry


def index_xml(body: str, *, heading: str = "", root: str = "ICD10CM.index") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n<version>2026</version>\n{heading}'
        f"<letter><title>A</title>\n{body}\n</letter>\n</{root}>\n"
    ).encode()


HEADING = '<indexHeading><head col="1">Substance</head><head col="2">Accidental</head></indexHeading>'


# -- External Cause Index ---------------------------------------------------------------------------


def test_eindex_header_and_counts(eindex: IndexTable) -> None:
    assert eindex.kind is IndexKind.EXTERNAL_CAUSE
    assert eindex.version == "2026"
    assert eindex.title == "ICD-10-CM EXTERNAL CAUSE of INJURIES INDEX"
    assert eindex.headings == ()
    # grep -c: 314 <mainTerm>, 7776 <term>, 6671 <code>, 791 <see>, 98 <seeAlso>, 4 <seecat>, 11 <subcat>
    assert len(list(eindex.main_terms())) == 314
    assert len(eindex.entries) == 314 + 7776
    assert sum(entry.code is not None for entry in eindex.entries) == 6671
    assert sum(entry.see is not None for entry in eindex.entries) == 791
    assert sum(entry.see_also is not None for entry in eindex.entries) == 98
    assert sum(entry.see_category is not None for entry in eindex.entries) == 4
    assert sum(entry.subcategory is not None for entry in eindex.entries) == 11
    assert not any(entry.cells for entry in eindex.entries)
    assert max(entry.level for entry in eindex.entries) == 8
    assert {entry.letter for entry in eindex.main_terms()} == set("ABCDEFGHIJKLMNOPRSTUVW")
    assert [entry.id for entry in eindex.entries] == list(range(len(eindex.entries)))


def test_eindex_first_main_terms_and_nemod_split(eindex: IndexTable) -> None:
    abandonment, abuse, accident = eindex.entries[:3]
    assert abandonment.title == "Abandonment NEC"
    assert abandonment.nemod == (
        "(causing exposure to weather conditions)",
        "(with intent to injure or kill)",
    )
    assert abandonment.code == "X58"
    assert abandonment.letter == "A"
    assert abandonment.parent is None
    assert abandonment.level == 0
    assert abuse.nemod == ("(adult)", "(child)", "(mental)", "(physical)", "(sexual)")
    assert accident.title == "Accident"
    assert accident.nemod == ("(to)",)
    assert accident.code == "X58"


def test_eindex_see_and_see_also(eindex: IndexTable) -> None:
    aircraft = walk(eindex, "Accident", "aircraft")
    assert aircraft.nemod == ("(in transit)", "(powered)")
    assert aircraft.see_also == "Accident, transport, aircraft"
    assert aircraft.see is None
    assert aircraft.code is None
    cataclysm = child(eindex, aircraft, "due to, caused by cataclysm")
    assert cataclysm.see == "Forces of nature, by type"
    assert cataclysm.level == 2
    assert cataclysm.parent == aircraft.id
    # a <see> with a leading space in the file is normalized
    assert walk(eindex, "Accident", "caused by, due to", "lightning", "causing fire").see == "Exposure, fire"


def test_eindex_seecat_and_subcat(eindex: IndexTable) -> None:
    pollution = eindex.find_main_term("Environmental pollution related condition")
    assert pollution is not None
    assert pollution.see_category == "Z77"
    assert pollution.code is None
    lightning = walk(eindex, "Accident", "caused by, due to", "lightning")
    assert lightning.subcategory == "T75.0"


def test_path_and_full_title_of_a_level_3_term(eindex: IndexTable) -> None:
    powered = walk(eindex, "Accident", "boat, boating", "striking swimmer", "powered")
    assert powered.level == 3
    assert powered.code == "V94.11"
    path = eindex.path(powered.id)
    assert [entry.title for entry in path] == ["Accident", "boat, boating", "striking swimmer", "powered"]
    assert [entry.level for entry in path] == [0, 1, 2, 3]
    assert path[-1] == powered
    assert eindex.full_title(powered.id) == "Accident, boat, boating, striking swimmer, powered"
    swimmer = path[2]
    assert [entry.code for entry in eindex.children(swimmer.id)] == ["V94.11", "V94.12"]
    assert eindex.full_title(path[0].id) == "Accident"


def test_children_of_accident_in_document_order(eindex: IndexTable) -> None:
    accident = eindex.entries[2]
    titles = [entry.title for entry in eindex.children(accident.id)]
    assert titles[:5] == [
        "aircraft",
        "animal-drawn vehicle",
        "animal-rider",
        "automobile",
        "barefoot water skier",
    ]
    assert all(entry.parent == accident.id and entry.level == 1 for entry in eindex.children(accident.id))
    assert eindex.children(walk(eindex, "Accident", "animal-rider").id) == ()


def test_nemod_with_essential_text_nested_parentheses_and_commas(eindex: IndexTable) -> None:
    # <title>step<nemod>(stepping) exercise (class)</nemod></title>: "exercise" is essential
    step = walk(eindex, "Activity", "step exercise")
    assert step.nemod == ("(stepping)", "(class)")
    assert step.code == "Y93.A3"
    # <title>cigar<nemod>(s) or cigarette(s)</nemod></title>
    cigar = walk(eindex, "Burn, burned, burning", "cigar or cigarette")
    assert cigar.nemod == ("(s)", "(s)")
    assert cigar.code == "X08.8"
    # nested parentheses stay in one modifier
    lens = walk(eindex, "Incident, adverse", "device", "ophthalmic", "contact lens")
    assert lens.nemod == ("(rigid gas permeable)", "(soft (hydrophilic))")
    injury = eindex.find_main_term("injury")
    assert injury is not None
    assert injury.title == "Injury, injured NOS"
    assert injury.nemod == ("(accidental(ly))",)
    # "involving skates<nemod>(ice) (roller)</nemod>, skateboard, skis": no space left before the comma
    skates = walk(eindex, "Fall, falling", "same level", "involving ice or snow", "involving skates, skateboard, skis")
    assert skates.nemod == ("(ice)", "(roller)")
    misadventure = eindex.find_main_term("Misadventure to patient during surgical or medical care")
    assert misadventure is not None
    assert misadventure.code == "Y69"


def test_find_main_term(eindex: IndexTable, neoplasm: IndexTable) -> None:
    accident = eindex.entries[2]
    assert eindex.find_main_term("Accident") == accident
    assert eindex.find_main_term("  ACCIDENT ") == accident
    assert eindex.find_main_term("accident (to)") == accident
    assert eindex.find_main_term("abandonment") == eindex.entries[0]  # "Abandonment NEC"
    assert eindex.find_main_term("Abandonment NEC") == eindex.entries[0]
    assert eindex.find_main_term("injured") == eindex.find_main_term("Injury, injured NOS")
    assert eindex.find_main_term("no such term") is None
    assert eindex.find_main_term("") is None
    main = neoplasm.find_main_term("neoplasm")
    assert main is not None
    assert main.title == "Neoplasm, neoplastic"
    assert neoplasm.find_main_term("NEOPLASTIC") == main
    assert neoplasm.find_main_term("abdomen, abdominal") is None  # a subterm, not a main term


def test_unknown_entry_ids_raise_not_found(eindex: IndexTable) -> None:
    for bad in (-1, len(eindex.entries)):
        with pytest.raises(NotFound):
            eindex.children(bad)
        with pytest.raises(NotFound):
            eindex.path(bad)
        with pytest.raises(NotFound):
            eindex.full_title(bad)


# -- Table of Drugs and Chemicals -------------------------------------------------------------------


def test_drug_headings_and_counts(drug: IndexTable) -> None:
    assert drug.kind is IndexKind.DRUG
    assert drug.version == "2026"
    assert drug.title == ""  # the table files have no <title>
    assert drug.headings[0] == "Substance"  # col 1: the term column
    assert drug.headings[1:] == DRUG_COLUMNS
    assert len(list(drug.main_terms())) == 5179
    assert len(drug.entries) == 5179 + 2251
    # 43224 <cell>, 3188 of them "--"
    assert sum(len(entry.cells) for entry in drug.entries) == 43224 - 3188
    assert all(code != "--" for entry in drug.entries for _, code in entry.cells)
    assert not any(entry.code for entry in drug.entries)
    letters = [entry.letter for entry in drug.main_terms()]
    assert letters[0] == "#"
    assert len(set(letters)) == 27


def test_drug_acetaminophen(drug: IndexTable) -> None:
    acetaminophen = drug.find_main_term("acetaminophen")
    assert acetaminophen is not None
    assert acetaminophen.title == "Acetaminophen"
    cells = dict(acetaminophen.cells)
    assert cells["Poisoning Accidental (unintentional)"] == "T39.1X1"
    assert cells["Adverse effect"] == "T39.1X5"
    assert tuple(cells) == DRUG_COLUMNS
    assert tuple(cells.values()) == ("T39.1X1", "T39.1X2", "T39.1X3", "T39.1X4", "T39.1X5", "T39.1X6")


def test_drug_cells_marked_no_code_are_omitted(drug: IndexTable) -> None:
    propanol = drug.entries[0]
    assert propanol.title == "1-propanol"
    assert propanol.cells == tuple(zip(DRUG_COLUMNS[:4], ("T51.3X1", "T51.3X2", "T51.3X3", "T51.3X4"), strict=True))
    dinitrocresol = drug.find_main_term("Dinitrocresol")  # Dinitro<nemod>(-ortho-)cresol (pesticide) (spray)
    assert dinitrocresol is not None
    assert dinitrocresol.nemod == ("(-ortho-)", "(pesticide)", "(spray)")
    homologues = walk(drug, "Benzene", "homologues")  # "(acetyl)  (dimethyl)(methyl) (solvent)"
    assert homologues.nemod == ("(acetyl)", "(dimethyl)", "(methyl)", "(solvent)")


# -- Neoplasm Table ---------------------------------------------------------------------------------


def test_neoplasm_table(neoplasm: IndexTable) -> None:
    assert neoplasm.headings == ("Neoplasm", *NEOPLASM_COLUMNS)
    main_terms = list(neoplasm.main_terms())
    assert [entry.title for entry in main_terms] == ["Neoplasm, neoplastic"]
    assert len(neoplasm.entries) == 1 + 1939
    main = main_terms[0]
    assert dict(main.cells)["Malignant Primary"] == "C80.1"
    abdomen = neoplasm.children(main.id)[0]
    assert abdomen.title == "abdomen, abdominal"
    cells = dict(abdomen.cells)
    assert cells["Malignant Primary"] == "C76.2"
    assert cells["Malignant Secondary"] == "C79.8-"
    assert neoplasm.full_title(abdomen.id) == "Neoplasm, neoplastic, abdomen, abdominal"
    # 10922 <cell>, 1902 of them "-"
    assert sum(len(entry.cells) for entry in neoplasm.entries) == 10922 - 1902


def test_neoplasm_single_dash_cells_and_see_also(neoplasm: IndexTable) -> None:
    wall = walk(neoplasm, "neoplasm", "abdomen, abdominal", "wall")
    assert wall.see_also == "Neoplasm, abdomen, wall, skin"
    assert dict(wall.cells)["Malignant Primary"] == "C44.509"
    tissue = child(neoplasm, wall, "connective tissue")
    assert tissue.level == 3
    assert dict(tissue.cells) == {
        "Malignant Primary": "C49.4",
        "Malignant Secondary": "C79.8-",
        "Benign": "D21.4",
        "Uncertain Behavior": "D48.1-",
        "Unspecified Behavior": "D49.2",
    }  # "Ca in situ" is "-"


def test_neoplasm_manif(neoplasm: IndexTable) -> None:
    book_leaf = walk(neoplasm, "neoplasm", "book-leaf")
    assert book_leaf.nemod == ("(mouth)",)
    assert book_leaf.manif == "ventral surface of tongue and floor of mouth"
    assert sum(entry.manif is not None for entry in neoplasm.entries) == 1


# -- flat rows --------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["eindex", "drug", "neoplasm"])
def test_rows_round_trip_through_sqlite(which: str, request: pytest.FixtureRequest) -> None:
    table: IndexTable = request.getfixturevalue(which)
    rows = table.to_rows()
    assert len(rows) == len(table.entries)
    assert all(len(row) == 13 for row in rows)
    with sqlite3.connect(":memory:") as db:
        db.execute(
            "CREATE TABLE entry (id INTEGER PRIMARY KEY, parent INTEGER, level INTEGER, letter TEXT,"
            " title TEXT, nemod TEXT, code TEXT, see TEXT, see_also TEXT, see_category TEXT,"
            " subcategory TEXT, cells TEXT, manif TEXT)"
        )
        db.executemany("INSERT INTO entry VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        stored = db.execute("SELECT * FROM entry ORDER BY random()").fetchall()
    rebuilt = IndexTable.from_rows(table.kind.value, table.version, table.title, list(table.headings), stored)
    assert rebuilt == table
    assert rebuilt.entries == table.entries
    assert rebuilt.to_rows() == rows


def test_row_layout(eindex: IndexTable, neoplasm: IndexTable) -> None:
    assert eindex.to_rows()[0] == (
        0,
        None,
        0,
        "A",
        "Abandonment NEC",
        "(causing exposure to weather conditions) (with intent to injure or kill)",
        "X58",
        None,
        None,
        None,
        None,
        None,
        None,
    )
    abdomen_row = neoplasm.to_rows()[1]
    assert abdomen_row[:5] == (1, 0, 1, "N", "abdomen, abdominal")
    assert json.loads(abdomen_row[11] or "") == [
        ["Malignant Primary", "C76.2"],
        ["Malignant Secondary", "C79.8-"],
        ["Ca in situ", "D09.8"],
        ["Benign", "D36.7"],
        ["Uncertain Behavior", "D48.7"],
        ["Unspecified Behavior", "D49.89"],
    ]


def test_from_rows_accepts_12_column_rows(eindex: IndexTable) -> None:
    rows = [row[:12] for row in eindex.to_rows()]
    assert IndexTable.from_rows(eindex.kind, eindex.version, eindex.title, eindex.headings, rows) == eindex


@pytest.mark.parametrize(
    ("position", "value"),
    [
        (0, "0"),  # id not an integer
        (1, 5),  # parent does not precede the entry
        (2, 3),  # level inconsistent with parent
        (4, None),  # title must be text
        (5, "not parenthesised"),
        (11, "{not json"),
        (11, '[["Nope", "T39.1X1"]]'),  # heading not in the table
        (11, '[["Benign"]]'),
    ],
)
def test_from_rows_rejects_inconsistent_rows(neoplasm: IndexTable, position: int, value: object) -> None:
    rows: list[list[object]] = [list(row) for row in neoplasm.to_rows()[:3]]
    rows[1][position] = value
    with pytest.raises(InvalidInput):
        IndexTable.from_rows(neoplasm.kind, neoplasm.version, neoplasm.title, neoplasm.headings, rows)


def test_from_rows_rejects_gaps_bad_shapes_and_kinds(eindex: IndexTable) -> None:
    rows = eindex.to_rows()[:5]
    with pytest.raises(InvalidInput, match="ids must run"):
        IndexTable.from_rows(eindex.kind, "2026", "", (), rows[:2] + rows[3:])
    with pytest.raises(InvalidInput, match="12 or 13 columns"):
        IndexTable.from_rows(eindex.kind, "2026", "", (), [rows[0][:5]])
    with pytest.raises(InvalidInput, match="unknown index kind"):
        IndexTable.from_rows("tabular", "2026", "", (), rows)


# -- input forms and bad input ----------------------------------------------------------------------


def test_plain_xml_bytes_parse_like_the_gzip_file(eindex: IndexTable) -> None:
    plain = gzip.decompress(EINDEX.read_bytes())
    assert parse_index(plain, IndexKind.EXTERNAL_CAUSE) == eindex
    assert parse_index(EINDEX.read_bytes(), IndexKind.EXTERNAL_CAUSE, name="e.xml.gz") == eindex


def test_plain_xml_path(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xml"
    path.write_bytes(index_xml("<mainTerm><title>Zebra</title><code>W55.89</code></mainTerm>"))
    table = parse_index(path, IndexKind.DISEASE)
    assert [(entry.title, entry.code, entry.letter) for entry in table.entries] == [("Zebra", "W55.89", "A")]


def test_truncated_gzip_stream_names_the_file() -> None:
    data = EINDEX.read_bytes()
    with pytest.raises(InvalidInput, match=r"^eindex\.xml\.gz: not a valid gzip file"):
        parse_index(data[: len(data) // 2], IndexKind.EXTERNAL_CAUSE, name="eindex.xml.gz")


def test_truncated_xml_reports_file_line_and_column(tmp_path: Path) -> None:
    text = gzip.decompress(EINDEX.read_bytes())
    cut = text[: text.index(b"\n", 10_000) + 1]  # ends between two complete lines
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(gzip.compress(cut))
    with pytest.raises(InvalidInput) as caught:
        parse_index(path, IndexKind.EXTERNAL_CAUSE)
    message = caught.value.message
    line = cut.count(b"\n") + 1
    assert message.startswith(f"{path}: not well-formed XML at line {line}, column ")
    assert message.endswith("no element found")


def test_random_bytes_are_invalid_input() -> None:
    noise = b"\x00" + random.Random(2026).randbytes(4096)
    with pytest.raises(InvalidInput, match=r"^noise\.bin: not well-formed XML at line 1, column 1: "):
        parse_index(noise, IndexKind.DRUG, name="noise.bin")


def test_other_root_element_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match=r"^other\.xml: root element is <ICD10CM\.tabular>"):
        parse_index(index_xml("", root="ICD10CM.tabular"), IndexKind.DISEASE, name="other.xml")


def test_the_tabular_list_is_not_an_index() -> None:
    with pytest.raises(InvalidInput, match=r"root element is <ICD10CM\.tabular>") as caught:
        parse_index(TABULAR, IndexKind.DISEASE)
    assert str(TABULAR) in caught.value.message


def test_table_and_index_kinds_are_not_interchangeable() -> None:
    with pytest.raises(InvalidInput, match=r"drug-April.*this is a table, not the eindex index"):
        parse_index(DRUG, IndexKind.EXTERNAL_CAUSE)
    with pytest.raises(InvalidInput, match=r"^eindex: no <indexHeading>: this is an index, not the neoplasm"):
        parse_index(EINDEX, IndexKind.NEOPLASM, name="eindex")


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"missing\.xml"):
        parse_index(tmp_path / "missing.xml", IndexKind.DISEASE)


def test_directory_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        parse_index(tmp_path, IndexKind.DISEASE)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'<?xml version="1.0" encoding="bogus"?><ICD10CM.index/>', "cannot decode XML"),
        (b'<?xml version="1.0" encoding="utf-7"?><ICD10CM.index/>', "cannot decode XML"),
        (b"<ICD10CM.index>&undefined;</ICD10CM.index>", "line 1, column 16: undefined entity"),
        (
            index_xml('<mainTerm><title>A</title><term level="2"><title>b</title></term></mainTerm>'),
            "level='2'",
        ),
        (
            index_xml('<mainTerm><title>A</title><term level="x"><title>b</title></term></mainTerm>'),
            "level='x'",
        ),
        (index_xml('<mainTerm><title>A</title><cell col="2">T1</cell></mainTerm>'), "no column heading"),
        (
            index_xml('<mainTerm><title>A</title><cell col="9">T1</cell></mainTerm>', heading=HEADING),
            "col='9'",
        ),
        (
            index_xml("", heading='<indexHeading><head col="1">a</head><head col="1">b</head></indexHeading>'),
            "two column headings",
        ),
    ],
)
def test_bad_documents(data: bytes, expected: str) -> None:
    kind = IndexKind.DRUG if b"indexHeading" in data else IndexKind.DISEASE
    with pytest.raises(InvalidInput) as caught:
        parse_index(data, kind, name="doc.xml")
    assert caught.value.message.startswith("doc.xml: ")
    assert expected in caught.value.message


def test_unknown_elements_are_skipped_without_losing_known_data() -> None:
    body = (
        "<mainTerm><title>Zoster<nemod>(herpes)</nemod> <i>NOS</i></title><extra>x<code>Z00</code></extra>"
        "<code>B02.9</code><code>B02.8</code><see>Shingles</see><see>Herpes</see>"
        '<term level="1"><future/><title>eye</title><manif>H01.0</manif></term>'
        "</mainTerm><oddity/>"
    )
    data = index_xml(body).replace(b"<letter>", b"<preface>text</preface><letter>")
    table = parse_index(data, IndexKind.DISEASE)
    zoster, eye = table.entries
    assert zoster.title == "Zoster NOS"
    assert zoster.nemod == ("(herpes)",)
    assert zoster.code == "B02.9 B02.8"  # a repeated element is kept, joined
    assert zoster.see == "Shingles; Herpes"
    assert (eye.parent, eye.level, eye.title, eye.manif) == (zoster.id, 1, "eye", "H01.0")


@pytest.mark.parametrize(
    ("nemod", "title", "groups"),
    [
        ("(a) (b)", "X", ("(a)", "(b)")),
        ("(a)(b)", "X", ("(a)", "(b)")),
        ("((primarily) for)", "X", ("((primarily) for)",)),
        ("(a (b)", "X(a", ("(b)",)),  # an unclosed "(" is kept as text
        ("a) (b)", "Xa)", ("(b)",)),
        ("plain", "Xplain", ()),
        ("", "X", ()),
    ],
)
def test_nemod_groups(nemod: str, title: str, groups: tuple[str, ...]) -> None:
    table = parse_index(index_xml(f"<mainTerm><title>X<nemod>{nemod}</nemod></title></mainTerm>"), IndexKind.DISEASE)
    assert (table.entries[0].title, table.entries[0].nemod) == (title, groups)


# -- property tests ---------------------------------------------------------------------------------


def check_table(table: IndexTable) -> None:
    """Invariants every parsed table keeps, and the exact row round trip."""
    for entry in table.entries:
        assert table.path(entry.id)[-1] == entry
        assert len(table.path(entry.id)) == entry.level + 1
        assert all(kid.parent == entry.id for kid in table.children(entry.id))
        assert all(part.startswith("(") and part.endswith(")") for part in entry.nemod)
    rebuilt = IndexTable.from_rows(table.kind, table.version, table.title, table.headings, table.to_rows())
    assert rebuilt == table


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048), kind=st.sampled_from(IndexKind))
def test_arbitrary_bytes_give_a_table_or_invalid_input(data: bytes, kind: IndexKind) -> None:
    try:
        table = parse_index(data, kind, name="fuzz")
    except InvalidInput as exc:
        assert exc.message.startswith("fuzz: ")
    else:
        check_table(table)


TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12).map(escape)
TAGS = [
    "term",
    "title",
    "nemod",
    "code",
    "see",
    "seeAlso",
    "seecat",
    "subcat",
    "cell",
    "manif",
    "head",
    "odd",
]
ATTRIBUTES = ["", ' level="1"', ' level="2"', ' level="x"', ' col="2"', ' col="1"', ' col="3"']


def _element(tag: str, attributes: str, content: list[str]) -> str:
    return f"<{tag}{attributes}>{''.join(content)}</{tag}>"


ELEMENTS = st.recursive(
    TEXT | st.sampled_from(["(a) (b)", "((x) y)", "(", ")", "--", "-", "T39.1X1"]),
    lambda inner: st.builds(_element, st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES), st.lists(inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    main_terms=st.lists(st.builds(_element, st.just("mainTerm"), st.just(""), st.lists(ELEMENTS, max_size=5))),
    kind=st.sampled_from(IndexKind),
)
def test_schema_shaped_documents_give_a_table_or_invalid_input(main_terms: list[str], kind: IndexKind) -> None:
    data = index_xml("".join(main_terms), heading=HEADING if kind.is_table else "")
    try:
        table = parse_index(gzip.compress(data), kind, name="shaped")
    except InvalidInput as exc:
        assert exc.message.startswith("shaped: ")
    else:
        check_table(table)


NEOPLASM_HEAD = gzip.decompress(NEOPLASM.read_bytes())[:20_000]


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_damaged_real_file_gives_a_table_or_invalid_input(data: st.DataObject) -> None:
    original = NEOPLASM_HEAD
    damaged = bytearray(original[: data.draw(st.integers(0, len(original)), label="cut")])
    for _ in range(data.draw(st.integers(0, 3), label="flips")):
        if damaged:
            damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    try:
        table = parse_index(bytes(damaged), IndexKind.NEOPLASM, name="damaged")
    except InvalidInput as exc:
        assert exc.message.startswith("damaged: ")
    else:
        check_table(table)
