"""The term matcher: clinical abbreviations, typo tolerance and partial words over the store's token vocabulary.

Search uses it for queries; computer-assisted coding will use the same matcher for note text, so there is one
notion of "these words mean this term".
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from medbill.codes.terms import fold, tokens

# Clinical abbreviations as coders meet them in notes and queries -> the words the code set uses.
ABBREVIATIONS: dict[str, str] = {
    "htn": "hypertension",
    "dm": "diabetes mellitus",
    "dm1": "type 1 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus",
    "iddm": "type 1 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
    "t2dm": "type 2 diabetes mellitus",
    "niddm": "type 2 diabetes mellitus",
    "chf": "congestive heart failure",
    "hf": "heart failure",
    "copd": "chronic obstructive pulmonary disease",
    "ckd": "chronic kidney disease",
    "esrd": "end stage renal disease",
    "aki": "acute kidney failure",
    "mi": "myocardial infarction",
    "ami": "acute myocardial infarction",
    "stemi": "st elevation myocardial infarction",
    "nstemi": "non-st elevation myocardial infarction",
    "uti": "urinary tract infection",
    "uri": "upper respiratory infection",
    "cad": "atherosclerotic heart disease coronary artery",
    "afib": "atrial fibrillation",
    "af": "atrial fibrillation",
    "gerd": "gastro-esophageal reflux disease",
    "cva": "cerebral infarction",
    "tia": "transient cerebral ischemic attack",
    "pna": "pneumonia",
    "oa": "osteoarthritis",
    "ra": "rheumatoid arthritis",
    "bph": "benign prostatic hyperplasia",
    "dvt": "deep vein thrombosis",
    "pe": "pulmonary embolism",
    "osa": "obstructive sleep apnea",
    "hld": "hyperlipidemia",
    "lbp": "low back pain",
    "sob": "shortness of breath",
    "adhd": "attention-deficit hyperactivity disorder",
    "mdd": "major depressive disorder",
    "gad": "generalized anxiety disorder",
    "pvd": "peripheral vascular disease",
    "pad": "peripheral vascular disease",
    "ptsd": "post-traumatic stress disorder",
    "hiv": "human immunodeficiency virus",
    "ibs": "irritable bowel syndrome",
    "ibd": "inflammatory bowel disease",
    "ms": "multiple sclerosis",
    "sle": "systemic lupus erythematosus",
    "tb": "tuberculosis",
    "fx": "fracture",
    "hx": "history",
    "fhx": "family history",
    "sz": "seizure",
    "ha": "headache",
    "abd": "abdominal",
    "n/v": "nausea vomiting",
    "nv": "nausea vomiting",
    "cp": "chest pain",
    "etoh": "alcohol",
    "rsv": "respiratory syncytial virus",
    "hpv": "human papillomavirus",
    "ards": "acute respiratory distress syndrome",
    "dka": "diabetic ketoacidosis",
    "obgyn": "pregnancy",
    "cancer": "malignant neoplasm",
    "ca": "malignant neoplasm",
    "tumor": "neoplasm",
    "lle": "left lower limb",
    "rle": "right lower limb",
    "lue": "left upper limb",
    "rue": "right upper limb",
}
_EXPANDED = {abbr: tokens(words) for abbr, words in ABBREVIATIONS.items()}


CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def one_edit_variants(text: str, alphabet: str) -> set[str]:
    """Every string one keystroke away (delete, insert, substitute, swap neighbours): typo candidates to check
    against a key set, far cheaper than scoring the whole set."""
    out: set[str] = set()
    for i in range(len(text) + 1):
        head, tail = text[:i], text[i:]
        if tail:
            out.add(head + tail[1:])
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])
        for ch in alphabet:
            out.add(head + ch + tail)
            if tail:
                out.add(head + ch + tail[1:])
    out.discard(text)
    return out


@dataclass(frozen=True, slots=True)
class QueryToken:
    """One token of a query and the vocabulary tokens that satisfy it, each with a weight (1.0 = exact)."""

    text: str
    alternatives: tuple[tuple[str, float], ...]


class TermMatcher:
    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self._by_length: dict[int, list[str]] = {}
        for token in vocabulary:
            self._by_length.setdefault(len(token), []).append(token)
        self._sorted = sorted(vocabulary)

    def expand(self, text: str) -> list[str]:
        """Query words with abbreviations spelled out ("DM2 w CKD" -> type 2 diabetes mellitus ... kidney ...)."""
        out: list[str] = []
        for raw in fold(text).split():
            word = raw.strip(".,;:()")
            key = word if word in _EXPANDED else word.replace("/", "")
            out.extend(_EXPANDED[key] if key in _EXPANDED else tokens(word))
        return out

    def resolve(self, token: str) -> QueryToken:
        """Exact token, else prefix completions (partial typing), else spelling neighbours (typos)."""
        options: dict[str, float] = {}
        if token in self.vocabulary:
            options[token] = 1.0
            # Word family: "hypertension" also finds "hypertensive", "diabetes" finds "diabetic".
            if len(token) >= 7:
                root = token[: max(6, len(token) - 3)]
                start = bisect.bisect_left(self._sorted, root)
                for candidate in self._sorted[start : start + 12]:
                    if not candidate.startswith(root):
                        break
                    if abs(len(candidate) - len(token)) <= 3:
                        options.setdefault(candidate, 0.85)
            return QueryToken(token, tuple(sorted(options.items(), key=lambda kv: -kv[1])))
        if len(token) >= 3:
            start = bisect.bisect_left(self._sorted, token)
            for candidate in self._sorted[start : start + 40]:
                if not candidate.startswith(token):
                    break
                options[candidate] = 0.8
        if len(token) >= 4:
            limit = 1 if len(token) < 8 else 2
            pool = [t for n in range(len(token) - limit, len(token) + limit + 1) for t in self._by_length.get(n, ())]
            for candidate, distance, _ in extract(token, pool, scorer=OSA.distance, score_cutoff=limit, limit=8):
                options.setdefault(candidate, 0.75 if distance == 1 else 0.6)
        return QueryToken(token, tuple(sorted(options.items(), key=lambda kv: -kv[1])[:24]))
