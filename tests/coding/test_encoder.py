"""The encoder on the shipped index tables: index path, table column, tabular completion, questions."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from medbill.cli.main import app
from medbill.codes import CodeLibrary
from medbill.coding.encoder import Encoder

D = date(2025, 3, 1)


@pytest.fixture(scope="module")
def encoder(library: CodeLibrary) -> Encoder:
    return Encoder(library)


@pytest.mark.parametrize(
    ("term", "index", "index_code", "code"),
    [
        # Drug table: intent not documented -> accidental (guideline I.C.19.e.5.b); 7th character from "initial".
        ("acetaminophen poisoning initial encounter", "Table of Drugs and Chemicals", "T39.1X1", "T39.1X1A"),
        (
            "intentional overdose of acetaminophen subsequent encounter",
            "Table of Drugs and Chemicals",
            "T39.1X2",
            "T39.1X2D",
        ),
        # Neoplasm table: behaviour column from the words; a row without a benign code follows its see-also.
        ("metastatic carcinoma to liver", "Neoplasm Table", "C78.7", "C78.7"),
        ("carcinoma in situ of cervix", "Neoplasm Table", "D06.9", "D06.9"),
        ("benign neoplasm of colon", "Neoplasm Table", "D12.6", "D12.6"),
        # External cause index: subterms with alternative wordings, placeholder X before the 7th character.
        ("accident boat striking swimmer powered initial encounter", "External Cause Index", "V94.11", "V94.11XA"),
        ("fall from ladder initial encounter", "External Cause Index", "W11", "W11.XXXA"),
    ],
)
def test_encodes_to_a_billable_code(encoder: Encoder, term: str, index: str, index_code: str, code: str) -> None:
    best = encoder.encode(term, D)[0]
    assert (best.index, best.index_code, best.code) == (index, index_code, code)
    assert best.questions == ()
    assert best.path[0].kind == "index"
    assert best.path[-1].kind in ("tabular", "7th character")


def test_asks_for_what_the_term_does_not_say(encoder: Encoder) -> None:
    breast = encoder.encode("breast cancer", D)[0]
    assert breast.index_code == "C50.9-" and breast.code is None
    (question,) = breast.questions
    assert [code for code, _ in question.options] == ["C50.91", "C50.92"]
    bite = encoder.encode("dog bite", D)[0]
    assert bite.index_code == "W54.0" and bite.code is None
    assert [c for c, _ in bite.questions[0].options] == ["A", "D", "S"]


def test_see_reference_is_followed(encoder: Encoder) -> None:
    car = encoder.encode("accident car", D)[0]
    assert [s.kind for s in car.path][:3] == ["index", "index", "see"]
    assert car.index_code == "V49.9"


def test_result_carries_tabular_instructions(encoder: Encoder) -> None:
    poisoning = encoder.encode("acetaminophen poisoning initial encounter", D)[0]
    assert any(note.startswith("code first") and "(from T36-T50)" in note for note in poisoning.notes)


def test_nothing_matches(encoder: Encoder) -> None:
    assert encoder.encode("zzzz qqqq", D) == []
    assert encoder.encode("", D) == []


def test_without_the_main_index_a_diagnosis_gets_a_notice_and_tabular_choices(encoder: Encoder) -> None:
    results = encoder.encode("fracture of femur", D)
    fallback = results[-1]
    assert fallback.index.startswith("Tabular search") and fallback.code is None
    assert "not loaded" in fallback.path[0].text and fallback.path[0].kind == "notice"
    (question,) = fallback.questions
    assert question.options and all(code.startswith("S72") for code, _ in question.options)


def test_a_fully_walked_external_cause_needs_no_fallback(encoder: Encoder) -> None:
    assert [r.index for r in encoder.encode("fall from ladder initial encounter", D)] == ["External Cause Index"]


def test_numbers_do_not_make_a_substance_and_empty_walks_are_dropped(encoder: Encoder) -> None:
    assert all(r.index != "Table of Drugs and Chemicals" for r in encoder.encode("type 2 diabetes", D))
    aspirin = encoder.encode("poisoning by aspirin", D)
    assert [r.index for r in aspirin] == ["Table of Drugs and Chemicals"]


def test_cli_encode_json_and_text(library: CodeLibrary) -> None:
    result = CliRunner().invoke(
        app, ["coding", "encode", "fall from ladder initial encounter", "--on", "2025-03-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    best = json.loads(result.stdout)[0]
    assert best["code"] == "W11.XXXA" and best["path"][0]["text"] == "External Cause Index: main term 'Fall, falling'"
    text = CliRunner().invoke(app, ["coding", "encode", "breast cancer", "--on", "2025-03-01"])
    assert text.exit_code == 0 and "C50.91" in text.stdout and "incomplete" in text.stdout


def test_a_row_s_own_wording_wins_a_tie(encoder: Encoder) -> None:
    """ "lung" matches both the "lung" row and "lingula, lung": the row titled "lung" is the coder's choice."""
    best = encoder.encode("malignant neoplasm of lung", D)[0]
    assert best.index_code == "C34.9-"


def test_stated_accidental_intent_is_called_documented(encoder: Encoder) -> None:
    stated = encoder.encode("accidental acetaminophen poisoning initial encounter", D)[0]
    column = next(step for step in stated.path if step.kind == "column")
    assert column.text.startswith("Poisoning Accidental (unintentional): T39.1X1 (documented: accidental")
    silent = encoder.encode("acetaminophen poisoning initial encounter", D)[0]
    assert "intent not documented" in next(step for step in silent.path if step.kind == "column").text
