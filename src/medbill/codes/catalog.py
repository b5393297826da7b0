"""The smaller code sets at run time (HCPCS, ICD-10-PCS, CPT, modifiers, POS, CARC/RARC, taxonomy).

One record shape for all: code, title, dated periods, and source-specific detail kept as JSON until asked for.
Each set loads whole on first use; the largest (ICD-10-PCS) is under 100k rows.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import NamedTuple

from medbill.codes.editions import CodeSystem, Edition, Timeline
from medbill.codes.periods import Period, parse_periods, period_on


class CatalogCode(NamedTuple):
    system: CodeSystem
    code: str
    title: str
    short_title: str | None
    periods: tuple[Period, ...]
    raw_detail: str | None

    def period_on(self, on: date) -> Period | None:
        return period_on(self.periods, on)

    @property
    def detail(self) -> dict[str, object]:
        return dict(json.loads(self.raw_detail)) if self.raw_detail else {}


class CatalogAnswer(NamedTuple):
    record: CatalogCode
    edition: Edition
    period: Period | None
    notice: str | None

    @property
    def code(self) -> str:
        return self.record.code

    @property
    def active(self) -> bool:
        return self.period is not None

    def to_dict(self) -> dict[str, object]:
        rec = self.record
        return {
            "system": str(rec.system),
            "code": rec.code,
            "title": rec.title or None,
            "short_title": rec.short_title,
            "active": self.active,
            "valid_periods": [
                {
                    "start": p.start.isoformat() if p.start.year > 1900 else None,
                    "end": p.end.isoformat() if p.end else None,
                }
                for p in rec.periods
            ],
            "detail": rec.detail,
            "edition": self.edition.name,
            "notice": self.notice,
        }


class Catalog:
    """One of the smaller code systems, loaded whole from the store on first use."""

    def __init__(self, db: sqlite3.Connection, system: CodeSystem, timeline: Timeline | None) -> None:
        self._db = db
        self.system = system
        self.timeline = timeline
        self._records: dict[str, CatalogCode] | None = None

    def _load(self) -> dict[str, CatalogCode]:
        if self._records is None:
            rows = self._db.execute(
                "SELECT code, title, short_title, periods, detail FROM catalog WHERE system = ?", (str(self.system),)
            )
            self._records = {
                code: CatalogCode(self.system, code, title, short, parse_periods(periods), detail)
                for code, title, short, periods, detail in rows
            }
        return self._records

    def __len__(self) -> int:
        return len(self._load())

    def codes(self) -> list[CatalogCode]:
        return list(self._load().values())

    def get(self, code: str) -> CatalogCode | None:
        records = self._load()
        return records.get(code) or records.get(code.strip().upper())

    def lookup(self, code: str, on: date | None = None) -> CatalogAnswer | None:
        rec = self.get(code)
        if rec is None or self.timeline is None:
            return None
        day = on or date.today()
        choice = self.timeline.choose(day)
        return CatalogAnswer(rec, choice.edition, rec.period_on(day), choice.notice)
