"""Re-ranked computer-assisted coding: candidate codes from three sources, scored by a small boosted-tree model.

Candidates for a note (every code mapped to the billable code standing for it on the date of service):
1. the lexicon matches of `Coder.matches` (code-set terms and learned n-grams), every assertion kept as a feature
   (negated, uncertain, historical and family mentions are evidence too; the decision rules come later);
2. the codes of the 30 most similar CodiEsp train notes (TF-IDF over words and word pairs, cosine);
3. the hits of three sentence-level n-gram lexicons learned from train sentences aligned to the coders' evidence.

Each candidate gets the features in `FEATURES` (the model's order), and the exported HistGradientBoosting trees
(`data/cac_model.json.gz`, trained out-of-fold on train by `scripts/train_cac.py`) give it a probability.
Run time needs numpy only: the TF-IDF analyzer, the kNN and the tree evaluation are reimplemented here, and the
training script builds its features with these same functions.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import io
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from medbill.coding.cac import (
    Assertion,
    Match,
    _merge,
    add_ngrams,
    assertion_of,
    history_code,
    note_ngrams,
    trigger_free,
)
from medbill.coding.matcher import Token
from medbill.errors import MedbillError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

K_NEIGHBOURS = 30
DEFAULT_THRESHOLD = 0.20
SENTENCE_TABLES = ("sl", "sw", "s1")
MODEL_FILE = "cac_model.json.gz"
KNN_FILE = "cac_knn.npz"
MANIFEST_FILE = "MANIFEST.tsv"
ASSERTIONS: tuple[Assertion, ...] = ("present", "negated", "uncertain", "historical", "family")
# Which evidence speaks for a code: a present mention first, then history / family, then a hedge, then a negation.
_PRIORITY: dict[str, int] = {"present": 0, "historical": 1, "family": 1, "uncertain": 2, "negated": 3}

Billable = Callable[[str], "tuple[str, str] | None"]
"""code -> (billable code as displayed, title) on the date of service, or None."""


def norm(code: str) -> str:
    return code.strip().upper().replace(".", "")


# -- TF-IDF (scikit-learn's TfidfVectorizer defaults + sublinear tf, 1-2-grams, English stop words, l2) ----------
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def analyze(text: str, stop_words: frozenset[str]) -> list[str]:
    """Words (2+ word characters, lower case) minus stop words, then every pair of consecutive remaining words."""
    toks = [t for t in _TOKEN.findall(text.lower()) if t not in stop_words]
    return toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]


@dataclass(frozen=True)
class Tfidf:
    vocabulary: dict[str, int]
    idf: FloatArray
    stop_words: frozenset[str]

    def transform(self, text: str) -> tuple[IntArray, FloatArray]:
        """(term indices ascending, l2-normalised 1 + log(tf) * idf values) of one text."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for gram in analyze(text, self.stop_words):
            j = vocabulary.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        idx = np.array(sorted(counts), dtype=np.int64)
        tf = np.array([counts[int(j)] for j in idx], dtype=np.float64)
        values = (np.log(tf) + 1.0) * self.idf[idx]
        length = math.sqrt(float(np.dot(values, values)))
        if length > 0.0:
            values /= length
        return idx, values


@dataclass(frozen=True)
class NoteIndex:
    """The train notes' TF-IDF vectors by term (a transposed CSR matrix) and their gold codes."""

    term_ptr: IntArray
    term_docs: IntArray
    term_values: FloatArray
    doc_codes: tuple[tuple[str, ...], ...]

    def similarities(self, idx: IntArray, values: FloatArray) -> FloatArray:
        """Cosine similarity of an l2-normalised vector to every train note."""
        n_docs = len(self.doc_codes)
        starts = self.term_ptr[idx]
        lengths = self.term_ptr[idx + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(n_docs, dtype=np.float64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        weights = np.repeat(values, lengths) * self.term_values[offsets]
        return np.bincount(self.term_docs[offsets], weights=weights, minlength=n_docs).astype(np.float64)


# -- boosted trees ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trees:
    """A binary HistGradientBoosting model as padded node arrays (trees x nodes), evaluated over many rows at once."""

    feature_names: tuple[str, ...]
    baseline: float
    feature: IntArray
    threshold: FloatArray
    left: IntArray
    right: IntArray
    is_leaf: npt.NDArray[np.bool_]
    missing_left: npt.NDArray[np.bool_]
    value: FloatArray
    depth: int

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Trees:
        trees = doc["trees"]
        if not trees:
            raise MedbillError("the CAC model has no trees")
        width = max(len(t["value"]) for t in trees)
        shape = (len(trees), width)
        feature = np.zeros(shape, dtype=np.int64)
        threshold = np.zeros(shape, dtype=np.float64)
        left = np.zeros(shape, dtype=np.int64)
        right = np.zeros(shape, dtype=np.int64)
        is_leaf = np.ones(shape, dtype=np.bool_)
        missing_left = np.zeros(shape, dtype=np.bool_)
        value = np.zeros(shape, dtype=np.float64)
        for i, t in enumerate(trees):
            n = len(t["value"])
            feature[i, :n] = t["feature"]
            threshold[i, :n] = t["threshold"]
            left[i, :n] = t["left"]
            right[i, :n] = t["right"]
            is_leaf[i, :n] = t["leaf"]
            missing_left[i, :n] = t["missing_left"]
            value[i, :n] = t["value"]
        # Steps from the root to the deepest leaf (children always come after their parent in the node list).
        depth = 0
        for i, t in enumerate(trees):
            level = [0] * len(t["value"])
            for j in range(len(level)):
                if not t["leaf"][j]:
                    level[t["left"][j]] = level[t["right"][j]] = level[j] + 1
            depth = max(depth, *level)
            if any(not t["leaf"][j] and min(t["left"][j], t["right"][j]) <= j for j in range(len(level))):
                raise MedbillError(f"the CAC model's tree {i} is not in parent-before-children order")
        names = tuple(str(n) for n in doc["feature_names"])
        if int(feature.max()) >= len(names) or int(feature.min()) < 0:
            raise MedbillError("the CAC model refers to a feature it does not name")
        return cls(
            names,
            float(doc["baseline"]),
            feature,
            threshold,
            left,
            right,
            is_leaf,
            missing_left,
            value,
            depth,
        )

    @cached_property
    def _flat(self) -> tuple[IntArray, IntArray, IntArray, FloatArray, npt.NDArray[np.bool_], FloatArray, IntArray]:
        """Node arrays flattened over trees, children as flat indices (a leaf points to itself, so walking on is a
        no-op): the same for every note, so built once."""
        n_trees, width = self.feature.shape
        offset = np.arange(n_trees, dtype=np.int64)[:, None] * width
        own = offset + np.arange(width, dtype=np.int64)[None, :]
        left = np.where(self.is_leaf, own, offset + self.left).ravel()
        right = np.where(self.is_leaf, own, offset + self.right).ravel()
        return (
            left,
            right,
            self.feature.ravel(),
            self.threshold.ravel(),
            self.missing_left.ravel(),
            self.value.ravel(),
            offset.ravel(),
        )

    def raw(self, x: FloatArray) -> FloatArray:
        """Baseline + the sum of every tree's leaf value (all trees and rows walked together, one level a step)."""
        n = x.shape[0]
        n_trees = self.feature.shape[0]
        n_features = x.shape[1]
        left, right, feature, threshold, missing_left, value, roots = self._flat
        flat_x = np.ascontiguousarray(x, dtype=np.float64).ravel()
        node = np.repeat(roots, n)  # (tree, row) pairs, tree-major
        row_off = np.tile(np.arange(n, dtype=np.int64) * n_features, n_trees)
        if np.isnan(flat_x).any():
            for _ in range(self.depth):
                v = flat_x[row_off + feature[node]]
                go_left = np.where(np.isnan(v), missing_left[node], v <= threshold[node])
                node = np.where(go_left, left[node], right[node])
        else:
            for _ in range(self.depth):
                node = np.where(flat_x[row_off + feature[node]] <= threshold[node], left[node], right[node])
        out: FloatArray = value[node].reshape(n_trees, n).sum(axis=0) + self.baseline
        return out

    def predict_proba(self, x: FloatArray) -> FloatArray:
        """P(code is right) per row of x (columns in `feature_names` order)."""
        return 1.0 / (1.0 + np.exp(-self.raw(x)))


# -- sentence lexicons ---------------------------------------------------------------------------------------------
SentenceTable = dict[str, list[tuple[str, float, int]]]
"""n-gram -> [(code, precision, sentences with both)] in file order."""


def sentence_lines(text: str) -> list[tuple[int, str]]:
    """The note's non-blank lines (the CodiEsp translations hold one sentence a line) with their start offsets."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def line_grams(text: str) -> list[list[str]]:
    """Per non-blank line, its content n-grams (`note_ngrams`) sorted, so ties resolve the same way everywhere."""
    return [sorted(note_ngrams(line)) for _, line in sentence_lines(text)]


@dataclass(frozen=True)
class NoteLines:
    """The note's non-blank lines, each line's sorted n-grams (equal to `line_grams`) and its sentences' tokens
    (absolute offsets), from the sentences and tokens `Coder.matches` already made."""

    text: str
    lines: list[tuple[int, str]]
    grams: list[list[str]]
    pieces: list[list[tuple[int, int, list[Token]]]]
    """Per line, its sentences: (start, end, tokens with absolute offsets)."""
    free: dict[int, bool] = field(default_factory=dict)
    """Sentence start -> `trigger_free` of the sentence (filled as needed)."""

    def trigger_free(self, start: int, end: int) -> bool:
        found = self.free.get(start)
        if found is None:
            found = self.free[start] = trigger_free(self.text[start:end])
        return found


def note_lines(text: str, sentences: Sequence[tuple[int, int]], all_tokens: Sequence[Sequence[Token]]) -> NoteLines:
    # A sentence (`cac._SENTENCE`) never crosses a line break, so every sentence lies inside one line.
    lines = sentence_lines(text)
    starts = [s for s, _ in lines]
    grams: list[set[str]] = [set() for _ in lines]
    pieces: list[list[tuple[int, int, list[Token]]]] = [[] for _ in lines]
    for (s_start, s_end), toks in zip(sentences, all_tokens, strict=True):
        li = bisect.bisect_right(starts, s_start) - 1
        if li < 0 or not toks:
            continue
        add_ngrams([t.text for t in toks], grams[li])
        pieces[li].append((s_start, s_end, [Token(t.text, s_start + t.start, s_start + t.end) for t in toks]))
    return NoteLines(text, lines, [sorted(g) for g in grams], pieces)


@dataclass(slots=True)
class SentenceHit:
    max: float = 0.0
    sum: float = 0.0
    nsent: int = 0
    n: int = 0
    length: int = 0
    line: int = -1
    gram: str = ""


def sentence_hits(table: SentenceTable, grams: Sequence[Sequence[str]]) -> dict[str, SentenceHit]:
    """Per raw code: the best n-gram precision over the note, the sum over lines, lines hit, and the best hit's
    support, length, line and n-gram."""
    out: dict[str, SentenceHit] = {}
    for li, gs in enumerate(grams):
        best: dict[str, tuple[float, int, str]] = {}
        for g in gs:
            for code, p, n in table.get(g, ()):
                prev = best.get(code)
                if prev is None or p > prev[0]:
                    best[code] = (p, n, g)
        for code, (p, n, g) in best.items():
            hit = out.get(code)
            if hit is None:
                hit = out[code] = SentenceHit()
            hit.sum += p
            hit.nsent += 1
            if p > hit.max:
                hit.max, hit.n, hit.length, hit.line, hit.gram = p, n, len(g.split()), li, g
    return out


MergedTables = dict[str, list[tuple[int, str, float, int]]]
"""n-gram -> [(table number, code, precision, both)]: several sentence tables behind one lookup."""


def merge_tables(tables: Sequence[SentenceTable]) -> MergedTables:
    merged: MergedTables = {}
    for t, table in enumerate(tables):
        for gram, rows in table.items():
            merged.setdefault(gram, []).extend((t, code, p, n) for code, p, n in rows)
    return merged


def sentence_hits_merged(
    merged: MergedTables, n_tables: int, grams: Sequence[Sequence[str]]
) -> list[dict[str, SentenceHit]]:
    """`sentence_hits` of every merged table at once (one dictionary lookup per n-gram): the same results."""
    outs: list[dict[str, SentenceHit]] = [{} for _ in range(n_tables)]
    for li, gs in enumerate(grams):
        bests: list[dict[str, tuple[float, int, str]]] = [{} for _ in range(n_tables)]
        for g in gs:
            for t, code, p, n in merged.get(g, ()):
                best = bests[t]
                prev = best.get(code)
                if prev is None or p > prev[0]:
                    best[code] = (p, n, g)
        for out, best in zip(outs, bests, strict=True):
            for code, (p, n, g) in best.items():
                hit = out.get(code)
                if hit is None:
                    hit = out[code] = SentenceHit()
                hit.sum += p
                hit.nsent += 1
                if p > hit.max:
                    hit.max, hit.n, hit.length, hit.line, hit.gram = p, n, len(g.split()), li, g
    return outs


def read_sentence_table(raw: bytes) -> SentenceTable:
    table: SentenceTable = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        gram, code, _, both, total = line.split("\t")
        n = int(both)
        table.setdefault(gram, []).append((code, n / (int(total) + 1), n))
    return table


def write_sentence_table(table: Mapping[str, Sequence[tuple[str, float, int]]], totals: Mapping[str, int]) -> bytes:
    """gzip TSV (mtime 0): ngram, code, precision = both / (sentences with the ngram + 1), both, sentences."""
    lines = ["# ngram\tcode\tprecision\tsentences_with_both\tsentences_with_ngram"]
    for gram in sorted(table):
        lines.extend(f"{gram}\t{code}\t{p:.4f}\t{n}\t{totals[gram]}" for code, p, n in table[gram])
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    return buf.getvalue()


# -- candidates and features -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class Evidence:
    """One mention speaking for a code: where, what matched, its assertion and which source found it."""

    spans: tuple[tuple[int, int], ...]
    matched: str
    assertion: Assertion
    score: float
    source: str


@dataclass
class Candidate:
    code: str
    """Billable code as displayed (with its dot)."""
    title: str
    features: dict[str, float]
    evidence: list[Evidence]
    sources: set[str]
    probability: float = 0.0

    def best(self) -> Evidence | None:
        if not self.evidence:
            return None
        return min(self.evidence, key=lambda e: (_PRIORITY[e.assertion], -e.score))


def _final(billable: Billable, cache_: dict[str, tuple[str, str] | None], code: str) -> tuple[str, str] | None:
    if code not in cache_:
        cache_[code] = billable(code)
    return cache_[code]


def lexicon_candidates(
    text: str,
    found: Sequence[Match],
    sentences: Sequence[tuple[int, int]],
    all_tokens: Sequence[Sequence[Token]],
    resolve: Callable[[str], tuple[str, str] | None],
) -> dict[str, Candidate]:
    """Per billable code (normalised): the match features, every assertion kept, and each mention as evidence."""
    n_sent = max(1, len(sentences))
    out: dict[str, Candidate] = {}
    plain: dict[int, bool] = {}
    seen_sentences: dict[str, set[int]] = {}
    for match in found:
        s_start, s_end = sentences[match.sentence]
        toks = all_tokens[match.sentence]
        spans = _merge([(toks[p].start, toks[p].end) for p in match.positions])
        free = plain.get(match.sentence)
        if free is None:
            free = plain[match.sentence] = trigger_free(text[s_start:s_end])
        assertion = "present" if free else assertion_of(text[s_start:s_end], spans[0][0], spans[-1][1])
        code = match.entry.code
        mapped = 0.0
        if assertion in ("historical", "family"):
            z = history_code(code, assertion)
            if z is None:
                continue
            code, mapped = z, 1.0
        resolved = resolve(code)
        if resolved is None:
            continue
        key = norm(resolved[0])
        cand = out.get(key)
        if cand is None:
            cand = out[key] = Candidate(resolved[0], resolved[1], {}, [], set())
        f = cand.features
        src = "lrn" if match.entry.kind == "learned" else "cs"
        f[f"{src}_max"] = max(f.get(f"{src}_max", 0.0), match.score)
        f[f"{src}_n"] = f.get(f"{src}_n", 0.0) + 1
        f[f"a_{assertion}"] = f.get(f"a_{assertion}", 0.0) + 1
        f[f"{src}_{assertion}_max"] = max(f.get(f"{src}_{assertion}_max", 0.0), match.score)
        f["ntok_max"] = max(f.get("ntok_max", 0.0), float(len(match.entry.tokens)))
        f["mapped_z"] = max(f.get("mapped_z", 0.0), mapped)
        pos = match.sentence / n_sent
        f["first_pos"] = min(f.get("first_pos", 1.0), pos)
        f["last_pos"] = max(f.get("last_pos", 0.0), pos)
        seen_sentences.setdefault(key, set()).add(match.sentence)
        source = "learned" if match.entry.kind == "learned" else "code set"
        cand.sources.add(source)
        evidence = tuple((s_start + s, s_start + e) for s, e in spans)
        cand.evidence.append(Evidence(evidence, match.entry.text, assertion, match.score, source))
    for key, cand in out.items():
        cand.features["n_sent"] = float(len(seen_sentences[key]))
    return out


@dataclass(frozen=True)
class Neighbours:
    """What the K most similar train notes say: per raw code (vote share, notes, best similarity, first rank), per
    3-character category the vote share, and the best similarity."""

    codes: dict[str, tuple[float, int, float, int]]
    categories: dict[str, float]
    top_sim: float


def neighbours(sims: FloatArray, doc_codes: Sequence[Sequence[str]], k: int = K_NEIGHBOURS) -> Neighbours:
    if not len(sims) or float(sims.max()) <= 0.0:
        return Neighbours({}, {}, 0.0)  # nothing in common with any train note (never the case in training)
    order = np.argsort(-sims, kind="stable")[:k]
    total = float(sum(max(float(sims[i]), 0.0) for i in order)) or 1.0
    vote: dict[str, float] = {}
    count: dict[str, int] = {}
    best: dict[str, float] = {}
    rank1: dict[str, int] = {}
    cat_vote: dict[str, float] = {}
    for r, i in enumerate(order.tolist()):
        s = max(float(sims[i]), 0.0)
        for c in doc_codes[i]:
            vote[c] = vote.get(c, 0.0) + s
            count[c] = count.get(c, 0) + 1
            best[c] = max(best.get(c, 0.0), s)
            rank1.setdefault(c, r)
        for cat in sorted({c[:3] for c in doc_codes[i]}):
            cat_vote[cat] = cat_vote.get(cat, 0.0) + s
    codes = {c: (vote[c] / total, count[c], best[c], rank1[c]) for c in vote}
    top = float(sims[order[0]]) if len(order) else 0.0
    return Neighbours(codes, {c: v / total for c, v in cat_vote.items()}, top)


def sentence_evidence(
    note: NoteLines, hit: SentenceHit, memo: dict[tuple[int, str], tuple[tuple[tuple[int, int], ...], Assertion]]
) -> Evidence:
    """The words of the best n-gram inside its line (or the whole line), with their assertion."""
    key = (hit.line, hit.gram)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _gram_place(note, hit.line, hit.gram)
    return Evidence(found[0], hit.gram, found[1], hit.max, "sentence lexicon")


def _gram_place(note: NoteLines, li: int, gram: str) -> tuple[tuple[tuple[int, int], ...], Assertion]:
    start, line = note.lines[li]
    want = gram.split()
    n = len(want)
    for p_start, p_end, toks in note.pieces[li]:
        words = [t.text for t in toks]
        for i in range(len(words) - n + 1):
            if words[i : i + n] == want:
                spans = _merge([(t.start, t.end) for t in toks[i : i + n]])
                if note.trigger_free(p_start, p_end):
                    return tuple(spans), "present"
                sentence = note.text[p_start:p_end]
                return tuple(spans), assertion_of(sentence, spans[0][0] - p_start, spans[-1][1] - p_start)
    stripped = line.strip()
    lead = line.index(stripped) if stripped else 0
    return ((start + lead, start + lead + len(stripped)),), "present"


def build_candidates(
    text: str,
    lexicon: dict[str, Candidate],
    near: Neighbours,
    hits: Sequence[tuple[str, dict[str, SentenceHit]]],
    resolve: Callable[[str], tuple[str, str] | None],
    df_code: Mapping[str, int],
    df_cat: Mapping[str, int],
    *,
    own: Iterable[str] = (),
    note: NoteLines | None = None,
) -> dict[str, Candidate]:
    """Union of the three sources with every feature filled in (`own`: a train note's own gold codes, left out of
    the code priors when building training rows)."""
    cand = lexicon
    lex_keys = frozenset(lexicon)
    n_lex = float(len(lexicon))
    knn: dict[str, list[float]] = {}
    for raw_code, (vote, count, best, rank) in near.codes.items():
        resolved = resolve(raw_code)
        if resolved is None:
            continue
        key = norm(resolved[0])
        a = knn.get(key)
        if a is None:
            knn[key] = [vote, float(count), best, float(rank)]
        else:
            a[0], a[1], a[2], a[3] = max(a[0], vote), max(a[1], count), max(a[2], best), min(a[3], rank)
        if key not in cand:
            cand[key] = Candidate(resolved[0], resolved[1], {}, [], set())
        cand[key].sources.add("similar notes")
    memo: dict[tuple[int, str], tuple[tuple[tuple[int, int], ...], Assertion]] = {}
    per_table: list[tuple[str, dict[str, SentenceHit]]] = []
    for pre, table_hits in hits:
        final: dict[str, SentenceHit] = {}
        for raw_code in sorted(table_hits):
            table_hit = table_hits[raw_code]
            resolved = resolve(raw_code)
            if resolved is None:
                continue
            key = norm(resolved[0])
            prev = final.get(key)
            if prev is None or table_hit.max > prev.max:
                final[key] = table_hit
            if key not in cand:
                cand[key] = Candidate(resolved[0], resolved[1], {}, [], set())
        per_table.append((pre, final))
    own_codes = set(own)
    own_cats = {c[:3] for c in own_codes}
    for key, c in cand.items():
        f = c.features
        agg = knn.get(key)
        if agg is not None:
            f["knn_vote"], f["knn_cnt"], f["knn_max"] = agg[0], agg[1], agg[2]
        f["knn_rank"] = agg[3] if agg is not None else 99.0
        f["in_lex"] = 1.0 if key in lex_keys else 0.0
        f["prior"] = math.log1p(df_code.get(key, 0) - (1 if key in own_codes else 0))
        f["cat_prior"] = math.log1p(df_cat.get(key[:3], 0) - (1 if key[:3] in own_cats else 0))
        f["cat_knn"] = near.categories.get(key[:3], 0.0)
        f["top_sim"] = near.top_sim
        f["n_lex_cands"] = n_lex
        f["chapter"] = float(ord(key[0]) - 65)
        f["is_z"] = 1.0 if key[0] == "Z" else 0.0
        f["code_len"] = float(len(key))
        shown = False
        for pre, final in per_table:
            hit = final.get(key)
            if hit is None:
                continue
            f[f"{pre}_max"], f[f"{pre}_sum"], f[f"{pre}_nsent"] = hit.max, hit.sum, float(hit.nsent)
            f[f"{pre}_n"], f[f"{pre}_len"] = float(hit.n), float(hit.length)
            c.sources.add("sentence lexicon")
            if note is not None and not shown:
                c.evidence.append(sentence_evidence(note, hit, memo))
                shown = True
    return cand


def matrix(cands: Sequence[Candidate], names: Sequence[str]) -> FloatArray:
    """Feature rows in the model's column order; a feature a candidate lacks is 0."""
    x = np.zeros((len(cands), len(names)), dtype=np.float64)
    column = {n: j for j, n in enumerate(names)}
    for i, c in enumerate(cands):
        cols = [column.get(k, -1) for k in c.features]
        values = list(c.features.values())
        if -1 in cols:
            keep = [j for j, col in enumerate(cols) if col >= 0]
            cols, values = [cols[j] for j in keep], [values[j] for j in keep]
        x[i, cols] = values
    return x


# -- artifacts ------------------------------------------------------------------------------------------------------
def _data(name: str) -> bytes:
    try:
        return resources.files("medbill.coding").joinpath(f"data/{name}").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise MedbillError(f"the CAC model file {name} is missing from medbill/coding/data") from exc


def manifest() -> dict[str, str]:
    """file -> sha256 from data/MANIFEST.tsv."""
    out: dict[str, str] = {}
    for line in _data(MANIFEST_FILE).decode("utf-8").splitlines()[1:]:
        if line.strip():
            name, sha, _ = line.split("\t")
            out[name] = sha
    return out


def verified(name: str, sums: Mapping[str, str]) -> bytes:
    raw = _data(name)
    if name not in sums:
        raise MedbillError(f"{name} is not listed in the coding data MANIFEST.tsv")
    if hashlib.sha256(raw).hexdigest() != sums[name]:
        raise MedbillError(f"coding data file {name} does not match its MANIFEST.tsv checksum")
    return raw


def sentence_file(pre: str) -> str:
    return f"cac_sentlex_{pre}.tsv.gz"


def _text_list(arr: npt.NDArray[np.uint8]) -> list[str]:
    return bytes(arr.tobytes()).decode("utf-8").split("\n")


def text_array(items: Sequence[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


@dataclass(frozen=True)
class Artifacts:
    trees: Trees
    tfidf: Tfidf
    notes: NoteIndex
    tables: tuple[tuple[str, SentenceTable], ...]
    merged: MergedTables
    df_code: dict[str, int]
    df_cat: dict[str, int]
    threshold: float


def read_knn(raw: bytes) -> tuple[Tfidf, NoteIndex]:
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        terms = _text_list(z["terms"])
        stop = frozenset(_text_list(z["stop_words"]))
        codes = _text_list(z["codes"])
        code_ptr = z["code_ptr"].astype(np.int64)
        doc_codes = tuple(tuple(codes[code_ptr[i] : code_ptr[i + 1]]) for i in range(len(code_ptr) - 1))
        tfidf = Tfidf({t: i for i, t in enumerate(terms)}, z["idf"].astype(np.float64), stop)
        index = NoteIndex(
            z["term_ptr"].astype(np.int64),
            z["term_docs"].astype(np.int64),
            z["term_values"].astype(np.float64),
            doc_codes,
        )
    return tfidf, index


@cache
def artifacts() -> Artifacts:
    """The packaged model files, checksummed against MANIFEST.tsv, read once per process."""
    sums = manifest()
    doc = json.loads(gzip.decompress(verified(MODEL_FILE, sums)))
    trees = Trees.from_json(doc)
    tfidf, index = read_knn(verified(KNN_FILE, sums))
    tables = tuple((pre, read_sentence_table(verified(sentence_file(pre), sums))) for pre in SENTENCE_TABLES)
    df_code: dict[str, int] = {}
    df_cat: dict[str, int] = {}
    for codes in index.doc_codes:
        for c in codes:
            df_code[c] = df_code.get(c, 0) + 1
        for cat in {c[:3] for c in codes}:
            df_cat[cat] = df_cat.get(cat, 0) + 1
    merged = merge_tables([table for _, table in tables])
    threshold = float(doc.get("threshold", DEFAULT_THRESHOLD))
    return Artifacts(trees, tfidf, index, tables, merged, df_code, df_cat, threshold)


def rank(
    text: str,
    found: Sequence[Match],
    sentences: Sequence[tuple[int, int]],
    all_tokens: Sequence[Sequence[Token]],
    billable: Billable,
    art: Artifacts | None = None,
) -> list[Candidate]:
    """Every candidate of the note with its probability, best first (ties by code)."""
    art = art or artifacts()
    memo: dict[str, tuple[str, str] | None] = {}

    def resolve(code: str) -> tuple[str, str] | None:
        return _final(billable, memo, code)

    lex = lexicon_candidates(text, found, sentences, all_tokens, resolve)
    idx, values = art.tfidf.transform(text)
    near = neighbours(art.notes.similarities(idx, values), art.notes.doc_codes)
    note = note_lines(text, sentences, all_tokens)
    per_table = sentence_hits_merged(art.merged, len(art.tables), note.grams)
    hits = [(pre, h) for (pre, _), h in zip(art.tables, per_table, strict=True)]
    cands = build_candidates(text, lex, near, hits, resolve, art.df_code, art.df_cat, note=note)
    if not cands:
        return []
    keys = sorted(cands)
    rows = [cands[k] for k in keys]
    probs = art.trees.predict_proba(matrix(rows, art.trees.feature_names))
    for c, p in zip(rows, probs.tolist(), strict=True):
        c.probability = p
    return sorted(rows, key=lambda c: (-c.probability, norm(c.code)))
