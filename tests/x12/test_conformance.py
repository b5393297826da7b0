"""Conformance on the shared corpus: every sample gets a verdict, and medbill agrees with pyx12 except where a
table below says why medbill is right. Skips without ../shared (a user's clone has none)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest

from medbill.codes.library import CodeLibrary
from medbill.x12.rules import CodeSets, rules_for
from medbill.x12.validator import ValidationReport, validate_x12


class Reason(NamedTuple):
    proof: str
    """The finding code medbill must report (as an error for a rejection, as a warning for an acceptance)."""
    why: str


UNSUPPORTED_834 = Reason(
    "X12-TS-UNSUPPORTED",
    "834 benefit enrollment is not a billing transaction; medbill answers it as a clearinghouse's 999 does "
    "(IK5*R*1, transaction set not supported) instead of checking it against a guide it does not carry.",
)
NPI = Reason(
    "X12-NPI-CHECK-DIGIT",
    "Implementation-guide examples carry made-up NPIs (9876543210, 2366554859 …) whose last digit fails the "
    "CMS Luhn check; pyx12 does not check NPI check digits, payers and clearinghouses do.",
)
PRE_ERRATA_999 = Reason(
    "X12-ELEMENT-CODE",
    "ST03 005010X231 is the 999 before its errata; the guide in use is 005010X231A1 (pyx12 accepts both).",
)
DUPLICATE_ISA13 = Reason(
    "X12-ISA-DUPLICATE",
    "Several interchanges in one file reuse ISA13: duplicates are a receiver's check across its history, so "
    "medbill reports TA1 note 025 as a warning (TA104 = E) instead of rejecting the file.",
)

# pyx12's verdict differs from medbill's: file -> why medbill is right.
DISAGREEMENTS: dict[str, Reason] = {
    "badx12/tests/files/edi/X222-COB-claim-from-billing-provider-to-payer-a.edi": NPI,
    "badx12/tests/files/edi/X222-COB-claim-from-billing-provider-to-payer-b.edi": NPI,
    "badx12/tests/files/edi/X222-COB-claim-from-payer-a-to-payer-b-in-payer-to-payer.edi": NPI,
    "badx12/tests/files/edi/X222-ambulance.edi": NPI,
    "badx12/tests/files/edi/X222-anesthesia.edi": NPI,
    "badx12/tests/files/edi/X222-chiropractic.edi": NPI,
    "badx12/tests/files/edi/X222-commercial-health-insurance.edi": NPI,
    "badx12/tests/files/edi/X222-encounter.edi": NPI,
    "badx12/tests/files/edi/X222-medicare-secondary-payer-COB.edi": NPI,
    "badx12/tests/files/edi/X222-out-of-network-repriced-claim.edi": NPI,
    "badx12/tests/files/edi/X222-ppo-repriced-claim.edi": NPI,
    "linuxforhealth-x12/demo-file/demo.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/add-dependent.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/add-subscriber-coverage.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/cancel-dependent.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/change-subscriber-information.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/enroll-employee-multiple-products.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/reinstate-employee-coverage-level.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/reinstate-employee.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/reinstate-member-eligiblity-ins.834": UNSUPPORTED_834,
    "linuxforhealth-x12/src/tests/resources/834_005010X220A1/terminate-subscriber-eligibility.834": UNSUPPORTED_834,
    "pyx12/pyx12/examples/multiple_st_loops.txt": UNSUPPORTED_834,
    "pyx12/pyx12/tests/834_deident_family.txt": UNSUPPORTED_834,
    "pyx12/pyx12/tests/834_deident_new_enroll.txt": UNSUPPORTED_834,
    "pyx12/pyx12/tests/834_deident_term.txt": UNSUPPORTED_834,
    "pyx12/pyx12/tests/834_ls_le_ls.txt": UNSUPPORTED_834,
    "pyx12/pyx12/tests/834_ls_le_ls_5010.999.txt": PRE_ERRATA_999,
    "pyx12/pyx12/tests/834_lui_id_5010.999.txt": PRE_ERRATA_999,
    "tastypackets-x12-parser/test/test-files/835/profee-multiple.edi": DUPLICATE_ISA13,
}


SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "x12" / "samples"


@pytest.fixture(scope="module")
def corpus(library: CodeLibrary) -> list[tuple[dict[str, str], ValidationReport]]:
    if not SAMPLES.is_dir():
        pytest.skip("../shared is not present (a user's clone has none)")
    root = SAMPLES
    codes = CodeSets(library)
    external, hooks = codes.external(dt.date.today()), rules_for(codes)
    with (root / "VERDICTS.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        (row, validate_x12((root / row["file"]).read_bytes(), name=row["file"], external=external, hooks=hooks))
        for row in rows
    ]


def test_every_sample_gets_a_verdict(corpus: list[tuple[dict[str, str], ValidationReport]]) -> None:
    assert len(corpus) >= 160
    for row, report in corpus:
        assert isinstance(report.accepted, bool), row["file"]
        assert report.accepted or any(f.is_error for f in report.findings), row["file"]
    others = [p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix not in (".tsv", ".md")]
    assert len(others) >= 180
    for path in others:  # every file, X12 or not, gets a verdict and never a traceback
        report = validate_x12(path.read_bytes(), name=path.name)
        assert report.accepted or report.findings


def test_agreement_with_pyx12_or_a_documented_reason(corpus: list[tuple[dict[str, str], ValidationReport]]) -> None:
    judged = [(row, report) for row, report in corpus if row["pyx12"] in ("OK", "FAIL")]
    disagree = {row["file"]: report for row, report in judged if (row["pyx12"] == "OK") != report.accepted}
    assert set(disagree) == set(DISAGREEMENTS)
    for name, report in disagree.items():
        reason = DISAGREEMENTS[name]
        if report.accepted:
            assert any(f.code == reason.proof for f in report.findings), name
        else:
            assert any(f.code == reason.proof and f.is_error for f in report.findings), name
    agreed = len(judged) - len(disagree)
    assert agreed >= 60, agreed


def test_files_pyx12_cannot_judge_still_get_guide_validation(
    corpus: list[tuple[dict[str, str], ValidationReport]],
) -> None:
    """pyx12 has no map for 270/271/276 and X212 277; medbill validates them against their guides."""
    covered = [report for row, report in corpus if row["ST01"] in ("270", "271", "276") and row["pyx12"] == "EXC"]
    assert len(covered) >= 10
    assert sum(report.accepted for report in covered) >= 8
    assert all(set(report.schemas) <= {"270", "271", "276", "277"} for report in covered)
