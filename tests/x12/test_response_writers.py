"""The 271, 277/277CA and 999 writers: read → write → read gives equal models, and the written text is canonical."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medbill.billing.claim import Party
from medbill.x12.models import (
    Acknowledgment,
    Benefit,
    ClaimStatus,
    ElementError,
    EligibilityMember,
    EligibilityResponse,
    SegmentError,
    ServiceStatus,
    SetResponse,
    Status,
    StatusReport,
)
from medbill.x12.readers import read_acknowledgments, read_eligibility_responses, read_status_reports
from medbill.x12.validator import validate_x12
from medbill.x12.writers import write_271, write_277, write_999

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
ENVELOPE: dict[str, Any] = {
    "sender": "PAYER01",
    "receiver": "PRACTICE01",
    "control_number": 17,
    "created": datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
}

Reader = Callable[..., Iterator[Any]]
Writer = Callable[..., str]

CASES: list[tuple[str, Reader, Writer]] = [
    ("271_subscriber.271", read_eligibility_responses, write_271),
    ("277_claim_level.277", read_status_reports, write_277),
    ("999_834_ls_le_ls.txt", read_acknowledgments, write_999),
]


def _codes(text: str) -> set[str]:
    return {f.code for f in validate_x12(text, name="w").findings}


@pytest.mark.parametrize(("fixture", "read", "write"), CASES, ids=[c[0] for c in CASES])
def test_fixture_round_trip(fixture: str, read: Reader, write: Writer) -> None:
    original = (FIXTURES / fixture).read_text()
    models = list(read(original, name=fixture))
    assert models
    written = write(models, **ENVELOPE)
    again = list(read(written, name="w"))
    assert again == models
    assert write(again, **ENVELOPE) == written


@pytest.mark.parametrize(("fixture", "read", "write"), CASES, ids=[c[0] for c in CASES])
def test_fixture_written_text_is_valid(fixture: str, read: Reader, write: Writer) -> None:
    original = (FIXTURES / fixture).read_text()
    written = write(list(read(original, name=fixture)), **ENVELOPE)
    report = validate_x12(written, name="w")
    if fixture.startswith("277"):
        # The fixture's 2100C NPIs fail the Luhn check; the writer keeps them, so the written file has the same
        # kinds of findings as the original and nothing new.
        assert _codes(written) == _codes(original) == {"X12-NPI-CHECK-DIGIT"}
    else:
        # The 999 fixture has the pre-errata ST03 005010X231; the writer always writes 005010X231A1, so its
        # output is accepted outright.
        assert report.accepted and not report.findings, [f.to_dict() for f in report.findings]


def _round_trip(read: Reader, write: Writer, models: Iterable[Any]) -> str:
    models = list(models)
    written = write(models, **ENVELOPE)
    assert list(read(written, name="w")) == models
    assert write(list(read(written, name="w")), **ENVELOPE) == written
    return written


def test_271_dependent_rejections_and_benefits() -> None:
    payer = Party("2", "ACME HEALTH PLAN", id_qualifier="PI", id="87726")
    provider = Party("2", "RIVERSIDE CLINIC", id_qualifier="XX", id="1234567893")
    subscriber = EligibilityMember(
        level="subscriber",
        party=Party("1", "DOE", "JANE", id_qualifier="MI", id="W123456789"),
        trace_numbers=("TRACE-0001",),
        birth_date=date(1980, 2, 29),
        sex="F",
        dates={"346": (date(2026, 1, 1), None)},
        benefits=(
            Benefit(
                "C",
                "IND",
                ("30",),
                "HM",
                time_period="23",
                amount=Decimal("500"),
                in_network="Y",
                messages=("DEDUCTIBLE",),
                dates={"291": (date(2026, 1, 1), date(2026, 12, 31))},
            ),
        ),
    )
    dependent = EligibilityMember(
        level="dependent",
        party=Party("1", "DOE", "JIMMY"),
        birth_date=date(2015, 6, 1),
        sex="M",
        relationship="19",
        rejections=(("67", "C"),),
    )
    response = EligibilityResponse(payer, provider, (subscriber, dependent))
    written = _round_trip(read_eligibility_responses, write_271, [response])
    report = validate_x12(written, name="w")
    assert report.accepted, [f.to_dict() for f in report.findings]


def test_277ca_patient_level() -> None:
    claim = ClaimStatus(
        level="2200D",
        trace_number="PCN001",
        statuses=(Status("A1", "20", "PR", date(2026, 3, 3), "WQ", Decimal("125.5")),),
        patient_control_number="PCN001",
        payer_claim_control_number="PAYER123",
        references=(("1K", "PAYER123"),),
        service_date_from=date(2026, 2, 1),
        charge=Decimal("125.5"),
        subscriber=Party("1", "DOE", "JANE", id_qualifier="MI", id="W123456789"),
        provider=Party("2", "RIVERSIDE CLINIC", id_qualifier="XX", id="1234567893"),
        lines=(ServiceStatus("HC", "99213", Decimal("125.5"), statuses=(Status("A1", "20", "PR"),)),),
    )
    report = StatusReport(
        "277CA",
        Party("2", "ACME HEALTH PLAN", id_qualifier="PI", id="87726"),
        (Party("2", "CLEARINGHOUSE", id_qualifier="46", id="CH01"),),
        (claim.provider,) if claim.provider is not None else (),
        (claim,),
        (Status("A1", "19", "PR", date(2026, 3, 3), "WQ", Decimal("125.5")),),
    )
    written = _round_trip(read_status_reports, write_277, [report])
    assert "GS*HN*" in written and "ST*277*0001*005010X214~" in written
    with pytest.raises(ValueError):
        write_277([report, StatusReport("277")], **ENVELOPE)


def test_999_with_errors() -> None:
    ack = Acknowledgment(
        "HC",
        "1001",
        "005010X222A1",
        (
            SetResponse("837", "0001", "005010X222A1", "A"),
            SetResponse(
                "837",
                "0002",
                "005010X222A1",
                "R",
                ("5",),
                (SegmentError("NM1", 12, "2010", "8", (ElementError("9", "67", "7", "123"),)),),
            ),
        ),
        "P",
        2,
        2,
        1,
    )
    written = _round_trip(read_acknowledgments, write_999, [ack])
    report = validate_x12(written, name="w")
    assert report.accepted, [f.to_dict() for f in report.findings]
