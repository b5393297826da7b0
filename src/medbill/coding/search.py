"""Ranked code search over titles, inclusion terms and index-table terms (ICD-10-CM, HCPCS, imported CPT).

Scoring: each query token weighs by its rarity (idf); a term's score is the share of the query it covers,
discounted by how much of the term is left unmatched (so "Essential (primary) hypertension" beats a long title
that merely mentions hypertension), then the best term per code wins and billable codes for the date are preferred.
"""

from __future__ import annotations

import math
import re
from array import array
from dataclasses import dataclass
from datetime import date

from medbill.codes.editions import CodeSystem
from medbill.codes.library import CodeLibrary
from medbill.coding.matcher import TermMatcher

KIND_WEIGHT = {"title": 1.0, "short title": 0.97, "inclusion term": 0.96}
_CODE_QUERY = re.compile(r"^[A-Za-z][0-9A-Za-z][0-9A-Za-z](\.?[0-9A-Za-z]{0,4})?$|^\d{4}[0-9FTUM]$")


@dataclass(frozen=True, slots=True)
class SearchHit:
    code: str
    system: str
    description: str
    score: float
    matched: str
    matched_kind: str
    billable: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "system": self.system,
            "description": self.description,
            "score": self.score,
            "matched": self.matched,
            "matched_kind": self.matched_kind,
            "billable": self.billable,
        }


class Searcher:
    def __init__(self, library: CodeLibrary) -> None:
        self.library = library
        db = library.db
        self._postings: dict[str, bytes] = dict(db.execute("SELECT token, ids FROM posting"))
        self._decoded: dict[str, array[int]] = {}
        total = db.execute("SELECT max(id) FROM term").fetchone()[0] or 0
        self._system: list[str] = [""] * (total + 1)
        self._code: list[str] = [""] * (total + 1)
        self._kind: list[str] = [""] * (total + 1)
        self._lead: list[str] = [""] * (total + 1)
        self._ntok = array("H", bytes(2 * (total + 1)))
        rows = db.execute("SELECT id, system, code, kind, ntokens, lead FROM term")
        for term_id, system, code, kind, ntok, lead in rows:
            self._system[term_id], self._code[term_id], self._kind[term_id] = system, code, kind
            self._lead[term_id] = lead
            self._ntok[term_id] = min(ntok, 65535)
        self._n_terms = max(total, 1)
        self.matcher = TermMatcher({tok: len(ids) // 4 for tok, ids in self._postings.items()})

    def _ids(self, token: str) -> array[int]:
        ids = self._decoded.get(token)
        if ids is None:
            ids = array("I")
            ids.frombytes(self._postings.get(token, b""))
            self._decoded[token] = ids
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
        weights: list[float] = []
        per_token: list[dict[int, float]] = []
        for qt in resolved:
            best = max((self._idf(alt) for alt, _ in qt.alternatives), default=self._idf(qt.text))
            weights.append(best)
            hits: dict[int, float] = {}
            for alt, weight in qt.alternatives:
                for term_id in self._ids(alt):
                    if hits.get(term_id, 0.0) < weight:
                        hits[term_id] = weight
            per_token.append(hits)
        total_weight = sum(weights)
        full = set.intersection(*(set(h) for h in per_token)) if all(per_token) else set()
        candidates = set(full)
        if len(full) < limit:
            # Widen with the rarest tokens' terms only: a term lacking every rare word cannot rank well.
            budget = 0
            for hits in sorted(per_token, key=len):
                if candidates and budget + len(hits) > 40_000:
                    break
                candidates.update(hits)
                budget += len(hits)
        by_code: dict[tuple[str, str], tuple[float, int]] = {}
        n_query = len(words)
        leads = {alt for qt in resolved for alt, _ in qt.alternatives}
        for term_id in candidates:
            system = self._system[term_id]
            if systems is not None and system not in systems:
                continue
            covered = 0.0
            matched = 0
            for hits, weight in zip(per_token, weights, strict=True):
                w = hits.get(term_id)
                if w is not None:
                    covered += weight * w
                    matched += 1
            coverage = covered / total_weight
            precision = min(1.0, matched / max(1, self._ntok[term_id]))
            score = coverage * (0.65 + 0.35 * precision) * KIND_WEIGHT.get(self._kind[term_id], 0.95)
            if matched < n_query:
                score *= 0.9
            if self._lead[term_id] in leads:
                score += 0.03  # the term is headed by a query word: "Pneumonia, unspecified" over "Typhoid pneumonia"
            key = (system, self._code[term_id])
            if key not in by_code or by_code[key][0] < score:
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
            text = self.library.db.execute("SELECT text FROM term WHERE id = ?", (term_id,)).fetchone()[0]
            hits.append(
                SearchHit(code, system, description, round(min(score, 1.0), 4), text, self._kind[term_id], billable)
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
        ordered = sorted(unique.values(), key=lambda h: (-h.score, not h.billable, h.code))
        return ordered[:limit]

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
