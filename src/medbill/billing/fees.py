"""Fee schedules: the Medicare Physician Fee Schedule (CY2024), the practice's charge master and contract rates.

Pure domain code: frozen dataclasses, ``Decimal`` money (never ``float``), ``datetime.date`` dates of service.
The only I/O is the explicit loading of vendored CMS files in :meth:`MedicareFeeSchedule.load` (RVUs from
``medbill/codes/data``, GPCIs, localities and conversion factors from ``medbill/billing/data``; each file is
checked against its MANIFEST.tsv checksum).

Medicare payment (CMS PFS, 42 CFR 414.22 and the PFS Relative Value File's "Formula" section)::

    amount = [(work RVU × work GPCI) + (PE RVU × PE GPCI) + (MP RVU × MP GPCI)] × CF

with the facility or non-facility PE RVU chosen by the place of service, rounded to cents with ROUND_HALF_UP.
Payment-policy adjustments (multiple procedure, bilateral, assistant at surgery, co-/team surgery, the 20%
coinsurance, sequestration, HPSA bonus, non-participating reduction) are not applied here.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

from medbill.codes.sources import source
from medbill.errors import CodeSetUnavailable, Conflict, InvalidInput, NotFound

DATA_DIR = Path(__file__).parent / "data"
MANIFEST = DATA_DIR / "MANIFEST.tsv"
RVU_FILE = "pprrvu_cy2024_all_quarters.csv.gz"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

PFS_YEAR_START = date(2024, 1, 1)
PFS_YEAR_END = date(2024, 12, 31)

# Place-of-service codes paid at the PFS *facility* rate: Medicare Claims Processing Manual (Pub. 100-04),
# chapter 12, section 20.4.2 "Site of Service Payment Differential" (list as revised for POS 19, 2016):
# 19 off-campus outpatient hospital, 21 inpatient hospital, 22 on-campus outpatient hospital, 23 emergency room,
# 24 ambulatory surgical center, 26 military treatment facility, 31 skilled nursing facility (Part A resident),
# 34 hospice (inpatient care), 41 ambulance - land, 42 ambulance - air or water, 51 inpatient psychiatric facility,
# 52 psychiatric facility - partial hospitalization, 53 community mental health center, 56 psychiatric
# residential treatment center, 61 comprehensive inpatient rehabilitation facility. Every other POS (11 office,
# 12 home, 32 nursing facility, 49, 50, 72, ...) is non-facility.
# POS 02 (telehealth other than in the patient's home) is included: later revisions of the same manual section
# list it as a facility setting, and for CY2024 CMS paid POS 02 at the facility rate (POS 10, telehealth in the
# patient's home, at the non-facility rate).
FACILITY_POS: frozenset[str] = frozenset(
    {"02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
)


def facility_pos(pos: str) -> bool:
    """True when the place of service is a PFS facility setting (see :data:`FACILITY_POS`)."""
    code = pos.strip()
    if not code.isdigit() or len(code) > 2:
        raise InvalidInput(f"not a place-of-service code: {pos!r}")
    return code.zfill(2) in FACILITY_POS


# PFS RVU file status codes (CMS PFS Relative Value File documentation, "Status Code").
STATUS_MEANINGS: Mapping[str, str] = {
    "A": "active code, paid under the PFS",
    "B": "bundled: payment is always included in another service",
    "C": "carrier priced: the MAC sets the payment",
    "D": "deleted code",
    "E": "excluded from the PFS by regulation",
    "F": "deleted or discontinued code (no grace period)",
    "G": "not valid for Medicare: another code is used",
    "H": "deleted modifier",
    "I": "not valid for Medicare: another code is used",
    "J": "anesthesia service: paid with base and time units and the anesthesia conversion factor, not RVUs",
    "M": "measurement code, reported only (no payment)",
    "N": "non-covered service",
    "P": "bundled or excluded: no separate PFS payment",
    "R": "restricted coverage: paid under the PFS when covered",
    "T": "paid only when no other PFS service is billed on the same day, otherwise bundled",
    "X": "statutory exclusion: not in the PFS",
}
PAYABLE_STATUSES = frozenset({"A", "R", "T"})
# Modifiers that select their own RVU row (professional / technical component, discontinued procedure).
RVU_ROW_MODIFIERS = frozenset({"26", "TC", "53"})

_RELEASE_RE = re.compile(r"rvu(\d\d)([a-z]+)_")


# ---------------------------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class Release:
    """One PFS quarterly release (A, AR, B, C) and the dates of service it covers."""

    name: str
    source_file: str
    effective: date
    through: date


@dataclass(frozen=True, slots=True)
class Gpci:
    work: Decimal
    pe: Decimal
    mp: Decimal


@dataclass(frozen=True, slots=True)
class Locality:
    """A Medicare payment locality: MAC (carrier) number + locality number, unique nationally."""

    mac: str
    number: str
    state: str
    """Two-letter state (or territory) abbreviation, as in the GPCI file."""
    name: str
    """The GPCI file's locality name (e.g. ``MANHATTAN``, ``REST OF NEW YORK``)."""
    fee_schedule_area: str = ""
    """The locality file's fee schedule area (e.g. ``REST OF STATE``, ``STATEWIDE``)."""
    counties: str = ""
    state_name: str = ""
    """The locality file's state name (e.g. ``NEW YORK``, ``HAWAII/GUAM``)."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.mac, self.number)


@dataclass(frozen=True, slots=True)
class RvuRow:
    code: str
    modifier: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    pctc_indicator: str
    global_days: str
    multiple_procedure: str = ""
    """PFS payment-policy indicators (RVU file columns MULT PROC, BILAT SURG, ASST SURG, CO SURG, TEAM SURG):
    the scrubber's modifier edits read them (e.g. bilateral 50 needs BILAT SURG 1)."""
    bilateral: str = ""
    assistant: str = ""
    co_surgeon: str = ""
    team: str = ""


@dataclass(frozen=True, slots=True)
class PfsPrice:
    """A Medicare PFS price for one unit of a service, with every input of the formula.

    ``amount`` is None when Medicare does not pay the code under the PFS for these inputs; ``reason`` says why.
    ``notice`` is set when the date of service falls in a release that is not loaded (answered from the newest).
    """

    code: str
    modifier: str | None
    on: date
    release: str
    locality: Locality
    facility: bool
    status: str
    status_meaning: str
    global_days: str
    pctc_indicator: str
    work_rvu: Decimal
    pe_rvu: Decimal
    mp_rvu: Decimal
    work_gpci: Decimal
    pe_gpci: Decimal
    mp_gpci: Decimal
    conversion_factor: Decimal
    amount: Decimal | None
    reason: str | None = None
    notice: str | None = None

    @property
    def payable(self) -> bool:
        return self.amount is not None


# ---------------------------------------------------------------------------------------------------------------
# Loading the vendored files


def _manifest() -> dict[str, str]:
    try:
        with MANIFEST.open(encoding="utf-8", newline="") as fh:
            return {row["file"]: row["sha256"] for row in csv.DictReader(fh, delimiter="\t")}
    except OSError as exc:
        raise CodeSetUnavailable(f"fee-schedule MANIFEST.tsv cannot be read: {exc.strerror}") from exc


def _read_vendored(file: str, manifest: Mapping[str, str]) -> list[dict[str, str]]:
    if file not in manifest:
        raise CodeSetUnavailable(f"{file} is not listed in the fee-schedule MANIFEST.tsv")
    try:
        data = (DATA_DIR / file).read_bytes()
    except OSError as exc:
        raise CodeSetUnavailable(f"fee-schedule file {file} cannot be read: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != manifest[file]:
        raise CodeSetUnavailable(f"fee-schedule file {file} does not match its MANIFEST.tsv checksum")
    text = gzip.decompress(data).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _dec(text: str) -> Decimal:
    return Decimal(text.strip() or "0")


def _norm(text: str) -> str:
    return " ".join(text.upper().replace("*", " ").split())


def _release_name(source_file: str) -> str:
    match = _RELEASE_RE.match(source_file)
    if match is None:
        raise CodeSetUnavailable(f"unexpected PFS release name {source_file!r} in {RVU_FILE}")
    return match.group(2).upper()


def _load_rvus() -> tuple[list[Release], dict[tuple[str, str, str], RvuRow]]:
    text = source(RVU_FILE).read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    col = {name: i for i, name in enumerate(header)}
    releases: dict[str, Release] = {}
    rows: dict[tuple[str, str, str], RvuRow] = {}
    for rec in reader:
        source_file = rec[col["source_file"]]
        release = releases.get(source_file)
        if release is None:
            release = Release(
                _release_name(source_file),
                source_file,
                date.fromisoformat(rec[col["date_start"]]),
                date.fromisoformat(rec[col["date_end"]]),
            )
            releases[source_file] = release
        code = rec[col["hcpcs"]].strip().upper()
        mod = rec[col["mod"]].strip().upper()
        rows[(release.name, code, mod)] = RvuRow(
            code=code,
            modifier=mod,
            status=rec[col["status_code"]].strip().upper(),
            work=_dec(rec[col["work_rvu"]]),
            pe_nonfacility=_dec(rec[col["non_fac_pe_rvu"]]),
            pe_facility=_dec(rec[col["facility_pe_rvu"]]),
            mp=_dec(rec[col["mp_rvu"]]),
            pctc_indicator=rec[col["pctc_ind"]].strip(),
            global_days=rec[col["glob_days"]].strip(),
            multiple_procedure=rec[col["mult_proc"]].strip(),
            bilateral=rec[col["bilat_surg"]].strip(),
            assistant=rec[col["asst_surg"]].strip(),
            co_surgeon=rec[col["co_surg"]].strip(),
            team=rec[col["team_surg"]].strip(),
        )
    return sorted(releases.values(), key=lambda r: r.effective), rows


# ---------------------------------------------------------------------------------------------------------------
# The Medicare Physician Fee Schedule


@dataclass(frozen=True, eq=False)
class MedicareFeeSchedule:
    """The CY2024 Medicare PFS: RVUs per release, GPCIs per locality and release, conversion factors by date."""

    releases: tuple[Release, ...]
    rvus: Mapping[tuple[str, str, str], RvuRow] = field(repr=False)
    """(release name, code, modifier or "") -> RVU row."""
    gpcis: Mapping[tuple[str, str, str], Gpci] = field(repr=False)
    """(release name, MAC, locality number) -> GPCIs."""
    localities: Mapping[tuple[str, str], Locality] = field(repr=False)
    conversion_factors: tuple[tuple[date, date, Decimal], ...] = field(repr=False)

    @classmethod
    def load(cls) -> MedicareFeeSchedule:
        """The schedule built from the vendored CMS files (loaded once per process, then cached)."""
        return _load_default()

    # -- releases and conversion factors ------------------------------------------------------------------------

    def release_for(self, on: date) -> tuple[Release, str | None]:
        """The release that prices a date of service, and a notice when the date is past the newest loaded one.

        Raises :class:`CodeSetUnavailable` for a date outside CY2024 (no other year's RVUs are loaded).
        """
        if not PFS_YEAR_START <= on <= PFS_YEAR_END:
            raise CodeSetUnavailable(
                f"the Medicare PFS for {on.isoformat()} is not loaded (only CY2024 releases "
                f"{', '.join(r.name for r in self.releases)} are vendored)"
            )
        for release in self.releases:
            if release.effective <= on <= release.through:
                return release, None
        newest = self.releases[-1]
        if on > newest.through:
            return newest, (
                f"a later CY2024 PFS release applies to {on.isoformat()} and is not loaded; priced from release "
                f"{newest.name} (covers {newest.effective.isoformat()} to {newest.through.isoformat()})"
            )
        raise CodeSetUnavailable(f"no loaded PFS release covers {on.isoformat()}")

    def conversion_factor(self, on: date) -> Decimal:
        for start, end, cf in self.conversion_factors:
            if start <= on <= end:
                return cf
        raise CodeSetUnavailable(f"no PFS conversion factor is loaded for {on.isoformat()}")

    # -- localities ---------------------------------------------------------------------------------------------

    def locality(self, mac: str, number: str) -> Locality:
        """A locality by MAC (carrier) number and locality number, e.g. ``("13202", "01")`` for Manhattan."""
        key = (mac.strip().zfill(5), number.strip().zfill(2))
        try:
            return self.localities[key]
        except KeyError as exc:
            raise NotFound(f"no Medicare payment locality {key[0]}/{key[1]} in the CY2024 PFS") from exc

    def find_locality(self, state: str, name: str) -> Locality:
        """A locality by state (abbreviation or full name) and locality name.

        The name may be the GPCI file's (``REST OF NEW YORK``), the locality file's fee schedule area
        (``REST OF STATE``, ``STATEWIDE``) or, for a one-locality state, the state name itself.
        """
        wanted_state = _norm(state)
        wanted = _norm(name)
        in_state = [loc for loc in self.localities.values() if wanted_state in _state_names(loc)]
        if not in_state:
            raise NotFound(f"no Medicare payment locality in state {state!r}")
        hits = [loc for loc in in_state if wanted in _locality_names(loc)]
        if not hits and wanted in {"REST OF STATE", "ALL OTHER COUNTIES"}:
            hits = [loc for loc in in_state if loc.name.startswith("REST OF") or loc.number == "99"]
        if not hits and wanted in {"STATEWIDE", "ALL COUNTIES", wanted_state} and len(in_state) == 1:
            hits = in_state
        if not hits:
            raise NotFound(f"no Medicare payment locality {name!r} in {state!r}")
        if len(hits) > 1:
            raise InvalidInput(
                f"locality {name!r} in {state!r} is ambiguous: " + ", ".join(f"{h.mac}/{h.number}" for h in hits)
            )
        return hits[0]

    def _resolve(self, locality: Locality | tuple[str, str]) -> Locality:
        if isinstance(locality, Locality):
            return self.locality(locality.mac, locality.number)
        mac, number = locality
        return self.locality(mac, number)

    # -- pricing ------------------------------------------------------------------------------------------------

    def rvu(self, code: str, modifier: str | None, on: date) -> RvuRow | None:
        """The RVU row for a code (and a 26/TC/53 modifier) in the release covering the date, or None."""
        release, _ = self.release_for(on)
        mod = (modifier or "").strip().upper()
        key_mod = mod if mod in RVU_ROW_MODIFIERS else ""
        return self.rvus.get((release.name, code.strip().upper(), key_mod))

    def allowed(
        self,
        code: str,
        modifier: str | None,
        locality: Locality | tuple[str, str],
        facility: bool,
        on: date,
    ) -> PfsPrice | None:
        """The Medicare allowed amount for one unit of ``code`` on ``on``, or None for a code the PFS lacks.

        ``amount = [(work RVU × work GPCI) + (PE RVU × PE GPCI) + (MP RVU × MP GPCI)] × CF``, the CMS PFS payment
        formula (42 CFR 414.22; "Formula" in the PFS Relative Value File documentation), with the facility PE RVU
        when ``facility`` is true (see :func:`facility_pos`) and the non-facility PE RVU otherwise, rounded to
        cents with ROUND_HALF_UP. The release (A/AR/B/C) and the CF are chosen by the date of service.

        Modifiers 26, TC and 53 select their own RVU row; a code without such a row (PC/TC indicator other than
        1, or no -53 row) gets a price with ``amount=None`` and a reason. Other modifiers use the code's global
        row unchanged (payment-policy adjustments for -50, -51, -62, -80 etc. are not applied). A code whose
        status is not payable under the PFS (B, C, E, I, J, M, N, P, X, ...) also gets ``amount=None`` with the
        status explained. Raises :class:`CodeSetUnavailable` for a date outside CY2024 and :class:`NotFound`
        for an unknown locality.
        """
        release, notice = self.release_for(on)
        loc = self._resolve(locality)
        code_u = code.strip().upper()
        mod = (modifier or "").strip().upper() or None
        row = self.rvus.get((release.name, code_u, mod)) if mod else None
        reason: str | None = None
        if row is None:
            base = self.rvus.get((release.name, code_u, ""))
            if base is None:
                return None
            row = base
            if mod in RVU_ROW_MODIFIERS:
                reason = (
                    f"{code_u} has no -{mod} row in PFS release {release.name} (PC/TC indicator "
                    f"{base.pctc_indicator or '-'}): modifier {mod} does not apply to it"
                )
        gpci = self.gpcis.get((release.name, loc.mac, loc.number))
        if gpci is None:
            raise CodeSetUnavailable(f"no GPCI for locality {loc.mac}/{loc.number} in PFS release {release.name}")
        cf = self.conversion_factor(on)
        pe_rvu = row.pe_facility if facility else row.pe_nonfacility
        meaning = STATUS_MEANINGS.get(row.status, f"unknown status code {row.status!r}")
        amount: Decimal | None = None
        if reason is None and row.status not in PAYABLE_STATUSES:
            reason = f"status {row.status}: {meaning}"
        if reason is None:
            total = row.work * gpci.work + pe_rvu * gpci.pe + row.mp * gpci.mp
            amount = (total * cf).quantize(CENT, rounding=ROUND_HALF_UP)
        return PfsPrice(
            code=code_u,
            modifier=mod,
            on=on,
            release=release.name,
            locality=loc,
            facility=facility,
            status=row.status,
            status_meaning=meaning,
            global_days=row.global_days,
            pctc_indicator=row.pctc_indicator,
            work_rvu=row.work,
            pe_rvu=pe_rvu,
            mp_rvu=row.mp,
            work_gpci=gpci.work,
            pe_gpci=gpci.pe,
            mp_gpci=gpci.mp,
            conversion_factor=cf,
            amount=amount,
            reason=reason,
            notice=notice,
        )


def _state_names(loc: Locality) -> set[str]:
    names = {_norm(loc.state)}
    names.update(_norm(part) for part in loc.state_name.split("/") if part.strip())
    return names


def _locality_names(loc: Locality) -> set[str]:
    return {n for n in (_norm(loc.name), _norm(loc.fee_schedule_area)) if n}


@functools.cache
def _load_default() -> MedicareFeeSchedule:
    manifest = _manifest()
    releases, rvus = _load_rvus()
    gpcis: dict[tuple[str, str, str], Gpci] = {}
    localities: dict[tuple[str, str], Locality] = {}
    for release in releases:
        suffix = release.name.lower()
        for r in _read_vendored(f"gpci_rvu24{suffix}.csv.gz", manifest):
            key = (r["mac"].strip().zfill(5), r["locality_number"].strip().zfill(2))
            gpcis[(release.name, *key)] = Gpci(_dec(r["gpci_work"]), _dec(r["gpci_pe"]), _dec(r["gpci_mp"]))
            if key not in localities:
                localities[key] = Locality(key[0], key[1], r["state"].strip().upper(), _norm(r["locality_name"]))
        for r in _read_vendored(f"locco_rvu24{suffix}.csv.gz", manifest):
            mac, number = r["mac"].strip(), r["locality_number"].strip()
            if not mac.isdigit() or not number.isdigit():
                continue  # the footnote row ("Payment locality is serviced by two carriers.")
            key = (mac.zfill(5), number.zfill(2))
            loc = localities.get(key)
            if loc is not None and not loc.fee_schedule_area:
                localities[key] = Locality(
                    loc.mac,
                    loc.number,
                    loc.state,
                    loc.name,
                    _norm(r["fee_schedule_area"]),
                    r["counties"].strip(),
                    _norm(r["state"]),
                )
    cfs = tuple(
        (date.fromisoformat(r["date_start"]), date.fromisoformat(r["date_end"]), _dec(r["cf"]))
        for r in _read_vendored("conversion_factor_history.csv.gz", manifest)
    )
    return MedicareFeeSchedule(tuple(releases), rvus, gpcis, localities, cfs)


# ---------------------------------------------------------------------------------------------------------------
# Charge master and contract rates


def _check_money(value: Decimal, what: str) -> None:
    if isinstance(value, float) or not isinstance(value, Decimal):
        raise TypeError(f"{what} takes a Decimal, never a float")
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{what} must be a finite, non-negative amount: {value}")


def _check_units(units: int | Decimal) -> Decimal:
    if isinstance(units, bool | float) or not isinstance(units, int | Decimal):
        raise TypeError("units are an int or a Decimal, never a float")
    value = Decimal(units)
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"units must be positive: {units}")
    return value


def _norm_mod(modifier: str | None) -> str | None:
    return (modifier or "").strip().upper() or None


def _covers(effective: date, through: date | None, on: date) -> bool:
    return effective <= on and (through is None or on <= through)


def _overlap(a: tuple[date, date | None], b: tuple[date, date | None]) -> bool:
    a_end = a[1] or date.max
    b_end = b[1] or date.max
    return a[0] <= b_end and b[0] <= a_end


@dataclass(frozen=True, slots=True)
class Charge:
    """The practice's charge for one unit of a code (optionally with a modifier) over a date range."""

    code: str
    amount: Decimal
    effective: date
    through: date | None = None
    modifier: str | None = None

    def __post_init__(self) -> None:
        _check_money(self.amount, f"charge for {self.code}")
        if self.through is not None and self.through < self.effective:
            raise InvalidInput(f"charge for {self.code} ends before it starts")
        object.__setattr__(self, "code", self.code.strip().upper())
        object.__setattr__(self, "modifier", _norm_mod(self.modifier))


@dataclass(frozen=True, slots=True)
class ChargeMaster:
    """Code [+ modifier] -> practice charge, with effective dates. A code+modifier entry wins over the code's."""

    charges: tuple[Charge, ...] = ()

    def __post_init__(self) -> None:
        seen: dict[tuple[str, str | None], list[Charge]] = {}
        for c in self.charges:
            for other in seen.get((c.code, c.modifier), []):
                if _overlap((c.effective, c.through), (other.effective, other.through)):
                    mod = f"-{c.modifier}" if c.modifier else ""
                    raise Conflict(f"charge master has overlapping charges for {c.code}{mod}")
            seen.setdefault((c.code, c.modifier), []).append(c)

    @classmethod
    def of(cls, charges: Iterable[Charge]) -> ChargeMaster:
        return cls(tuple(charges))

    def charge(self, code: str, modifier: str | None, on: date) -> Decimal | None:
        """The charge for one unit on a date, or None when the charge master has none."""
        code_u = code.strip().upper()
        mod = _norm_mod(modifier)
        for want in (mod, None) if mod else (None,):
            for c in self.charges:
                if c.code == code_u and c.modifier == want and _covers(c.effective, c.through, on):
                    return c.amount
        return None


class RateKind(StrEnum):
    FIXED = "fixed"
    """``value`` is the amount per unit."""
    PERCENT_OF_MEDICARE = "percent_of_medicare"
    """``value`` is a percentage of the Medicare PFS amount (``Decimal("110")`` = 110%)."""


@dataclass(frozen=True, slots=True)
class ContractRate:
    """A payer's contracted rate for a code (or every code, when ``code`` is None) over a date range."""

    payer_id: str
    code: str | None
    kind: RateKind
    value: Decimal
    effective: date
    through: date | None = None
    modifier: str | None = None

    def __post_init__(self) -> None:
        _check_money(self.value, f"contract rate for {self.code or 'default'}")
        if self.through is not None and self.through < self.effective:
            raise InvalidInput(f"contract rate for {self.code or 'default'} ends before it starts")
        object.__setattr__(self, "kind", RateKind(self.kind))
        object.__setattr__(self, "code", self.code.strip().upper() if self.code else None)
        object.__setattr__(self, "modifier", _norm_mod(self.modifier))

    @property
    def specificity(self) -> int:
        if self.code is None:
            return 0
        return 2 if self.modifier else 1


@dataclass(frozen=True, slots=True)
class LinePrice:
    charge: Decimal
    """Charge master amount × units."""
    expected: Decimal | None
    """Expected reimbursement, or None when nothing prices the line (``basis`` says why)."""
    basis: str


@dataclass(frozen=True, eq=False)
class FeeSchedule:
    """Expected reimbursement per payer: contract rates first, then the Medicare PFS for Medicare payers."""

    medicare: MedicareFeeSchedule
    contracts: tuple[ContractRate, ...] = ()
    medicare_payers: frozenset[str] = frozenset()
    charge_master: ChargeMaster = field(default_factory=ChargeMaster)

    def contract_for(self, payer_id: str, code: str, modifier: str | None, on: date) -> ContractRate | None:
        """The most specific contract rate in force: code+modifier, then code, then the payer's default."""
        code_u = code.strip().upper()
        mod = _norm_mod(modifier)
        hits = [
            r
            for r in self.contracts
            if r.payer_id == payer_id
            and _covers(r.effective, r.through, on)
            and (r.code is None or r.code == code_u)
            and (r.modifier is None or r.modifier == mod)
        ]
        if not hits:
            return None
        best = max(r.specificity for r in hits)
        top = [r for r in hits if r.specificity == best]
        if len(top) > 1:
            raise Conflict(f"payer {payer_id} has {len(top)} contract rates for {code_u} on {on.isoformat()}")
        return top[0]

    def expected(
        self,
        payer_id: str,
        code: str,
        modifier: str | None,
        units: int | Decimal,
        pos: str,
        locality: Locality | tuple[str, str],
        on: date,
    ) -> tuple[Decimal | None, str]:
        """Expected reimbursement for a line and the basis it came from.

        Contract fixed amount → value × units; percent of Medicare → PFS amount (per unit, rounded) × percent ×
        units; no contract → the PFS amount × units for a Medicare payer, else None. Rounded to cents
        (ROUND_HALF_UP).
        """
        qty = _check_units(units)
        rate = self.contract_for(payer_id, code, modifier, on)
        if rate is not None and rate.kind is RateKind.FIXED:
            scope = rate.code or "default"
            return _cents(rate.value * qty), f"contract {payer_id} fixed {rate.value} ({scope})"
        if rate is None and payer_id not in self.medicare_payers:
            return None, f"no contract rate for {code.strip().upper()} with payer {payer_id}"
        price = self.medicare.allowed(code, modifier, locality, facility_pos(pos), on)
        if price is None:
            return None, f"{code.strip().upper()} is not in the Medicare PFS"
        if price.amount is None:
            return None, f"Medicare PFS does not pay {price.code}: {price.reason}"
        pfs = f"Medicare PFS {price.release} {price.locality.mac}/{price.locality.number}"
        pfs += " facility" if price.facility else " non-facility"
        if rate is None:
            return _cents(price.amount * qty), pfs
        scope = rate.code or "default"
        return _cents(
            price.amount * rate.value / HUNDRED * qty
        ), f"contract {payer_id} {rate.value}% of {pfs} ({scope})"

    def price_line(
        self,
        payer_id: str,
        code: str,
        modifier: str | None,
        units: int | Decimal,
        pos: str,
        locality: Locality | tuple[str, str],
        on: date,
    ) -> LinePrice:
        """Charge (charge master × units) and expected reimbursement for one claim line.

        Raises :class:`NotFound` naming the code when the charge master has no charge for it on that date.
        """
        qty = _check_units(units)
        unit_charge = self.charge_master.charge(code, modifier, on)
        if unit_charge is None:
            mod = _norm_mod(modifier)
            shown = code.strip().upper() + (f"-{mod}" if mod else "")
            raise NotFound(f"the charge master has no charge for {shown} on {on.isoformat()}")
        expected, basis = self.expected(payer_id, code, modifier, qty, pos, locality, on)
        return LinePrice(_cents(unit_charge * qty), expected, basis)


def _cents(value: Decimal) -> Decimal:
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise InvalidInput(f"amount out of range: {value}") from exc
