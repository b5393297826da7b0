"""Train the re-ranked CAC model from the CodiEsp train split and write its run-time files into coding/data.

    MEDBILL_HOME=/tmp/cacport .venv/bin/python scripts/train_cac.py /work/shared/eval/codiesp/train

Needs the `train` extra (scikit-learn, numpy). Steps (all on train only):
1. align each Spanish evidence span (trainX.tsv) to an English line (proportional position, then the best cognate
   trigram overlap within 4 lines) and label lines with their codes;
2. three sentence-level n-gram lexicons from those lines (sl: p >= 0.15, both >= 2; sw: the neighbouring lines
   labelled too, p >= 0.08; s1: both >= 1); written as gzip TSVs, used out-of-fold (10 folds) for the features;
3. the learned note lexicon out-of-fold (10 folds, `learn_lexicon` + `build_lexicon` at 0.7), lexicon matches kept
   with every assertion;
4. the note kNN: TF-IDF (words and word pairs, sublinear tf, min_df 2, English stop words), leave-one-out;
5. candidates and features with `medbill.coding.ranker` (the run-time code), a HistGradientBoostingClassifier,
   exported to version-independent JSON and checked against `predict_proba` to 1e-9.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import hashlib
import io
import json
import re
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from medbill.codes.library import CodeLibrary
from medbill.codes.store import medbill_home
from medbill.coding import ranker as rk
from medbill.coding.cac import Coder, build_lexicon, learn_lexicon
from medbill.coding.evaluate import load_codiesp, norm_code

DATA_OUT = Path(__file__).resolve().parents[1] / "src" / "medbill" / "coding" / "data"
NFOLD = 10
DAY = date(2026, 1, 1)
# (name, window of lines labelled around the aligned one, minimum precision, minimum sentences with both)
SENTENCE_CONFIGS = (("sl", 0, 0.15, 2), ("sw", 1, 0.08, 2), ("s1", 0, 0.15, 1))
MODEL = {
    "max_iter": 150,
    "learning_rate": 0.05,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 200,
    "l2_regularization": 1.0,
    "random_state": 0,
}


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


# -- alignment of Spanish evidence offsets to English lines -----------------------------------------------------------
def evidence(split_dir: Path) -> dict[str, list[tuple[str, int, str]]]:
    out: dict[str, list[tuple[str, int, str]]] = {}
    path = split_dir / f"{split_dir.name}X.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        p = line.split("\t")
        if len(p) >= 5 and p[1] == "DIAGNOSTICO":
            start = int(p[4].split(";")[0].split()[0])
            out.setdefault(p[0], []).append((norm_code(p[2]), start, p[3]))
    return out


def _trigrams(text: str) -> set[str]:
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    out: set[str] = set()
    for w in re.findall(r"[a-z]{4,}", t):
        out.update(w[i : i + 3] for i in range(len(w) - 2))
    return out


def best_line(lines: list[tuple[int, str]], en_len: int, es_len: int, start: int, ev_text: str, reach: int = 4) -> int:
    starts = [s for s, _ in lines]
    j = max(0, bisect.bisect_right(starts, start / max(1, es_len) * en_len) - 1)
    ev = _trigrams(ev_text)
    best, best_s = j, 0.0
    for k in range(max(0, j - reach), min(len(lines), j + reach + 1)):
        s = len(ev & _trigrams(lines[k][1])) / max(1, len(ev)) - 0.05 * abs(k - j)
        if s > best_s + 1e-9:
            best, best_s = k, s
    return best


def line_labels(split_dir: Path, texts: dict[str, str], window: int) -> dict[str, list[set[str]]]:
    ev = evidence(split_dir)
    out: dict[str, list[set[str]]] = {}
    for doc, en in texts.items():
        es = (split_dir / "text_files_es" / f"{doc}.txt").read_text(encoding="utf-8")
        lines = rk.sentence_lines(en)
        labels: list[set[str]] = [set() for _ in lines]
        for code, start, text in ev.get(doc, []):
            j = best_line(lines, len(en), len(es), start, text)
            for k in range(max(0, j - window), min(len(lines), j + window + 1)):
                labels[k].add(code)
        out[doc] = labels
    return out


def sentence_table(
    docs: list[str], grams: dict[str, list[list[str]]], labels: dict[str, list[set[str]]], min_p: float, min_both: int
) -> tuple[rk.SentenceTable, dict[str, int]]:
    with_gram: dict[str, int] = {}
    both: dict[tuple[str, str], int] = {}
    for d in docs:
        for gs, codes in zip(grams[d], labels[d], strict=True):
            for g in gs:
                with_gram[g] = with_gram.get(g, 0) + 1
                for c in codes:
                    both[g, c] = both.get((g, c), 0) + 1
    table: rk.SentenceTable = {}
    for (g, c), n in sorted(both.items()):
        p = n / (with_gram[g] + 1)
        if n >= min_both and p >= min_p:
            table.setdefault(g, []).append((c, p, n))
    return table, with_gram


def folds(docs: list[str], seed: int) -> dict[str, int]:
    perm = np.random.RandomState(seed).permutation(len(docs))
    return {docs[int(i)]: k % NFOLD for k, i in enumerate(perm)}


# -- trees -------------------------------------------------------------------------------------------------------------
def export_trees(model: HistGradientBoostingClassifier, names: list[str], threshold: float) -> dict[str, object]:
    trees = []
    max_depth = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        if nodes["is_categorical"].any():
            raise SystemExit("categorical splits are not supported by the exporter")
        leaf = nodes["is_leaf"].astype(bool)
        thr = np.where(leaf, 0.0, nodes["num_threshold"])
        max_depth = max(max_depth, int(nodes["depth"].max()))
        trees.append(
            {
                "feature": [int(v) for v in np.where(leaf, 0, nodes["feature_idx"])],
                "threshold": [float(v) for v in thr],
                "left": [int(v) for v in nodes["left"]],
                "right": [int(v) for v in nodes["right"]],
                "leaf": [bool(v) for v in leaf],
                "missing_left": [bool(v) for v in nodes["missing_go_to_left"]],
                "value": [float(v) for v in nodes["value"]],
            }
        )
    baseline = np.asarray(model._baseline_prediction).ravel()
    return {
        "format": "medbill-gbdt/1",
        "kind": "binary logistic (sigmoid of baseline + sum of leaf values)",
        "trained_with": f"scikit-learn HistGradientBoostingClassifier {json.dumps(MODEL)}",
        "feature_names": names,
        "baseline": float(baseline[0]),
        "max_depth": max_depth + 1,
        "threshold": threshold,
        "trees": trees,
    }


def gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(data)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train", type=Path, help="the CodiEsp train folder (trainD.tsv, trainX.tsv, text_files_en/es)")
    ap.add_argument("--out", type=Path, default=DATA_OUT)
    ap.add_argument("--threshold", type=float, default=rk.DEFAULT_THRESHOLD)
    args = ap.parse_args()
    t0 = time.time()
    train_dir: Path = args.train
    gold_raw, texts = load_codiesp(train_dir.parent, train_dir.name)
    docs = sorted(texts)
    gold = {d: {norm_code(c) for c in gold_raw[d]} for d in docs}
    lib = CodeLibrary.open(medbill_home())
    base = Coder(lib, learned=False, ranked=False)
    resolved: dict[str, tuple[str, str] | None] = {}

    def resolve(code: str) -> tuple[str, str] | None:
        if code not in resolved:
            resolved[code] = base._billable(code, DAY)
        return resolved[code]

    # 1-2. sentence lexicons
    grams = {d: rk.line_grams(texts[d]) for d in docs}
    sl_fold = folds(docs, 2)
    hits: dict[str, list[tuple[str, dict[str, rk.SentenceHit]]]] = {d: [] for d in docs}
    files: dict[str, bytes] = {}
    for pre, window, min_p, min_both in SENTENCE_CONFIGS:
        labels = line_labels(train_dir, texts, window)
        for k in range(NFOLD):
            table, _ = sentence_table([d for d in docs if sl_fold[d] != k], grams, labels, min_p, min_both)
            for d in docs:
                if sl_fold[d] == k:
                    hits[d].append((pre, rk.sentence_hits(table, grams[d])))
        table, totals = sentence_table(docs, grams, labels, min_p, min_both)
        files[rk.sentence_file(pre)] = rk.write_sentence_table(table, totals)
        log(f"sentence lexicon {pre}: {len(table)} n-grams, {time.time() - t0:.0f}s")

    # 3. lexicon matches, out of fold
    lex: dict[str, dict[str, rk.Candidate]] = {}
    lx_fold = folds(docs, 0)
    for k in range(NFOLD):
        ins = [d for d in docs if lx_fold[d] != k]
        rows = learn_lexicon({d: gold[d] for d in ins}, {d: texts[d] for d in ins})
        coder = Coder(lib, learned=False, ranked=False)
        coder.lexicon = build_lexicon(lib, rows)
        for d in docs:
            if lx_fold[d] == k:
                found, sentences, tokens = coder.matches(texts[d])
                lex[d] = rk.lexicon_candidates(texts[d], found, sentences, tokens, resolve)
        log(f"lexicon fold {k}: {time.time() - t0:.0f}s")

    # 4. TF-IDF note kNN
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, stop_words="english")
    sk = vec.fit_transform([texts[d] for d in docs]).tocsr()
    terms = [""] * len(vec.vocabulary_)
    for term, j in vec.vocabulary_.items():
        terms[j] = term
    stop = sorted(ENGLISH_STOP_WORDS)
    tfidf = rk.Tfidf({t: j for j, t in enumerate(terms)}, vec.idf_.astype(np.float64), frozenset(stop))
    vectors = [tfidf.transform(texts[d]) for d in docs]
    for i, (idx, val) in enumerate(vectors):
        row = sk.getrow(i)
        order = np.argsort(row.indices)
        if not (np.array_equal(row.indices[order], idx) and np.allclose(row.data[order], val, rtol=0, atol=1e-12)):
            raise SystemExit(f"TF-IDF reimplementation differs from scikit-learn on {docs[i]}")
    by_term: list[list[tuple[int, float]]] = [[] for _ in terms]
    for i, (idx, val) in enumerate(vectors):
        for j, v in zip(idx.tolist(), val.tolist(), strict=True):
            by_term[j].append((i, v))
    term_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    term_ptr[1:] = np.cumsum([len(p) for p in by_term])
    term_docs = np.array([i for p in by_term for i, _ in p], dtype=np.int32)
    term_values = np.array([v for p in by_term for _, v in p], dtype=np.float64)
    doc_codes = [sorted(gold[d]) for d in docs]
    code_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
    code_ptr[1:] = np.cumsum([len(c) for c in doc_codes])
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        terms=rk.text_array(terms),
        idf=tfidf.idf,
        stop_words=rk.text_array(stop),
        term_ptr=term_ptr,
        term_docs=term_docs,
        term_values=term_values,
        codes=rk.text_array([c for cs in doc_codes for c in cs]),
        code_ptr=code_ptr,
    )
    files[rk.KNN_FILE] = buf.getvalue()
    _, index = rk.read_knn(files[rk.KNN_FILE])
    df_code: dict[str, int] = {}
    df_cat: dict[str, int] = {}
    for codes in doc_codes:
        for c in codes:
            df_code[c] = df_code.get(c, 0) + 1
        for cat in {c[:3] for c in codes}:
            df_cat[cat] = df_cat.get(cat, 0) + 1
    log(f"tf-idf: {len(terms)} terms, {len(term_docs)} non-zeros, {time.time() - t0:.0f}s")

    # 5. candidates, features, model
    rows_x: list[rk.Candidate] = []
    ys: list[int] = []
    for i, d in enumerate(docs):
        sims = index.similarities(*vectors[i])
        sims[i] = -1.0
        near = rk.neighbours(sims, index.doc_codes)
        cands = rk.build_candidates(texts[d], lex[d], near, hits[d], resolve, df_code, df_cat, own=gold[d])
        for key in sorted(cands):
            rows_x.append(cands[key])
            ys.append(int(key in gold[d]))
    names = sorted({k for c in rows_x for k in c.features})
    x = rk.matrix(rows_x, names)
    y = np.array(ys)
    n_gold = sum(len(g) for g in gold.values())
    log(
        f"{len(rows_x)} candidates ({len(rows_x) / len(docs):.0f}/note), recall {y.sum() / n_gold:.3f}, "
        f"{len(names)} features, {time.time() - t0:.0f}s"
    )
    model = HistGradientBoostingClassifier(**MODEL).fit(x, y)
    doc = export_trees(model, names, args.threshold)
    trees = rk.Trees.from_json(json.loads(json.dumps(doc)))
    diff = float(np.max(np.abs(trees.predict_proba(x) - model.predict_proba(x)[:, 1])))
    log(f"model: {model.n_iter_} trees, export max |diff| {diff:.2e}, {time.time() - t0:.0f}s")
    if diff > 1e-9:
        raise SystemExit(f"exported trees differ from predict_proba by {diff}")
    files[rk.MODEL_FILE] = gz(json.dumps(doc, separators=(",", ":")).encode("utf-8"))

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, raw in files.items():
        (out / name).write_bytes(raw)
    listed = sorted(set(files) | {"codiesp_lexicon.tsv.gz"})
    lines = ["file\tsha256\tbytes"]
    for name in listed:
        raw = (out / name if (out / name).is_file() else DATA_OUT / name).read_bytes()
        lines.append(f"{name}\t{hashlib.sha256(raw).hexdigest()}\t{len(raw)}")
    (out / rk.MANIFEST_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"wrote {', '.join(listed)} and {rk.MANIFEST_FILE} to {out} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
