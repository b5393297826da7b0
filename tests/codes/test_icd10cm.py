"""ICD-10-CM over the compiled store: pinned facts from the shipped data (counts, notes, 7th characters, MCE
flags, hierarchy, dated validity) and the edition that answers for a date of service."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from medbill.codes import CodeLibrary
from medbill.codes.editions import CodeSystem, fiscal_year
from medbill.codes.icd10cm import CodeAnswer, CodeKind, normalize

SEVENTH_S72 = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "M", "N", "P", "Q", "R", "S")


def answer(library: CodeLibrary, code: str, on: date = date(2025, 3, 1)) -> CodeAnswer:
    found = library.icd10cm.lookup(code, on)
    assert found is not None, f"{code} is missing from the store"
    return found


# -- counts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "count"),
    [
        (date(2026, 5, 1), 74_719),
        (date(2025, 3, 1), 74_260),
        (date(2024, 3, 1), 74_044),
    ],
)
def test_billable_counts(library: CodeLibrary, on: date, count: int) -> None:
    assert library.icd10cm.count_billable(on) == count


def test_nothing_is_billable_before_icd10(library: CodeLibrary) -> None:
    assert library.icd10cm.count_billable(date(2015, 9, 30)) == 0
    assert library.icd10cm.count_billable(date(2015, 10, 1)) > 68_000


# -- notes --------------------------------------------------------------------------------------------------


def test_e1122_own_use_additional_note(library: CodeLibrary) -> None:
    notes = answer(library, "E11.22").notes()
    own = [n for n in notes if n.kind == "use_additional" and not n.inherited]
    assert [(n.text, n.source) for n in own] == [
        ("code to identify stage of chronic kidney disease (N18.1-N18.6)", "E11.22")
    ]


def test_e1122_inherits_e11_includes_and_excludes1(library: CodeLibrary) -> None:
    notes = answer(library, "E11.22").notes()
    includes = {n.text for n in notes if n.kind == "includes" and n.source == "E11"}
    excludes1 = {n.text for n in notes if n.kind == "excludes1" and n.source == "E11"}
    assert "diabetes NOS" in includes
    assert "type 1 diabetes mellitus (E10.-)" in excludes1
    assert "gestational diabetes (O24.4-)" in excludes1
    assert all(n.inherited for n in notes if n.source == "E11")
    # E11's "use additional code to identify control" notes reach the code too.
    assert any(n.kind == "use_additional" and n.source == "E11" and "insulin (Z79.4)" in n.text for n in notes)


def test_e1122_inherits_chapter_notes(library: CodeLibrary) -> None:
    notes = answer(library, "E11.22").notes()
    chapter = [n for n in notes if n.source == "Chapter 4"]
    assert chapter, "chapter 4 notes should be inherited"
    assert all(n.inherited for n in chapter)
    assert any(
        n.kind == "excludes1" and "transitory endocrine and metabolic disorders specific to newborn" in n.text
        for n in chapter
    )


def test_chapter_note_inherited_by_a000(library: CodeLibrary) -> None:
    notes = answer(library, "A00.0").notes()
    resistance = [n for n in notes if n.text == "code to identify resistance to antimicrobial drugs (Z16.-)"]
    assert len(resistance) == 1
    assert resistance[0].kind == "use_additional"
    assert resistance[0].source == "Chapter 1"
    assert resistance[0].inherited
    own = [n for n in notes if not n.inherited]
    assert [(n.kind, n.text) for n in own] == [("inclusion_term", "Classical cholera")]


def test_notes_are_ordered_by_kind(library: CodeLibrary) -> None:
    from medbill.codes.icd10cm import NOTE_ORDER

    kinds = [n.kind for n in answer(library, "E11.22").notes()]
    ranks = [NOTE_ORDER.index(k) for k in kinds]
    assert ranks == sorted(ranks)


def test_to_dict_marks_inherited_notes(library: CodeLibrary) -> None:
    payload = answer(library, "E11.22").to_dict()
    notes = payload["notes"]
    assert isinstance(notes, dict)
    assert {
        "text": "code to identify stage of chronic kidney disease (N18.1-N18.6)",
        "from": "E11.22",
        "inherited": False,
    } in notes["use_additional"]
    assert all(n["inherited"] for n in notes["excludes1"])
    assert payload["code"] == "E11.22"
    assert payload["kind"] == "code"
    assert payload["billable"] is True
    assert payload["parent"] == "E11.2"


# -- 7th characters, flags ----------------------------------------------------------------------------------


def test_s72001_needs_seventh_character_from_s72(library: CodeLibrary) -> None:
    found = answer(library, "S72.001")
    assert not found.billable
    seventh = found.seventh_characters()
    assert seventh is not None
    assert seventh.source == "S72"
    assert tuple(c for c, _ in seventh.values) == SEVENTH_S72
    assert dict(seventh.values)["A"] == "initial encounter for closed fracture"
    assert dict(seventh.values)["S"] == "sequela"
    assert [c.code for c in found.children()] == [f"S72.001{c}" for c in SEVENTH_S72]


def test_s72001a_is_billable(library: CodeLibrary) -> None:
    found = answer(library, "S72.001A")
    assert found.billable
    assert found.record.kind is CodeKind.CODE


def test_o80_maternity_flag(library: CodeLibrary) -> None:
    found = answer(library, "O80")
    assert found.billable
    assert "maternity" in found.flags
    flags = found.to_dict()["mce_flags"]
    assert isinstance(flags, list)
    assert {"flag": "maternity", "meaning": "age edit: maternity (ages 9-64 from FY2020, 12-55 before)"} in flags


def test_header_has_no_flags(library: CodeLibrary) -> None:
    found = answer(library, "E11")
    assert not found.billable
    assert found.flags == frozenset()


# -- hierarchy ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("Chapter 4", CodeKind.CHAPTER),
        ("E08-E13", CodeKind.BLOCK),
        ("E11", CodeKind.CATEGORY),
        ("E11.2", CodeKind.SUBCATEGORY),
        ("E11.22", CodeKind.CODE),
    ],
)
def test_kinds(library: CodeLibrary, code: str, kind: CodeKind) -> None:
    rec = library.icd10cm.get(code)
    assert rec is not None
    assert rec.code == code
    assert rec.kind is kind


def test_ancestors_end_with_chapter(library: CodeLibrary) -> None:
    chain = answer(library, "E11.22").ancestors()
    assert [(a.code, a.kind) for a in chain] == [
        ("E11.2", CodeKind.SUBCATEGORY),
        ("E11", CodeKind.CATEGORY),
        ("E08-E13", CodeKind.BLOCK),
        ("Chapter 4", CodeKind.CHAPTER),
    ]
    assert chain[-1].parent is None


def test_children_of_subcategory(library: CodeLibrary) -> None:
    assert [c.code for c in answer(library, "E11.2").children()] == ["E11.21", "E11.22", "E11.29"]


# -- dated validity -----------------------------------------------------------------------------------------


def test_code_added_fy2025(library: CodeLibrary) -> None:
    rec = library.icd10cm.get("C81.0A")
    assert rec is not None
    assert rec.periods[0].start == date(2024, 10, 1)
    assert not answer(library, "C81.0A", date(2024, 6, 1)).billable
    assert not answer(library, "C81.0A", date(2024, 9, 30)).billable
    assert answer(library, "C81.0A", date(2024, 10, 1)).billable


@pytest.mark.parametrize("code", ["T81.32XA", "E66.8", "F50.01"])
def test_code_deleted_fy2025(library: CodeLibrary, code: str) -> None:
    rec = library.icd10cm.get(code)
    assert rec is not None
    assert rec.periods[-1].end == date(2024, 9, 30)
    assert answer(library, code, date(2024, 9, 30)).billable
    assert not answer(library, code, date(2024, 10, 1)).billable


def test_fy2026_category_qa0(library: CodeLibrary) -> None:
    # FY2026 added the first category with a letter in position 2 (QA0, neurodevelopmental disorders).
    rec = library.icd10cm.get("QA0")
    assert rec is not None and rec.kind is CodeKind.CATEGORY
    assert answer(library, "QA0.0101", date(2026, 5, 1)).billable
    assert answer(library, "qa00101", date(2026, 5, 1)).code == "QA0.0101"
    assert not answer(library, "QA0.0101", date(2025, 9, 30)).billable


@pytest.mark.parametrize(("code", "since"), [("H81.4", date(2019, 10, 1)), ("I60.2", date(2016, 10, 1))])
def test_collapsed_subcategory_is_billable_since(library: CodeLibrary, code: str, since: date) -> None:
    # H81.41-H81.49 were deleted on 2019-09-30 and H81.4 itself became the billable code.
    assert answer(library, code, since).billable
    assert answer(library, code, date(2026, 5, 1)).billable
    assert not answer(library, code, since - timedelta(days=1)).billable


def test_expanded_code_children_start_when_parent_ends(library: CodeLibrary) -> None:
    # E66.8 was split into E66.811-E66.813 and E66.89 on 2024-10-01.
    rec = library.icd10cm.get("E66.8")
    assert rec is not None
    below = list(library.icd10cm.descendants(rec))
    assert [d.code for d in below if d.period_on(date(2024, 10, 1))] == ["E66.811", "E66.812", "E66.813", "E66.89"]
    assert not any(d.period_on(date(2024, 9, 30)) for d in below)


# -- editions -----------------------------------------------------------------------------------------------


def test_date_past_newest_edition_has_notice(library: CodeLibrary) -> None:
    timeline = library.timeline(CodeSystem.ICD10CM)
    assert timeline is not None
    choice = timeline.choose(date(2026, 11, 28))
    assert choice.edition.name == "ICD-10-CM FY2026 April 1 update"
    assert choice.notice is not None
    assert "FY2027" in choice.notice
    assert "not loaded" in choice.notice


@pytest.mark.parametrize("on", [date(2024, 10, 1), date(2025, 3, 1), date(2025, 9, 30)])
def test_date_inside_fy2025_has_no_notice(library: CodeLibrary, on: date) -> None:
    timeline = library.timeline(CodeSystem.ICD10CM)
    assert timeline is not None
    choice = timeline.choose(on)
    assert choice.edition.name == "ICD-10-CM FY2025"
    assert choice.notice is None
    assert fiscal_year(on) == 2025


def test_date_before_icd10_answered_from_oldest_with_notice(library: CodeLibrary) -> None:
    timeline = library.timeline(CodeSystem.ICD10CM)
    assert timeline is not None
    choice = timeline.choose(date(2015, 9, 30))
    assert choice.edition.name == "ICD-10-CM FY2016"
    assert choice.notice is not None
    assert "before the oldest" in choice.notice


def test_lookup_carries_edition_and_notice(library: CodeLibrary) -> None:
    late = answer(library, "E11.9", date(2026, 11, 28))
    assert late.edition.name == "ICD-10-CM FY2026 April 1 update"
    assert late.notice is not None and "FY2027" in late.notice
    assert answer(library, "E11.9", date(2025, 3, 1)).notice is None


def test_edition_list_covers_every_system(library: CodeLibrary) -> None:
    systems = {e.system for e in library.editions()}
    for wanted in (
        CodeSystem.ICD10CM,
        CodeSystem.ICD10PCS,
        CodeSystem.HCPCS,
        CodeSystem.CPT,
        CodeSystem.POS,
        CodeSystem.MODIFIER,
        CodeSystem.CARC,
        CodeSystem.RARC,
        CodeSystem.TAXONOMY,
    ):
        assert wanted in systems, wanted


def test_icd10cm_editions_are_contiguous(library: CodeLibrary) -> None:
    timeline = library.timeline(CodeSystem.ICD10CM)
    assert timeline is not None
    eds = timeline.editions
    assert eds[0].effective == date(2015, 10, 1)
    for earlier, later in pairwise(eds):
        assert earlier.through is not None
        assert (later.effective - earlier.through).days == 1, (earlier.name, later.name)


# -- lookup -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["E11.22", "e11.22", "E1122", " E11.22 ", "e1122"])
def test_lookup_normalizes_input(library: CodeLibrary, typed: str) -> None:
    assert answer(library, typed).code == "E11.22"


def test_lookup_unknown_is_none(library: CodeLibrary) -> None:
    assert library.icd10cm.lookup("E11.95", date(2025, 3, 1)) is None
    assert library.icd10cm.lookup("NOPE99", date(2025, 3, 1)) is None


@pytest.mark.parametrize(
    ("typed", "key"),
    [("e11.9 ", "E119"), ("chapter 04", "Chapter 4"), ("E08-E13", "E08-E13"), ("s72.001a", "S72001A")],
)
def test_normalize(typed: str, key: str) -> None:
    assert normalize(typed) == key


def test_catalog_refuses_icd10cm(library: CodeLibrary) -> None:
    with pytest.raises(ValueError, match="icd10cm"):
        library.catalog(CodeSystem.ICD10CM)


def test_validity_mask_agrees_with_periods_on_every_edition_boundary(library: CodeLibrary) -> None:
    """The per-edition bitmask (the fast path) must give the same answer as the dated periods it summarizes."""
    from datetime import timedelta

    icd = library.icd10cm
    days = {date(2015, 9, 30), date(2026, 11, 28), date(2030, 1, 1)}
    for edition in icd.timeline.editions:
        days |= {edition.effective, edition.effective - timedelta(days=1), edition.effective + timedelta(days=45)}
    records = [r for r in icd.records() if r.kind not in ("chapter", "block")]
    mismatches = [
        (r.code, day)
        for day in sorted(days)
        for r in records
        if icd.is_billable(r.code, day) != (r.period_on(day) is not None and day >= date(2015, 10, 1))
    ]
    assert mismatches == []
    answer = icd.lookup("E11.9", date(2025, 3, 1))
    assert answer is not None and answer.billable and answer.period is not None


def test_a_damaged_store_is_rebuilt(library: CodeLibrary, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The compiled store is only a cache: a truncated file is replaced by a fresh build, not reported forever."""
    from medbill.codes.store import store_path

    home = tmp_path_factory.mktemp("damaged-home")
    path = store_path(home)
    path.parent.mkdir(parents=True)
    path.write_bytes(library.path.read_bytes()[:4096])
    with CodeLibrary.open(home) as rebuilt:
        assert rebuilt.icd10cm.count_billable(date(2025, 3, 1)) == 74_260
