"""The one term matcher: queries and notes read the same way (abbreviations, spelling, offsets)."""

from __future__ import annotations

from datetime import date

import pytest

from medbill.codes import CodeLibrary
from medbill.coding.cac import Coder
from medbill.coding.matcher import TermMatcher, note_tokens, word_terms
from medbill.coding.search import Searcher

VOCAB = {"hematuria": 12, "edema": 30, "tumor": 40, "pancreatitis": 9, "fracture": 50, "abuse": 7, "center": 3,
         "urethrostomy": 2, "through": 5, "dyspnea": 8, "accelerated": 4}  # fmt: skip


def test_abbreviations_follow_one_policy_for_queries_and_notes() -> None:
    # A query is typed on purpose: any case expands. A note's lower-case "ms" is a title, not multiple sclerosis.
    assert word_terms("htn", strict=False) == word_terms("HTN") == ("hypertension",)
    assert word_terms("ms") == ("ms",)
    assert word_terms("MS") == ("multiple", "sclerosis")
    assert word_terms("n/v", strict=False) == ("nausea", "vomiting")
    toks = note_tokens("Pt with HTN.")
    assert [(t.text, t.start, t.end) for t in toks] == [("pt", 0, 2), ("with", 3, 7), ("hypertension", 8, 11)]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("haematuria", "hematuria"),  # British spelling
        ("oedema", "edema"),
        ("tumour", "tumor"),
        ("centre", "center"),
        ("dyspnoea", "dyspnea"),
        ("abused", "abuse"),  # inflection
        ("accelerate", "accelerated"),
        ("pancraetitis", "pancreatitis"),  # two letters swapped
        ("urethrotomy", "urethrotomy"),  # another procedure, not a typo of urethrostomy
        ("though", "though"),  # a real word one letter from "through"
        ("edem", "edem"),  # under 6 letters: left alone
        ("hematuria", "hematuria"),
    ],
)
def test_correct_reads_spellings_inflections_and_swaps_only(word: str, expected: str) -> None:
    assert TermMatcher(VOCAB).correct(word) == expected


def test_known_words_and_ambiguity_are_left_alone() -> None:
    assert TermMatcher(VOCAB, known=frozenset({"abused"})).correct("abused") == "abused"
    two = TermMatcher({"abcdef": 1, "bacdef": 1, "acbdef": 1})
    assert two.correct("bacdfe") == "bacdef"
    assert TermMatcher({"abcdfe": 1, "abcedf": 1}).correct("abcdef") == "abcdef"  # two swaps away: ambiguous


def test_search_and_cac_read_british_spelling_alike(library: CodeLibrary) -> None:
    searcher = Searcher(library)
    hits = searcher.search("haematuria", limit=5)
    assert hits and hits[0].code.startswith("R31")
    coder = Coder(library)
    note = "Painless haematuria for two weeks."
    result = coder.suggest(note, on=date(2025, 3, 1))
    found = [s for s in [*result.suggestions, *result.candidates] if s.code.startswith("R31")]
    assert found, [s.code for s in result.suggestions]
    start, end = found[0].evidence[0]
    assert "haematuria" in note[start:end].lower()
