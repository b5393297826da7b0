"""Computer-assisted coding on small invented notes: assertion handling, evidence offsets, validity (the lexicon
layer, `ranked=False`), the re-ranked decision set and candidates, the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medbill.cli.main import app
from medbill.codes import CodeLibrary
from medbill.coding.cac import (
    Coder,
    CodingResult,
    Suggestion,
    assertion_of,
    history_code,
    learn_lexicon,
    suggest,
)
from medbill.coding.matcher import note_tokens
from medbill.coding.validation import Validator

D = date(2025, 3, 1)
WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def coder(library: CodeLibrary) -> Coder:
    return Coder(library, ranked=False)


@pytest.fixture(scope="module")
def ranked(library: CodeLibrary) -> Coder:
    return Coder(library)


def by_code(suggestions: Iterable[Suggestion]) -> dict[str, Suggestion]:
    return {s.code: s for s in suggestions}


def test_present_conditions_found_with_evidence(coder: Coder) -> None:
    note = "Patient with essential hypertension and type 2 diabetes mellitus, here for follow-up."
    found = by_code(coder.suggest(note, on=D))
    assert "I10" in found
    assert "E11.9" in found
    assert found["E11.9"].assertion == "present"
    words = [note[s:e].lower() for s, e in found["E11.9"].evidence]
    assert words == ["type", "2", "diabetes", "mellitus"]
    assert 0.0 < found["I10"].confidence <= 1.0


def test_word_order_and_small_gaps_are_tolerated(coder: Coder) -> None:
    # "Fracture of unspecified part of neck of left femur" (S72.002-, 7th character A for the initial encounter).
    found = by_code(coder.suggest("Left femur neck fracture, seen on x-ray.", on=D))
    assert "S72.002A" in found
    note = "Fracture of the neck of the left femur."
    assert "S72.002A" in by_code(coder.suggest(note, on=D))


def test_abbreviations_are_spelled_out(coder: Coder) -> None:
    note = "PMH none. Today COPD exacerbation."
    found = by_code(coder.suggest(note, on=D))
    assert any(code.startswith("J44") for code in found)
    j44 = next(s for c, s in found.items() if c.startswith("J44"))
    assert "COPD" in [note[s:e] for s, e in j44.evidence]


def test_negated_findings_are_dropped(coder: Coder) -> None:
    assert not any(s.code == "I10" for s in coder.suggest("The patient denies hypertension.", on=D))
    assert not any(s.code.startswith("J18") for s in coder.suggest("No pneumonia on chest film.", on=D))
    assert not any(s.code.startswith("J18") for s in coder.suggest("Pneumonia was ruled out.", on=D))


def test_history_of_maps_to_a_personal_history_z_code(coder: Coder) -> None:
    found = by_code(coder.suggest("History of myocardial infarction.", on=D))
    assert not any(code.startswith("I21") for code in found)
    assert "Z86.79" in found
    assert found["Z86.79"].assertion == "historical"


def test_family_history_maps_to_a_family_history_z_code(coder: Coder) -> None:
    found = by_code(coder.suggest("His mother had type 2 diabetes mellitus.", on=D))
    assert "E11.9" not in found
    assert "Z83.3" in found
    assert found["Z83.3"].assertion == "family"


def test_uncertain_follows_the_setting(coder: Coder) -> None:
    note = "Possible pneumonia."
    assert not any(s.code.startswith("J18") for s in coder.suggest(note, setting="outpatient", on=D))
    inpatient = [s for s in coder.suggest(note, setting="inpatient", on=D) if s.code.startswith("J18")]
    assert inpatient
    assert inpatient[0].assertion == "uncertain"


def test_every_suggestion_is_valid_billable_and_evidence_slices_back(coder: Coder, library: CodeLibrary) -> None:
    note = (
        "A 64-year-old man with chronic obstructive pulmonary disease and atrial fibrillation.\n"
        "He reports abdominal pain and nausea. Anemia was noted. No fever.\n"
        "Family history of breast cancer. History of appendicitis.\n"
    )
    validator = Validator(library)
    suggestions = coder.suggest(note, setting="inpatient", on=D)
    assert suggestions
    assert [s.confidence for s in suggestions] == sorted((s.confidence for s in suggestions), reverse=True)
    for s in suggestions:
        result = validator.validate(s.code, D)
        assert result.valid and result.billable, s.code
        assert s.assertion in {"present", "uncertain", "historical", "family"}
        for start, end in s.evidence:
            assert 0 <= start < end <= len(note)
            piece = note[start:end]
            assert piece == piece.strip() and piece.isalnum(), (s.code, piece)
    assert not any(s.code.startswith("R50") for s in suggestions)  # "No fever"


def test_assertion_rules() -> None:
    def of(sentence: str, words: str) -> str:
        start = sentence.index(words)
        return assertion_of(sentence, start, start + len(words))

    assert of("Denies chest pain.", "chest pain") == "negated"
    assert of("Chest pain, but no dyspnea.", "Chest pain") == "present"
    assert of("Negative for malignancy.", "malignancy") == "negated"
    assert of("Suspected appendicitis.", "appendicitis") == "uncertain"
    assert of("History of asthma.", "asthma") == "historical"
    assert of("Father with colon cancer.", "colon cancer") == "family"
    assert of("Cholecystitis was ruled out.", "Cholecystitis") == "negated"


def test_history_codes() -> None:
    assert history_code("I21.9", "historical") == "Z86.79"
    assert history_code("E11.9", "family") == "Z83.3"
    assert history_code("C50.919", "family") == "Z80.9"
    assert history_code("R52", "historical") is None


def test_note_tokens_keep_offsets() -> None:
    text = "Known HTN, injuries."
    toks = note_tokens(text)
    assert [t.text for t in toks] == ["known", "hypertension", "injury"]
    assert [text[t.start : t.end] for t in toks] == ["Known", "HTN", "injuries"]


def test_learn_lexicon_by_hand() -> None:
    gold = {"a": {"n20.0"}, "b": {"n20.0"}, "c": {"r52"}, "d": {"n20.0", "r52"}}
    texts = {"a": "Renal colic today.", "b": "Renal colic again.", "c": "Pain today.", "d": "Renal colic, pain."}
    rows = {(g, c): (both, total) for g, c, both, total in learn_lexicon(gold, texts, min_both=2, min_precision=0.5)}
    # "renal colic" is in a, b, d (3 notes), all coded N20.0: 3 / (3 + 1) = 0.75 >= 0.5.
    assert rows[("renal colic", "N20.0")] == (3, 3)
    # "pain" is in c and d, both coded R52: 2 / 3 >= 0.5; "today" (a, c) never shares a code twice.
    assert rows[("pain", "R52")] == (2, 2)
    assert not any(g == "today" for g, _ in rows)


def test_suggest_cli(tmp_path: Path, library: CodeLibrary) -> None:
    note = tmp_path / "note.txt"
    text = "Patient with essential hypertension. Denies chest pain.\n"
    note.write_text(text, encoding="utf-8")
    args = ["coding", "suggest", str(note), "--on", "2025-03-01", "--json", "--threshold", "0"]
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) == {"suggestions", "candidates"}
    i10 = next(s for s in payload["suggestions"] if s["code"] == "I10")
    assert set(i10) == {"code", "title", "confidence", "evidence", "matched", "assertion", "sources"}
    assert i10["assertion"] == "present" and "code set" in i10["sources"]
    assert all(text[e["start"] : e["end"]] == e["text"] for e in i10["evidence"])
    # Even at threshold 0 the denied chest pain is no suggestion (only codes of similar notes, without evidence);
    # it stays in the ranking as a negated candidate.
    assert not any(s["code"].startswith("R07") and s["evidence"] for s in payload["suggestions"])
    r079 = next(s for s in payload["candidates"] if s["code"] == "R07.9")
    assert r079["assertion"] == "negated"
    assert [s["confidence"] for s in payload["candidates"]] == sorted(
        (s["confidence"] for s in payload["candidates"]), reverse=True
    )
    plain = CliRunner().invoke(
        app,
        ["coding", "suggest", str(note), "--setting", "inpatient", "--threshold", "0.01", "--candidates", "3"],
        env=WIDE,
    )
    assert plain.exit_code == 0, plain.output
    assert "I10" in plain.output
    assert "next 3 candidates" in plain.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no note file"),
        (b"", "is empty"),
        (b"  \n", "is empty"),
        (b"\x00\x01ab", "binary"),
        (b"\xff\xfe\xfa", "UTF-8"),
    ],
)
def test_suggest_cli_bad_input(tmp_path: Path, library: CodeLibrary, content: bytes | None, message: str) -> None:
    note = tmp_path / "note.txt"
    if content is not None:
        note.write_bytes(content)
    result = CliRunner().invoke(app, ["coding", "suggest", str(note)], env=WIDE)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # A heading, not a history cue: the conditions are current.
        (
            "History of present illness: 58 year old man with type 2 diabetes mellitus and essential hypertension.",
            {("E11.9", "present"), ("I10", "present")},
        ),
        # A relative mentioned in passing does not make the patient's condition family history.
        ("Patient lives with his parents and has chronic obstructive pulmonary disease.", {("J44.9", "present")}),
        ("His mother has type 2 diabetes mellitus.", {("Z83.3", "family")}),
        # "without complications" is not "with complications".
        ("Type 2 diabetes mellitus without complications.", {("E11.9", "present")}),
    ],
)
def test_clause_level_assertions_and_absent_words(
    library: CodeLibrary, note: str, expected: set[tuple[str, str]]
) -> None:
    got = {(s.code, s.assertion) for s in Coder(library, ranked=False).suggest(note, on=date(2025, 3, 1))}
    assert expected <= got
    assert not any(code in ("E11.69", "E11.8", "Z86.39", "Z83.6") for code, _ in got)


def test_negation_by_a_relative_is_still_negation(coder: Coder, ranked: Coder) -> None:
    note = "Mother denies that the child has asthma."
    assert list(coder.suggest(note, on=date(2025, 3, 1))) == []
    result = ranked.suggest(note, on=date(2025, 3, 1), threshold=0.0)
    assert not any(s.code.startswith("J45") for s in result.suggestions)


# -- the re-ranked coder (the default) ---------------------------------------------------------------------------
NOTE = (
    "A 64-year-old man with chronic obstructive pulmonary disease and atrial fibrillation was admitted.\n"
    "He reports abdominal pain and nausea. Anemia was noted. No fever. Pneumonia was ruled out.\n"
    "Possible appendicitis. Family history of breast cancer. History of myocardial infarction.\n"
    "CT showed a 5 mm stone in the right ureter with hydronephrosis; renal colic was treated.\n"
)


def test_ranked_result_decision_set_and_candidates(ranked: Coder, library: CodeLibrary) -> None:
    result = ranked.suggest(NOTE, on=D)
    assert isinstance(result, CodingResult)
    assert result.suggestions, "a note this explicit has suggestions above 0.20"
    assert list(result) == result.suggestions and len(result) == len(result.suggestions)
    assert result.ranking == result.suggestions + result.candidates
    probs = [s.confidence for s in result.suggestions]
    assert probs == sorted(probs, reverse=True) and all(0.2 <= p <= 1.0 for p in probs)
    assert len({s.code for s in result.ranking}) == len(result.ranking)
    validator = Validator(library)
    for s in result.ranking:
        check = validator.validate(s.code, D)
        assert check.valid and check.billable, s.code
        assert s.sources
        for start, end in s.evidence:
            assert 0 <= start < end <= len(NOTE)
    for s in result.suggestions:
        assert s.assertion in {"present", "historical", "family"}
    for s in result.candidates:
        assert s.confidence < 0.2 or s.assertion in {"negated", "uncertain"}
    found = by_code(result.suggestions)
    assert "J44.9" in found and found["J44.9"].evidence
    assert next(NOTE[a:b] for a, b in found["J44.9"].evidence).lower() == "chronic"


def test_ranked_never_suggests_negated_or_outpatient_uncertain(ranked: Coder) -> None:
    out = ranked.suggest(NOTE, on=D, threshold=0.0)
    # At threshold 0 every code of the similar notes (no evidence in this note) is in the set; the mentions are not.
    codes = by_code(s for s in out.suggestions if s.evidence)
    assert not any(c.startswith("J18") for c in codes)  # "Pneumonia was ruled out."
    assert not any(c.startswith(("K35", "K36", "K37")) for c in codes)  # "Possible appendicitis."
    assert all(s.assertion not in ("negated", "uncertain") for s in out.suggestions)
    inpatient = ranked.suggest(NOTE, on=D, setting="inpatient", threshold=0.0)
    uncertain = [s for s in inpatient.suggestions if s.assertion == "uncertain"]
    assert any(s.code.startswith(("K35", "K36", "K37")) for s in uncertain)
    assert not any(s.assertion == "negated" for s in inpatient.suggestions)


def test_ranked_module_level_suggest_and_empty_note(library: CodeLibrary) -> None:
    result = suggest("Well.", library, on=D)
    assert isinstance(result, CodingResult)
    assert all(s.confidence < 0.2 for s in result.candidates)
