"""Validating a file's transaction sets in several processes gives the same findings as one pass."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_tr3 import CLAIM_837P  # tests/x12 is on sys.path

from medbill.codes.library import CodeLibrary
from medbill.x12 import parallel
from medbill.x12.findings import Finding
from medbill.x12.validator import Checks, validate_x12

ISA = "ISA*00*          *00*          *ZZ*MEDBILLSYNTH   *ZZ*SYNTHPAYER     *240115*1200*^*00501*000000001*0*T*:~\n"


def big_file(tmp_path: Path, sets: int) -> Path:
    """``sets`` transaction sets in one group, with defects scattered over them."""
    body = []
    for n in range(1, sets + 1):
        segments = [s.replace("ST*837*0001", f"ST*837*{n:04d}") for s in CLAIM_837P]
        if n % 7 == 3:
            segments[segments.index("DTP*472*D8*20231121")] = "DTP*472*D8*20241345"
        if n % 11 == 5:
            segments.remove("N4*SPRINGFIELD*IL*627011234")
        if n % 13 == 8:
            segments.append("ZZZ*1")
        body.extend(segments)
        body.append(f"SE*{len(segments) + 1}*{n:04d}")
    text = ISA + "GS*HC*MEDBILLSYNTH*SYNTHPAYER*20240115*1200*1*X*005010X222A1~\n"
    text += "".join(f"{s}~\n" for s in body) + f"GE*{sets - 1}*1~\nIEA*1*000000001~\n"  # GE01 is wrong on purpose
    path = tmp_path / "big.837"
    path.write_text(text, encoding="ascii")
    return path


def key(f: Finding) -> tuple[object, ...]:
    return (f.segment_index, f.code, f.element, f.position, f.loop, f.message)


@pytest.mark.parametrize(("workers", "chunk"), [(2, 1 << 20), (3, 1 << 20), (2, 4096), (3, 1500)])
def test_the_same_findings_as_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, chunk: int
) -> None:
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK", chunk)  # chunk edges inside the prescan and the workers' reads
    path = big_file(tmp_path, 60)
    single = validate_x12(path, name="big")
    split = validate_x12(path, name="big", workers=workers, checks=Checks())
    assert not single.accepted and len(single.findings) > 10
    assert sorted(map(key, split.findings)) == sorted(map(key, single.findings))
    assert [f.segment_index for f in split.findings] == sorted(f.segment_index or -1 for f in split.findings)
    assert split.counts.to_dict() == single.counts.to_dict()
    assert split.schemas == single.schemas == {"837P": 60}


def test_small_or_unusual_files_take_one_pass(tmp_path: Path) -> None:
    path = big_file(tmp_path, 3)
    assert parallel.validate_parallel(path, name="small", workers=2, checks=Checks()) is None  # below MIN_BYTES


def test_code_set_checks_are_rebuilt_in_each_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: CodeLibrary, medbill_home: Path
) -> None:
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    path = big_file(tmp_path, 30)
    text = path.read_text().replace("HI*ABK:R109*ABF:E119", "HI*ABK:R109*ABF:E11", 7)  # header codes, 7 sets
    path.write_text(text)
    checks = Checks(code_sets_home=medbill_home, today=date(2024, 1, 15))
    single = validate_x12(path, name="big", checks=checks)
    split = validate_x12(path, name="big", workers=2, checks=checks)
    assert sum(f.code == "X12-CODE-SET" for f in single.findings) == 7
    assert sorted(map(key, split.findings)) == sorted(map(key, single.findings))
