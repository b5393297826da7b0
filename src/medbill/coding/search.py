"""Ranked code search over titles, inclusion terms and index-table terms (ICD-10-CM, HCPCS, imported CPT).

Scoring: each query token weighs by its rarity (idf); a term's score is the share of the query it covers,
discounted by how much of the term is left unmatched (so "Essential (primary) hypertension" beats a long title
that merely mentions hypertension), then the best term per code wins and billable codes for the date are preferred.
"""

from __future__ import annotations

import math
import re
from array import array
from datetime import date
from itertools import islice
from typing import NamedTuple

from medbill.codes.editions import CodeSystem
from medbill.codes.library import CodeLibrary
from medbill.coding.matcher import TermMatcher

KIND_WEIGHT = {"title": 1.0, "short title": 0.97, "inclusion term": 0.96}
_CODE_QUERY = re.compile(r"^[A-Za-z][0-9A-Za-z][0-9A-Za-z](\.?[0-9A-Za-z]{0,4})?$|^\d{4}[0-9FTUM]$")


class SearchHit(NamedTuple):
    code: str
    system: str
    description: str
    score: float
    matched: str
    matched_kind: str
    billable: bool
    edition: str = ""
    """The edition that answered for the date searched (filled for every hit returned)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "system": self.system,
            "description": self.description,
            "score": self.score,
            "matched": self.matched,
            "matched_kind": self.matched_kind,
            "billable": self.billable,
            "edition": self.edition,
        }


# Candidates beyond this many are cut to the shortest terms (term ids are assigned shortest first at build),
# and a token whose terms exceed it never widens a query on its own: p99 latency stays in single milliseconds.
CANDIDATE_CAP = 1_200


class Searcher:
    def __init__(self, library: CodeLibrary) -> None:
        self.library = library
        db = library.db
        self._postings: dict[str, bytes] = dict(db.execute("SELECT token, ids FROM posting"))
        self._sets: dict[str, frozenset[int]] = {}
        total = db.execute("SELECT max(id) FROM term").fetchone()[0] or 0
        self._system: list[str] = [""] * (total + 1)
        self._code: list[str] = [""] * (total + 1)
        self._kind: list[str] = [""] * (total + 1)
        self._lead: list[str] = [""] * (total + 1)
        self._ntok = array("H", bytes(2 * (total + 1)))
        shared: dict[str, str] = {}  # one string object per distinct value: 230k terms, few distinct values
        rows = db.execute("SELECT id, system, code, kind, ntokens, lead FROM term")
        for term_id, system, code, kind, ntok, lead in rows:
            self._system[term_id] = shared.setdefault(system, system)
            self._code[term_id] = shared.setdefault(code, code)
            self._kind[term_id] = shared.setdefault(kind, kind)
            self._lead[term_id] = shared.setdefault(lead, lead)
            self._ntok[term_id] = min(ntok, 65535)
        self._n_terms = max(total, 1)
        self.matcher = TermMatcher({tok: len(ids) // 4 for tok, ids in self._postings.items()})

    def _array(self, token: str) -> array[int]:
        raw = array("I")
        raw.frombytes(self._postings.get(token, b""))
        return raw

    def _ids(self, token: str) -> frozenset[int]:
        ids = self._sets.get(token)
        if ids is None:
            ids = frozenset(self._array(token))
            if len(self._sets) > 512:
                self._sets.clear()
            self._sets[token] = ids
        return ids

    def _idf(self, token: str) -> float:
        return math.log(1 + self._n_terms / (1 + self.matcher.vocabulary.get(token, 0)))

    def search(
        self,
        query: str,
        *,
        systems: frozenset[CodeSystem] | None = None,
        chapter: str | None = None,
        billable_only: bool = False,
        on: date | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        day = on or date.today()
        words = list(dict.fromkeys(self.matcher.expand(query)))
        if not words:
            return []
        resolved = [self.matcher.resolve(w) for w in words]
        # Per query token: its alternatives' term sets with their weights, and the union of those sets.
        per_token: list[list[tuple[frozenset[int], float]]] = []
        unions: list[frozenset[int]] = []
        weights: list[float] = []
        for qt in resolved:
            options = [(self._ids(alt), weight) for alt, weight in qt.alternatives]
            per_token.append(options)
            unions.append(options[0][0] if len(options) == 1 else frozenset().union(*(ids for ids, _ in options)))
            weights.append(max((self._idf(alt) for alt, _ in qt.alternatives), default=self._idf(qt.text)))
        total_weight = sum(weights)
        order = sorted(range(len(unions)), key=lambda i: len(unions[i]))
        full: set[int] = set(unions[order[0]]).intersection(*(unions[i] for i in order[1:]))
        if len(full) > CANDIDATE_CAP:
            rarest = resolved[order[0]].alternatives
            if len(rarest) == 1:
                # Postings are stored in id order and ids run shortest term first: walk the rarest token's
                # list and stop after CANDIDATE_CAP full matches instead of sorting them all.
                ordered = (t for t in self._array(rarest[0][0]) if t in full)
                shortlist = set(islice(ordered, CANDIDATE_CAP))
            else:
                shortlist = set(sorted(full)[:CANDIDATE_CAP])
        else:
            shortlist = full
            if len(full) < limit:
                # Widen with the rarer tokens' terms (a term lacking every rare word cannot rank well), keeping
                # every full match and the shortest partial ones.
                extra: set[int] = set()
                for i in order:
                    if extra and len(unions[i]) > CANDIDATE_CAP:
                        break
                    extra.update(unions[i])
                extra -= full
                room = CANDIDATE_CAP - len(full)
                shortlist = full | (set(sorted(extra)[:room]) if len(extra) > room else extra)
        leads = {alt for qt in resolved for alt, _ in qt.alternatives}
        # Each alternative's share of the query, precomputed: the loop below runs for every candidate.
        shares = [
            [(ids, weight * w / total_weight) for ids, w in options]
            for options, weight in zip(per_token, weights, strict=True)
        ]
        n_query = len(words)
        system_of, code_of, kind_of, lead_of, ntok = self._system, self._code, self._kind, self._lead, self._ntok
        by_code: dict[tuple[str, str], tuple[float, int]] = {}
        for term_id in shortlist:
            system = system_of[term_id]
            if systems is not None and system not in systems:
                continue
            coverage = 0.0
            matched = 0
            for options in shares:
                for ids, share in options:
                    if term_id in ids:
                        coverage += share
                        matched += 1
                        break
            length = ntok[term_id]
            precision = 1.0 if matched >= length else matched / length
            score = coverage * (0.65 + 0.35 * precision) * KIND_WEIGHT.get(kind_of[term_id], 0.95)
            if matched < n_query:
                score *= 0.9
            if lead_of[term_id] in leads:
                score += 0.03  # the term is headed by a query word: "Pneumonia, unspecified" over "Typhoid pneumonia"
            key = (system, code_of[term_id])
            best = by_code.get(key)
            if best is None or best[0] < score:
                by_code[key] = (score, term_id)
        ranked = sorted(by_code.items(), key=lambda kv: -kv[1][0])
        return self._finish(query, ranked, chapter, billable_only, day, limit)

    def _finish(
        self,
        query: str,
        ranked: list[tuple[tuple[str, str], tuple[float, int]]],
        chapter: str | None,
        billable_only: bool,
        day: date,
        limit: int,
    ) -> list[SearchHit]:
        icd = self.library.icd10cm
        hits: list[SearchHit] = []
        term_of: dict[tuple[str, str], int] = {}  # the matched term per hit; its text is read for the final few
        if _CODE_QUERY.match(query.strip()):
            hits.extend(self._code_hits(query.strip(), day))
        for (system, code), (score, term_id) in ranked[: limit * 8]:
            description, billable = code, False
            if system == "ICD-10-CM":
                rec = icd.get(code.rstrip("-"))
                if rec is None:
                    continue
                if chapter is not None and not _in_chapter(icd.ancestors(rec), chapter):
                    continue
                billable = rec.period_on(day) is not None
                description = rec.title
                code = rec.code if not code.endswith("-") else code
                score += 0.04 if billable else -0.04
            else:
                if chapter is not None:
                    continue
                rec2 = self.library.catalog(CodeSystem(system)).get(code)
                if rec2 is None:
                    continue
                billable = rec2.period_on(day) is not None
                description = rec2.title or code
            if billable_only and not billable:
                continue
            term_of[(system, code)] = term_id
            hits.append(
                SearchHit(code, system, description, round(min(score, 1.0), 4), "", self._kind[term_id], billable)
            )
        unique: dict[tuple[str, str], SearchHit] = {}
        stems: set[str] = set()
        for hit in sorted(hits, key=lambda h: (-h.score, not h.billable, h.code)):
            key = hit.code.replace(".", "")
            if hit.system == "ICD-10-CM" and len(key) == 7:
                # One 7th-character variant per stem (ties go to the first, usually A: initial encounter).
                if key[:6] in stems:
                    continue
                stems.add(key[:6])
            unique.setdefault((hit.system, hit.code), hit)
        ordered = sorted(unique.values(), key=lambda h: (-h.score, not h.billable, h.code))[:limit]
        return self._with_editions(self._with_texts(ordered, term_of), day)

    def _with_editions(self, hits: list[SearchHit], day: date) -> list[SearchHit]:
        names: dict[str, str] = {}
        for system in {h.system for h in hits}:
            timeline = self.library.timeline(CodeSystem(system))
            names[system] = timeline.choose(day).edition.name if timeline is not None else ""
        return [h._replace(edition=names[h.system]) for h in hits]

    def _with_texts(self, hits: list[SearchHit], term_of: dict[tuple[str, str], int]) -> list[SearchHit]:
        """Fill in the matched term's text of the hits returned, with one query."""
        ids = [term_of[(h.system, h.code)] for h in hits if not h.matched]
        if not ids:
            return hits
        marks = ",".join("?" * len(ids))
        texts = dict(self.library.db.execute(f"SELECT id, text FROM term WHERE id IN ({marks})", ids))
        return [h if h.matched else h._replace(matched=texts[term_of[(h.system, h.code)]]) for h in hits]

    def _code_hits(self, text: str, day: date) -> list[SearchHit]:
        icd = self.library.icd10cm
        rec = icd.get(text)
        out = []
        if rec is not None:
            out.append(
                SearchHit(rec.code, "ICD-10-CM", rec.title, 1.0, rec.code, "code", rec.period_on(day) is not None)
            )
        for system in (CodeSystem.HCPCS, CodeSystem.CPT):
            cat = self.library.catalog(system).get(text)
            if cat is not None:
                out.append(
                    SearchHit(
                        cat.code,
                        str(system),
                        cat.title or cat.code,
                        1.0,
                        cat.code,
                        "code",
                        cat.period_on(day) is not None,
                    )
                )
        return out


def _in_chapter(ancestors: tuple[object, ...], chapter: str) -> bool:
    wanted = chapter.strip().lower().removeprefix("chapter").strip().lstrip("0")
    for node in ancestors:
        code = getattr(node, "code", "")
        if code.startswith("Chapter ") and code.split()[1] == wanted:
            return True
    return False
