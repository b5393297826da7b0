"""Computer-assisted coding baseline: ICD-10-CM diagnosis suggestions from a clinical note, with evidence.

How it works:
1. The note is split into sentences and word tokens (normalized with `medbill.codes.terms`, abbreviations such as
   HTN or COPD spelled out as in `medbill.coding.matcher`), each token keeping its character offsets.
2. Two lexicons are matched inside each sentence by token sets (any order, small gaps allowed):
   - the code set's own terms: ICD-10-CM titles, short titles and inclusion terms from the store's `term` table,
     with nonessential modifiers, "unspecified" and "without ..." clauses left out of what a term asks for;
   - optionally, n-grams learned from the CodiEsp train split (`coding/data/codiesp_lexicon.tsv.gz`), each with
     the share of train notes containing it that carried the code.
3. A match covered by a longer match in the same sentence gives way (the most specific wording wins); a header
   code resolves to its unspecified billable child when there is one.
4. Assertion from trigger words around the match: negated (dropped), uncertain (dropped for outpatient,
   kept for inpatient), historical / family (mapped to a personal / family history Z code by chapter).
5. Every suggestion is validated for the date of service; only valid billable codes are returned, ranked by
   confidence.

With the packaged model (the default, `medbill.coding.ranker`), the lexicon matches above are one of three
candidate sources (with the codes of similar CodiEsp train notes and sentence-level n-gram lexicons); a boosted-tree
model gives each candidate a probability. `Coder.suggest` returns a `CodingResult`: the decision set (probability
>= threshold, 0.20 by default; never a negated mention; an uncertain one only for inpatient) and the rest of the
ranking as `candidates`. `Coder(..., ranked=False)` is the lexicon-only coder described above.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

from medbill.codes.icd10cm import normalize
from medbill.codes.library import CodeLibrary
from medbill.codes.terms import NEUTRAL, fold, tokens
from medbill.coding.matcher import TermMatcher, Token, note_tokens
from medbill.coding.validation import Validator

Assertion = Literal["present", "negated", "uncertain", "historical", "family"]
Setting = Literal["outpatient", "inpatient"]

_SENTENCE = re.compile(r"[^\n.;!?]+(?:[.;!?](?!\d)|\n|$)")
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_WITHOUT = re.compile(r"\bwithout\b[^,]*", re.IGNORECASE)
_ABSENT_AFTER = re.compile(r"\bwithout\s+([^,.;:]{1,40})", re.IGNORECASE)
_UNSPECIFIED_PART = re.compile(r"\bunspecified (part|site)s? of\b", re.IGNORECASE)
# Learned n-grams never carry negation or hedging words: assertion is decided by the triggers around a match.
_TRIGGER_TOKENS = frozenset(
    {
        "no",
        "not",
        "without",
        "deny",
        "denie",
        "denied",
        "negative",
        "absence",
        "absent",
        "free",
        "ruled",
        "excluded",
        "possible",
        "probable",
        "suspected",
        "suspicion",
        "never",
        "nor",
    }
)

KIND_WEIGHT = {"title": 1.0, "short title": 0.95, "inclusion term": 0.95, "learned": 1.0}
MIN_LEARNED_PRECISION = 0.7
MIN_LEARNED_BOTH = 2
MIN_CONFIDENCE = 0.0


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str
    title: str
    confidence: float
    evidence: tuple[tuple[int, int], ...]
    matched: str
    assertion: Assertion
    sources: tuple[str, ...] = ()
    """Where the candidate came from: code set, learned, sentence lexicon, similar notes."""

    def to_dict(self, text: str | None = None) -> dict[str, object]:
        return {
            "code": self.code,
            "title": self.title,
            "confidence": round(self.confidence, 4),
            "evidence": [
                {"start": s, "end": e, **({"text": text[s:e]} if text is not None else {})} for s, e in self.evidence
            ],
            "matched": self.matched,
            "assertion": self.assertion,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class CodingResult:
    """The decision set (`suggestions`, best first) and the rest of the ranking (`candidates`, best first).
    Iterating, `len` and indexing go over the suggestions."""

    suggestions: list[Suggestion]
    candidates: list[Suggestion] = field(default_factory=list)

    @property
    def ranking(self) -> list[Suggestion]:
        """Suggestions then candidates: the full ranked list (what MAP is computed on)."""
        return self.suggestions + self.candidates

    def __iter__(self) -> Iterator[Suggestion]:
        return iter(self.suggestions)

    def __len__(self) -> int:
        return len(self.suggestions)

    def __getitem__(self, i: int) -> Suggestion:
        return self.suggestions[i]


def term_requirement(text: str) -> tuple[str, ...]:
    """The tokens a code-set term asks for: no parenthesized nonessential modifiers, no "without ..." clause,
    no neutral qualifiers ("unspecified", "site"); order kept, duplicates dropped."""
    core = _WITHOUT.sub(" ", _PARENS.sub(" ", _UNSPECIFIED_PART.sub(" ", text)))
    seen: dict[str, None] = {}
    for tok in tokens(core):
        if tok not in NEUTRAL:
            seen.setdefault(tok, None)
    return tuple(seen)


@dataclass(slots=True)
class Entry:
    tokens: tuple[str, ...]
    code: str
    text: str
    kind: str
    weight: float
    extra: int = 0
    """Words of the term left unasked (modifiers, "without ..."): a closer wording of the same words wins."""


@dataclass(slots=True)
class Match:
    entry: Entry
    positions: tuple[int, ...]
    sentence: int
    score: float


@dataclass(slots=True)
class Lexicon:
    entries: list[Entry] = field(default_factory=list)
    by_anchor: dict[str, list[int]] = field(default_factory=dict)

    def add(self, entry: Entry, anchor: str) -> None:
        self.by_anchor.setdefault(anchor, []).append(len(self.entries))
        self.entries.append(entry)


def learned_rows() -> list[tuple[str, str, int, int]]:
    """(ngram, code, notes with both, notes with the ngram) from the packaged CodiEsp-train lexicon, or []."""
    try:
        blob = resources.files("medbill.coding").joinpath("data/codiesp_lexicon.tsv.gz").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError):
        return []
    rows = []
    for line in gzip.decompress(blob).decode("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        ngram, code, both, total = line.split("\t")
        rows.append((ngram, code, int(both), int(total)))
    return rows


def note_ngrams(text: str, longest: int = 3) -> set[str]:
    """Every run of 1..longest consecutive content tokens inside a sentence (space-joined)."""
    out: set[str] = set()
    for m in _SENTENCE.finditer(text):
        add_ngrams([t.text for t in note_tokens(m.group())], out, longest)
    return out


def add_ngrams(toks: list[str], out: set[str], longest: int = 3) -> None:
    """Add the n-grams of one sentence's tokens that `note_ngrams` keeps (not all short or numeric, no trigger)."""
    for n in range(1, longest + 1):
        for i in range(len(toks) - n + 1):
            gram = toks[i : i + n]
            if not all(t.isdigit() or len(t) < 3 for t in gram) and not _TRIGGER_TOKENS.intersection(gram):
                out.add(" ".join(gram))


def learn_lexicon(
    gold: dict[str, set[str]], texts: dict[str, str], *, min_both: int = 2, min_precision: float = 0.3
) -> list[tuple[str, str, int, int]]:
    """N-grams strongly associated with codes over a labelled corpus: (ngram, code, notes with both, notes with
    the ngram), kept when at least `min_both` notes share them and both / (ngram notes + 1) >= min_precision."""
    with_gram: dict[str, int] = {}
    both: dict[tuple[str, str], int] = {}
    for doc, text in texts.items():
        grams = note_ngrams(text)
        codes = {c.upper() for c in gold.get(doc, set())}
        for gram in grams:
            with_gram[gram] = with_gram.get(gram, 0) + 1
            for code in codes:
                both[gram, code] = both.get((gram, code), 0) + 1
    rows = [
        (gram, code, n, with_gram[gram])
        for (gram, code), n in both.items()
        if n >= min_both and n / (with_gram[gram] + 1) >= min_precision
    ]
    return sorted(rows)


def build_lexicon(
    library: CodeLibrary,
    learned: Iterable[tuple[str, str, int, int]] = (),
    *,
    min_precision: float = MIN_LEARNED_PRECISION,
    min_both: int = MIN_LEARNED_BOTH,
) -> Lexicon:
    raw: list[Entry] = []
    for code, text, kind in library.db.execute(
        "SELECT code, text, kind FROM term WHERE system = 'ICD-10-CM' AND kind IN ('title', 'short title', "
        "'inclusion term')"
    ):
        toks = term_requirement(text)
        if not toks or (len(toks) == 1 and len(toks[0]) < 4):
            continue
        extra = max(0, len(tokens(text)) - len(toks))
        raw.append(Entry(toks, code, text, kind, KIND_WEIGHT[kind], extra))
    for ngram, code, both, total in learned:
        precision = both / (total + 1)
        toks = tuple(ngram.split())
        if precision >= min_precision and both >= min_both and not _TRIGGER_TOKENS.intersection(toks):
            raw.append(Entry(tuple(ngram.split()), code.upper(), ngram, "learned", precision))
    freq: dict[str, int] = {}
    for entry in raw:
        for tok in entry.tokens:
            freq[tok] = freq.get(tok, 0) + 1
    lexicon = Lexicon()
    seen: set[tuple[tuple[str, ...], str, str]] = set()
    for entry in raw:
        key = (entry.tokens, entry.code, entry.kind)
        if key in seen:
            continue
        seen.add(key)
        lexicon.add(entry, min(entry.tokens, key=lambda t: (freq[t], t)))
    return lexicon


# -- assertion ------------------------------------------------------------------------------------------------
_NEG_BEFORE = re.compile(
    r"\b(no|not|denies|denied|deny|without|negative for|free of|absence of|absent|ruled out|excluded|rules out|"
    r"never|nor|neither|unremarkable for)\b"
)
_NEG_AFTER = re.compile(r"^\W*(was|were|is|are|has been|have been)?\s*(ruled out|excluded|negative|absent|not found)")
_UNCERTAIN = re.compile(
    r"\b(possible|possibly|probable|probably|suspected|suspect|suspicion of|suspicious for|rule out|r/o|"
    r"likely|questionable|presumed|presumptive|cannot be excluded|differential diagnosis|versus|vs)\b"
)
# A relative as the subject of the condition ("mother has", "father with"), or an explicit family history.
_FAMILY = re.compile(
    r"\b(family history|family hx|fhx)\b|\b(mother|father|brother|sister|sibling|grandmother|grandfather|aunt|"
    r"uncle|cousin|parents?)\b('s)?\s+(has|had|have|with|was diagnosed|diagnosed|history|died)\b"
)
_HISTORY = re.compile(r"\b(history of|hx of|past medical history|previous history|pmh|status post|s/p)\b")
# "History of present illness" (HPI) is a note heading for the current problem, not a history cue.
_HPI = re.compile(r"\bhistory of (the )?present illness\b|\bhpi\b")
_SCOPE_END = re.compile(r"\b(but|however|although|though|except|which|who|presents?|presented|complain\w*)\b|[,:]")


_ANY_TRIGGER = re.compile(
    "|".join(
        r.pattern
        for r in (
            _NEG_BEFORE,
            _UNCERTAIN,
            _FAMILY,
            _HISTORY,
            re.compile(r"ruled out|excluded|negative|absent|not found"),
        )
    )
    + r"|suspected|possible|probable"
)


def trigger_free(sentence: str) -> bool:
    """True when no negation, hedge, family or history cue occurs anywhere in the sentence: every mention in it is
    then "present" (a shortcut for `assertion_of`, which only looks for these cues before and after a mention)."""
    return _ANY_TRIGGER.search(fold(sentence)) is None


def assertion_of(sentence: str, start: int, end: int) -> Assertion:
    """Assertion of the words at sentence[start:end] from the trigger words before (within its clause) and after."""
    before = fold(sentence[:start])
    after = fold(sentence[end:])
    # Scope of a negation or hedge: from the last clause boundary before the match.
    clause = before
    cut = list(_SCOPE_END.finditer(before))
    if cut:
        clause = before[cut[-1].end() :]
    if (_NEG_BEFORE.search(clause) and len(clause.split()) <= 8) or _NEG_AFTER.search(after):
        return "negated"
    if _FAMILY.search(clause):
        return "family"
    if _UNCERTAIN.search(clause) or re.match(r"^\W*(is|was)?\s*(suspected|possible|probable)\b", after):
        return "uncertain"
    if _HISTORY.search(_HPI.sub(" ", clause)):
        return "historical"
    return "present"


_PERSONAL_HISTORY = [
    ("A", "Z86.19"),
    ("B", "Z86.19"),
    ("C", "Z85.9"),
    ("D0", "Z86.008"),
    ("D1", "Z86.018"),
    ("D2", "Z86.018"),
    ("D3", "Z86.018"),
    ("D4", "Z86.018"),
    ("D5", "Z86.2"),
    ("D6", "Z86.2"),
    ("D7", "Z86.2"),
    ("D8", "Z86.2"),
    ("E", "Z86.39"),
    ("F", "Z86.59"),
    ("G", "Z86.69"),
    ("H", "Z86.69"),
    ("I", "Z86.79"),
    ("J", "Z87.09"),
    ("K", "Z87.19"),
    ("L", "Z87.2"),
    ("M", "Z87.39"),
    ("N", "Z87.448"),
    ("Q", "Z87.798"),
    ("S", "Z87.828"),
    ("T", "Z87.828"),
]
_FAMILY_HISTORY = [
    ("C", "Z80.9"),
    ("E08", "Z83.3"),
    ("E09", "Z83.3"),
    ("E10", "Z83.3"),
    ("E11", "Z83.3"),
    ("E13", "Z83.3"),
    ("F", "Z81.8"),
    ("I", "Z82.49"),
    ("J", "Z83.6"),
    ("N", "Z84.1"),
    ("Q", "Z82.79"),
]


def history_code(code: str, assertion: Assertion) -> str | None:
    """The personal or family history Z code standing for a condition asserted as historical / family."""
    table = _FAMILY_HISTORY if assertion == "family" else _PERSONAL_HISTORY
    best: str | None = None
    best_len = 0
    for prefix, z in table:
        if code.startswith(prefix) and len(prefix) > best_len:
            best, best_len = z, len(prefix)
    if best is None and assertion == "family":
        return "Z84.89"
    return best


# -- the coder -------------------------------------------------------------------------------------------------
class Coder:
    """Holds the lexicon and validator for a library; `suggest` is cheap per note once built."""

    def __init__(
        self,
        library: CodeLibrary,
        *,
        learned: bool = True,
        min_precision: float = MIN_LEARNED_PRECISION,
        min_both: int = MIN_LEARNED_BOTH,
        ranked: bool = True,
        threshold: float | None = None,
    ) -> None:
        self.library = library
        self.validator = Validator(library)
        rows = learned_rows() if learned else []
        self.lexicon = build_lexicon(library, rows, min_precision=min_precision, min_both=min_both)
        vocabulary: dict[str, int] = {}
        for entry in self.lexicon.entries:
            for tok in set(entry.tokens):
                vocabulary[tok] = vocabulary.get(tok, 0) + 1
        self.matcher = TermMatcher(vocabulary, known=_known_words(learned))
        """The same matcher `codes search` uses, over the lexicon's words: it reads misspelled note words."""
        self._resolved: dict[tuple[str, date], tuple[str, str] | None] = {}
        # The model was trained on the packaged learned lexicon at its default precision: anything else is lexicon-only.
        self.ranked = ranked and learned and min_precision == MIN_LEARNED_PRECISION and min_both == MIN_LEARNED_BOTH
        self.threshold = threshold

    def _billable(self, code: str, on: date) -> tuple[str, str] | None:
        """(code, title) of the billable code standing for `code` on the date: itself, or its unspecified child."""
        key = (code, on)
        if key in self._resolved:
            return self._resolved[key]
        out: tuple[str, str] | None = None
        result = self.validator.validate(code, on)
        if result.valid and result.billable:
            out = (self.library.icd10cm.display(code), result.title or "")
        else:
            rec = self.library.icd10cm.get(code)
            seventh = self.library.icd10cm.seventh_characters(rec) if rec is not None else None
            if rec is not None and seventh is not None and len(rec.key) < 7:
                # An injury or other code needing a 7th character: the initial encounter (A) of the full code.
                initial = self.validator.validate(rec.key.ljust(6, "X") + "A", on)
                if initial.valid and initial.billable:
                    full = self.library.icd10cm.display(normalize(rec.key.ljust(6, "X") + "A"))
                    out = (full, initial.title or "")
            elif rec is not None and rec.kind.value in ("category", "subcategory"):
                children = self.library.icd10cm.billable_descendants(rec, on)
                pick = [c for c in children if c.key == rec.key + "9" or c.key == rec.key.ljust(5, "X") + "9"]
                pick = pick or [
                    c for c in children if "unspecified" in c.title.lower() and len(c.key) == len(rec.key) + 1
                ]
                if pick:
                    child = self.validator.validate(pick[0].code, on)
                    if child.valid and child.billable:
                        out = (pick[0].code, child.title or "")
        self._resolved[key] = out
        return out

    def matches(self, text: str) -> tuple[list[Match], list[tuple[int, int]], list[list[Token]]]:
        sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
        all_tokens: list[list[Token]] = []
        found: list[Match] = []
        for si, (s_start, s_end) in enumerate(sentences):
            toks = note_tokens(text[s_start:s_end])
            all_tokens.append(toks)
            # Words the note says are absent ("without complications") cannot satisfy a term that needs them.
            absent = [(m.start(1), m.end(1)) for m in _ABSENT_AFTER.finditer(text[s_start:s_end])]
            where: dict[str, list[int]] = {}
            correct = self.matcher.correct
            for i, tok in enumerate(toks):
                if not any(a <= tok.start < b for a, b in absent):
                    where.setdefault(correct(tok.text), []).append(i)
            sentence_matches: list[Match] = []
            entries = self.lexicon.entries
            present = where.__contains__
            for anchor, anchor_positions in where.items():
                for idx in self.lexicon.by_anchor.get(anchor, ()):
                    entry = entries[idx]
                    if not all(map(present, entry.tokens)):  # map/all: the test runs in C
                        continue
                    match = _place(entry, where, anchor_positions, si)
                    if match is not None:
                        sentence_matches.append(match)
            found.extend(_most_specific(sentence_matches))
        return found, sentences, all_tokens

    def suggest(
        self, text: str, *, setting: Setting = "outpatient", on: date | None = None, threshold: float | None = None
    ) -> CodingResult:
        """The decision set and the rest of the ranking for a note (lexicon-only: every suggestion, no candidates)."""
        if not self.ranked:
            return CodingResult(self.lexicon_suggest(text, setting=setting, on=on))
        from medbill.coding import ranker

        day = on or date.today()
        art = ranker.artifacts()
        cut = threshold if threshold is not None else self.threshold if self.threshold is not None else art.threshold
        found, sentences, all_tokens = self.matches(text)
        ranked = ranker.rank(text, found, sentences, all_tokens, lambda code: self._billable(code, day), art)
        chosen: list[Suggestion] = []
        rest: list[Suggestion] = []
        for cand in ranked:
            best = cand.best()
            if best is None:
                suggestion = Suggestion(
                    cand.code, cand.title, cand.probability, (), "similar train notes", "present", ("similar notes",)
                )
            else:
                sources = tuple(s for s in _SOURCE_ORDER if s in cand.sources)
                suggestion = Suggestion(
                    cand.code, cand.title, cand.probability, best.spans, best.matched, best.assertion, sources
                )
            decided = cand.probability >= cut and suggestion.assertion != "negated"
            if suggestion.assertion == "uncertain" and setting == "outpatient":
                decided = False
            if suggestion.assertion == "family" and not suggestion.code.startswith("Z"):
                decided = False  # a relative's condition is never the patient's (only its family history Z code)
            (chosen if decided else rest).append(suggestion)
        return CodingResult(chosen, rest)

    def lexicon_suggest(
        self, text: str, *, setting: Setting = "outpatient", on: date | None = None
    ) -> list[Suggestion]:
        """The lexicon-only coder: every validated lexicon suggestion, ranked by its rule-based confidence."""
        day = on or date.today()
        found, sentences, all_tokens = self.matches(text)
        best: dict[str, Suggestion] = {}
        support: dict[str, dict[str, float]] = {}
        for match in found:
            s_start, s_end = sentences[match.sentence]
            toks = all_tokens[match.sentence]
            spans = _merge([(toks[p].start, toks[p].end) for p in match.positions])
            sentence = text[s_start:s_end]
            assertion = assertion_of(sentence, spans[0][0], spans[-1][1])
            code = match.entry.code
            confidence = match.score
            if assertion == "negated":
                continue
            if assertion == "uncertain" and setting == "outpatient":
                continue
            if assertion == "uncertain":
                confidence *= 0.8
            if assertion in ("historical", "family"):
                z = history_code(code, assertion)
                if z is None:
                    continue
                code = z
                confidence *= 0.7
            resolved = self._billable(code, day)
            if resolved is None:
                continue
            final, title = resolved
            evidence = tuple((s_start + s, s_start + e) for s, e in spans)
            source = "learned" if match.entry.kind == "learned" else "code set"
            support.setdefault(final, {})
            support[final][source] = max(confidence, support[final].get(source, 0.0))
            previous = best.get(final)
            if previous is not None and previous.confidence >= confidence:
                continue
            best[final] = Suggestion(
                final, title, min(1.0, confidence), evidence, match.entry.text, assertion, (source,)
            )
        # Both lexicons agreeing on a code is stronger evidence than either alone (noisy-or of the two).
        for code, by_source in support.items():
            if len(by_source) == 2:
                a, b = by_source.values()
                joined = 1.0 - (1.0 - min(a, 0.99)) * (1.0 - min(b, 0.99))
                best[code] = replace(best[code], confidence=min(1.0, joined), sources=("code set", "learned"))
        out = [s for s in best.values() if s.confidence >= MIN_CONFIDENCE]
        return sorted(out, key=lambda s: (-s.confidence, s.code))


_SOURCE_ORDER = ("code set", "learned", "sentence lexicon", "similar notes")


def _place(entry: Entry, where: dict[str, list[int]], anchor_positions: list[int], sentence: int) -> Match | None:
    """The tightest placement of an entry's tokens around one of the anchor's positions, if compact enough."""
    n = len(entry.tokens)
    allowed = n + 1 + n // 2  # token span: the term plus a few words in between (either order)
    best: Match | None = None
    for anchor in anchor_positions:
        positions = [min(where[t], key=lambda p: abs(p - anchor)) for t in entry.tokens]
        lo, hi = min(positions), max(positions)
        span = hi - lo + 1
        if span > allowed or len(set(positions)) < n:
            continue
        compact = n / span
        size = min(1.0, 0.55 + 0.15 * n)
        score = entry.weight * (0.8 + 0.2 * compact) * (size if entry.kind != "learned" else 1.0)
        score *= 1.0 - 0.01 * min(10, entry.extra)
        if best is None or score > best.score:
            best = Match(entry, tuple(sorted(positions)), sentence, score)
    return best


def _most_specific(matches: list[Match]) -> list[Match]:
    """Drop a match whose tokens are a strict subset of another kept match's tokens (a longer, more specific
    wording of the same words), keeping everything else."""
    ordered = sorted(matches, key=lambda m: (-len(m.positions), -m.score))
    kept: list[Match] = []
    covered: list[frozenset[int]] = []
    top: dict[tuple[frozenset[int], bool], float] = {}
    for match in ordered:
        mine = frozenset(match.positions)
        if any(mine < other for other in covered):
            continue
        # The same words matched by several terms: only the closest wording(s) of each lexicon stand.
        group = (mine, match.entry.kind == "learned")
        if match.score < top.setdefault(group, match.score):
            continue
        kept.append(match)
        covered.append(mine)
    return kept


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(set(spans)):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@lru_cache(maxsize=4)
def _coder_for(library: CodeLibrary) -> Coder:
    return Coder(library)


def suggest(
    text: str, library: CodeLibrary, *, setting: Setting = "outpatient", on: date | None = None
) -> CodingResult:
    """Validated ICD-10-CM suggestions and further candidates for a note (the coder for the library is built once
    and cached)."""
    return _coder_for(library).suggest(text, setting=setting, on=on)


def _known_words(learned: bool) -> frozenset[str]:
    """Words of the CodiEsp train notes (the packaged TF-IDF vocabulary): real words, never typos to correct."""
    if not learned:
        return frozenset()
    from medbill.coding import ranker

    return frozenset(tokens(" ".join(w for w in ranker.artifacts().tfidf.vocabulary if " " not in w)))
