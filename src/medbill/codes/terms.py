"""Term normalization shared by the store (which compiles token postings) and every matcher above it.

One function decides what a token is, so the search index, the query and (later) clinical-note matching can
never disagree: lower case, accents folded, punctuation split, light plural stemming, stopwords dropped.
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "to",
        "for",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "from",
        "nos",
        "other",
        "than",
        "this",
        "that",
        "its",
        "into",
        "per",
    ]
)
_SPLIT = re.compile(r"[^a-z0-9]+")
_KEEP_S = ("ss", "us", "is", "ys", "as")


def fold(text: str) -> str:
    if text.isascii():  # nearly every note and query: nothing to strip
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def stem(token: str) -> str:
    """Light plural folding: "fractures" -> "fracture", "injuries" -> "injury"; keeps "diabetes", "sepsis"."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(_KEEP_S) and not token.endswith("es"):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    return [stem(t) for t in _SPLIT.split(fold(text)) if t and t not in STOPWORDS]


def words(text: str) -> list[str]:
    """Like tokens, but keeping the small words: index subterms hinge on them ("fall from", "due to", "with")."""
    return [stem(t) for t in _SPLIT.split(fold(text)) if t]


NEUTRAL = frozenset({"unspecified", "specified", "site", "not", "without", "with"})
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def core_length(text: str) -> int:
    """How many tokens a term really asks for: nonessential modifiers (in parentheses) and neutral qualifiers
    ("unspecified", "site not specified") do not count, so "Essential (primary) hypertension" is two words."""
    return max(1, sum(1 for t in tokens(_PARENS.sub(" ", text)) if t not in NEUTRAL))
