"""The term matcher: what written words mean as code-set terms, for search queries and clinical notes alike.

One module decides how text becomes terms (folding, stop words, light stemming, clinical abbreviations), and one
class answers for a vocabulary: `expand`/`resolve` turn a search query into weighted vocabulary tokens (prefixes
while typing, word families, typos) and `correct` turns a misspelled note word into the vocabulary token it most
likely is. `codes search` and computer-assisted coding (`medbill.coding.cac`) both go through it, so a new
abbreviation or a better notion of "a typo of" serves both.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from medbill.codes.terms import fold, tokens

_WORD = re.compile(r"[^\W_]+")
ALWAYS_EXPAND = frozenset({"cancer", "tumor"})
"""Words a note means as their expansion whatever their case (other abbreviations count only in capitals)."""

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
_EXPANDED = {abbr: tuple(tokens(words)) for abbr, words in ABBREVIATIONS.items()}


@lru_cache(maxsize=200_000)
def word_terms(raw: str, strict: bool = True) -> tuple[str, ...]:
    """The terms one written word stands for (words repeat a lot: cached).

    strict (note text): an abbreviation is expanded only when written in capitals ("HTN", not "ms" in "ms. Doe")
    or when it is one of `ALWAYS_EXPAND`; loose (a search query, typed on purpose): any case, and "n/v" style
    slashes are dropped."""
    low = fold(raw)
    if strict:
        if low in _EXPANDED and (raw.isupper() or low in ALWAYS_EXPAND) and len(raw) > 1:
            return _EXPANDED[low]
        return tuple(tokens(low))
    word = low.strip(".,;:()")
    key = word if word in _EXPANDED else word.replace("/", "")
    return _EXPANDED[key] if key in _EXPANDED else tuple(tokens(word))


@dataclass(frozen=True, slots=True)
class Token:
    """A term of a note with the character span of the written word it came from."""

    text: str
    start: int
    end: int


def note_tokens(text: str) -> list[Token]:
    """The note's terms with character offsets into `text` (an abbreviation's expansion spans the abbreviation)."""
    out: list[Token] = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        out.extend(Token(t, start, end) for t in word_terms(m.group()))
    return out


CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
MIN_CORRECTABLE = 6
"""Shorter words are left as written: too many real words lie one keystroke from a short term."""
BRITISH = (("aem", "em"), ("oed", "ed"), ("oes", "es"), ("ae", "e"), ("oe", "e"), ("our", "or"), ("tre", "ter"),
           ("isation", "ization"), ("yse", "yze"), ("ph", "f"), ("ll", "l"))  # fmt: skip
"""British and older medical spellings and their American forms (the code set's spelling)."""
INFLECTIONS = ("es", "s", "ed", "d")


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
    """Answers for one vocabulary (token -> how common it is): the search index's, or the CAC lexicon's."""

    def __init__(self, vocabulary: dict[str, int], *, known: frozenset[str] = frozenset()) -> None:
        self.vocabulary = vocabulary
        self.known = known
        """Real words outside the vocabulary (e.g. every word of a corpus of notes): never "corrected"."""
        self._by_length: dict[int, list[str]] = {}
        for token in vocabulary:
            self._by_length.setdefault(len(token), []).append(token)
        self._sorted = sorted(vocabulary)
        self._corrected: dict[str, str] = {}

    def expand(self, text: str) -> list[str]:
        """Query words with abbreviations spelled out ("DM2 w CKD" -> type 2 diabetes mellitus ... kidney ...)."""
        out: list[str] = []
        for raw in text.split():
            out.extend(word_terms(raw, strict=False))
        return out

    def correct(self, token: str) -> str:
        """The vocabulary token a note word means when it is written another way, or the word itself.

        Three kinds of difference are read, in this order: British spellings ("haematuria", "oedema",
        "tumour", "centre"), inflections the light stemmer keeps apart ("abused"/"abuse", "accelerate"/
        "accelerated"), and two neighbouring letters swapped ("pancraetitis"). A word is left alone when it is
        known (in the vocabulary or in `known`), shorter than 6 letters, or could be read two ways. Other
        one-keystroke differences are not read as typos: in clinical text they are as often a different
        term ("urethrotomy"/"urethrostomy", "though"/"through") as a slip, and a coder must not be shown
        the wrong one."""
        if token in self.vocabulary or token in self.known or len(token) < MIN_CORRECTABLE or not token.isalpha():
            return token
        found = self._corrected.get(token)
        if found is None:
            found = self._respelled(token)
            self._corrected[token] = found
        return found

    def _respelled(self, token: str) -> str:
        vocabulary = self.vocabulary
        for british, american in BRITISH:
            if british in token:
                other = token.replace(british, american)
                if other in vocabulary:
                    return other
        for suffix in INFLECTIONS:
            if token.endswith(suffix) and token[: -len(suffix)] in vocabulary:
                return token[: -len(suffix)]
            if token + suffix in vocabulary:
                return token + suffix
        near = {
            swapped
            for i in range(1, len(token) - 1)  # the first letter stays: people rarely mistype it
            if (swapped := token[:i] + token[i + 1] + token[i] + token[i + 2 :]) in vocabulary and swapped != token
        }
        if len(near) == 1:
            return near.pop()
        return token

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
        respelled = self.correct(token)
        if respelled != token:  # "haemorrhage", "tumours": the code set's own spelling first
            options[respelled] = 0.95
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
