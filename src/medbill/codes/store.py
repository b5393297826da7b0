"""The compiled code-set store: one SQLite file in the medbill home's cache, keyed by source checksums.

Built once from the vendored sources plus the user's imports (CPT, HCPCS, main index), written to a temporary file and
renamed into place, so a failed or concurrent build never leaves a half-written store. Opening is cheap: no table
is read until a code set asks for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from medbill.codes import catalog_build, icd10cm_build
from medbill.codes.editions import CodeSystem, Edition
from medbill.codes.sources import manifest_digest
from medbill.errors import CodeSetUnavailable

if TYPE_CHECKING:
    from medbill.codes.index_tables import IndexKind, IndexTable

SCHEMA_VERSION = "6"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE edition (system TEXT NOT NULL, name TEXT NOT NULL, effective TEXT NOT NULL, through TEXT,
                      source TEXT NOT NULL);
CREATE TABLE icd10cm (key TEXT PRIMARY KEY, code TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
                      short_title TEXT, parent TEXT, children TEXT NOT NULL, periods TEXT NOT NULL,
                      seq INTEGER NOT NULL, notes TEXT, seventh TEXT, mask INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE catalog (system TEXT NOT NULL, code TEXT NOT NULL, title TEXT NOT NULL, short_title TEXT,
                      periods TEXT NOT NULL, detail TEXT, PRIMARY KEY (system, code)) WITHOUT ROWID;
CREATE TABLE index_tree (tree TEXT PRIMARY KEY, version TEXT NOT NULL, title TEXT NOT NULL,
                         headings TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE index_entry (tree TEXT NOT NULL, id INTEGER NOT NULL, parent INTEGER, level INTEGER NOT NULL,
                          letter TEXT NOT NULL, title TEXT NOT NULL, nemod TEXT, code TEXT, see TEXT,
                          see_also TEXT, see_category TEXT, subcategory TEXT, cells TEXT, manif TEXT,
                          PRIMARY KEY (tree, id)) WITHOUT ROWID;
CREATE TABLE pcs_axis (prefix TEXT NOT NULL, position INTEGER NOT NULL, value TEXT NOT NULL, title TEXT NOT NULL,
                       label TEXT NOT NULL, definition TEXT, PRIMARY KEY (prefix, position, value, label))
                       WITHOUT ROWID;
CREATE TABLE pcs_row (prefix TEXT NOT NULL, row INTEGER NOT NULL, pos4 TEXT NOT NULL, pos5 TEXT NOT NULL,
                      pos6 TEXT NOT NULL, pos7 TEXT NOT NULL, PRIMARY KEY (prefix, row)) WITHOUT ROWID;
CREATE TABLE term (id INTEGER PRIMARY KEY, system TEXT NOT NULL, code TEXT NOT NULL, text TEXT NOT NULL,
                   kind TEXT NOT NULL, ntokens INTEGER NOT NULL, lead TEXT NOT NULL);
CREATE TABLE posting (token TEXT PRIMARY KEY, ids BLOB NOT NULL) WITHOUT ROWID;
"""

Progress = Callable[[str], None]


def medbill_home() -> Path:
    """Where medbill keeps its cache and the user's imports: $MEDBILL_HOME, else the platform data dir."""
    env = os.environ.get("MEDBILL_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("medbill", appauthor=False))


@dataclass(frozen=True, slots=True)
class UserImport:
    """A user-supplied source (licensed CPT file, main index XML) kept in the home's imports folder."""

    kind: str
    file: str
    sha256: str
    edition: str
    effective: str
    imported: str
    companion: str | None = None
    """A second file of the same release (the tabular XML beside an ICD-10-CM order file)."""

    def path(self, home: Path) -> Path:
        return home / "imports" / self.file


def read_imports(home: Path) -> list[UserImport]:
    path = home / "imports" / "imports.json"
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [UserImport(**item) for item in raw]
    except (OSError, ValueError, TypeError) as exc:
        raise CodeSetUnavailable(f"{path} is unreadable ({exc}); remove it and import again") from exc


def write_imports(home: Path, imports: Iterable[UserImport]) -> None:
    folder = home / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    payload = json.dumps([asdict(imp) for imp in imports], indent=2)
    _atomic_write(folder / "imports.json", payload.encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_key(imports: list[UserImport]) -> str:
    digest = hashlib.sha256(f"{SCHEMA_VERSION}:{manifest_digest()}".encode())
    for imp in sorted(imports, key=lambda i: (i.kind, i.file)):
        digest.update(f"|{imp.kind}:{imp.sha256}:{imp.edition}:{imp.effective}".encode())
    return digest.hexdigest()[:20]


def store_path(home: Path | None = None) -> Path:
    home = home or medbill_home()
    return home / "cache" / f"codes-{store_key(read_imports(home))}.sqlite"


STEPS = (
    "ICD-10-CM tabular, MCE validity and edit flags",
    "ICD-10-CM index tables (external cause, drugs, neoplasms)",
    "ICD-10-PCS codes and tables",
    "HCPCS Level II, CPT numbers, modifiers, POS, CARC/RARC, taxonomy",
    "user imports (CPT, HCPCS quarters, main index)",
    "search terms",
)


def ensure_store(home: Path | None = None, progress: Progress | None = None) -> Path:
    """The path of a compiled store for the current sources and imports, building it if it is missing."""
    home = home or medbill_home()
    path = store_path(home)
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CodeSetUnavailable(f"medbill home {home} cannot hold a cache folder: {exc.strerror}") from exc
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".building")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _build(tmp, home, progress or (lambda _step: None))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for stale in path.parent.glob("codes-*.sqlite"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def _build(path: Path, home: Path, progress: Progress) -> None:
    from medbill.codes import imports as user_imports
    from medbill.codes.index_tables import IndexKind, parse_index
    from medbill.codes.pcs_tables import parse_pcs_tables
    from medbill.codes.sources import source

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        progress(STEPS[0])
        updates = [user_imports.load_icd10cm(imp, home) for imp in read_imports(home) if imp.kind == "icd10cm"]
        rows, editions, version = icd10cm_build.build_rows(updates)
        db.executemany("INSERT INTO icd10cm VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        _insert_editions(db, editions)
        terms = list(icd10cm_build.iter_terms(rows))

        progress(STEPS[1])
        for file, kind in (
            ("icd10cm-eindex-April-1-2026-XML.xml.gz", IndexKind.EXTERNAL_CAUSE),
            ("icd10cm-drug-April-1-2026-XML.xml.gz", IndexKind.DRUG),
            ("icd10cm-neoplasm-April-1-2026-XML.xml.gz", IndexKind.NEOPLASM),
        ):
            table = parse_index(source(file).read_bytes(), kind, name=file)
            _insert_index(db, table, file)

        progress(STEPS[2])
        pcs = list(catalog_build.pcs_rows())
        db.executemany("INSERT INTO catalog VALUES (?,?,?,?,?,?)", pcs)
        _insert_editions(db, catalog_build.pcs_editions())
        tables_file = "icd10pcs_tables_fy2024_xmlflat.csv.gz"
        tables = parse_pcs_tables(source(tables_file).read_bytes(), name=tables_file)
        db.executemany("INSERT INTO pcs_axis VALUES (?,?,?,?,?,?)", tables.to_rows())
        db.executemany("INSERT INTO pcs_row VALUES (?,?,?,?,?,?)", tables.row_rows())

        progress(STEPS[3])
        catalog = [
            *catalog_build.hcpcs_rows(),
            *catalog_build.cpt_known_rows(),
            *catalog_build.modifier_rows(),
            *catalog_build.pos_rows(),
            *catalog_build.adjustment_rows(),
            *catalog_build.taxonomy_rows(),
        ]
        db.executemany("INSERT INTO catalog VALUES (?,?,?,?,?,?)", catalog)
        _insert_editions(db, catalog_build.catalog_editions())
        terms.extend(("HCPCS", r[1], r[2], "title") for r in catalog if r[0] == "HCPCS" and r[2])

        progress(STEPS[4])
        # HCPCS quarters oldest first, so a newer quarter's rows win for the codes both list.
        for imp in sorted((i for i in read_imports(home) if i.kind == "hcpcs"), key=lambda i: i.effective):
            hcpcs, edition = user_imports.load_hcpcs(imp, home)
            db.executemany("INSERT OR REPLACE INTO catalog VALUES (?,?,?,?,?,?)", hcpcs)
            db.execute(
                "DELETE FROM edition WHERE system = ? AND effective = ?",
                (str(CodeSystem.HCPCS), edition.effective.isoformat()),
            )
            _insert_editions(db, [edition])
            replaced = {r[1] for r in hcpcs}
            terms = [t for t in terms if t[0] != "HCPCS" or t[1] not in replaced]
            terms.extend(("HCPCS", r[1], r[2], "title") for r in hcpcs if r[2])
        for imp in read_imports(home):
            if imp.kind == "cpt":
                cpt_rows, edition = user_imports.load_cpt(imp, home)
                db.executemany(
                    "INSERT OR REPLACE INTO catalog VALUES (?,?,?,?,?,?)",
                    cpt_rows,
                )
                # The user's edition joins the timeline; it replaces only an edition starting the same day.
                db.execute(
                    "DELETE FROM edition WHERE system = ? AND effective = ?",
                    (str(CodeSystem.CPT), edition.effective.isoformat()),
                )
                _insert_editions(db, [edition])
                terms.extend(("CPT", r[1], r[2], "title") for r in cpt_rows if r[2])
            elif imp.kind == "index":
                table = parse_index(imp.path(home).read_bytes(), IndexKind.DISEASE, name=imp.file)
                _insert_index(db, table, f"user import {imp.file} ({imp.edition})")

        progress(STEPS[5])
        terms.extend(_index_terms(db))
        _insert_terms(db, terms)
        db.executemany(
            "INSERT INTO meta VALUES (?,?)",
            [
                ("schema", SCHEMA_VERSION),
                ("icd10cm_tabular_version", version),
                ("built", date.today().isoformat()),
            ],
        )
        db.commit()
    finally:
        db.close()


def _insert_terms(db: sqlite3.Connection, terms: list[tuple[str, str, str, str]]) -> None:
    """Terms and their token postings (term ids as a packed uint32 array per token)."""
    from array import array

    from medbill.codes.terms import core_length, tokens

    postings: dict[str, array[int]] = {}
    rows = []
    measured = []
    for system, code, text, kind in dict.fromkeys(terms):
        # A 7th-character code's title is its stem's title plus the 7th character's meaning: rank on the stem.
        core = text.rsplit(", ", 1)[0] if kind == "title" and len(code.replace(".", "")) == 7 else text
        measured.append((core_length(core), system, code, text, kind))
    # Ids in order of term length, so "the shortest candidates" is simply "the smallest ids" at query time.
    measured.sort(key=lambda m: m[0])
    for term_id, (length, system, code, text, kind) in enumerate(measured, start=1):
        toks = tokens(text)
        rows.append((term_id, system, code, text, kind, length, toks[0] if toks else ""))
        for tok in set(toks):
            postings.setdefault(tok, array("I")).append(term_id)
    db.executemany("INSERT INTO term VALUES (?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO posting VALUES (?,?)", ((t, ids.tobytes()) for t, ids in postings.items()))


def _insert_editions(db: sqlite3.Connection, editions: Iterable[Edition]) -> None:
    db.executemany(
        "INSERT INTO edition VALUES (?,?,?,?,?)",
        [
            (str(e.system), e.name, e.effective.isoformat(), e.through.isoformat() if e.through else None, e.source)
            for e in editions
        ],
    )


def _insert_index(db: sqlite3.Connection, table: IndexTable, origin: str) -> None:
    db.execute(
        "INSERT OR REPLACE INTO index_tree VALUES (?,?,?,?,?)",
        (str(table.kind), table.version, table.title, json.dumps(list(table.headings)), origin),
    )
    db.execute("DELETE FROM index_entry WHERE tree = ?", (str(table.kind),))
    db.executemany(
        "INSERT INTO index_entry VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(str(table.kind), *row) for row in table.to_rows()],
    )


def _index_terms(db: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """Index entries that lead to a code become searchable terms named by their full index path."""
    from medbill.codes.index_tables import IndexKind

    out: list[tuple[str, str, str, str]] = []
    for (tree,) in db.execute("SELECT tree FROM index_tree").fetchall():
        table = read_index(db, IndexKind(tree))
        assert table is not None
        label = {"eindex": "external cause index", "drug": "drug table", "neoplasm": "neoplasm table"}.get(
            tree, "index"
        )
        for entry in table.entries:
            text = table.full_title(entry.id)
            if entry.code:
                out.append(("ICD-10-CM", entry.code, text, label))
            for heading, code in entry.cells:
                out.append(("ICD-10-CM", code, f"{text} ({heading.lower()})", label))
    return out


def read_index(db: sqlite3.Connection, kind: IndexKind) -> IndexTable | None:
    """One index tree rebuilt from its stored rows, or None when it is not loaded."""
    from medbill.codes.index_tables import IndexTable

    head = db.execute("SELECT version, title, headings FROM index_tree WHERE tree = ?", (str(kind),)).fetchone()
    if head is None:
        return None
    rows = db.execute(
        "SELECT id, parent, level, letter, title, nemod, code, see, see_also, see_category, subcategory, cells, "
        "manif FROM index_entry WHERE tree = ? ORDER BY id",
        (str(kind),),
    ).fetchall()
    return IndexTable.from_rows(kind, head[0], head[1], tuple(json.loads(head[2])), rows)


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection to a compiled store."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        if db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() is None:
            raise sqlite3.DatabaseError("no schema version")
    except sqlite3.Error as exc:
        raise CodeSetUnavailable(f"code-set store {path} cannot be opened: {exc}") from exc
    return db
