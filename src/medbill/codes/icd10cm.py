"""ICD-10-CM at run time: records, dated validity, inherited tabular notes, 7th characters and MCE flags.

Records load from the store on demand (one row per `get`) or all at once (`preload`) for bulk work; both paths
share one record type. A record is billable on a date when one of its MCE periods contains the date.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from medbill.codes.editions import Edition, Timeline
from medbill.codes.periods import Period, parse_periods, period_on

NO_SLOT = 63  # a validity-mask bit never set (timelines hold far fewer editions)


class CodeKind(StrEnum):
    CHAPTER = "chapter"
    BLOCK = "block"
    CATEGORY = "category"
    SUBCATEGORY = "subcategory"
    CODE = "code"


FLAG_LABELS = {
    "male": "sex edit: male patients only",
    "female": "sex edit: female patients only",
    "newborn": "age edit: newborn (age 0)",
    "pediatric": "age edit: pediatric (ages 0-17)",
    "maternity": "age edit: maternity (ages 9-64 from FY2020, 12-55 before)",
    "adult": "age edit: adult (ages 15-124)",
    "manifestation": "manifestation code: may not be principal or first-listed",
    "unacceptable": "unacceptable as principal diagnosis",
    "ecodepdx": "external cause code: may not be principal diagnosis",
    "unspecified": "unspecified code",
    "qadm": "questionable admission when principal",
}

NOTE_ORDER = (
    "includes",
    "inclusion_term",
    "excludes1",
    "excludes2",
    "code_first",
    "use_additional",
    "code_also",
    "note",
    "seventh_character_note",
)


class Icd10cmCode(NamedTuple):
    """One ICD-10-CM node (chapter, block, category, subcategory or code) with its validity periods."""

    key: str
    code: str
    kind: CodeKind
    title: str
    short_title: str | None
    parent: str | None
    children: tuple[str, ...]
    periods: tuple[Period, ...]
    seq: int
    mask: int
    """Validity per timeline slot (EditionChoice.slot): bit i set when billable in the i-th edition."""

    def period_on(self, on: date) -> Period | None:
        return period_on(self.periods, on)

    @property
    def ever_billable(self) -> bool:
        return bool(self.periods)


@dataclass(frozen=True, slots=True)
class TabularNote:
    kind: str
    text: str
    source: str
    inherited: bool


@dataclass(frozen=True, slots=True)
class SeventhCharacters:
    """The 7th characters a code takes, and the tabular node that defines them."""

    values: tuple[tuple[str, str], ...]
    source: str


class CodeAnswer(NamedTuple):
    """One code as of one date: the record, the edition that answered, and whether it is billable then.

    A NamedTuple: lookups create one per call, and tuples are the cheapest immutable value to build."""

    record: Icd10cmCode
    edition: Edition
    billable: bool
    notice: str | None
    day: date
    codes: Icd10cm

    @property
    def code(self) -> str:
        return self.record.code

    @property
    def period(self) -> Period | None:
        """The validity period in force on the day (with its MCE flags), if any."""
        return self.record.period_on(self.day)

    @property
    def flags(self) -> frozenset[str]:
        period = self.period
        return period.flags if period is not None else frozenset()

    def ancestors(self) -> tuple[Icd10cmCode, ...]:
        return self.codes.ancestors(self.record)

    def children(self) -> tuple[Icd10cmCode, ...]:
        return self.codes.children(self.record)

    def notes(self) -> tuple[TabularNote, ...]:
        return self.codes.notes(self.record)

    def seventh_characters(self) -> SeventhCharacters | None:
        return self.codes.seventh_characters(self.record)

    def to_dict(self) -> dict[str, object]:
        rec = self.record
        notes: dict[str, list[dict[str, object]]] = {}
        for note in self.notes():
            notes.setdefault(note.kind, []).append(
                {"text": note.text, "from": note.source, "inherited": note.inherited}
            )
        seventh = self.seventh_characters()
        return {
            "system": "ICD-10-CM",
            "code": rec.code,
            "kind": str(rec.kind),
            "billable": self.billable,
            "title": rec.title,
            "short_title": rec.short_title,
            "parent": self.codes.display(rec.parent) if rec.parent else None,
            "ancestors": [{"code": a.code, "kind": str(a.kind), "title": a.title} for a in self.ancestors()],
            "children": [{"code": c.code, "title": c.title} for c in self.children()],
            "notes": notes,
            "seventh_characters": (
                {"from": seventh.source, "values": dict(seventh.values)} if seventh is not None else None
            ),
            "mce_flags": [{"flag": f, "meaning": FLAG_LABELS.get(f, f)} for f in sorted(self.flags)],
            "valid_periods": [
                {"start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None} for p in rec.periods
            ],
            "edition": self.edition.name,
            "notice": self.notice,
        }


_COLUMNS = "key, code, kind, title, short_title, parent, children, periods, seq, notes, seventh, mask"


class Icd10cm:
    """The ICD-10-CM code set over a compiled store."""

    def __init__(self, db: sqlite3.Connection, timeline: Timeline) -> None:
        self._db = db
        self.timeline = timeline
        self._choices = timeline.cache  # read directly on the hot path; Timeline.choose fills it
        self._records: dict[str, Icd10cmCode] = {}
        self._missing: set[str] = set()
        self._notes: dict[str, tuple[str | None, str | None]] = {}
        self._complete = False
        self._keys: frozenset[str] | None = None
        self._masks: dict[int, int] = {}
        self._slots: dict[date, int] = {}

    # -- loading -------------------------------------------------------------------------------------------
    def _make(self, row: tuple[object, ...]) -> Icd10cmCode:
        key, code, kind, title, short_title, parent, children, periods, seq, notes, seventh, mask = row
        rec = Icd10cmCode(
            key=str(key),
            code=str(code),
            kind=CodeKind(str(kind)),
            title=str(title),
            short_title=str(short_title) if short_title else None,
            parent=str(parent) if parent else None,
            children=tuple(str(children).split()) if children else (),
            periods=parse_periods(str(periods)),
            seq=int(str(seq)),
            mask=self._shared_mask(int(str(mask))),
        )
        if notes or seventh:
            self._notes[rec.key] = (str(notes) if notes else None, str(seventh) if seventh else None)
        self._records[rec.key] = rec
        if rec.code != rec.key:
            self._records[rec.code] = rec
        return rec

    def _shared_mask(self, mask: int) -> int:
        # A few hundred distinct masks across ~100k records: one int object each keeps lookups cache-friendly.
        return self._masks.setdefault(mask, mask)

    def preload(self) -> None:
        """Load every record into memory (bulk validation, benchmarks)."""
        if self._complete:
            return
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM icd10cm"):
            if row[0] not in self._records:
                self._make(row)
        self._complete = True

    def get(self, code: str) -> Icd10cmCode | None:
        rec = self._records.get(code)
        if rec is not None:
            return rec
        key = normalize(code)
        rec = self._records.get(key)
        if rec is not None or self._complete or key in self._missing:
            return rec
        row = self._db.execute(f"SELECT {_COLUMNS} FROM icd10cm WHERE key = ?", (key,)).fetchone()
        if row is None:
            self._missing.add(key)
            return None
        return self._make(row)

    def _require(self, key: str) -> Icd10cmCode:
        rec = self.get(key)
        if rec is None:
            raise KeyError(key)
        return rec

    # -- answers -------------------------------------------------------------------------------------------
    def lookup(self, code: str, on: date | None = None) -> CodeAnswer | None:
        rec = self._records.get(code) or self.get(code)
        if rec is None:
            return None
        day = on or date.today()
        choice = self._choices.get(day) or self.timeline.choose(day)
        billable = choice.slot >= 0 and rec.mask >> choice.slot & 1 == 1
        return CodeAnswer(rec, choice.edition, billable, choice.notice, day, self)

    def is_billable(self, code: str, on: date) -> bool:
        """The question simple_icd_10_cm answers, asked for a date: is this a billable code then?"""
        rec = self._records.get(code) or self.get(code)
        if rec is None:
            return False
        slot = self._slots.get(on)
        if slot is None:
            slot = self.timeline.choose(on).slot
            # Before the first edition nothing is billable: point at a bit no mask sets.
            slot = self._slots.setdefault(on, slot if slot >= 0 else NO_SLOT)
        return rec.mask >> slot & 1 == 1

    def display(self, key: str) -> str:
        rec = self.get(key)
        return rec.code if rec is not None else key

    def ancestors(self, rec: Icd10cmCode) -> tuple[Icd10cmCode, ...]:
        out = []
        parent = rec.parent
        while parent is not None:
            node = self._require(parent)
            out.append(node)
            parent = node.parent
        return tuple(out)

    def children(self, rec: Icd10cmCode) -> tuple[Icd10cmCode, ...]:
        return tuple(self._require(key) for key in rec.children)

    def descendants(self, rec: Icd10cmCode) -> Iterator[Icd10cmCode]:
        for child in self.children(rec):
            yield child
            yield from self.descendants(child)

    def billable_descendants(self, rec: Icd10cmCode, on: date) -> list[Icd10cmCode]:
        return [d for d in self.descendants(rec) if d.period_on(on) is not None]

    def _raw_notes(self, rec: Icd10cmCode) -> tuple[str | None, str | None]:
        return self._notes.get(rec.key, (None, None))

    def notes(self, rec: Icd10cmCode) -> tuple[TabularNote, ...]:
        """Notes written at the code and every ancestor up to its chapter, in the tabular's kinds."""
        out: list[TabularNote] = []
        for node in (rec, *self.ancestors(rec)):
            raw, _ = self._raw_notes(node)
            if raw:
                out.extend(TabularNote(kind, text, node.code, node is not rec) for kind, text in json.loads(raw))
        rank = {kind: i for i, kind in enumerate(NOTE_ORDER)}
        return tuple(sorted(out, key=lambda n: rank.get(n.kind, len(rank))))

    def seventh_characters(self, rec: Icd10cmCode) -> SeventhCharacters | None:
        """The nearest 7th-character definition at or above the code (a 7-character code reports its own)."""
        for node in (rec, *self.ancestors(rec)):
            _, raw = self._raw_notes(node)
            if raw:
                return SeventhCharacters(tuple((c, t) for c, t in json.loads(raw)), node.code)
        return None

    def keys(self) -> frozenset[str]:
        """Every store key (undotted codes, block ranges, chapter names): for cheap existence checks."""
        if self._keys is None:
            self._keys = frozenset(k for (k,) in self._db.execute("SELECT key FROM icd10cm"))
        return self._keys

    def records(self) -> Iterator[Icd10cmCode]:
        self.preload()
        seen: set[str] = set()
        for rec in self._records.values():
            if rec.key not in seen:
                seen.add(rec.key)
                yield rec

    def count_billable(self, on: date) -> int:
        return sum(1 for rec in self.records() if rec.period_on(on) is not None)


def normalize(code: str) -> str:
    """Store key of a user-typed code: trimmed, upper case, without the dot ("e11.9 " -> "E119")."""
    text = code.strip().upper()
    if text.startswith("CHAPTER"):
        return "Chapter " + text[7:].strip().lstrip("0")
    if "-" in text:
        return text
    return text.replace(".", "")
