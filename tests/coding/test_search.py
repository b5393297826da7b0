"""Ranked code search over the shipped code sets: abbreviations, typos, filters and code-like queries."""

from __future__ import annotations

from datetime import date

import pytest

from medbill.codes import CodeLibrary
from medbill.codes.editions import CodeSystem
from medbill.coding.search import Searcher, SearchHit

D = date(2025, 3, 1)


@pytest.fixture(scope="module")
def searcher(library: CodeLibrary) -> Searcher:
    return Searcher(library)


def codes(hits: list[SearchHit]) -> list[str]:
    return [h.code for h in hits]


def test_dm2_with_ckd(searcher: Searcher) -> None:
    hits = searcher.search("DM2 with CKD", on=D)
    assert hits[0].code == "E11.22"
    assert hits[0].system == "ICD-10-CM"
    assert hits[0].billable


def test_chf_heart_failure_in_top_3(searcher: Searcher) -> None:
    top = searcher.search("CHF", on=D, limit=3)
    assert len(top) == 3
    assert any(h.code.startswith("I50") for h in top)
    assert all("heart failure" in h.description.lower() for h in top)


def test_copd_exacerbation(searcher: Searcher) -> None:
    assert searcher.search("COPD exacerbation", on=D)[0].code == "J44.1"


def test_wheelchair_finds_dx_and_hcpcs(searcher: Searcher) -> None:
    hits = searcher.search("wheelchair", on=D)
    found = codes(hits)
    assert "Z99.3" in found
    assert any(h.system == "HCPCS" and h.code.startswith("K000") for h in hits)


def test_typo_still_finds_pneumonia(searcher: Searcher) -> None:
    top = searcher.search("pnuemonia", on=D, limit=5)
    assert len(top) == 5
    assert all("pneumonia" in h.description.lower() for h in top)


def test_typo_scores_below_exact_spelling(searcher: Searcher) -> None:
    exact = searcher.search("pneumonia", on=D, limit=1)[0]
    typo = searcher.search("pnuemonia", on=D, limit=1)[0]
    assert typo.score < exact.score


def test_htn_has_i10_in_top_3(searcher: Searcher) -> None:
    assert "I10" in codes(searcher.search("HTN", on=D, limit=3))


def test_htn_top_hit_is_billable_i10(searcher: Searcher) -> None:
    # The billable I10 outranks the header I1A "Other hypertension".
    top = searcher.search("HTN", on=D, limit=1)[0]
    assert top.billable
    assert top.code == "I10"


@pytest.mark.parametrize("query", ["pneumonia", "pnuemonia"])
def test_pneumonia_unspecified_in_top_5(searcher: Searcher, query: str) -> None:
    # Terms headed by the query word ("Pneumonia, unspecified organism") beat "Typhoid pneumonia".
    assert "J18.9" in codes(searcher.search(query, on=D, limit=5))


@pytest.mark.parametrize(
    ("query", "expected"),
    [("CKD", "N18.9"), ("UTI", "N39.0"), ("afib", "I48.91"), ("asthma", "J45.909")],
)
def test_abbreviations_and_common_terms(searcher: Searcher, query: str, expected: str) -> None:
    assert expected in codes(searcher.search(query, on=D, limit=3))


# -- filters ------------------------------------------------------------------------------------------------


def test_systems_filter_hcpcs_only(searcher: Searcher) -> None:
    hits = searcher.search("wheelchair", on=D, systems=frozenset({CodeSystem.HCPCS}), limit=50)
    assert len(hits) == 50
    assert {h.system for h in hits} == {"HCPCS"}


def test_systems_filter_icd_only(searcher: Searcher) -> None:
    hits = searcher.search("wheelchair", on=D, systems=frozenset({CodeSystem.ICD10CM}), limit=50)
    assert hits
    assert {h.system for h in hits} == {"ICD-10-CM"}
    assert "Z99.3" in codes(hits)


def test_billable_only(searcher: Searcher) -> None:
    everything = searcher.search("heart failure", on=D, limit=50)
    assert not all(h.billable for h in everything), "the unfiltered list should contain headers (I50)"
    hits = searcher.search("heart failure", on=D, billable_only=True, limit=50)
    assert hits
    assert all(h.billable for h in hits)
    assert "I50" not in codes(hits)
    icd = searcher.library.icd10cm
    for h in hits:
        if h.system == "ICD-10-CM":
            rec = icd.get(h.code)
            assert rec is not None and rec.period_on(D) is not None


def test_billable_depends_on_date(searcher: Searcher) -> None:
    before = {h.code: h.billable for h in searcher.search("Hodgkin lymphoma in remission", on=date(2024, 6, 1))}
    after = {h.code: h.billable for h in searcher.search("Hodgkin lymphoma in remission", on=date(2024, 10, 1))}
    assert before.get("C81.0A") is False or "C81.0A" not in before
    assert any(code.endswith("A") and code.startswith("C81") and ok for code, ok in after.items())


@pytest.mark.parametrize("chapter", ["9", "09", "Chapter 9"])
def test_chapter_filter(searcher: Searcher, chapter: str) -> None:
    hits = searcher.search("heart failure", on=D, chapter=chapter, limit=50)
    assert hits
    assert all(h.system == "ICD-10-CM" for h in hits)
    assert all(h.code.startswith("I") for h in hits)
    unfiltered = searcher.search("heart failure", on=D, limit=50)
    assert any(not h.code.startswith("I") for h in unfiltered), "the filter should have removed something"


def test_every_hit_has_matched_text(searcher: Searcher) -> None:
    for query in ("DM2 with CKD", "CHF", "wheelchair", "pnuemonia", "femur neck fx"):
        for hit in searcher.search(query, on=D):
            assert hit.matched.strip(), (query, hit)
            assert hit.description.strip()
            assert 0 < hit.score <= 1


def test_hits_are_sorted_and_unique(searcher: Searcher) -> None:
    hits = searcher.search("fracture of femur", on=D, limit=40)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    keys = [(h.system, h.code) for h in hits]
    assert len(keys) == len(set(keys))


def test_limit(searcher: Searcher) -> None:
    assert len(searcher.search("fracture", on=D, limit=7)) == 7


@pytest.mark.parametrize("query", ["", "   ", "the of", "!!!"])
def test_empty_queries_return_nothing(searcher: Searcher, query: str) -> None:
    assert searcher.search(query, on=D) == []


# -- code-like queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["E11.9", "e11.9", "E119"])
def test_code_query_first(searcher: Searcher, query: str) -> None:
    hit = searcher.search(query, on=D)[0]
    assert hit.code == "E11.9"
    assert hit.score == 1.0
    assert hit.matched_kind == "code"


def test_hcpcs_code_query(searcher: Searcher) -> None:
    hits = searcher.search("J1100", on=D)
    assert ("HCPCS", "J1100") in [(h.system, h.code) for h in hits[:2]]


def test_cpt_number_query(searcher: Searcher) -> None:
    hit = searcher.search("99213", on=D)[0]
    assert (hit.system, hit.code) == ("CPT", "99213")


def test_qa0_code_query(searcher: Searcher) -> None:
    hits = searcher.search("QA0.0101", on=date(2026, 5, 1))
    assert hits and hits[0].code == "QA0.0101"


def test_to_dict(searcher: Searcher) -> None:
    payload = searcher.search("CHF", on=D, limit=1)[0].to_dict()
    assert set(payload) == {"code", "system", "description", "score", "matched", "matched_kind", "billable", "edition"}
    assert payload["edition"] == "ICD-10-CM FY2025"
