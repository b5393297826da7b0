"""Evaluation of computer-assisted coding against CodiEsp-style gold labels.

Metrics are pure functions of `gold: {doc: set of codes}` and `predicted: {doc: ranked list of codes}`:
micro precision / recall / F1 over full codes, micro F1 over 3-character categories, and MAP (the official
CodiEsp-D metric). Codes compare case- and dot-insensitively ("N44.8" == "n448").

Layout read by `load_codiesp`: DIR/SPLIT/SPLITD.tsv (`articleID<TAB>code`) and DIR/SPLIT/text_files_en/*.txt.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from medbill.errors import MedbillError


def norm_code(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _dedupe(codes: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for code in codes:
        key = norm_code(code)
        if key and key not in seen:
            seen.add(key)
            out.append(key)
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def micro_prf(gold: Mapping[str, set[str]], predicted: Mapping[str, Sequence[str]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over full codes, pooled over every document in gold or predicted."""
    tp = n_pred = n_gold = 0
    for doc in set(gold) | set(predicted):
        g = {norm_code(c) for c in gold.get(doc, set())}
        p = set(_dedupe(predicted.get(doc, [])))
        tp += len(g & p)
        n_pred += len(p)
        n_gold += len(g)
    return _prf(tp, n_pred, n_gold)


def category_f1(gold: Mapping[str, set[str]], predicted: Mapping[str, Sequence[str]]) -> float:
    """Micro F1 over the sets of 3-character categories per document."""
    tp = n_pred = n_gold = 0
    for doc in set(gold) | set(predicted):
        g = {norm_code(c)[:3] for c in gold.get(doc, set())}
        p = {c[:3] for c in _dedupe(predicted.get(doc, []))}
        tp += len(g & p)
        n_pred += len(p)
        n_gold += len(g)
    return _prf(tp, n_pred, n_gold)[2]


def average_precision(gold: set[str], ranked: Sequence[str]) -> float:
    """Mean of precision@k at each rank k holding a gold code, divided by the number of gold codes."""
    g = {norm_code(c) for c in gold}
    if not g:
        return 0.0
    hits = 0
    total = 0.0
    for k, code in enumerate(_dedupe(ranked), start=1):
        if code in g:
            hits += 1
            total += hits / k
    return total / len(g)


def mean_average_precision(gold: Mapping[str, set[str]], predicted: Mapping[str, Sequence[str]]) -> float:
    """MAP over the documents that have gold codes (documents without any are skipped)."""
    docs = [doc for doc, codes in gold.items() if codes]
    if not docs:
        return 0.0
    return sum(average_precision(gold[doc], predicted.get(doc, [])) for doc in docs) / len(docs)


@dataclass(frozen=True, slots=True)
class Scores:
    micro_precision: float
    micro_recall: float
    micro_f1: float
    category_f1: float
    map: float
    notes_per_s: float
    map_decision_set: float = 0.0
    """MAP of the decision set alone (the single-list figure); `map` may be over a longer ranking."""

    def to_dict(self) -> dict[str, float]:
        return {
            "micro_precision": self.micro_precision,
            "micro_recall": self.micro_recall,
            "micro_f1": self.micro_f1,
            "category_f1": self.category_f1,
            "map": self.map,
            "map_decision_set": self.map_decision_set,
            "notes_per_s": self.notes_per_s,
        }


def score(
    gold: Mapping[str, set[str]],
    predicted: Mapping[str, Sequence[str]],
    notes_per_s: float = 0.0,
    ranking: Mapping[str, Sequence[str]] | None = None,
) -> Scores:
    """P/R/F1 and category F1 on the decision sets `predicted`; `map` on `ranking` (each document's decision set
    followed by its further candidates) when given, else on `predicted`; `map_decision_set` always on `predicted`."""
    p, r, f = micro_prf(gold, predicted)
    single = mean_average_precision(gold, predicted)
    full = single if ranking is None else mean_average_precision(gold, ranking)
    return Scores(p, r, f, category_f1(gold, predicted), full, notes_per_s, single)


# -- the CodiEsp layout ---------------------------------------------------------------------------------------
def read_gold(path: Path) -> dict[str, set[str]]:
    gold: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split("\t")
        if len(parts) >= 2 and parts[1].strip():
            gold.setdefault(parts[0].strip(), set()).add(parts[1].strip().lower())
    return gold


def load_codiesp(data: Path, split: str) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Gold diagnosis codes and English texts of one split; every document with a text is included (a text
    without gold codes gets an empty set). Raises MedbillError naming the missing file or folder."""
    folder = data / split
    tsv = folder / f"{split}D.tsv"
    texts_dir = folder / "text_files_en"
    if not tsv.is_file():
        raise MedbillError(f"no gold file {tsv} (expected DIR/{split}/{split}D.tsv)")
    if not texts_dir.is_dir():
        raise MedbillError(f"no text folder {texts_dir} (expected DIR/{split}/text_files_en/)")
    gold = read_gold(tsv)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(texts_dir.glob("*.txt"))}
    if not texts:
        raise MedbillError(f"no .txt files in {texts_dir}")
    return {doc: gold.get(doc, set()) for doc in texts}, texts


def evaluate(
    gold: Mapping[str, set[str]], texts: Mapping[str, str], coder: Callable[[str], Sequence[str]]
) -> tuple[Scores, dict[str, list[str]]]:
    """Run the coder over every text (timed) and score its ranked lists against gold."""
    predicted: dict[str, list[str]] = {}
    start = time.perf_counter()
    for doc, text in texts.items():
        predicted[doc] = list(coder(text))
    elapsed = time.perf_counter() - start
    rate = len(texts) / elapsed if elapsed > 0 else float("inf")
    return score(gold, predicted, rate), predicted


def evaluate_ranked(
    gold: Mapping[str, set[str]],
    texts: Mapping[str, str],
    coder: Callable[[str], tuple[Sequence[str], Sequence[str]]],
) -> tuple[Scores, dict[str, list[str]], dict[str, list[str]]]:
    """Run a coder returning (decision set, further candidates) over every text (timed): P/R/F1 on the decision
    sets, `map` on decision set + candidates, `map_decision_set` on the decision sets alone."""
    decided: dict[str, list[str]] = {}
    ranking: dict[str, list[str]] = {}
    start = time.perf_counter()
    for doc, text in texts.items():
        chosen, rest = coder(text)
        decided[doc] = list(chosen)
        ranking[doc] = [*chosen, *rest]
    elapsed = time.perf_counter() - start
    rate = len(texts) / elapsed if elapsed > 0 else float("inf")
    return score(gold, decided, rate, ranking), decided, ranking
