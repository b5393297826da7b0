"""CAC evaluation metrics on hand-computed examples, the CodiEsp reader, and the dev-split evaluation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medbill.cli.main import app
from medbill.codes import CodeLibrary
from medbill.coding.cac import Coder
from medbill.coding.evaluate import (
    average_precision,
    category_f1,
    evaluate,
    evaluate_ranked,
    load_codiesp,
    mean_average_precision,
    micro_prf,
    norm_code,
    score,
)

KEYS = {"micro_precision", "micro_recall", "micro_f1", "category_f1", "map", "map_decision_set", "notes_per_s"}
GOLD = {"d1": {"a01.1", "b02.2"}, "d2": {"c03.3"}, "d3": set()}
PRED = {"d1": ["A011", "X99.9", "b02.25"], "d2": ["C03.3"], "d3": ["Z00.0"]}


def test_norm_code_ignores_case_and_dot() -> None:
    assert norm_code(" n44.8 ") == norm_code("N448") == "N448"


def test_micro_prf_by_hand() -> None:
    # True positives: A01.1 (d1), C03.3 (d2) = 2. Predicted: 3 + 1 + 1 = 5. Gold: 2 + 1 + 0 = 3.
    p, r, f = micro_prf(GOLD, PRED)
    assert p == pytest.approx(2 / 5)
    assert r == pytest.approx(2 / 3)
    assert f == pytest.approx(2 * 0.4 * (2 / 3) / (0.4 + 2 / 3))  # = 0.5


def test_micro_prf_counts_duplicates_once_and_empty_is_zero() -> None:
    assert micro_prf({"d": {"a01"}}, {"d": ["A01", "a01", "A.01"]}) == (1.0, 1.0, 1.0)
    assert micro_prf({}, {}) == (0.0, 0.0, 0.0)


def test_category_f1_by_hand() -> None:
    # Categories: d1 gold {A01, B02}, predicted {A01, X99, B02}; d2 {C03} vs {C03}; d3 {} vs {Z00}.
    # TP = 3, predicted = 5, gold = 3: P 0.6, R 1.0, F1 = 1.2 / 1.6 = 0.75.
    assert category_f1(GOLD, PRED) == pytest.approx(0.75)


def test_average_precision_by_hand() -> None:
    # Gold {a, b}; ranking [a, x, b]: hits at ranks 1 and 3 -> (1/1 + 2/3) / 2.
    assert average_precision({"A01", "B02"}, ["A01", "X99", "B02"]) == pytest.approx((1 + 2 / 3) / 2)
    # A gold code never ranked still counts in the denominator.
    assert average_precision({"A01", "B02"}, ["X99", "A01"]) == pytest.approx((1 / 2) / 2)
    assert average_precision({"A01"}, []) == 0.0


def test_map_skips_documents_without_gold() -> None:
    # d1: gold {A011, B022}, ranking [A011, X999, B0225]: one hit at rank 1 -> (1/1) / 2 = 0.5.
    # d2: one hit at rank 1 -> 1.0. d3 has no gold: skipped. MAP = (0.5 + 1.0) / 2.
    assert mean_average_precision(GOLD, PRED) == pytest.approx(0.75)


def test_score_bundles_the_figures() -> None:
    s = score(GOLD, PRED, notes_per_s=12.5)
    assert set(s.to_dict()) == KEYS
    assert s.micro_f1 == pytest.approx(0.5)
    assert s.notes_per_s == 12.5
    assert s.map_decision_set == s.map


def test_ranked_scores_set_first_then_candidates() -> None:
    # n1: decision set [A01.1] then candidates [X99.9, B02.2]; n2: nothing. P/R/F1 on the decision sets;
    # map on the rankings: n1 hits at ranks 1 and 3 -> (1 + 2/3) / 2, n2 0; map_decision_set: n1 (1/1) / 2, n2 0.
    gold = {"n1": {"a01.1", "b02.2"}, "n2": {"c03.3"}}
    lists = {"one": (["A01.1"], ["X99.9", "B02.2"]), "two": ([], [])}
    scores, decided, ranking = evaluate_ranked(gold, {"n1": "one", "n2": "two"}, lambda text: lists[text])
    assert decided == {"n1": ["A01.1"], "n2": []}
    assert ranking == {"n1": ["A01.1", "X99.9", "B02.2"], "n2": []}
    assert scores.micro_precision == 1.0
    assert scores.micro_recall == pytest.approx(1 / 3)
    assert scores.map == pytest.approx((1 + 2 / 3) / 2 / 2)
    assert scores.map_decision_set == pytest.approx(0.5 / 2)


def _tiny_corpus(root: Path) -> Path:
    (root / "dev" / "text_files_en").mkdir(parents=True)
    (root / "dev" / "devD.tsv").write_text("n1\ti10\nn1\te11.9\nn2\tj45.909\n", encoding="utf-8")
    (root / "dev" / "text_files_en" / "n1.txt").write_text("Known hypertension.\n", encoding="utf-8")
    (root / "dev" / "text_files_en" / "n2.txt").write_text("Nothing to see.\n", encoding="utf-8")
    (root / "dev" / "text_files_en" / "n3.txt").write_text("Well.\n", encoding="utf-8")
    return root


def test_load_codiesp_and_evaluate(tmp_path: Path) -> None:
    gold, texts = load_codiesp(_tiny_corpus(tmp_path), "dev")
    assert gold == {"n1": {"i10", "e11.9"}, "n2": {"j45.909"}, "n3": set()}
    assert set(texts) == {"n1", "n2", "n3"}
    scores, predicted = evaluate(gold, texts, lambda text: ["I10"] if "hypertension" in text else [])
    assert predicted == {"n1": ["I10"], "n2": [], "n3": []}
    assert scores.micro_precision == 1.0
    assert scores.micro_recall == pytest.approx(1 / 3)
    assert scores.map == pytest.approx((1 / 2 + 0) / 2)
    assert scores.notes_per_s > 0


def test_eval_cli_json_and_missing_files(tmp_path: Path, library: CodeLibrary) -> None:
    root = _tiny_corpus(tmp_path / "c")
    result = CliRunner().invoke(app, ["eval", "codiesp", "--data", str(root), "--split", "dev", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) == KEYS
    assert 0.0 <= payload["micro_recall"] <= 1.0
    assert payload["map"] >= payload["map_decision_set"]
    missing = CliRunner().invoke(app, ["eval", "codiesp", "--data", str(root), "--split", "test"])
    assert missing.exit_code == 2
    assert "testD.tsv" in missing.output
    assert "Traceback" not in missing.output
    nowhere = CliRunner().invoke(app, ["eval", "codiesp", "--data", str(tmp_path / "none"), "--split", "dev"])
    assert nowhere.exit_code == 2
    assert "no CodiEsp folder" in nowhere.output


@pytest.mark.shared
def test_codiesp_dev_evaluation(shared_dir: Path, library: CodeLibrary) -> None:
    data = shared_dir / "eval" / "codiesp"
    if not (data / "dev" / "devD.tsv").is_file():
        pytest.skip("CodiEsp dev split not present under ../shared/eval")
    gold, texts = load_codiesp(data, "dev")
    coder = Coder(library)

    def codes(text: str) -> tuple[list[str], list[str]]:
        result = coder.suggest(text)
        return [s.code for s in result.suggestions], [s.code for s in result.candidates]

    scores, _, _ = evaluate_ranked(gold, texts, codes)
    for value in scores.to_dict().values():
        assert math.isfinite(value)
    for value in (scores.micro_precision, scores.micro_recall, scores.micro_f1, scores.category_f1, scores.map):
        assert 0.0 <= value <= 1.0
    # The re-ranked coder on the English dev split (250 notes), outpatient, threshold 0.20, measured: P 0.653 /
    # R 0.426 / micro-F1 0.516, category F1 0.579, MAP 0.467 (decision set + candidates), map_decision_set 0.358.
    assert scores.micro_f1 >= 0.50
    assert scores.micro_precision >= 0.60
    assert scores.map >= 0.45
    assert 0.0 < scores.map_decision_set <= scores.map


@pytest.mark.shared
def test_codiesp_dev_lexicon_only_baseline(shared_dir: Path, library: CodeLibrary) -> None:
    data = shared_dir / "eval" / "codiesp"
    if not (data / "dev" / "devD.tsv").is_file():
        pytest.skip("CodiEsp dev split not present under ../shared/eval")
    gold, texts = load_codiesp(data, "dev")
    coder = Coder(library, ranked=False)
    scores, _ = evaluate(gold, texts, lambda text: [s.code for s in coder.suggest(text)])
    assert scores.micro_f1 >= 0.402 - 0.02  # micro-F1 0.402 (P 0.450 / R 0.364), the lexicon-only baseline
