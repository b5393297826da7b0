"""CodeLibrary: the one entry point to every loaded code set, over a compiled store.

`CodeLibrary.open()` builds the store on first use (a minute at most) and is cheap afterwards: nothing is read
until a code set is asked for. No module globals: callers hold a library and pass it on.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from functools import cached_property
from pathlib import Path

from medbill.codes.catalog import Catalog
from medbill.codes.editions import CodeSystem, Edition, Timeline
from medbill.codes.icd10cm import Icd10cm
from medbill.codes.index_tables import IndexKind, IndexTable
from medbill.codes.pcs_tables import PcsTables
from medbill.codes.store import Progress, connect, ensure_store, medbill_home, read_index
from medbill.errors import CodeSetUnavailable


class CodeLibrary:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection = connect(path)
        self._catalogs: dict[CodeSystem, Catalog] = {}
        self._index: dict[IndexKind, IndexTable | None] = {}

    @classmethod
    def open(cls, home: Path | None = None, progress: Progress | None = None) -> CodeLibrary:
        home = home or medbill_home()
        path = ensure_store(home, progress)
        try:
            return cls(path)
        except CodeSetUnavailable:
            # A damaged cache (disk full, a killed copy): it is only a cache, so build it again, once.
            path.unlink(missing_ok=True)
            return cls(ensure_store(home, progress))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CodeLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def _editions(self) -> dict[CodeSystem, list[Edition]]:
        out: dict[CodeSystem, list[Edition]] = {}
        for system, name, effective, through, source in self.db.execute(
            "SELECT system, name, effective, through, source FROM edition"
        ):
            edition = Edition(
                CodeSystem(system),
                name,
                date.fromisoformat(effective),
                date.fromisoformat(through) if through else None,
                source,
            )
            out.setdefault(edition.system, []).append(edition)
        return out

    def editions(self) -> list[Edition]:
        return sorted((e for eds in self._editions.values() for e in eds), key=lambda e: (e.system, e.effective))

    def timeline(self, system: CodeSystem) -> Timeline | None:
        editions = self._editions.get(system)
        return Timeline(editions) if editions else None

    @cached_property
    def icd10cm(self) -> Icd10cm:
        timeline = self.timeline(CodeSystem.ICD10CM)
        assert timeline is not None, "the store always holds ICD-10-CM"
        return Icd10cm(self.db, timeline)

    def catalog(self, system: CodeSystem) -> Catalog:
        if system is CodeSystem.ICD10CM:
            raise ValueError("ICD-10-CM is served by CodeLibrary.icd10cm")
        if system not in self._catalogs:
            self._catalogs[system] = Catalog(self.db, system, self.timeline(system))
        return self._catalogs[system]

    def index_table(self, kind: IndexKind) -> IndexTable | None:
        """An ICD-10-CM index tree (the main index only when the user imported it)."""
        if kind not in self._index:
            self._index[kind] = read_index(self.db, kind)
        return self._index[kind]

    @cached_property
    def pcs_tables(self) -> PcsTables:
        rows = self.db.execute("SELECT prefix, position, value, title, label, definition FROM pcs_axis").fetchall()
        row_rows = self.db.execute("SELECT prefix, row, pos4, pos5, pos6, pos7 FROM pcs_row").fetchall()
        return PcsTables.from_rows("FY2024", rows, row_rows)

    def has_cpt_descriptors(self) -> bool:
        return (
            self.db.execute("SELECT 1 FROM catalog WHERE system = 'CPT' AND title != '' LIMIT 1").fetchone() is not None
        )
