"""The encoder: find a code the way a coder does, through the Alphabetic Index, then verify it in the Tabular.

1. Choose the index: the Neoplasm Table for neoplasm words, the Table of Drugs and Chemicals for a substance
   with poisoning / adverse effect / underdosing words, the main Index to Diseases and Injuries when imported,
   and the External Cause Index.
2. Walk it: the main term, then at each level the subterm whose words the term contains (nonessential
   modifiers are optional), following "see" references.
3. Pick the table column: intent for drugs (accidental when intent is not documented, guideline I.C.19.e.5.b),
   behaviour for neoplasms (unspecified behaviour when none is documented).
4. Verify in the Tabular and complete: a code ending in "-" or a header becomes the billable code below it that
   the term's words single out (laterality, site); a code that takes a 7th character gets it from the
   encounter words, with placeholder X. What cannot be decided is returned as a question with its options.
Every result carries its path: the index entries visited and the tabular checks made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medbill.codes.editions import CodeSystem
from medbill.codes.icd10cm import Icd10cmCode
from medbill.codes.index_tables import IndexEntry, IndexKind, IndexTable
from medbill.codes.library import CodeLibrary
from medbill.codes.terms import tokens
from medbill.codes.terms import words as index_words

NEOPLASM_WORDS = frozenset(
    tokens("neoplasm neoplastic cancer carcinoma malignant malignancy tumor tumour metastatic metastasis sarcoma")
    + tokens("benign in situ carcinoma-in-situ")
)
DRUG_WORDS = frozenset(
    tokens("poisoning poisoned overdose toxic toxicity intoxication adverse effect reaction underdosing underdose")
)
INTENT_CUES: tuple[tuple[str, frozenset[str]], ...] = (
    ("Underdosing", frozenset(tokens("underdosing underdose underdosed missed less than prescribed"))),
    ("Adverse effect", frozenset(tokens("adverse effect side reaction"))),
    ("Poisoning Intentional self-harm", frozenset(tokens("intentional self-harm self harm suicide suicidal"))),
    ("Poisoning Assault", frozenset(tokens("assault homicide"))),
    ("Poisoning Undetermined", frozenset(tokens("undetermined"))),
)
DEFAULT_INTENT = "Poisoning Accidental (unintentional)"
BEHAVIOUR_CUES: tuple[tuple[str, frozenset[str]], ...] = (
    ("Malignant Secondary", frozenset(tokens("metastatic metastasis metastases secondary"))),
    ("Ca in situ", frozenset(tokens("situ"))),
    ("Benign", frozenset(tokens("benign"))),
    ("Uncertain Behavior", frozenset(tokens("uncertain"))),
    ("Malignant Primary", frozenset(tokens("malignant malignancy cancer carcinoma primary sarcoma"))),
)
DEFAULT_BEHAVIOUR = "Unspecified Behavior"
# Words that state the default column outright, so the path does not call it undocumented.
_DEFAULT_CUES = {
    IndexKind.DRUG: frozenset(index_words("accidental accident unintentional")),
    IndexKind.NEOPLASM: frozenset(index_words("unspecified")),
}
# Words that carry table or column choices rather than index subterms.
_CUE_WORDS = DRUG_WORDS | frozenset(tokens("accidental unintentional encounter initial subsequent sequela"))
_MAX_SEE_HOPS = 3


@dataclass(frozen=True, slots=True)
class Step:
    """One move in the coder's path: where it happened (index, column, tabular) and what was found."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Question:
    """What the documentation must still say before a billable code can be chosen, with the choices."""

    asks: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Encoding:
    term: str
    index: str
    index_code: str | None
    code: str | None
    """The complete billable code, when the term decides it."""
    title: str | None
    path: tuple[Step, ...]
    questions: tuple[Question, ...]
    notes: tuple[str, ...]
    """Tabular instructions of the result a coder must honour (code first, use additional, code also, excludes1)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "term": self.term,
            "index": self.index,
            "index_code": self.index_code,
            "code": self.code,
            "title": self.title,
            "path": [{"kind": s.kind, "text": s.text} for s in self.path],
            "questions": [{"asks": q.asks, "options": [list(o) for o in q.options]} for q in self.questions],
            "notes": list(self.notes),
        }


class Encoder:
    def __init__(self, library: CodeLibrary) -> None:
        self.library = library
        self.icd = library.icd10cm

    def encode(self, term: str, on: date | None = None, limit: int = 3) -> list[Encoding]:
        """The best encodings of a diagnostic statement or external cause, best first."""
        day = on or date.today()
        words = set(index_words(term))
        if not words:
            return []
        found: list[tuple[int, Encoding]] = []
        for kind in self._tables_for(words):
            table = self.library.index_table(kind)
            if table is None:
                continue
            walked = self._walk(table, words)
            if walked is None:
                continue
            matched, entries, steps = walked
            if kind is IndexKind.DRUG and not words & DRUG_WORDS:
                # A substance named without poisoning words must be named whole: "type 2 diabetes" is not "2,4-D".
                substance = set(index_words(entries[0].title))
                if not substance <= words or not any(w.isalpha() for w in substance):
                    continue
            found.append((matched, self._finish(term, words, table, entries, steps, day)))
        found.sort(key=lambda pair: -pair[0])
        results = [encoding for _, encoding in found]
        if any(r.index_code for r in results):
            # A walk that reached no code (e.g. the External Cause Index's bare "Poisoning" beside a drug-table
            # answer) adds nothing a coder can use.
            results = [r for r in results if r.index_code or r.code]
        walked_whole_term = any(matched >= len(words - _CUE_WORDS) for matched, _ in found)
        fallback = None if walked_whole_term else self._without_main_index(term, words, day)
        if fallback is not None:
            return [*results[: max(limit - 1, 1)], fallback]
        return results[:limit]

    def _without_main_index(self, term: str, words: set[str], day: date) -> Encoding | None:
        """When the main Index to Diseases and Injuries is not loaded, a diagnostic statement cannot be walked
        like a coder would; say so, and offer the Tabular's best matches as choices instead of guessing."""
        if self.library.index_table(IndexKind.DISEASE) is not None or words & (NEOPLASM_WORDS | DRUG_WORDS):
            return None
        from medbill.coding.search import Searcher

        icd = frozenset({CodeSystem.ICD10CM})
        hits = Searcher(self.library).search(term, systems=icd, billable_only=True, on=day, limit=6)
        if not hits:
            return None
        notice = Step(
            "notice",
            "the main Index to Diseases and Injuries is not loaded (medbill codes import-index FILE); "
            "these are Tabular search matches, not an index walk",
        )
        options = tuple((h.code, h.description) for h in hits)
        return Encoding(
            term,
            "Tabular search (main index not loaded)",
            None,
            None,
            None,
            (notice,),
            (Question("choose the code the documentation supports", options),),
            (),
        )

    # -- choosing and walking an index -------------------------------------------------------------------
    def _tables_for(self, words: set[str]) -> list[IndexKind]:
        if words & NEOPLASM_WORDS:
            return [IndexKind.NEOPLASM, IndexKind.DISEASE]
        if words & DRUG_WORDS:
            return [IndexKind.DRUG, IndexKind.DISEASE, IndexKind.EXTERNAL_CAUSE]
        return [IndexKind.DISEASE, IndexKind.EXTERNAL_CAUSE, IndexKind.DRUG]

    def _walk(self, table: IndexTable, words: set[str]) -> tuple[int, list[IndexEntry], list[Step]] | None:
        label = _TABLE_LABELS[table.kind]
        if table.kind is IndexKind.NEOPLASM:
            root = next(table.main_terms(), None)
            if root is None:
                return None
            entries, matched = [root], 0
        else:
            best = self._best_match(list(table.main_terms()), words)
            if best is None:
                return None
            entries, matched = [best[0]], best[1]
        steps = [Step("index", f"{label}: main term '{entries[0].title}'")]
        used = set(index_words(entries[0].title.split(",")[0]))
        hops = 0
        while True:
            current = entries[-1]
            child = self._best_match(list(table.children(current.id)), words - used)
            if child is not None:
                entries.append(child[0])
                matched += child[1]
                used |= {t for part in child[0].title.split(",") for t in index_words(part)} & words
                steps.append(Step("index", f"subterm '{child[0].title}' (level {child[0].level})"))
                continue
            reference = current.see or current.see_also
            if reference and not (current.code or current.cells) and hops < _MAX_SEE_HOPS:
                # No code here: the index sends the coder elsewhere ("see", or "see also" as the only lead).
                target = self._follow(table, reference)
                if target:
                    hops += 1
                    steps.append(Step("see", f"see {reference}"))
                    entries.extend(target)
                    used |= {t for e in target for t in index_words(e.title)}
                    continue
            break
        if table.kind is IndexKind.NEOPLASM and len(entries) == 1 and not (words - _neoplasm_only()):
            matched = 1  # "neoplasm" alone: the table's top row
        if matched == 0:
            return None
        if current.see_also and (current.code or current.cells):
            steps.append(Step("see also", f"see also {current.see_also}"))
        return matched, entries, steps

    @staticmethod
    def _best_match(candidates: list[IndexEntry], words: set[str]) -> tuple[IndexEntry, int] | None:
        """The entry whose essential words are all in the term, preferring the one that uses most of them."""
        best: tuple[IndexEntry, int] | None = None
        best_rank = (0, 0)
        for entry in candidates:
            # "boat, boating" and "Fall, falling" list alternative wordings: any one of them will do, but on a tie
            # an entry's own first wording wins ("lung" over "lingula, lung").
            for position, wording in enumerate(entry.title.split(",")):
                needed = set(index_words(wording)) - {"nec", "nos"}
                rank = (len(needed), 1 if position == 0 else 0)
                if needed and needed <= words and rank > best_rank:
                    best, best_rank = (entry, len(needed)), rank
        return best

    def _follow(self, table: IndexTable, reference: str) -> list[IndexEntry]:
        """Resolve a "see" reference ("Accident, transport, car occupant") to its entries."""
        parts = [p.strip() for p in reference.split(",") if p.strip()]
        if not parts:
            return []
        main = table.find_main_term(parts[0])
        if main is None:
            return []
        chain = [main]
        for part in parts[1:]:
            wanted = index_words(part)
            nxt = next(
                (c for c in table.children(chain[-1].id) if any(index_words(w) == wanted for w in c.title.split(","))),
                None,
            )
            if nxt is None:
                return []  # a reference that does not resolve fully is not followed halfway
            chain.append(nxt)
        return chain

    # -- column, tabular verification, completion ----------------------------------------------------------
    def _finish(
        self, term: str, words: set[str], table: IndexTable, entries: list[IndexEntry], steps: list[Step], day: date
    ) -> Encoding:
        entry = next((e for e in reversed(entries) if e.code or e.cells), entries[-1])
        index_code = entry.code
        if entry.cells:
            column, why = self._column(table.kind, words)
            index_code = dict(entry.cells).get(column)
            steps.append(Step("column", f"{column}: {index_code or 'no code in this column'} ({why})"))
            reference = entry.see or entry.see_also
            if index_code is None and reference:
                # The row has no code in this column: its cross-reference has ("colon" -> "intestine, large").
                target = self._follow(table, reference)
                if target and target[-1].cells:
                    index_code = dict(target[-1].cells).get(column)
                    steps.append(Step("see also", f"{reference}: {column} {index_code or 'none'}"))
        label = _TABLE_LABELS[table.kind]
        if index_code is None:
            return Encoding(term, label, None, None, None, tuple(steps), (), ())
        code, title, questions = self._complete(index_code, words, steps, day)
        notes = self._notes(code) if code else ()
        return Encoding(term, label, index_code, code, title, tuple(steps), tuple(questions), notes)

    @staticmethod
    def _column(kind: IndexKind, words: set[str]) -> tuple[str, str]:
        cues, default, reason = (
            (INTENT_CUES, DEFAULT_INTENT, "intent not documented: accidental, guideline I.C.19.e.5.b")
            if kind is IndexKind.DRUG
            else (BEHAVIOUR_CUES, DEFAULT_BEHAVIOUR, "behaviour not documented")
        )
        for column, cue in cues:
            hit = words & cue
            if hit:
                return column, f"documented: {', '.join(sorted(hit))}"
        stated = words & _DEFAULT_CUES.get(kind, frozenset())
        if stated:
            return default, f"documented: {', '.join(sorted(stated))}"
        return default, reason

    def _complete(
        self, index_code: str, words: set[str], steps: list[Step], day: date
    ) -> tuple[str | None, str | None, list[Question]]:
        rec = self.icd.get(index_code.rstrip("-").rstrip("."))
        if rec is None:
            steps.append(Step("tabular", f"{index_code} is not in the tabular of the loaded editions"))
            return None, None, []
        for _ in range(8):
            if rec.period_on(day) is not None:
                steps.append(Step("tabular", f"{rec.code} {rec.title}: billable on {day.isoformat()}"))
                return rec.code, rec.title, []
            seventh = self.icd.seventh_characters(rec)
            if seventh is not None and rec.children and all(len(c) == 7 for c in rec.children):
                return self._seventh(rec, seventh.values, words, steps, day)
            options = [c for c in self.icd.children(rec) if self._usable(c, day)]
            if not options:
                steps.append(Step("tabular", f"{rec.code} has no code valid on {day.isoformat()}"))
                return None, None, []
            chosen = _single_best(options, words)
            if chosen is None:
                steps.append(Step("tabular", f"{rec.code} {rec.title}: not billable; the term does not say which"))
                question = Question(f"which code below {rec.code}?", tuple((c.code, c.title) for c in options[:30]))
                return None, None, [question]
            steps.append(Step("tabular", f"{rec.code} is a header; the term points to {chosen.code} {chosen.title}"))
            rec = chosen
        return None, None, []

    def _usable(self, rec: Icd10cmCode, day: date) -> bool:
        return rec.period_on(day) is not None or any(d.period_on(day) for d in self.icd.descendants(rec))

    def _seventh(
        self,
        rec: Icd10cmCode,
        values: tuple[tuple[str, str], ...],
        words: set[str],
        steps: list[Step],
        day: date,
    ) -> tuple[str | None, str | None, list[Question]]:
        steps.append(Step("tabular", f"{rec.code} {rec.title}: requires a 7th character"))
        scored = sorted(
            ((len(words & set(tokens(text))), char, text) for char, text in values), key=lambda s: (-s[0], s[1])
        )
        best = scored[0] if scored and scored[0][0] > 0 else None
        if best is None or (len(scored) > 1 and scored[1][0] == best[0]):
            return None, None, [Question(f"7th character for {rec.code} (encounter)", values)]
        full = self.icd.get(rec.key.ljust(6, "X") + best[1])
        if full is None or full.period_on(day) is None:
            return None, None, [Question(f"7th character for {rec.code} (encounter)", values)]
        steps.append(Step("7th character", f"{best[1]}: {best[2]} (placeholder X where needed) -> {full.code}"))
        return full.code, full.title, []

    def _notes(self, code: str) -> tuple[str, ...]:
        rec = self.icd.get(code)
        if rec is None:
            return ()
        wanted = {"code_first": "code first", "use_additional": "use additional code", "code_also": "code also"}
        return tuple(
            f"{wanted[n.kind]}: {n.text}" + (f" (from {n.source})" if n.inherited else "")
            for n in self.icd.notes(rec)
            if n.kind in wanted
        )


_TABLE_LABELS = {
    IndexKind.DISEASE: "Index to Diseases and Injuries",
    IndexKind.EXTERNAL_CAUSE: "External Cause Index",
    IndexKind.DRUG: "Table of Drugs and Chemicals",
    IndexKind.NEOPLASM: "Neoplasm Table",
}


def _neoplasm_only() -> frozenset[str]:
    return NEOPLASM_WORDS | _CUE_WORDS


def _single_best(options: list[Icd10cmCode], words: set[str]) -> Icd10cmCode | None:
    """The one option whose title shares the most words with the term; None on a tie or no overlap."""
    scored = sorted(((len(words & set(tokens(o.title))), o) for o in options), key=lambda s: -s[0])
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]
