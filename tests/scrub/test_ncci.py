"""NCCI tables against real rows of the vendored CMS files (PTP Q3 2024, MUE Q3 2024, add-on edits 2024)."""

from __future__ import annotations

import gzip
import hashlib
import time
from datetime import date
from pathlib import Path

import pytest

from medbill.scrub.ncci import (
    CODES_DIR,
    EDITIONS,
    MUE_FILES,
    PTP_DIR,
    PTP_FILES,
    AddonEdit,
    MueEdit,
    NcciTables,
    PtpEdit,
    Setting,
)

P = Setting.PRACTITIONER
OP = Setting.OUTPATIENT
MISUSE = "Misuse of Column Two code with Column One code"


def why(tables: NcciTables, rationale: str) -> str:
    """The rationale a PTP edit carries (the vendored files keep CMS's rationale column)."""
    assert tables.ptp_rationale_shipped
    return rationale


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ncci-cache")


@pytest.fixture(scope="session")
def tables(cache_dir: Path) -> NcciTables:
    return NcciTables.load(cache_dir)


def test_vendored_files_match_manifest() -> None:
    rows = [line.split("\t") for line in (PTP_DIR / "MANIFEST.tsv").read_text().splitlines()[1:]]
    assert {r[0] for r in rows} == set(PTP_FILES.values())
    for name, sha, _lines in rows:
        assert hashlib.sha256((PTP_DIR / name).read_bytes()).hexdigest() == sha


def test_active_edit_modifier_0(tables: NcciTables) -> None:
    # 99213,97802,0,9999-12-31,Misuse of Column Two code with Column One code
    edit = tables.ptp("99213", "97802", date(2024, 7, 1), P)
    assert edit == PtpEdit("99213", "97802", 0, None, why(tables, MISUSE))
    assert tables.ptp("97802", "99213", date(2024, 7, 1), P) is None  # order matters


def test_active_edit_modifier_1(tables: NcciTables) -> None:
    # 29881,29875,1,9999-12-31,More extensive procedure
    edit = tables.ptp("29881", "29875", date(2024, 8, 15), P)
    assert edit == PtpEdit("29881", "29875", 1, None, why(tables, "More extensive procedure"))
    assert tables.ptp("29881", "11000", date(1990, 1, 1), P) is not None  # no effective dates survive


def test_edit_deleted_in_2019(tables: NcciTables) -> None:
    # 0009M,0016U,1,2019-12-31,Misuse of Column Two code with Column One code
    before = tables.ptp("0009M", "0016U", date(2019, 12, 31), P)
    assert before == PtpEdit("0009M", "0016U", 1, date(2019, 12, 31), why(tables, MISUSE))
    assert tables.ptp("0009M", "0016U", date(2020, 1, 1), P) is None


def test_pair_listed_twice_answers_the_row_in_force(tables: NcciTables) -> None:
    # 0007U,0328U,0,2023-06-30,HCPCS/CPT procedure code definition / 0007U,0328U,1,9999-12-31,Misuse...
    old = tables.ptp("0007U", "0328U", date(2023, 6, 30), P)
    assert old == PtpEdit("0007U", "0328U", 0, date(2023, 6, 30), why(tables, "HCPCS/CPT procedure code definition"))
    new = tables.ptp("0007U", "0328U", date(2023, 7, 1), P)
    assert new == PtpEdit("0007U", "0328U", 1, None, why(tables, MISUSE))
    # 00100,99201 deleted 2019-12-31 and again 2020-12-31
    mid = tables.ptp("00100", "99201", date(2020, 6, 1), P)
    assert mid is not None and mid.deletion == date(2020, 12, 31)
    assert tables.ptp("00100", "99201", date(2021, 1, 1), P) is None


def test_outpatient_table(tables: NcciTables) -> None:
    # both files: 0001A,0591T,1,2023-12-31,CPT Manual or CMS manual coding instruction
    edit = tables.ptp("0001A", "0591T", date(2023, 12, 1), OP)
    assert edit == PtpEdit(
        "0001A", "0591T", 1, date(2023, 12, 31), why(tables, "CPT Manual or CMS manual coding instruction")
    )
    assert tables.ptp("0001A", "0591T", date(2024, 1, 1), OP) is None


def test_unknown_codes_and_dme_setting(tables: NcciTables) -> None:
    assert tables.ptp("ZZZZZ", "99213", date(2024, 7, 1), P) is None
    assert tables.ptp("99213", "", date(2024, 7, 1), P) is None
    with pytest.raises(ValueError):
        tables.ptp("99213", "97802", date(2024, 7, 1), Setting.DME)


def test_pairs_among(tables: NcciTables) -> None:
    found = tables.pairs_among(["29875", "99213", "29881", "29881", "97802"], date(2024, 7, 1), P)
    pairs = {(e.column1, e.column2) for e in found}
    assert ("29881", "29875") in pairs
    assert ("99213", "97802") in pairs
    for edit in found:
        assert tables.ptp(edit.column1, edit.column2, date(2024, 7, 1), P) == edit
    assert tables.pairs_among(["29881"], date(2024, 7, 1), P) == []


def test_active_practitioner_pairs_count(tables: NcciTables) -> None:
    assert tables.ptp_in_force_count(date(2024, 7, 1), P) == 1_669_820
    assert tables.ptp_in_force_count(date(2024, 7, 1), OP) == 1_335_857
    assert tables.ptp_rows(P) == 2_546_017  # 2,546,018 lines with the header
    assert tables.ptp_rows(OP) == 1_775_818


def test_mue(tables: NcciTables) -> None:
    # practitioner: 99213,2,3,Clinical: Data / J0129,100,3,Prescribing Information / 29881,1,2,CMS Policy
    assert tables.mue("99213", P) == MueEdit("99213", 2, 3, "Clinical: Data")
    assert tables.mue("J0129", P) == MueEdit("J0129", 100, 3, "Prescribing Information")
    assert tables.mue("29881", OP) == MueEdit("29881", 1, 2, "CMS Policy")
    assert tables.mue("E0100", Setting.DME) == MueEdit("E0100", 1, 3, "Nature of Equipment")
    assert tables.mue("99213", Setting.DME) is None
    assert tables.mue("ZZZZZ", P) is None


def test_mue_counts_match_source(tables: NcciTables) -> None:
    for setting, name in MUE_FILES.items():
        with gzip.open(CODES_DIR / name, "rt") as handle:
            codes = [line.split(",", 1)[0] for line in list(handle)[1:]]
        assert all(tables.mue(c, setting) is not None for c in codes)


def test_addon_types(tables: NcciTables) -> None:
    # 99291,99292,1 / CCCCC,0055T,2 / 64702..64718,64727,3 plus CCCCC,64727,3
    assert tables.addon("99292") == AddonEdit("99292", 1, frozenset({"99291"}))
    assert tables.addon("0055T") == AddonEdit("0055T", 2, frozenset())
    e3 = tables.addon("64727")
    assert e3 is not None and e3.edit_type == 3 and len(e3.primaries) == 12 and "64702" in e3.primaries
    assert tables.is_addon("11001") and not tables.is_addon("11000")
    assert tables.addon("99213") is None


def test_editions(tables: NcciTables) -> None:
    assert tables.edition.name == "NCCI PTP 2024Q3"
    assert tables.edition.effective == date(2024, 7, 1)
    assert {e.table for e in NcciTables.editions()} == {"ptp", "mue", "addon"} == {e.table for e in EDITIONS}
    assert not tables.newer_quarter_applies(date(2024, 9, 30))
    assert tables.newer_quarter_applies(date(2024, 10, 1))


def test_second_load_reuses_cache(tables: NcciTables, cache_dir: Path) -> None:
    stamp = tables.cache_file.stat().st_mtime_ns
    start = time.perf_counter()
    again = NcciTables.load(cache_dir)
    elapsed = time.perf_counter() - start
    assert again.cache_file == tables.cache_file
    assert tables.cache_file.stat().st_mtime_ns == stamp
    assert [p.name for p in cache_dir.iterdir()] == [tables.cache_file.name]  # no temp files left
    assert again.ptp("29881", "29875", date(2024, 7, 1), P) == tables.ptp("29881", "29875", date(2024, 7, 1), P)
    assert elapsed < 2.0  # generous for slow CI; the target on a workstation is 0.5 s


@pytest.mark.shared
def test_vendored_ptp_rows_are_the_cms_rows(shared_dir: Path) -> None:
    """Recompressed, not edited: the vendored text is byte for byte the CMS file's."""
    import lzma

    for name in PTP_FILES.values():
        source = shared_dir / "data" / "ncci" / name.replace(".csv.xz", ".csv.gz")
        assert lzma.decompress((PTP_DIR / name).read_bytes()) == gzip.decompress(source.read_bytes()), name
