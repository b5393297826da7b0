"""User imports: a licensed CPT file, the main ICD-10-CM Alphabetic Index, newer ICD-10-CM releases and newer
HCPCS Level II quarters.

CPT descriptors are AMA property, so medbill ships none: a user with a licence imports their file here. An import
is checked whole before anything is kept; then the file is copied into the medbill home and the store rebuilt.
If the rebuild fails, the previous import list is restored, so a bad file never leaves a half-changed library.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from medbill.codes.catalog_build import CPT_PATTERN, HCPCS_PATTERN, CatalogRow, hcpcs_noc_codes, hcpcs_row
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


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
"""A release year in a file name (CPT2026.csv, icd10cm_order_2027.txt, HCPC2026_JAN_ANWEB.csv)."""


def _year_in_name(name: str) -> int | None:
    match = _YEAR.search(name)
    return int(match.group(1)) if match else None


def _edition_year(name: str, effective: date | None) -> date:
    if effective is not None:
        return effective
    return date(_year_in_name(name) or date.today().year, 1, 1)


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
    # One import per kind, except ICD-10-CM releases and HCPCS quarters: one per effective date, so FY2027 and
    # FY2028 (or the January and April quarters) can coexist.
    per_date = kind in ("icd10cm", "hcpcs")
    kept = [i for i in previous if i.kind != kind or (per_date and i.effective != imp.effective)]
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
    year = _year_in_name(name)
    if year is None:
        raise InvalidInput(f"{name}: name the first date the release applies with --effective (e.g. 2026-10-01)")
    return date(year - 1, 10, 1)


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


@dataclass(frozen=True, slots=True)
class HcpcsEntry:
    code: str
    title: str
    short_title: str
    start: date | None
    end: date | None
    fields: dict[str, str]
    """Optional detail columns, under the shipped file's names: betos, cov, hcpcs_section, action."""


# The CMS spreadsheet's columns (squashed) -> the shipped file's names, for the detail kept per code.
_CMS_FIELDS = {"betos": "betos", "cov": "cov", "actioncd": "action"}
_MEDBILL_FIELDS = ("betos", "cov", "hcpcs_section", "action")


def parse_hcpcs(data: bytes, name: str) -> list[HcpcsEntry]:
    """Read a HCPCS Level II quarter: a CSV export of CMS's alpha-numeric spreadsheet (HCPC, SEQNUM, RECID,
    LONG DESCRIPTION, ..., ADD DT, TERM DT; long descriptions continued on RECID 4 lines, modifiers on RECID 7/8
    lines are skipped), or a CSV with the header of medbill's shipped file (hcpcs_code, ..., long_description)."""
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text))
    header = [_squash(h) for h in next(reader, [])]
    index = {h: i for i, h in enumerate(header)}
    cms = "hcpc" in index and "recid" in index
    if not cms and "hcpcscode" not in index:
        raise InvalidInput(
            f"{name}: line 1 is not a HCPCS header (expected CMS's HCPC, SEQNUM, RECID, ... columns, "
            "or medbill's hcpcs_code, ..., long_description)"
        )
    needed: tuple[str, ...] = (
        ("seqnum", "longdescription", "shortdescription", "adddt", "termdt")
        if cms
        else ("longdescription", "shortdescription", "dateadded", "dateterm")
    )
    missing = [n for n in needed if n not in index]
    if missing:
        raise InvalidInput(f"{name}: line 1 has no {', '.join(missing)} column(s)")
    issues: list[Issue] = []
    entries: dict[str, HcpcsEntry] = {}
    first_line: dict[str, int] = {}
    pieces: dict[str, list[tuple[int, str, int]]] = {}  # CMS description lines: code -> (SEQNUM, text, line)

    for line_no, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row] + [""] * max(0, len(header) - len(row))

        def cell(column: str, cells: list[str] = cells) -> str:
            return cells[index[column]] if column in index else ""

        code = cell("hcpc" if cms else "hcpcscode").upper()
        if cms:
            recid = cell("recid")
            if recid in ("7", "8"):
                continue  # modifier records: the shipped modifier lists cover them, and they are not HCPCS codes
            if recid not in ("3", "4"):
                issues.append(_bad(name, line_no, f"RECID {_shown(recid)} is not 3, 4, 7 or 8"))
                continue
            seq = cell("seqnum")
            if not seq.isdigit():
                issues.append(_bad(name, line_no, f"SEQNUM {_shown(seq)} is not a number"))
                continue
        else:
            recid = seq = ""
        if not HCPCS_PATTERN.match(code):
            issues.append(_bad(name, line_no, f"{_shown(code)} is not a HCPCS Level II code (A-V + 4 digits)"))
            continue
        if cms:
            # Every procedure line (3 first, 4 continuation) carries a piece of the long description.
            pieces.setdefault(code, []).append((int(seq), cell("longdescription"), line_no))
            if recid == "4":
                continue
            start_text, end_text = cell("adddt"), cell("termdt")
            fields = {to: cell(column) for column, to in _CMS_FIELDS.items()}
        else:
            start_text, end_text = cell("dateadded"), cell("dateterm")
            fields = {f: cell(_squash(f)) for f in _MEDBILL_FIELDS}
        if code in first_line:
            issues.append(_bad(name, line_no, f"{code} appears again (first on line {first_line[code]})"))
            continue
        first_line[code] = line_no
        start = _parse_date(start_text, name, line_no, issues)
        end = _parse_date(end_text, name, line_no, issues)
        if start is not None and end is not None and end < start:
            issues.append(_bad(name, line_no, f"{code} ends ({end.isoformat()}) before it starts"))
        short = cell("shortdescription")
        entries[code] = HcpcsEntry(code, "" if cms else cell("longdescription") or short, short, start, end, fields)

    for code, parts in pieces.items():
        if code not in entries:
            issues.append(_bad(name, parts[0][2], f"{code} has a continuation line (RECID 4) but no RECID 3 line"))
            continue
        entry = entries[code]
        title = " ".join(t for _, t, _ in sorted(parts) if t) or entry.short_title
        entries[code] = HcpcsEntry(code, title, entry.short_title, entry.start, entry.end, entry.fields)
    for code, entry in entries.items():
        if not entry.title:
            issues.append(_bad(name, first_line[code], f"{code} has no long or short description"))
    _refuse_if_any(name, issues)
    if not entries:
        raise InvalidInput(f"{name}: no HCPCS Level II codes found")
    return list(entries.values())


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_name) if m
}
_NAMED_MONTH = re.compile(r"(?<![a-z])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![a-z])")


def _quarter_start(name: str, effective: date | None) -> date:
    """The first date the quarter applies: --effective, else the month and year in the file name
    (HCPC2026_JAN_ANWEB.csv -> 2026-01-01; hcpcs_2026-04.csv -> 2026-04-01)."""
    if effective is not None:
        return effective
    lower = name.lower()
    year = _year_in_name(lower)
    month = _NAMED_MONTH.search(lower)
    if year is not None and month is not None:
        return date(year, _MONTHS[month.group(1)], 1)
    numeric = re.search(r"(?<!\d)(20\d\d)[-_](0[1-9]|1[0-2])(?!\d)", lower)
    if numeric is not None:
        return date(int(numeric.group(1)), int(numeric.group(2)), 1)
    raise InvalidInput(
        f"{name}: the file name has no month and year of the quarter; name its first date with --effective "
        "(e.g. 2026-01-01)"
    )


def _quarter_end(start: date) -> date:
    last_month = (start.month - 1) // 3 * 3 + 3
    return date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])


def hcpcs_edition(imp: UserImport) -> Edition:
    start = date.fromisoformat(imp.effective)
    return Edition(CodeSystem.HCPCS, imp.edition, start, _quarter_end(start), f"user import {imp.file}")


def load_hcpcs(imp: UserImport, home: Path) -> tuple[list[CatalogRow], Edition]:
    entries = parse_hcpcs(imp.path(home).read_bytes(), imp.file)
    noc = hcpcs_noc_codes()
    rows = [hcpcs_row(e.code, e.title, e.short_title, e.start, e.end, e.fields, noc) for e in entries]
    return rows, hcpcs_edition(imp)


def import_hcpcs(
    path: Path,
    home: Path,
    *,
    edition: str | None = None,
    effective: date | None = None,
    progress: Progress | None = None,
) -> tuple[UserImport, int]:
    """Add a newer HCPCS Level II quarter: its codes replace the shipped ones, dated by their add/termination
    dates; the shipped July 2024 quarter stays on the timeline for earlier dates of service."""
    data = _read(path)
    entries = parse_hcpcs(data, path.name)
    start = _quarter_start(path.name, effective)
    name = edition or f"HCPCS Level II {start:%B} {start.year} quarter (user import)"
    imp = _install("hcpcs", path, data, name, start, home, progress)
    return imp, len(entries)
