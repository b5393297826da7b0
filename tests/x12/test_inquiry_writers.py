"""The 270 and 276 writers: valid X12, read back into equal models, and canonical (write(read(text)) == text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medbill.billing.claim import Address, Party
from medbill.x12.models import (
    ClaimStatus,
    EligibilityInquiry,
    EligibilityMember,
    ServiceStatus,
    StatusRequest,
)
from medbill.x12.readers import read_eligibility_inquiries, read_status_requests
from medbill.x12.tokens import Delimiters
from medbill.x12.validator import validate_x12
from medbill.x12.writers import write_270, write_276

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
ENVELOPE: dict[str, Any] = {
    "sender": "PRACTICE01",
    "receiver": "PAYER01",
    "control_number": 17,
    "created": datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
}
NPI = "1234567893"

PAYER = Party("2", "ACME HEALTH PLAN", id_qualifier="PI", id="87726")
PROVIDER = Party(
    "2",
    "RIVERSIDE CLINIC",
    id_qualifier="XX",
    id=NPI,
    address=Address("1 MAIN ST", "", "SPRINGFIELD", "IL", "62701"),
    taxonomy="207Q00000X",
    secondary_ids={"TJ": "123456789"},
)
SUBSCRIBER = Party("1", "DOE", "JANE", "Q", id_qualifier="MI", id="W123456789")


def _assert_clean(text: str, *, allowed: tuple[str, ...] = ()) -> None:
    report = validate_x12(text, name="w")
    findings = [f.to_dict() for f in report.findings if f.code not in allowed]
    assert report.accepted and not findings, findings


def inquiries() -> list[EligibilityInquiry]:
    jane = EligibilityMember(
        level="subscriber",
        party=SUBSCRIBER,
        trace_numbers=("TRACE-0001",),
        birth_date=date(1980, 2, 29),
        sex="F",
        dates={"291": (date(2026, 3, 4), None)},
        service_types=("30", "1", "33"),
    )
    john = EligibilityMember(level="subscriber", party=Party("1", "ROE", "JOHN", id_qualifier="MI", id="X987654321"))
    kid = EligibilityMember(
        level="dependent",
        party=Party("1", "ROE", "JIMMY"),
        trace_numbers=("TRACE-0002",),
        birth_date=date(2015, 6, 1),
        sex="M",
        relationship="19",
        dates={"291": (date(2026, 3, 1), date(2026, 3, 31))},
        service_types=("30",),
    )
    return [
        EligibilityInquiry(PAYER, PROVIDER, (jane,)),
        EligibilityInquiry(PAYER, Party("2", "RIVERSIDE CLINIC", id_qualifier="XX", id=NPI), (john, kid)),
    ]


def status_requests() -> list[StatusRequest]:
    claim = ClaimStatus(
        level="2200D",
        trace_number="STATUS-0001",
        patient_control_number="PCN12345",
        references=(("EJ", "PCN12345"),),
        service_date_from=date(2026, 2, 10),
        service_date_to=date(2026, 2, 12),
        charge=Decimal("250.50"),
        subscriber=SUBSCRIBER,
        provider=Party("2", "RIVERSIDE CLINIC", id_qualifier="XX", id=NPI),
        lines=(
            ServiceStatus(
                "HC",
                "99213",
                charge=Decimal("125.25"),
                modifiers=("25",),
                units=Decimal("1"),
                line_control_number="L1",
                service_date_from=date(2026, 2, 10),
            ),
        ),
    )
    return [
        StatusRequest(
            payer=PAYER,
            receiver=Party("2", "RIVERSIDE BILLING", id_qualifier="46", id="SUB0001"),
            providers=(claim.provider,) if claim.provider is not None else (),
            claims=(claim,),
        )
    ]


def test_written_270_is_valid_reads_back_and_is_canonical() -> None:
    models = inquiries()
    text = write_270(models, **ENVELOPE)
    _assert_clean(text)
    assert "EQ*30^1^33~" in text and "INS*N*19~" in text and "HL*4*3*23*0~" in text
    back = list(read_eligibility_inquiries(text, name="w"))
    assert back == models
    assert write_270(back, **ENVELOPE) == text


def test_270_without_repetition_separator_writes_one_eq_per_service_type() -> None:
    delimiters = Delimiters("*", ":", None, "~")
    models = inquiries()
    text = write_270(models, delimiters=delimiters, newline=True, **ENVELOPE)
    _assert_clean(text, allowed=("X12-ISA-REPETITION",))  # ISA11 "U": 5010 wants a repetition separator
    assert "EQ*30~\nEQ*1~\nEQ*33~\n" in text
    back = list(read_eligibility_inquiries(text, name="w"))
    assert back == models
    assert write_270(back, delimiters=delimiters, newline=True, **ENVELOPE) == text


def test_270_dependent_needs_a_subscriber() -> None:
    orphan = EligibilityMember(level="dependent", party=Party("1", "ROE", "JIMMY"), service_types=("30",))
    with pytest.raises(ValueError, match="subscriber"):
        write_270([EligibilityInquiry(PAYER, PROVIDER, (orphan,))], **ENVELOPE)


def test_written_276_is_valid_reads_back_and_is_canonical() -> None:
    models = status_requests()
    text = write_276(models, **ENVELOPE)
    _assert_clean(text)
    assert "SVC*HC:99213:25*125.25*****1~" in text and "AMT*T3*250.5~" in text
    back = list(read_status_requests(text, name="w"))
    assert back == models
    assert write_276(back, **ENVELOPE) == text


@pytest.mark.parametrize(
    ("fixture", "read", "write"),
    [
        ("270_single_line.270", read_eligibility_inquiries, write_270),
        ("276_claim_level.276", read_status_requests, write_276),
    ],
)
def test_fixture_round_trip(fixture: str, read: Any, write: Any) -> None:
    models = list(read((FIXTURES / fixture).read_text(encoding="ascii"), name=fixture))
    assert models
    text = write(models, **ENVELOPE)
    assert list(read(text, name="w")) == models
    assert write(list(read(text, name="w")), **ENVELOPE) == text
