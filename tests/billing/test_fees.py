"""Fee schedules: the CY2024 Medicare PFS from the vendored CMS files, the charge master and contract rates."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from medbill.billing import fees
from medbill.billing.fees import (
    DATA_DIR,
    FACILITY_POS,
    Charge,
    ChargeMaster,
    ContractRate,
    FeeSchedule,
    Gpci,
    LinePrice,
    Locality,
    MedicareFeeSchedule,
    PfsPrice,
    RateKind,
    Release,
    RvuRow,
    facility_pos,
)
from medbill.errors import CodeSetUnavailable, Conflict, InvalidInput, NotFound

MANHATTAN = ("13202", "01")
NEVADA = ("01312", "00")  # work and PE GPCI 1.0 (no CY2024 locality has all three GPCIs at 1.0)
MAY_1 = date(2024, 5, 1)


@pytest.fixture(scope="module")
def pfs() -> MedicareFeeSchedule:
    return MedicareFeeSchedule.load()


def vendored_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(gzip.decompress((DATA_DIR / name).read_bytes()).decode("utf-8-sig"))))


def gpci_row(mac: str, number: str, release: str = "b") -> dict[str, str]:
    rows = [r for r in vendored_csv(f"gpci_rvu24{release}.csv.gz") if (r["mac"], r["locality_number"]) == (mac, number)]
    assert len(rows) == 1
    return rows[0]


def by_hand(work: str, pe: str, mp: str, gpci: dict[str, str], cf: str) -> Decimal:
    total = (
        Decimal(work) * Decimal(gpci["gpci_work"])
        + Decimal(pe) * Decimal(gpci["gpci_pe"])
        + Decimal(mp) * Decimal(gpci["gpci_mp"])
    )
    return (total * Decimal(cf)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- vendored data ---------------------------------------------------------------------------------------------


def manifest_rows() -> list[dict[str, str]]:
    with (DATA_DIR / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_manifest_checksums_and_rows() -> None:
    rows = manifest_rows()
    assert {r["file"] for r in rows} == {p.name for p in DATA_DIR.glob("*.gz")}
    for r in rows:
        data = (DATA_DIR / r["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"], r["file"]
        assert gzip.decompress(data).decode("utf-8").count("\n") == int(r["rows"]), r["file"]
    provenance = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for r in rows:
        assert r["file"] in provenance


@pytest.mark.shared
def test_vendored_files_equal_shared(shared_dir: Path) -> None:
    for r in manifest_rows():
        original = shared_dir / "data" / "pfs" / r["file"].removesuffix(".gz")
        assert gzip.decompress((DATA_DIR / r["file"]).read_bytes()) == original.read_bytes(), r["file"]


def test_checksum_mismatch_is_code_set_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conversion_factor_history.csv.gz").write_bytes(gzip.compress(b"date_start,date_end,cf\n"))
    monkeypatch.setattr(fees, "DATA_DIR", tmp_path)
    with pytest.raises(CodeSetUnavailable, match="checksum"):
        fees._read_vendored("conversion_factor_history.csv.gz", {"conversion_factor_history.csv.gz": "0" * 64})
    with pytest.raises(CodeSetUnavailable, match="not listed"):
        fees._read_vendored("other.csv.gz", {})


# --- releases and conversion factors ---------------------------------------------------------------------------


def test_releases_come_from_the_rvu_file(pfs: MedicareFeeSchedule) -> None:
    assert [(r.name, r.effective, r.through) for r in pfs.releases] == [
        ("A", date(2024, 1, 1), date(2024, 3, 8)),
        ("AR", date(2024, 3, 9), date(2024, 3, 31)),
        ("B", date(2024, 4, 1), date(2024, 6, 30)),
        ("C", date(2024, 7, 1), date(2024, 9, 30)),
    ]


@pytest.mark.parametrize(
    ("on", "release", "cf"),
    [
        (date(2024, 1, 1), "A", "32.7442"),
        (date(2024, 3, 8), "A", "32.7442"),
        (date(2024, 3, 9), "AR", "33.2875"),
        (date(2024, 3, 31), "AR", "33.2875"),
        (date(2024, 4, 1), "B", "33.2875"),
        (date(2024, 6, 30), "B", "33.2875"),
        (date(2024, 7, 1), "C", "33.2875"),
        (date(2024, 9, 30), "C", "33.2875"),
    ],
)
def test_release_and_conversion_factor_by_date(pfs: MedicareFeeSchedule, on: date, release: str, cf: str) -> None:
    chosen, notice = pfs.release_for(on)
    assert chosen.name == release
    assert notice is None
    assert pfs.conversion_factor(on) == Decimal(cf)
    assert isinstance(pfs.conversion_factor(on), Decimal)


def test_fourth_quarter_is_priced_from_c_with_a_notice(pfs: MedicareFeeSchedule) -> None:
    price = pfs.allowed("99213", None, MANHATTAN, False, date(2024, 12, 31))
    assert price is not None
    assert price.release == "C"
    assert price.notice is not None and "not loaded" in price.notice
    assert price.conversion_factor == Decimal("33.2875")
    assert price.amount == Decimal("103.22")


@pytest.mark.parametrize("on", [date(2023, 12, 31), date(2025, 1, 1)])
def test_dates_outside_cy2024_raise_code_set_unavailable(pfs: MedicareFeeSchedule, on: date) -> None:
    with pytest.raises(CodeSetUnavailable, match=on.isoformat()):
        pfs.allowed("99213", None, MANHATTAN, False, on)


# --- 99213, the pinned check -----------------------------------------------------------------------------------


@pytest.mark.parametrize("on", [date(2024, 1, 15), date(2024, 3, 15), MAY_1, date(2024, 8, 1)])
def test_99213_rvus(pfs: MedicareFeeSchedule, on: date) -> None:
    row = pfs.rvu("99213", None, on)
    assert row is not None
    assert (row.work, row.pe_nonfacility, row.pe_facility, row.mp) == (
        Decimal("1.30"),
        Decimal("1.33"),
        Decimal("0.56"),
        Decimal("0.10"),
    )
    assert row.status == "A"
    assert row.global_days == "XXX"


def test_99213_manhattan_non_facility_by_hand(pfs: MedicareFeeSchedule) -> None:
    gpci = gpci_row(*MANHATTAN)
    assert (gpci["locality_name"], gpci["gpci_work"], gpci["gpci_pe"], gpci["gpci_mp"]) == (
        "MANHATTAN",
        "1.065",
        "1.166",
        "1.656",
    )
    expected = by_hand("1.30", "1.33", "0.10", gpci, "33.2875")
    # (1.30 × 1.065 + 1.33 × 1.166 + 0.10 × 1.656) × 33.2875 = 3.10088 × 33.2875 = 103.220543 → 103.22
    assert expected == Decimal("103.22")
    price = pfs.allowed("99213", None, MANHATTAN, False, MAY_1)
    assert price is not None
    assert price.amount == expected
    assert price.release == "B"
    assert price.status == "A" and price.payable and price.reason is None
    assert (price.work_rvu, price.pe_rvu, price.mp_rvu) == (Decimal("1.30"), Decimal("1.33"), Decimal("0.10"))
    assert (price.work_gpci, price.pe_gpci, price.mp_gpci) == (Decimal("1.065"), Decimal("1.166"), Decimal("1.656"))
    assert price.conversion_factor == Decimal("33.2875")
    assert price.locality.name == "MANHATTAN" and price.locality.state == "NY"


def test_99213_manhattan_facility_and_release_a(pfs: MedicareFeeSchedule) -> None:
    gpci = gpci_row(*MANHATTAN)
    facility = pfs.allowed("99213", None, MANHATTAN, True, MAY_1)
    assert facility is not None
    assert facility.pe_rvu == Decimal("0.56")
    assert facility.amount == by_hand("1.30", "0.56", "0.10", gpci, "33.2875") == Decimal("73.33")
    january = pfs.allowed("99213", None, MANHATTAN, False, date(2024, 2, 1))
    assert january is not None
    assert january.release == "A"
    assert january.conversion_factor == Decimal("32.7442")
    assert january.amount == by_hand("1.30", "1.33", "0.10", gpci_row(*MANHATTAN, "a"), "32.7442")
    assert january.amount == Decimal("101.54")


def test_99213_in_a_locality_with_work_and_pe_gpci_one(pfs: MedicareFeeSchedule) -> None:
    gpci = gpci_row(*NEVADA)
    assert (gpci["gpci_work"], gpci["gpci_pe"]) == ("1.0", "1.0")
    price = pfs.allowed("99213", None, NEVADA, False, MAY_1)
    assert price is not None
    # (1.30 + 1.33 + 0.10 × 0.844) × 33.2875 = 2.7144 × 33.2875 = 90.35559 → 90.36
    assert price.amount == by_hand("1.30", "1.33", "0.10", gpci, "33.2875") == Decimal("90.36")


def test_every_money_field_is_decimal(pfs: MedicareFeeSchedule) -> None:
    price = pfs.allowed("99213", None, MANHATTAN, False, MAY_1)
    assert price is not None
    for name in ("work_rvu", "pe_rvu", "mp_rvu", "work_gpci", "pe_gpci", "mp_gpci", "conversion_factor", "amount"):
        assert type(getattr(price, name)) is Decimal, name
    assert price.amount is not None and price.amount.as_tuple().exponent == -2


def test_amount_matches_the_formula_for_many_codes(pfs: MedicareFeeSchedule) -> None:
    gpci = gpci_row("05302", "01")  # METROPOLITAN ST. LOUIS
    for code in ("99203", "99214", "99215", "20610", "17000", "93000", "G0438"):
        row = pfs.rvu(code, None, MAY_1)
        assert row is not None, code
        price = pfs.allowed(code, None, ("05302", "01"), False, MAY_1)
        assert price is not None and price.amount is not None, code
        assert price.amount == by_hand(str(row.work), str(row.pe_nonfacility), str(row.mp), gpci, "33.2875"), code


# --- modifiers and status codes --------------------------------------------------------------------------------


def test_professional_and_technical_components_have_their_own_rows(pfs: MedicareFeeSchedule) -> None:
    gpci = gpci_row(*MANHATTAN)
    for mod in ("26", "TC"):
        row = pfs.rvu("71046", mod, MAY_1)
        assert row is not None and row.modifier == mod
        price = pfs.allowed("71046", mod.lower(), MANHATTAN, False, MAY_1)
        assert price is not None and price.modifier == mod
        assert price.amount == by_hand(str(row.work), str(row.pe_nonfacility), str(row.mp), gpci, "33.2875")
    pc = pfs.allowed("71046", "26", MANHATTAN, False, MAY_1)
    tc = pfs.allowed("71046", "TC", MANHATTAN, False, MAY_1)
    glob = pfs.allowed("71046", None, MANHATTAN, False, MAY_1)
    assert pc is not None and tc is not None and glob is not None
    assert pc.work_rvu == Decimal("0.22") and tc.work_rvu == Decimal("0")
    assert pc.amount is not None and tc.amount is not None and glob.amount is not None
    assert abs(pc.amount + tc.amount - glob.amount) <= Decimal("1.00")


def test_component_modifier_on_a_code_without_components(pfs: MedicareFeeSchedule) -> None:
    price = pfs.allowed("99213", "26", MANHATTAN, False, MAY_1)
    assert price is not None
    assert price.amount is None and not price.payable
    assert price.reason is not None and "-26" in price.reason and "99213" in price.reason


def test_other_modifiers_use_the_global_row(pfs: MedicareFeeSchedule) -> None:
    price = pfs.allowed("99213", "25", MANHATTAN, False, MAY_1)
    assert price is not None
    assert price.modifier == "25"
    assert price.amount == Decimal("103.22")


@pytest.mark.parametrize(
    ("code", "status"),
    [("00100", "J"), ("A0021", "I"), ("G0122", "N"), ("36415", "X")],
)
def test_unpayable_status_has_no_amount(pfs: MedicareFeeSchedule, code: str, status: str) -> None:
    price = pfs.allowed(code, None, MANHATTAN, False, MAY_1)
    assert price is not None
    assert price.status == status
    assert price.amount is None
    assert price.reason is not None and price.reason.startswith(f"status {status}:")
    assert price.status_meaning == fees.STATUS_MEANINGS[status]


def test_every_unpayable_status_in_the_file_is_explained(pfs: MedicareFeeSchedule) -> None:
    statuses = {row.status for row in pfs.rvus.values()}
    assert statuses <= set(fees.STATUS_MEANINGS)
    assert {"A", "B", "C", "E", "I", "J", "M", "N", "P", "R", "T", "X"} <= statuses


def test_unknown_code_is_none(pfs: MedicareFeeSchedule) -> None:
    assert pfs.allowed("ZZZZZ", None, MANHATTAN, False, MAY_1) is None
    assert pfs.allowed("ZZZZZ", "26", MANHATTAN, False, MAY_1) is None
    assert pfs.rvu("ZZZZZ", None, MAY_1) is None


def test_rounding_is_half_up() -> None:
    release = Release("B", "rvu24b_apr", date(2024, 4, 1), date(2024, 6, 30))
    loc = Locality("99999", "00", "ZZ", "TEST")
    schedule = MedicareFeeSchedule(
        releases=(release,),
        rvus={
            ("B", "00001", ""): RvuRow(
                "00001", "", "A", Decimal("1"), Decimal("0"), Decimal("0"), Decimal("0"), "0", "XXX"
            )
        },
        gpcis={("B", "99999", "00"): Gpci(Decimal("1"), Decimal("1"), Decimal("1"))},
        localities={loc.key: loc},
        conversion_factors=((date(2024, 1, 1), date(2024, 12, 31), Decimal("0.125")),),
    )
    price = schedule.allowed("00001", None, loc, False, MAY_1)
    assert price is not None
    assert price.amount == Decimal("0.13")  # banker's rounding would give 0.12


# --- places of service -----------------------------------------------------------------------------------------


def test_facility_pos() -> None:
    for pos in ("02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61", "2"):
        assert facility_pos(pos), pos  # "2" is POS 02 written without its leading zero
    for pos in ("10", "11", "12", "20", "32", "49", "50", "72", "81", "99"):
        assert not facility_pos(pos), pos
    assert len(FACILITY_POS) == 16
    with pytest.raises(InvalidInput):
        facility_pos("1A")


# --- localities ------------------------------------------------------------------------------------------------


def test_locality_lookup_by_numbers(pfs: MedicareFeeSchedule) -> None:
    loc = pfs.locality("13202", "1")
    assert (loc.mac, loc.number, loc.state, loc.name) == ("13202", "01", "NY", "MANHATTAN")
    assert pfs.locality("1312", "0").name == "NEVADA"
    assert len(pfs.localities) == 109
    with pytest.raises(NotFound):
        pfs.locality("13202", "77")
    with pytest.raises(NotFound):
        pfs.allowed("99213", None, ("00000", "00"), False, MAY_1)


@pytest.mark.parametrize(
    ("state", "name", "key"),
    [
        ("NY", "Manhattan", ("13202", "01")),
        ("New York", "REST OF STATE", ("13282", "99")),
        ("NY", "REST OF NEW YORK", ("13282", "99")),
        ("CA", "rest of state", ("01112", "75")),
        ("MO", "REST OF STATE", ("05302", "99")),
        ("KS", "STATEWIDE", ("05202", "00")),
        ("Alabama", "Alabama", ("10112", "00")),
        ("GUAM", "STATEWIDE", ("01212", "01")),
        ("DC", "DC + MD/VA SUBURBS", ("12202", "01")),
        ("MD", "BALTIMORE/SURR. CNTYS", ("12302", "01")),
    ],
)
def test_locality_lookup_by_state_and_name(
    pfs: MedicareFeeSchedule, state: str, name: str, key: tuple[str, str]
) -> None:
    assert pfs.find_locality(state, name).key == key


def test_locality_lookup_errors(pfs: MedicareFeeSchedule) -> None:
    with pytest.raises(NotFound):
        pfs.find_locality("XX", "STATEWIDE")
    with pytest.raises(NotFound):
        pfs.find_locality("NY", "BROOKLYN HEIGHTS")
    with pytest.raises(NotFound):
        pfs.find_locality("NY", "STATEWIDE")  # five localities, none statewide


def test_locality_object_is_accepted(pfs: MedicareFeeSchedule) -> None:
    loc = pfs.find_locality("NY", "MANHATTAN")
    price = pfs.allowed("99213", None, loc, False, MAY_1)
    assert price is not None and price.amount == Decimal("103.22")


# --- charge master and contract rates --------------------------------------------------------------------------

CHARGES = ChargeMaster.of(
    [
        Charge("99213", Decimal("150.00"), date(2024, 1, 1), date(2024, 6, 30)),
        Charge("99213", Decimal("165.00"), date(2024, 7, 1)),
        Charge("71046", Decimal("120.00"), date(2024, 1, 1)),
        Charge("71046", Decimal("45.00"), date(2024, 1, 1), modifier="26"),
        Charge("J3301", Decimal("12.50"), date(2024, 1, 1)),
    ]
)


def schedule(pfs: MedicareFeeSchedule, *contracts: ContractRate) -> FeeSchedule:
    return FeeSchedule(pfs, tuple(contracts), medicare_payers=frozenset({"MCR-NY"}), charge_master=CHARGES)


def test_charge_master_dates_and_modifiers() -> None:
    assert CHARGES.charge("99213", None, date(2024, 6, 30)) == Decimal("150.00")
    assert CHARGES.charge("99213", "25", date(2024, 7, 1)) == Decimal("165.00")
    assert CHARGES.charge("71046", "26", MAY_1) == Decimal("45.00")
    assert CHARGES.charge("71046", "TC", MAY_1) == Decimal("120.00")
    assert CHARGES.charge("99213", None, date(2023, 12, 31)) is None
    assert CHARGES.charge("99999", None, MAY_1) is None


def test_charge_master_rejects_overlaps_and_floats() -> None:
    with pytest.raises(Conflict, match="99213"):
        ChargeMaster.of(
            [Charge("99213", Decimal("1"), date(2024, 1, 1)), Charge("99213", Decimal("2"), date(2024, 6, 1))]
        )
    with pytest.raises(TypeError):
        Charge("99213", 150.0, date(2024, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Charge("99213", Decimal("-1"), date(2024, 1, 1))


def test_medicare_payer_without_contract_gets_pfs_times_units(pfs: MedicareFeeSchedule) -> None:
    line = schedule(pfs).price_line("MCR-NY", "99213", None, 2, "11", MANHATTAN, MAY_1)
    assert line == LinePrice(Decimal("300.00"), Decimal("206.44"), line.basis)
    assert "Medicare PFS B 13202/01 non-facility" in line.basis
    facility = schedule(pfs).price_line("MCR-NY", "99213", None, 1, "22", MANHATTAN, MAY_1)
    assert facility.expected == Decimal("73.33")
    assert type(line.charge) is Decimal and type(line.expected) is Decimal


def test_contract_fixed_amount(pfs: MedicareFeeSchedule) -> None:
    rate = ContractRate("AETNA", "99213", RateKind.FIXED, Decimal("98.765"), date(2024, 1, 1), date(2024, 12, 31))
    line = schedule(pfs, rate).price_line("AETNA", "99213", None, 3, "11", MANHATTAN, MAY_1)
    assert line.charge == Decimal("450.00")
    assert line.expected == Decimal("296.30")  # 296.295 rounded half up
    assert "fixed" in line.basis


def test_contract_percent_of_medicare(pfs: MedicareFeeSchedule) -> None:
    default = ContractRate("BCBS", None, "percent_of_medicare", Decimal("125"), date(2024, 1, 1))  # type: ignore[arg-type]
    assert default.kind is RateKind.PERCENT_OF_MEDICARE
    line = schedule(pfs, default).price_line("BCBS", "99213", None, 1, "11", MANHATTAN, MAY_1)
    assert line.expected == Decimal("129.03")  # 103.22 × 125% = 129.025 → 129.03
    assert "125% of Medicare PFS B" in line.basis
    specific = ContractRate("BCBS", "99213", RateKind.FIXED, Decimal("110.00"), date(2024, 1, 1))
    by_code = schedule(pfs, default, specific).price_line("BCBS", "99213", None, 1, "11", MANHATTAN, MAY_1)
    assert by_code.expected == Decimal("110.00")
    with_mod = ContractRate("BCBS", "71046", RateKind.FIXED, Decimal("20.00"), date(2024, 1, 1), modifier="26")
    fs = schedule(pfs, default, with_mod)
    assert fs.expected("BCBS", "71046", "26", 1, "11", MANHATTAN, MAY_1)[0] == Decimal("20.00")
    pct_tc = fs.expected("BCBS", "71046", "TC", 1, "11", MANHATTAN, MAY_1)[0]
    tc = pfs.allowed("71046", "TC", MANHATTAN, False, MAY_1)
    assert tc is not None and tc.amount is not None
    assert pct_tc == (tc.amount * Decimal("1.25")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_contract_dates_are_respected(pfs: MedicareFeeSchedule) -> None:
    rate = ContractRate("AETNA", "99213", RateKind.FIXED, Decimal("90"), date(2024, 1, 1), date(2024, 3, 31))
    fs = schedule(pfs, rate)
    assert fs.expected("AETNA", "99213", None, 1, "11", MANHATTAN, date(2024, 3, 31))[0] == Decimal("90.00")
    expected, basis = fs.expected("AETNA", "99213", None, 1, "11", MANHATTAN, MAY_1)
    assert expected is None
    assert "no contract rate" in basis


def test_two_contracts_at_the_same_level_conflict(pfs: MedicareFeeSchedule) -> None:
    a = ContractRate("AETNA", "99213", RateKind.FIXED, Decimal("90"), date(2024, 1, 1))
    b = ContractRate("AETNA", "99213", RateKind.FIXED, Decimal("95"), date(2024, 4, 1))
    with pytest.raises(Conflict):
        schedule(pfs, a, b).expected("AETNA", "99213", None, 1, "11", MANHATTAN, MAY_1)


def test_percent_of_medicare_for_an_unpriced_code(pfs: MedicareFeeSchedule) -> None:
    default = ContractRate("BCBS", None, RateKind.PERCENT_OF_MEDICARE, Decimal("125"), date(2024, 1, 1))
    line = schedule(pfs, default).price_line("BCBS", "J3301", None, 1, "11", MANHATTAN, MAY_1)
    assert line.charge == Decimal("12.50")
    assert line.expected is None
    assert "does not pay J3301" in line.basis or "not in the Medicare PFS" in line.basis


def test_missing_charge_names_the_code(pfs: MedicareFeeSchedule) -> None:
    with pytest.raises(NotFound, match="99215"):
        schedule(pfs).price_line("MCR-NY", "99215", None, 1, "11", MANHATTAN, MAY_1)
    with pytest.raises(NotFound, match="99213"):
        schedule(pfs).price_line("MCR-NY", "99213", None, 1, "11", MANHATTAN, date(2023, 6, 1))


def test_units_must_be_positive_ints_or_decimals(pfs: MedicareFeeSchedule) -> None:
    fs = schedule(pfs)
    with pytest.raises(TypeError):
        fs.price_line("MCR-NY", "99213", None, 1.0, "11", MANHATTAN, MAY_1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        fs.price_line("MCR-NY", "99213", None, 0, "11", MANHATTAN, MAY_1)
    half = fs.price_line("MCR-NY", "99213", None, Decimal("0.5"), "11", MANHATTAN, MAY_1)
    assert half.charge == Decimal("75.00") and half.expected == Decimal("51.61")  # 51.61 = 103.22 / 2


def test_commercial_payer_without_contract_and_outside_cy2024(pfs: MedicareFeeSchedule) -> None:
    expected, basis = schedule(pfs).expected("CIGNA", "99213", None, 1, "11", MANHATTAN, MAY_1)
    assert expected is None and "CIGNA" in basis
    with pytest.raises(CodeSetUnavailable):
        schedule(pfs).expected("MCR-NY", "99213", None, 1, "11", MANHATTAN, date(2025, 2, 1))


def test_price_is_frozen(pfs: MedicareFeeSchedule) -> None:
    price = pfs.allowed("99213", None, MANHATTAN, False, MAY_1)
    assert isinstance(price, PfsPrice)
    with pytest.raises(AttributeError):
        price.amount = Decimal("1")  # type: ignore[misc]
