"""The re-ranked CAC's run-time pieces: the tree evaluator, the TF-IDF reimplementation, the kNN, the packaged
model files and their checksums."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from importlib import resources

import numpy as np
import pytest

from medbill.coding import ranker as rk
from medbill.errors import MedbillError

NOTES = [
    "A 45-year-old woman with type 2 diabetes mellitus and essential hypertension presented with chest pain.",
    "The patient denied fever. Chest X-ray showed a right lower lobe pneumonia; the pneumonia was treated.",
    "History of breast cancer, treated with mastectomy. No recurrence. The woman is well, the woman is happy!",
    "Renal colic with hydronephrosis; CT showed a 5 mm stone in the right ureter. Diabetes under control.",
]


def _tiny_model() -> dict[str, object]:
    # Tree 0: x0 <= 0.5 -> -1.0, else 2.0; a missing x0 goes right. Tree 1: x1 <= 3 -> (x0 <= -1 -> 0.25 else 0.5)
    # else -0.5; a missing x1 goes left. Baseline 0.1.
    return {
        "feature_names": ["x0", "x1"],
        "baseline": 0.1,
        "max_depth": 3,
        "trees": [
            {
                "feature": [0, 0, 0],
                "threshold": [0.5, 0.0, 0.0],
                "left": [1, 0, 0],
                "right": [2, 0, 0],
                "leaf": [False, True, True],
                "missing_left": [False, False, False],
                "value": [0.0, -1.0, 2.0],
            },
            {
                "feature": [1, 0, 0, 0, 0],
                "threshold": [3.0, -1.0, 0.0, 0.0, 0.0],
                "left": [1, 3, 0, 0, 0],
                "right": [2, 4, 0, 0, 0],
                "leaf": [False, False, True, True, True],
                "missing_left": [True, False, False, False, False],
                "value": [0.0, 0.0, -0.5, 0.25, 0.5],
            },
        ],
    }


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def test_tree_evaluator_by_hand() -> None:
    trees = rk.Trees.from_json(_tiny_model())
    x = np.array([[0.2, 1.0], [0.5, 4.0], [0.9, 3.0], [np.nan, np.nan], [-2.0, 0.0]])
    expected = [
        0.1 - 1.0 + 0.5,  # left, then x1 <= 3 and x0 > -1
        0.1 - 1.0 - 0.5,  # 0.5 <= 0.5 goes left; x1 > 3
        0.1 + 2.0 + 0.5,
        0.1 + 2.0 + 0.5,  # missing x0 right; missing x1 left, then NaN x0 in the second split goes right
        0.1 - 1.0 + 0.25,
    ]
    assert trees.raw(x).tolist() == pytest.approx(expected, abs=1e-15)
    assert trees.predict_proba(x).tolist() == pytest.approx([sigmoid(v) for v in expected], abs=1e-15)


def test_tree_model_must_name_its_features() -> None:
    model = _tiny_model()
    model["feature_names"] = ["x0"]
    with pytest.raises(MedbillError):
        rk.Trees.from_json(model)


def test_analyzer_words_stop_words_and_pairs() -> None:
    stop = frozenset({"the", "with"})
    assert rk.analyze("The fracture WITH the ulna, a x-ray", stop) == [
        "fracture",
        "ulna",
        "ray",
        "fracture ulna",
        "ulna ray",
    ]


def test_tfidf_reimplementation_equals_scikit_learn() -> None:
    text_mod = pytest.importorskip("sklearn.feature_extraction.text")
    vec = text_mod.TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1, stop_words="english")
    sk = vec.fit_transform(NOTES).tocsr()
    mine = rk.Tfidf(dict(vec.vocabulary_), vec.idf_.astype(np.float64), frozenset(text_mod.ENGLISH_STOP_WORDS))
    unseen = "Pneumonia and diabetes, again pneumonia."
    for i, note in enumerate([*NOTES, unseen]):
        row = sk.getrow(i) if i < len(NOTES) else vec.transform([note]).tocsr()
        order = np.argsort(row.indices)
        idx, val = mine.transform(note)
        assert idx.tolist() == row.indices[order].tolist()
        assert np.allclose(val, row.data[order], rtol=0, atol=1e-12)


def test_packaged_stop_words_are_scikit_learns() -> None:
    text_mod = pytest.importorskip("sklearn.feature_extraction.text")
    assert rk.artifacts().tfidf.stop_words == frozenset(text_mod.ENGLISH_STOP_WORDS)


def test_similarities_are_dot_products() -> None:
    tfidf = rk.Tfidf({"aa": 0, "bb": 1, "cc": 2}, np.ones(3), frozenset())
    docs = [np.array([0.6, 0.8, 0.0]), np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])]
    ptr = [0]
    doc_ids: list[int] = []
    vals: list[float] = []
    for t in range(3):
        for d, v in enumerate(docs):
            if v[t]:
                doc_ids.append(d)
                vals.append(float(v[t]))
        ptr.append(len(doc_ids))
    index = rk.NoteIndex(np.array(ptr), np.array(doc_ids), np.array(vals), (("I10",), ("E119",), ("I10", "J189")))
    idx, val = tfidf.transform("aa bb bb")
    sims = index.similarities(idx, val)
    dense = np.zeros(3)
    dense[idx] = val
    assert sims.tolist() == pytest.approx([float(d @ dense) for d in docs])
    near = rk.neighbours(sims, index.doc_codes, k=2)
    assert set(near.codes) == {"I10", "J189"}  # the two nearest notes: 0 and 2
    assert near.codes["I10"][1] == 2
    assert near.top_sim == pytest.approx(float(sims.max()))


def test_sentence_table_round_trip_and_hits() -> None:
    table = {"renal colic": [("N23", 2 / 4, 2)], "colic": [("N23", 2 / 6, 2), ("R10", 3 / 6, 3)]}
    raw = rk.write_sentence_table(table, {"renal colic": 3, "colic": 5})
    back = rk.read_sentence_table(raw)
    assert back == table
    hits = rk.sentence_hits(back, [["colic", "renal", "renal colic"], ["pain"], ["colic"]])
    assert hits["N23"].max == 0.5 and hits["N23"].nsent == 2 and hits["N23"].line == 0
    assert hits["N23"].sum == pytest.approx(0.5 + 2 / 6)
    assert hits["R10"].gram == "colic" and hits["R10"].length == 1


def test_artifacts_load_and_match_the_manifest() -> None:
    art = rk.artifacts()
    assert art is rk.artifacts()  # read once
    sums = rk.manifest()
    data = resources.files("medbill.coding").joinpath("data")
    for name in [rk.MODEL_FILE, rk.KNN_FILE, *(rk.sentence_file(p) for p in rk.SENTENCE_TABLES)]:
        assert hashlib.sha256(data.joinpath(name).read_bytes()).hexdigest() == sums[name]
    assert len(art.notes.doc_codes) == 500
    assert art.trees.feature.shape[0] > 0
    assert art.threshold == pytest.approx(0.20)
    model = json.loads(gzip.decompress(data.joinpath(rk.MODEL_FILE).read_bytes()))
    assert model["feature_names"] == list(art.trees.feature_names)
    assert {"knn_vote", "sl_max", "cs_present_max", "a_negated"} <= set(model["feature_names"])


def test_a_damaged_model_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = rk._data

    def damaged(name: str) -> bytes:
        raw = real(name)
        return raw[:-1] + bytes([raw[-1] ^ 1]) if name == rk.MODEL_FILE else raw

    monkeypatch.setattr(rk, "_data", damaged)
    with pytest.raises(MedbillError, match="checksum"):
        rk.verified(rk.MODEL_FILE, rk.manifest())
    with pytest.raises(MedbillError, match="not listed"):
        rk.verified(rk.MODEL_FILE, {})


def test_merged_sentence_tables_give_the_per_table_hits() -> None:
    art = rk.artifacts()
    notes = [*NOTES, "Renal colic.\nNo fever; urinary tract infection with hematuria.\nAnemia."]
    for note in notes:
        grams = rk.line_grams(note)
        merged = rk.sentence_hits_merged(art.merged, len(art.tables), grams)
        assert merged == [rk.sentence_hits(table, grams) for _, table in art.tables]
    assert any(merged)


def test_exported_model_depth_is_the_deepest_leaf() -> None:
    assert rk.Trees.from_json(_tiny_model()).depth == 2
    assert 1 <= rk.artifacts().trees.depth <= 6  # max_leaf_nodes 7
