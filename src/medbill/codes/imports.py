"""User imports: a licensed CPT file, the main ICD-10-CM Alphabetic Index, and newer ICD-10-CM releases.

CPT descriptors are AMA property, so medbill ships none: a user with a licence imports their file here. An import
is checked whole before anything is kept; then the file is copied into the medbill home and the store rebuilt.
If the rebuild fails, the previous import list is restored, so a bad file never leaves a half-changed library.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from medbill.codes.catalog_build import CPT_PATTERN, CatalogRow
from medbill.codes.editions import CodeSystem, Edition
from medbill.codes.icd10cm_build import Icd10cmUpdate, OrderEntry
from medbill.codes.periods import format_period
from medbill.codes.store import Progress, UserImport, ensure_store, read_imports, write_imports
from medbill.errors import InvalidInput
from medbill.issues import Issue, Location, Severity

_CODE_COLUMNS = {"code", "cpt", "cptcode", "hcpcs", "hcpcscode", "procedurecode", "conceptcode"}
_LONG_COLUMNS = {"longdescription", "longdescriptor", "descriptor", "description", "long", "clinicianconsumerfriendly"}
_MEDIUM_COLUMNS = {"mediumdescription", "mediumdescriptor", "medium"}
_SHORT_COLUMNS = {"shortdescription", "shortdescriptor", "short"}
_START_COLUMNS = {"effectivedate", "effective", "startdate", "start", "addeddate", "added"}
_END_COLUMNS = {"deletedate", "deleted", "deletiondate", "enddate", "end", "terminationdate"}


@dataclass(frozen=True, slots=True)
class CptEntry:
    code: str
    title: str
    short_title: str | None
    start: date | None
    end: date | None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise InvalidInput(f"{name}: the file is empty")
    if b"\x00" in data[:4096]:
        raise InvalidInput(f"{name}: this is a binary file, not a CSV or text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidInput(f"{name}: byte {exc.start} is not valid UTF-8 or Windows-1252 text") from exc


def _parse_date(text: str, name: str, line: int, issues: list[Issue]) -> date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d"):
        try:
            from datetime import datetime

            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    issues.append(_bad(name, line, f"date {_shown(text)} is not YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD"))
    return None


_CODE_SHAPED = re.compile(r"^(?=.*[0-9])[A-Za-z0-9./-]{1,10}$")  # codes and dates have a digit; names do not


def _shown(value: str) -> str:
    """A cell's value for an error message only when it looks like a code or date: a wrong file (a patient
    list, say) must not have its contents echoed to the terminal or a log."""
    return repr(value) if _CODE_SHAPED.match(value) else "the value"


def _refuse_if_any(name: str, issues: list[Issue]) -> None:
    """Refuse the whole file when any line is bad (nothing is imported half): name the first bad line."""
    if not issues:
        return
    issues.sort(key=lambda i: i.location.line if i.location and i.location.line else 0)
    first = issues[0]
    where = first.location.line if first.location else "?"
    raise InvalidInput(
        f"{name}: {len(issues)} line(s) cannot be imported (first, line {where}: {first.message})", issues=issues
    )


def _bad(name: str, line: int, message: str) -> Issue:
    return Issue(Severity.ERROR, "import.row", message, Location(file=name, line=line))


def parse_cpt(data: bytes, name: str) -> list[CptEntry]:
    """Read a CPT file: a CSV/TSV/pipe file with a header, or the AMA's fixed "CODE descriptor" text layout."""
    text = _decode(data, name)
    if not text.strip():
        raise InvalidInput(f"{name}: the file is empty")
    lines = text.splitlines()
    first = lines[0]
    issues: list[Issue] = []
    entries: list[CptEntry] = []
    lines_of: list[int] = []  # the line each entry came from
    delimiter = max(("\t", "|", ","), key=first.count)
    header = [_squash(h) for h in next(csv.reader([first], delimiter=delimiter))]
    known = _CODE_COLUMNS | _LONG_COLUMNS | _MEDIUM_COLUMNS | _SHORT_COLUMNS | _START_COLUMNS | _END_COLUMNS
    if first.count(delimiter) and not any(h in _CODE_COLUMNS for h in header) and any(h in known for h in header):
        raise InvalidInput(f"{name}: line 1 has no code column (expected one named code, cpt or hcpcs)")
    if first.count(delimiter) and any(h in _CODE_COLUMNS for h in header):
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        next(reader)

        def col(names: set[str]) -> int | None:
            return next((i for i, h in enumerate(header) if h in names), None)

        code_i, long_i, med_i, short_i = (
            col(_CODE_COLUMNS),
            col(_LONG_COLUMNS),
            col(_MEDIUM_COLUMNS),
            col(_SHORT_COLUMNS),
        )
        start_i, end_i = col(_START_COLUMNS), col(_END_COLUMNS)
        if long_i is None and med_i is None and short_i is None:
            raise InvalidInput(f"{name}: line 1 has no descriptor column (expected e.g. 'long description')")
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue

            def cell(i: int | None, row: list[str] = row) -> str:
                return row[i].strip() if i is not None and i < len(row) else ""

            title = cell(long_i) or cell(med_i) or cell(short_i)
            entries.append(
                CptEntry(
                    cell(code_i).upper(),
                    title,
                    cell(short_i) or None,
                    _parse_date(cell(start_i), name, line_no, issues),
                    _parse_date(cell(end_i), name, line_no, issues),
                )
            )
            lines_of.append(line_no)
            _check_entry(entries[-1], name, line_no, issues)
    else:
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            code, _, title = line.strip().partition(delimiter if first.count(delimiter) else " ")
            entries.append(CptEntry(code.strip().upper(), title.strip().strip('"'), None, None, None))
            lines_of.append(line_no)
            _check_entry(entries[-1], name, line_no, issues)
    first_line: dict[str, int] = {}
    for entry, line_no in zip(entries, lines_of, strict=True):
        if entry.code in first_line:
            issues.append(_bad(name, line_no, f"{entry.code} appears again (first on line {first_line[entry.code]})"))
        first_line.setdefault(entry.code, line_no)
    _refuse_if_any(name, issues)
    if not entries:
        raise InvalidInput(f"{name}: no CPT rows found")
    return entries


def _check_entry(entry: CptEntry, name: str, line: int, issues: list[Issue]) -> None:
    if not CPT_PATTERN.match(entry.code):
        issues.append(_bad(name, line, f"{_shown(entry.code)} is not a CPT code (5 digits, or 4 digits + F/T/U/M)"))
    elif not entry.title:
        issues.append(_bad(name, line, f"{entry.code} has no descriptor"))


def _edition_year(name: str, effective: date | None) -> date:
    if effective is not None:
        return effective
    match = re.search(r"(20\d\d)", name)
    return date(int(match.group(1)) if match else date.today().year, 1, 1)


def cpt_edition(imp: UserImport) -> Edition:
    start = date.fromisoformat(imp.effective)
    return Edition(CodeSystem.CPT, imp.edition, start, date(start.year, 12, 31), f"user import {imp.file}")


def load_cpt(imp: UserImport, home: Path) -> tuple[list[CatalogRow], Edition]:
    entries = parse_cpt(imp.path(home).read_bytes(), imp.file)
    rows: list[CatalogRow] = [
        ("CPT", e.code, e.title, e.short_title, format_period(e.start, e.end), '{"source": "user import"}')
        for e in entries
    ]
    return rows, cpt_edition(imp)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror})") from exc


def _stored_name(kind: str, path: Path, digest: str) -> str:
    return f"{kind}-{digest[:12]}{''.join(path.suffixes[-2:]) or '.txt'}"


def _install(
    kind: str,
    path: Path,
    data: bytes,
    edition: str,
    effective: date,
    home: Path,
    progress: Progress | None,
    companion: tuple[Path, bytes] | None = None,
) -> UserImport:
    digest = hashlib.sha256(data).hexdigest()
    extra = None
    if companion is not None:
        extra_digest = hashlib.sha256(companion[1]).hexdigest()
        extra = _stored_name(f"{kind}-tabular", companion[0], extra_digest)
        digest = hashlib.sha256((digest + extra_digest).encode()).hexdigest()
    imp = UserImport(
        kind,
        _stored_name(kind, path, digest),
        digest,
        edition,
        effective.isoformat(),
        date.today().isoformat(),
        extra,
    )
    previous = read_imports(home)
    target = imp.path(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    if companion is not None and extra is not None:
        shutil.copyfile(companion[0], target.parent / extra)
    # One import per kind, except ICD-10-CM releases: one per effective date, so FY2027 and FY2028 can coexist.
    kept = [i for i in previous if i.kind != kind or (kind == "icd10cm" and i.effective != imp.effective)]
    write_imports(home, [*kept, imp])
    try:
        ensure_store(home, progress)
    except BaseException:
        write_imports(home, previous)
        raise
    return imp


def import_cpt(
    path: Path,
    home: Path,
    *,
    edition: str | None = None,
    effective: date | None = None,
    progress: Progress | None = None,
) -> tuple[UserImport, int]:
    data = _read(path)
    entries = parse_cpt(data, path.name)
    start = _edition_year(path.name, effective)
    imp = _install("cpt", path, data, edition or f"CPT {start.year} (user import)", start, home, progress)
    return imp, len(entries)


def import_index(
    path: Path, home: Path, *, edition: str | None = None, progress: Progress | None = None
) -> tuple[UserImport, int]:
    from medbill.codes.index_tables import IndexKind, parse_index

    data = _read(path)
    table = parse_index(data, IndexKind.DISEASE, name=path.name)
    if "EXTERNAL CAUSE" in table.title.upper():
        raise InvalidInput(
            f"{path.name} is the External Cause Index (medbill ships it), not the Index to Diseases and Injuries"
        )
    start = _edition_year(path.name, None)
    name = edition or f"ICD-10-CM Index to Diseases and Injuries {table.version} (user import)"
    imp = _install("index", path, data, name, start, home, progress)
    return imp, sum(1 for _ in table.main_terms())


_ORDER_CODE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z][0-9A-Z]{0,4}$")


def parse_icd10cm_order(data: bytes, name: str) -> list[OrderEntry]:
    """Read an ICD-10-CM order file: CMS's fixed-width text (order, code, billable flag, short and long titles),
    or a CSV with a header naming code, billable, short and long title columns."""
    text = _decode(data, name)
    if not text.strip():
        raise InvalidInput(f"{name}: the file is empty")
    lines = text.splitlines()
    issues: list[Issue] = []
    entries: list[OrderEntry] = []
    header = [_squash(h) for h in next(csv.reader([lines[0]]))]
    if len(header) >= 3 and ("code" in header or "codedot" in header):
        reader = csv.reader(io.StringIO(text))
        next(reader)
        index = {h: i for i, h in enumerate(header)}

        def col(*names: str) -> int | None:
            return next((index[n] for n in names if n in index), None)

        code_i = col("code", "codedot")
        bill_i = col("billable", "valid", "header")
        short_i = col("shortname", "shortdescription", "short")
        long_i = col("longname", "longdescription", "long", "description")
        if bill_i is None or long_i is None:
            raise InvalidInput(f"{name}: line 1 needs billable and long title columns")
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            cells = [c.strip() for c in row] + [""] * len(header)
            code = cells[code_i or 0].replace(".", "").upper()
            flag = cells[bill_i]
            entries.append(OrderEntry(code, flag == "1", cells[short_i] if short_i is not None else "", cells[long_i]))
            _check_order(entries[-1], flag, name, line_no, issues)
    else:
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if len(line) < 17 or not line[:5].strip().isdigit():
                issues.append(
                    _bad(name, line_no, "not an order-file line (5-digit order, code, billable flag, titles)")
                )
                continue
            flag = line[14]
            short = line[16:76].strip()
            entries.append(OrderEntry(line[6:13].strip().upper(), flag == "1", short, line[77:].strip() or short))
            _check_order(entries[-1], flag, name, line_no, issues)
    _refuse_if_any(name, issues)
    if not any(e.billable for e in entries):
        raise InvalidInput(f"{name}: no billable codes found")
    return entries


def _check_order(entry: OrderEntry, flag: str, name: str, line: int, issues: list[Issue]) -> None:
    if not _ORDER_CODE.match(entry.key):
        issues.append(_bad(name, line, f"{_shown(entry.key)} is not an ICD-10-CM code"))
    elif flag not in ("0", "1"):
        issues.append(_bad(name, line, f"billable flag {_shown(flag)} is not 0 or 1"))
    elif not entry.title:
        issues.append(_bad(name, line, f"{entry.key} has no title"))


def _fiscal_start(name: str, effective: date | None) -> date:
    if effective is not None:
        return effective
    match = re.search(r"(20\d\d)", name)
    if match is None:
        raise InvalidInput(f"{name}: name the first date the release applies with --effective (e.g. 2026-10-01)")
    return date(int(match.group(1)) - 1, 10, 1)


def load_icd10cm(imp: UserImport, home: Path) -> Icd10cmUpdate:
    entries = parse_icd10cm_order(imp.path(home).read_bytes(), imp.file)
    tabular = (home / "imports" / imp.companion).read_bytes() if imp.companion else None
    origin = f"user import {imp.file}" + (f" + {imp.companion}" if imp.companion else "") + " (no MCE edit flags)"
    return Icd10cmUpdate(imp.edition, date.fromisoformat(imp.effective), origin, tuple(entries), tabular)


def import_icd10cm(
    path: Path,
    home: Path,
    *,
    tabular: Path | None = None,
    edition: str | None = None,
    effective: date | None = None,
    progress: Progress | None = None,
) -> tuple[UserImport, int]:
    """Add a newer ICD-10-CM release: the order file decides which codes are billable from `effective` on."""
    from medbill.codes.icd10cm_build import parse_tabular

    data = _read(path)
    entries = parse_icd10cm_order(data, path.name)
    companion = None
    if tabular is not None:
        tabular_data = _read(tabular)
        parse_tabular(tabular_data, tabular.name)
        companion = (tabular, tabular_data)
    start = _fiscal_start(path.name, effective)
    fy = start.year + 1 if start.month >= 10 else start.year
    label = "" if start.month == 10 else f" {start:%B} 1 update"
    name = edition or f"ICD-10-CM FY{fy}{label} (user import)"
    imp = _install("icd10cm", path, data, name, start, home, progress, companion)
    return imp, sum(1 for e in entries if e.billable)
