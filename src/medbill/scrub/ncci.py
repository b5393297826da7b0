"""NCCI edit tables for the claim scrubber: PTP pairs, MUE limits and add-on code edits, with their editions.

This module owns the CMS National Correct Coding Initiative tables the scrubber checks a claim against:

* procedure-to-procedure (PTP) pairs for practitioner and outpatient-hospital claims (vendored here, in ``data/``);
* medically unlikely edits (MUE) for practitioner, outpatient-hospital and DME-supplier claims, and the add-on
  code edits (both read from ``medbill/codes/data``, where the code sets already vendor them).

The PTP files hold about 4.3 million rows, too many to keep as Python objects. The first `NcciTables.load`
compiles every source into flat numpy arrays (a sorted code vocabulary, and per setting the column-two ids,
deletion dates, modifier indicators and rationale ids ordered by column one) and saves them in one ``.npz`` in
the cache directory, named after the sources' checksums, so a new edition recompiles by itself. Later loads copy
those arrays into `array.array` buffers: a lookup is two small-dict hits plus a C bisect inside the column-one
slice, with no per-pair Python object.

The PTP source kept only deletion dates (effective dates were lost upstream), so a pair is in force on every date
of service up to and including its deletion date. A pair listed more than once (deleted, then added again) answers
with the row that has the earliest deletion date not before the date of service. The vendored PTP files may lack
CMS's rationale column (it is dropped when it would cost over a quarter of their size); `PtpEdit.rationale` is then
empty.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import lzma
import os
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = [
    "EDITIONS",
    "AddonEdit",
    "Edition",
    "MueEdit",
    "NcciTables",
    "PtpEdit",
    "Setting",
]

PTP_DIR = Path(__file__).resolve().parent / "data"
CODES_DIR = Path(__file__).resolve().parents[1] / "codes" / "data"

# Bump when the cache layout changes: it is part of the cache file name.
CACHE_FORMAT = 1
NO_DELETION = 99991231  # "9999-12-31" in the source: the edit is active
NO_PRIMARY = "CCCCC"  # add-on rows whose primary codes CMS does not list


class Setting(StrEnum):
    """Claim setting an edit table belongs to (DME only has MUE limits)."""

    PRACTITIONER = "practitioner"
    OUTPATIENT = "outpatient"
    DME = "dme"


class PtpEdit(NamedTuple):
    column1: str
    column2: str
    modifier_indicator: int  # 0 never bypassed, 1 bypassed with an NCCI-associated modifier, 9 not applicable
    deletion: date | None  # last date of service the edit applies to; None while it is active
    rationale: str  # "" when the vendored PTP files do not carry the rationale column (see data/PROVENANCE.md)


class MueEdit(NamedTuple):
    code: str
    units: int
    mai: int  # MUE adjudication indicator: 1 claim line, 2 date of service (absolute), 3 date of service (clinical)
    rationale: str


class AddonEdit(NamedTuple):
    code: str
    edit_type: int  # 1 listed primaries only, 2 no CMS primary list, 3 listed primaries plus contractor-defined ones
    primaries: frozenset[str]


class Edition(NamedTuple):
    table: str
    name: str
    effective: date
    through: date  # end of the quarter the edition was published for
    files: tuple[str, ...]


Q3_2024 = (date(2024, 7, 1), date(2024, 9, 30))
EDITIONS: tuple[Edition, ...] = (
    Edition(
        "ptp",
        "NCCI PTP 2024Q3",
        *Q3_2024,
        ("ptp_practitioner_2024-07-01.csv.xz", "ptp_hospital_outpatient_2024-07-01.csv.xz"),
    ),
    Edition(
        "mue",
        "NCCI MUE 2024Q3",
        *Q3_2024,
        (
            "mue_practitioner_2024-07-01.csv.gz",
            "mue_hospital_outpatient_2024-07-01.csv.gz",
            "mue_dme_2024-07-01.csv.gz",
        ),
    ),
    Edition("addon", "NCCI add-on code edits 2024Q3", *Q3_2024, ("addon_code_edits_2024.csv.gz",)),
)

PTP_FILES: dict[Setting, str] = {
    Setting.PRACTITIONER: "ptp_practitioner_2024-07-01.csv.xz",
    Setting.OUTPATIENT: "ptp_hospital_outpatient_2024-07-01.csv.xz",
}
MUE_FILES: dict[Setting, str] = {
    Setting.PRACTITIONER: "mue_practitioner_2024-07-01.csv.gz",
    Setting.OUTPATIENT: "mue_hospital_outpatient_2024-07-01.csv.gz",
    Setting.DME: "mue_dme_2024-07-01.csv.gz",
}
ADDON_FILE = "addon_code_edits_2024.csv.gz"

PTP_HEADER = b"column1,column2,modifier_indicator,deletion_date"
PREFIX = 24  # "AAAAA,BBBBB,M,YYYY-MM-DD": fixed-width head of every PTP row; ",rationale" may follow
PTP_CHUNK = 1 << 24

Arrays = dict[str, npt.NDArray[Any]]


def _source_paths() -> list[Path]:
    return (
        [PTP_DIR / PTP_FILES[s] for s in PTP_FILES]
        + [CODES_DIR / MUE_FILES[s] for s in MUE_FILES]
        + [CODES_DIR / ADDON_FILE]
    )


def _sources_key() -> str:
    digest = hashlib.sha256(f"ncci-cache-{CACHE_FORMAT}".encode())
    for path in _source_paths():
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _yyyymmdd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _from_yyyymmdd(value: int) -> date | None:
    if value >= NO_DELETION:
        return None
    return date(value // 10000, value // 100 % 100, value % 100)


# -- compiling the sources -------------------------------------------------------------------------------------


class _PtpRaw(NamedTuple):
    column1: npt.NDArray[np.bytes_]
    column2: npt.NDArray[np.bytes_]
    modifier: npt.NDArray[np.uint8]
    deletion: npt.NDArray[np.int32]
    rationale: npt.NDArray[np.uint8]
    rationales: list[str]


def _lines(path: Path) -> Iterator[list[bytes]]:
    """The PTP file's data lines, a chunk at a time (the header is checked and dropped)."""
    with lzma.open(path, "rb") as stream:
        rest = b""
        first = True
        while True:
            block = stream.read(PTP_CHUNK)
            if not block:
                break
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            if first:
                if not lines[0].startswith(PTP_HEADER):
                    raise ValueError(f"{path.name}: unexpected header {lines[0][:80]!r}")
                del lines[0]
                first = False
            yield lines
        if rest.strip():
            yield [rest]


def _read_ptp(path: Path) -> _PtpRaw:
    """Parse a PTP file chunk by chunk into compact columns (16 bytes a row), so the one-off compile stays small."""
    names: dict[bytes, int] = {}
    parts: list[_PtpRaw] = []
    weights = np.array([10**k for k in range(7, -1, -1)], dtype=np.int32)
    for lines in _lines(path):
        head = b"".join([line[:PREFIX] for line in lines])
        rows = np.frombuffer(head, dtype=np.uint8)
        if rows.size != PREFIX * len(lines):
            raise ValueError(f"{path.name}: a row is shorter than its fixed-width head")
        rows = rows.reshape(-1, PREFIX)
        commas = rows[:, [5, 11, 13]]
        dashes = rows[:, [18, 21]]
        if (commas != ord(",")).any() or (dashes != ord("-")).any():
            raise ValueError(f"{path.name}: a row does not match 'AAAAA,BBBBB,M,YYYY-MM-DD'")
        digits = rows[:, [14, 15, 16, 17, 19, 20, 22, 23]].astype(np.int32) - ord("0")
        if ((digits < 0) | (digits > 9)).any():
            raise ValueError(f"{path.name}: a deletion date is not YYYY-MM-DD")
        rationale = np.fromiter(
            (names.setdefault(line[PREFIX + 1 :].rstrip(b"\r"), len(names)) for line in lines),
            dtype=np.uint8,
            count=len(lines),
        )
        parts.append(
            _PtpRaw(
                column1=np.ascontiguousarray(rows[:, 0:5]).view("S5").ravel(),
                column2=np.ascontiguousarray(rows[:, 6:11]).view("S5").ravel(),
                modifier=(rows[:, 12] - ord("0")).astype(np.uint8),
                deletion=digits @ weights,
                rationale=rationale,
                rationales=[],
            )
        )
    if len(names) > 255:
        raise ValueError(f"{path.name}: more than 255 rationales")
    return _PtpRaw(
        column1=np.concatenate([p.column1 for p in parts]),
        column2=np.concatenate([p.column2 for p in parts]),
        modifier=np.concatenate([p.modifier for p in parts]),
        deletion=np.concatenate([p.deletion for p in parts]).astype(np.int32),
        rationale=np.concatenate([p.rationale for p in parts]),
        rationales=[name.decode() for name in names],
    )


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _ids(vocab: npt.NDArray[np.bytes_], codes: npt.NDArray[np.bytes_]) -> npt.NDArray[np.uint16]:
    return np.searchsorted(vocab, codes).astype(np.uint16)


def _compile() -> Arrays:
    with ThreadPoolExecutor(max_workers=2) as pool:  # lzma releases the GIL: both files decompress at once
        ptp = dict(zip(PTP_FILES, pool.map(_read_ptp, [PTP_DIR / f for f in PTP_FILES.values()]), strict=True))
    mue = {s: _csv_rows(CODES_DIR / f) for s, f in MUE_FILES.items()}
    addon = _csv_rows(CODES_DIR / ADDON_FILE)

    extra = [r["hcpcs_code"] for rows in mue.values() for r in rows]
    extra += [r["add_on_code"] for r in addon] + [r["primary_code"] for r in addon if r["primary_code"] != NO_PRIMARY]
    vocab = np.unique(
        np.concatenate([*(a for raw in ptp.values() for a in (raw.column1, raw.column2)), np.array(extra, "S5")])
    )
    if len(vocab) >= 1 << 16:
        raise ValueError("more than 65535 distinct codes")
    out: Arrays = {"vocab": vocab}

    ptp_names = sorted({n for raw in ptp.values() for n in raw.rationales})
    out["ptp_rationales"] = np.array(ptp_names, dtype=np.str_)
    for setting, raw in ptp.items():
        c1 = _ids(vocab, raw.column1)
        c2 = _ids(vocab, raw.column2)
        order = np.lexsort((raw.deletion, c2, c1))
        remap = np.array([ptp_names.index(n) for n in raw.rationales], dtype=np.uint8)
        out[f"ptp_{setting}_starts"] = np.searchsorted(c1[order], np.arange(len(vocab) + 1)).astype(np.uint32)
        out[f"ptp_{setting}_column2"] = c2[order]
        out[f"ptp_{setting}_deletion"] = raw.deletion[order]
        out[f"ptp_{setting}_modifier"] = raw.modifier[order]
        out[f"ptp_{setting}_rationale"] = remap[raw.rationale[order]]

    mue_names = sorted({r["mue_rationale"] for rows in mue.values() for r in rows})
    out["mue_rationales"] = np.array(mue_names, dtype=np.str_)
    for setting, rows in mue.items():
        out[f"mue_{setting}_code"] = _ids(vocab, np.array([r["hcpcs_code"] for r in rows], "S5"))
        out[f"mue_{setting}_units"] = np.array([int(r["mue_units"]) for r in rows], np.int32)
        out[f"mue_{setting}_mai"] = np.array([int(r["mue_mai"]) for r in rows], np.uint8)
        out[f"mue_{setting}_rationale"] = np.array([mue_names.index(r["mue_rationale"]) for r in rows], np.uint8)

    out["addon_code"] = _ids(vocab, np.array([r["add_on_code"] for r in addon], "S5"))
    out["addon_type"] = np.array([int(r["aoc_edit_type"]) for r in addon], np.uint8)
    primaries = [r["primary_code"] for r in addon]
    primary_ids = _ids(vocab, np.array([p if p != NO_PRIMARY else "" for p in primaries], "S5")).astype(np.int32)
    primary_ids[np.array([p == NO_PRIMARY for p in primaries], dtype=bool)] = -1
    out["addon_primary"] = primary_ids
    return out


def _write_atomically(path: Path, arrays: Arrays) -> None:
    """Save `arrays` as `path` (uncompressed .npz) through a temporary file, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# -- the runtime tables ------------------------------------------------------------------------------------------


def _buffer(typecode: str, values: npt.NDArray[Any]) -> array[int]:
    buf: array[int] = array(typecode)
    buf.frombytes(np.ascontiguousarray(values).tobytes())
    return buf


class _Ptp:
    """One setting's PTP table: rows grouped by column-one id, sorted by column-two id then deletion date."""

    __slots__ = ("column2", "deletion", "modifier", "rationale", "starts")

    def __init__(self, arrays: Arrays, setting: Setting) -> None:
        prefix = f"ptp_{setting}_"
        self.starts = _buffer("I", arrays[prefix + "starts"])
        self.column2 = _buffer("H", arrays[prefix + "column2"])
        self.deletion = _buffer("i", arrays[prefix + "deletion"])
        self.modifier = _buffer("B", arrays[prefix + "modifier"])
        self.rationale = _buffer("B", arrays[prefix + "rationale"])

    def row(self, id1: int, id2: int, day: int) -> int:
        """Index of the row in force for (id1, id2) on `day` (yyyymmdd), or -1."""
        lo = self.starts[id1]
        hi = self.starts[id1 + 1]
        if lo == hi:
            return -1
        column2 = self.column2
        i = bisect_left(column2, id2, lo, hi)
        while i < hi and column2[i] == id2:
            if self.deletion[i] >= day:
                return i
            i += 1
        return -1


class NcciTables:
    """The NCCI PTP, MUE and add-on tables of one edition, compiled once into `cache_dir`."""

    def __init__(self, arrays: Arrays, cache_file: Path) -> None:
        self.cache_file = cache_file
        self.edition = EDITIONS[0]
        self.codes: list[str] = [c.decode() for c in arrays["vocab"].tolist()]
        self._ids = {code: i for i, code in enumerate(self.codes)}
        self._ptp = {s: _Ptp(arrays, s) for s in PTP_FILES}
        self._ptp_rationales: list[str] = arrays["ptp_rationales"].tolist()
        mue_rationales: list[str] = arrays["mue_rationales"].tolist()
        codes = self.codes
        self._mue: dict[Setting, dict[str, MueEdit]] = {}
        for setting in MUE_FILES:
            p = f"mue_{setting}_"
            self._mue[setting] = {
                codes[c]: MueEdit(codes[c], u, m, mue_rationales[r])
                for c, u, m, r in zip(
                    arrays[p + "code"].tolist(),
                    arrays[p + "units"].tolist(),
                    arrays[p + "mai"].tolist(),
                    arrays[p + "rationale"].tolist(),
                    strict=True,
                )
            }
        types: dict[str, int] = {}
        primaries: dict[str, set[str]] = {}
        for c, t, p in zip(
            arrays["addon_code"].tolist(), arrays["addon_type"].tolist(), arrays["addon_primary"].tolist(), strict=True
        ):
            code = codes[c]
            types[code] = t
            listed = primaries.setdefault(code, set())
            if p >= 0:
                listed.add(codes[p])
        self._addon = {code: AddonEdit(code, types[code], frozenset(primaries[code])) for code in types}

    # -- loading --

    @classmethod
    def load(cls, cache_dir: Path) -> NcciTables:
        """Tables from `cache_dir`, compiling the vendored sources there first when no cache matches them."""
        cache_file = Path(cache_dir) / f"ncci-{_sources_key()[:16]}.npz"
        if not cache_file.exists():
            _write_atomically(cache_file, _compile())
        with np.load(cache_file, allow_pickle=False) as stored:
            arrays: Arrays = {name: stored[name] for name in stored.files}
        return cls(arrays, cache_file)

    # -- editions --

    @staticmethod
    def editions() -> tuple[Edition, ...]:
        return EDITIONS

    @staticmethod
    def newer_quarter_applies(on: date) -> bool:
        """True when `on` is after the quarter of the newest edition shipped: a later NCCI quarter governs it."""
        return on > max(e.through for e in EDITIONS)

    # -- PTP --

    def _table(self, setting: Setting) -> _Ptp:
        table = self._ptp.get(setting)
        if table is None:
            raise ValueError(f"no PTP edits for the {setting} setting")
        return table

    def _edit(self, table: _Ptp, id1: int, id2: int, i: int) -> PtpEdit:
        return PtpEdit(
            self.codes[id1],
            self.codes[id2],
            table.modifier[i],
            _from_yyyymmdd(table.deletion[i]),
            self._ptp_rationales[table.rationale[i]],
        )

    def ptp(self, column1: str, column2: str, on: date, setting: Setting) -> PtpEdit | None:
        """The PTP edit pairing `column1` (comprehensive) with `column2` in force on `on`, if any."""
        table = self._ptp.get(setting) or self._table(setting)
        ids = self._ids
        id1 = ids.get(column1)
        if id1 is None:
            return None
        lo = table.starts[id1]
        hi = table.starts[id1 + 1]
        if lo == hi:
            return None
        id2 = ids.get(column2)
        if id2 is None:
            return None
        column2_ids = table.column2
        i = bisect_left(column2_ids, id2, lo, hi)
        if i == hi or column2_ids[i] != id2:
            return None  # the common case: no edit pairs these codes
        i = table.row(id1, id2, on.year * 10000 + on.month * 100 + on.day)
        return None if i < 0 else self._edit(table, id1, id2, i)

    def pairs_among(self, codes: Sequence[str], on: date, setting: Setting) -> list[PtpEdit]:
        """Every PTP edit in force on `on` between two distinct codes of `codes` (both orders are checked)."""
        table = self._ptp.get(setting) or self._table(setting)
        known = self._ids
        ids = list(dict.fromkeys(i for i in (known.get(c) for c in codes) if i is not None))
        if len(ids) < 2:
            return []
        starts = table.starts
        column2 = table.column2
        day = on.year * 10000 + on.month * 100 + on.day
        found: list[PtpEdit] = []
        for id1 in ids:
            lo = starts[id1]
            hi = starts[id1 + 1]
            if lo == hi:
                continue
            for id2 in ids:
                if id1 == id2:
                    continue
                i = bisect_left(column2, id2, lo, hi)
                if i < hi and column2[i] == id2:
                    i = table.row(id1, id2, day)
                    if i >= 0:
                        found.append(self._edit(table, id1, id2, i))
        return found

    def ptp_in_force_count(self, on: date, setting: Setting) -> int:
        """How many distinct (column1, column2) pairs have an edit in force on `on` (computed on the arrays)."""
        table = self._table(setting)
        deletion = np.frombuffer(table.deletion, dtype=np.int32)
        column2 = np.frombuffer(table.column2, dtype=np.uint16)
        starts = np.frombuffer(table.starts, dtype=np.uint32)
        column1 = np.repeat(np.arange(len(starts) - 1, dtype=np.uint32), np.diff(starts))
        keys = (column1.astype(np.uint64) << 16 | column2)[deletion >= _yyyymmdd(on)]
        return int(np.count_nonzero(np.diff(keys) != 0) + 1) if keys.size else 0

    @property
    def ptp_rationale_shipped(self) -> bool:
        """Whether the vendored PTP files kept CMS's rationale column (vendor_ncci.py drops it when too costly)."""
        return any(self._ptp_rationales)

    def ptp_rows(self, setting: Setting) -> int:
        return len(self._table(setting).column2)

    # -- MUE and add-on --

    def mue(self, code: str, setting: Setting) -> MueEdit | None:
        """The medically unlikely edit for `code` in `setting`, if CMS publishes one."""
        return self._mue[setting].get(code)

    def addon(self, code: str) -> AddonEdit | None:
        """The add-on code edit for `code`, when it is an add-on code."""
        return self._addon.get(code)

    def is_addon(self, code: str) -> bool:
        return code in self._addon

    def addon_codes(self) -> Iterable[str]:
        return self._addon.keys()
