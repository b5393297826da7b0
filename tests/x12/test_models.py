"""Round trips of the typed X12 models: read → write → read gives equal models, written text is canonical.

Fixtures are copies in tests/fixtures/x12 and tests/fixtures/x12_models (sources and licences in each folder's
LICENSES.md); no test needs /work/shared.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from medbill.billing.claim import (
    Address,
    Adjustment,
    Claim,
    Contact,
    Diagnosis,
    LineAdjudication,
    OtherPayer,
    Party,
    Patient,
    Payer,
    ServiceLine,
    Subscriber,
)
from medbill.errors import X12SyntaxError
from medbill.x12.models import ClaimPayment, ProviderAdjustment, Remittance, ServicePayment
from medbill.x12.readers import (
    read_acknowledgments,
    read_claims,
    read_eligibility_inquiries,
    read_eligibility_responses,
    read_remittances,
    read_status_reports,
    read_status_requests,
)
from medbill.x12.tokens import Delimiters
from medbill.x12.validator import validate_x12
from medbill.x12.writers import amount, write_835, write_837

_ROOT = Path(__file__).resolve().parent.parent / "fixtures"
_MODEL_FIXTURES = {p.name for p in (_ROOT / "x12_models").iterdir()}


class _Fixtures:
    """``FIXTURES / name`` finds a fixture in either folder."""

    def __truediv__(self, name: str) -> Path:
        return _ROOT / ("x12_models" if name in _MODEL_FIXTURES else "x12") / name


FIXTURES = _Fixtures()
CREATED = datetime(2024, 3, 2, 10, 30, tzinfo=UTC)
SUBMITTER = Party("2", "ACME CLINIC", id="SUB01", contact=Contact("BILLING", (("TE", "2175551234"),)))
RECEIVER = Party("2", "ACME HEALTH PLAN", id="12345")

VALID_837 = ["837p_ambulance.edi", "837p_cob_payer_b.edi", "837p_home_infusion_ndc.edi"]
OTHER_837 = ["837i_demo.837i", "837i_two_claims.837i"]
"""837I samples with guide errors of their own (ST03 X223A3, 5-digit ZIP …): they must still round-trip."""
VALID_835 = ["835_mult_loops.txt", "835_dollars_data_together.edi", "835_secondary_payments.edi"]


def _837(claims: list[Claim], kind: str) -> str:
    assert kind in ("P", "I")
    return write_837(
        claims,
        kind="P" if kind == "P" else "I",
        sender="SUB01",
        receiver="12345",
        submitter=SUBMITTER,
        receiver_party=RECEIVER,
        control_number=42,
        created=CREATED,
        usage="T",
    )


def _835(remits: list[Remittance]) -> str:
    return write_835(remits, sender="12345", receiver="SUB01", control_number=7, created=CREATED, newline=True)


def _errors(text: str) -> list[tuple[str, str]]:
    report = validate_x12(text, name="gen")
    return [(f.code, f.message) for f in report.findings if f.is_error]


MONEY_FIELDS = frozenset(
    {"charge", "total_charge", "paid", "amount", "total_paid", "remaining", "patient_responsibility"}
)


def _money_values(obj: object) -> list[object]:
    """Every value of a field whose name says it holds money, recursively."""
    found: list[object] = []
    if is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            value = getattr(obj, f.name)
            if f.name in MONEY_FIELDS:
                found.append(value)
            found.extend(_money_values(value))
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            found.extend(_money_values(item))
    return found


# --- 837 fixtures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VALID_837 + OTHER_837)
def test_837_fixture_round_trip(name: str) -> None:
    claims = list(read_claims((FIXTURES / name).read_bytes(), name=name))
    assert claims
    kind = claims[0].kind
    text = _837(claims, kind)
    again = list(read_claims(text, name="gen"))
    assert again == claims
    assert _837(again, kind) == text


@pytest.mark.parametrize("name", VALID_837 + OTHER_837)
def test_837_writer_adds_no_findings(name: str) -> None:
    """What the validator says about the written file it already said about the fixture (the writer adds nothing).

    The samples carry made-up NPIs, so the NPI check digit rule rejects some of them; the guide structure is valid.
    """
    data = (FIXTURES / name).read_bytes()
    claims = list(read_claims(data, name=name))
    assert set(_errors(_837(claims, claims[0].kind))) <= set(_errors(data.decode()))


@pytest.mark.parametrize("name", VALID_837 + OTHER_837)
def test_837_amounts_are_decimal_and_clm02_is_the_line_sum(name: str) -> None:
    for claim in read_claims((FIXTURES / name).read_bytes(), name=name):
        values = _money_values(claim)
        assert values and all(v is None or isinstance(v, Decimal) for v in values)
        assert claim.total_charge == claim.line_total


def test_837_reader_picks_the_cob_loops() -> None:
    [claim] = read_claims((FIXTURES / "837p_cob_payer_b.edi").read_bytes(), name="cob")
    assert claim.patient is not None and claim.patient.relationship == "19"
    [other] = claim.other_payers
    assert other.paid == Decimal("39.15") and other.remaining == Decimal("36.89")
    assert [(a.group, a.reason, a.amount, a.quantity) for a in other.adjustments] == [
        ("PR", "1", Decimal("21.89"), None),
        ("PR", "2", Decimal("15"), None),
    ]
    assert claim.lines[0].adjudications[0].paid == Decimal("40")
    assert claim.lines[0].adjudications[0].adjudication_date == date(2005, 10, 15)
    assert [d.code for d in claim.diagnoses] == ["4779", "2724", "2780", "53081"]


def test_837i_reader() -> None:
    claims = list(read_claims((FIXTURES / "837i_two_claims.837i").read_bytes(), name="i"))
    assert [c.claim_id for c in claims] == ["756048Q", "756049Q"]
    first = claims[0]
    assert first.kind == "I" and first.facility_code == "13" and first.institutional == ("1", "", "01")
    assert first.dates["434"] == (date(2005, 3, 15), date(2005, 3, 15))
    assert [(line.revenue_code, line.procedure_code, line.units) for line in first.lines] == [
        ("0305", "85025", Decimal("1")),
        ("0730", "93005", Decimal("3")),
    ]
    assert first.attending_provider is not None and first.attending_provider.id == "1122334455"


def test_ndc_line() -> None:
    [claim] = read_claims((FIXTURES / "837p_home_infusion_ndc.edi").read_bytes(), name="ndc")
    drug_lines = [line for line in claim.lines if line.ndc]
    assert drug_lines and all(isinstance(line.ndc_quantity, Decimal) for line in drug_lines)


def test_bad_contents_become_none_and_non_x12_raises() -> None:
    text = (FIXTURES / "837p_ambulance.edi").read_text()
    broken = text.replace("CLM*051068*766.50", "CLM*051068*76X.50").replace("DMG*D8*19630729", "DMG*D8*19631399")
    [claim] = read_claims(broken, name="broken")
    assert claim.total_charge is None
    assert claim.subscriber.birth_date is None
    with pytest.raises(X12SyntaxError):
        list(read_claims("this is not an interchange", name="junk"))


# --- canonical 837 -----------------------------------------------------------------------------------------

ADDRESS = Address("123 MAIN ST", "SUITE 4", "SPRINGFIELD", "IL", "627011234")
BILLING = Party(
    "2", "ACME CLINIC", id_qualifier="XX", id="1234567893", address=ADDRESS, tax_id="371234567", taxonomy="207Q00000X"
)
HOME = Address("9 ELM ST", "", "SPRINGFIELD", "IL", "62701")
SUBSCRIBER = Subscriber(
    Party("1", "DOE", "JANE", "Q", id_qualifier="MI", id="W123456789", address=HOME),
    member_id="W123456789",
    group_number="GRP01",
    relationship="18",
    payer_responsibility="P",
    claim_filing_indicator="CI",
    birth_date=date(1980, 1, 2),
    sex="F",
)
PAYER = Payer("ACME HEALTH PLAN", "12345", Address("PO BOX 1", "", "CHICAGO", "IL", "60601"))


def canonical_professional() -> list[Claim]:
    rendering = Party("1", "SMITH", "ALAN", id_qualifier="XX", id="1234567893", taxonomy="207Q00000X")
    own = Claim(
        "P",
        "PCN001",
        Decimal("150.50"),
        "11",
        BILLING,
        SUBSCRIBER,
        PAYER,
        diagnoses=(Diagnosis("E119", "ABK"), Diagnosis("I10", "ABF")),
        dates={"431": (date(2024, 1, 1), None)},
        prior_authorization="AUTH1",
        rendering_provider=rendering,
        notes=(("ADD", "CANONICAL TEST CLAIM"),),
        lines=(
            ServiceLine(
                1,
                "99213",
                Decimal("100.50"),
                modifiers=("25",),
                units=Decimal("1"),
                diagnosis_pointers=(1, 2),
                service_date_from=date(2024, 1, 5),
                line_control_number="L1",
            ),
            ServiceLine(
                2,
                "81002",
                Decimal("50"),
                units=Decimal("2"),
                diagnosis_pointers=(1,),
                service_date_from=date(2024, 1, 5),
                service_date_to=date(2024, 1, 6),
            ),
        ),
    )
    parent = Subscriber(
        SUBSCRIBER.party,
        member_id="W123456789",
        group_number="GRP01",
        relationship="",
        payer_responsibility="P",
        claim_filing_indicator="CI",
    )
    child = Patient(Party("1", "DOE", "JOHNNY", address=HOME), "19", date(2015, 6, 7), "M")
    other = OtherPayer(
        Subscriber(
            Party("1", "DOE", "JANE", id_qualifier="MI", id="X9"),
            member_id="X9",
            relationship="18",
            payer_responsibility="S",
            claim_filing_indicator="CI",
        ),
        Payer("OTHER PLAN", "99999"),
        "S",
        (Adjustment("CO", "45", Decimal("10")), Adjustment("PR", "1", Decimal("5"), Decimal("1"))),
        paid=Decimal("60"),
        adjudication_date=date(2024, 2, 1),
    )
    adjudication = LineAdjudication(
        "99999",
        Decimal("60"),
        procedure_code="99212",
        units=Decimal("1"),
        adjustments=(Adjustment("CO", "45", Decimal("15")),),
        adjudication_date=date(2024, 2, 1),
    )
    dependent = Claim(
        "P",
        "PCN002",
        Decimal("75"),
        "11",
        BILLING,
        parent,
        PAYER,
        patient=child,
        diagnoses=(Diagnosis("J069", "ABK"),),
        other_payers=(other,),
        lines=(
            ServiceLine(
                1,
                "99212",
                Decimal("75"),
                units=Decimal("1"),
                diagnosis_pointers=(1,),
                service_date_from=date(2024, 1, 7),
                adjudications=(adjudication,),
            ),
        ),
    )
    return [own, dependent]


def canonical_institutional() -> list[Claim]:
    attending = Party("1", "JONES", "MARY", id_qualifier="XX", id="1234567893", taxonomy="207R00000X")
    return [
        Claim(
            "I",
            "INST01",
            Decimal("1200.00"),
            "13",
            BILLING,
            SUBSCRIBER,
            PAYER,
            facility_qualifier="A",
            provider_signature="",
            diagnoses=(Diagnosis("R0789", "ABK"), Diagnosis("I10", "ABF", "Y"), Diagnosis("E119", "ABF", "N")),
            dates={"434": (date(2024, 3, 1), date(2024, 3, 1))},
            institutional=("1", "1", "01"),
            attending_provider=attending,
            lines=(
                ServiceLine(
                    1,
                    "80053",
                    Decimal("200"),
                    units=Decimal("1"),
                    revenue_code="0301",
                    service_date_from=date(2024, 3, 1),
                ),
                ServiceLine(
                    2,
                    "",
                    Decimal("1000"),
                    procedure_qualifier="",
                    units=Decimal("1"),
                    revenue_code="0450",
                    service_date_from=date(2024, 3, 1),
                ),
            ),
        )
    ]


@pytest.mark.parametrize(("kind", "build"), [("P", canonical_professional), ("I", canonical_institutional)])
def test_canonical_837(kind: str, build: object) -> None:
    assert callable(build)
    claims = build()
    text = _837(claims, kind)
    assert _errors(text) == []
    parsed = list(read_claims(text, name="gen"))
    assert parsed == claims
    assert _837(parsed, kind) == text
    assert text.startswith("ISA*00*          *00*          *ZZ*SUB01          *ZZ*12345          *240302*1030*^*")
    segments = text.split("~")[:-1]
    se = next(s for s in segments if s.startswith("SE*"))
    st_at = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    assert se == f"SE*{segments.index(se) - st_at + 1}*0042"
    assert segments[-2:] == ["GE*1*42", "IEA*1*000000042"]


def test_canonical_hl_hierarchy() -> None:
    text = _837(canonical_professional(), "P")
    hls = [s for s in text.split("~") if s.startswith("HL*")]
    assert hls == ["HL*1**20*1", "HL*2*1*22*0", "HL*3*1*22*1", "HL*4*3*23*0"]


# --- 835 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VALID_835)
def test_835_fixture_round_trip(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    remits = list(read_remittances(data, name=name))
    assert remits
    text = _835(remits)
    again = list(read_remittances(text, name="gen"))
    assert again == remits
    assert _835(again) == text
    assert set(_errors(text)) <= set(_errors(data.decode()))
    for remit in remits:
        values = _money_values(remit)
        assert all(v is None or isinstance(v, Decimal) for v in values)


def test_835_cas_with_several_triplets() -> None:
    [remit] = read_remittances((FIXTURES / "835_secondary_payments.edi").read_bytes(), name="835")
    service = remit.claims[1].services[1]
    assert [(a.group, a.reason, a.amount) for a in service.adjustments] == [
        ("PR", "1", Decimal("150")),
        ("PR", "2", Decimal("70")),
        ("CO", "42", Decimal("85")),
    ]
    assert service.charge == Decimal("585") and service.paid == Decimal("280")
    assert remit.claims[0].adjustments == (Adjustment("OA", "23", Decimal("9411.64")),)
    # one CAS segment holds both PR triplets again when written
    assert "CAS*PR*1*150**2*70~" in _835([remit]).replace("\n", "")


def test_835_plb_composite_reason() -> None:
    [remit] = read_remittances((FIXTURES / "835_dollars_data_together.edi").read_bytes(), name="835")
    assert remit.provider_adjustments == (
        ProviderAdjustment("6543210903", date(2002, 12, 31), "CV", Decimal("-1.27"), "CP"),
    )
    assert "PLB*6543210903*20021231*CV:CP*-1.27~" in _835([remit])
    assert remit.claims[0].paid == Decimal("138018.4")


def canonical_remittance() -> Remittance:
    payer = Party(
        "2",
        "ACME HEALTH PLAN",
        id_qualifier="XV",
        id="12345",
        address=Address("PO BOX 1", "", "CHICAGO", "IL", "60601"),
        contact=Contact("EDI SUPPORT", (("TE", "8005551212"),), "BL"),
    )
    payee = Party("2", "ACME CLINIC", id_qualifier="XX", id="1234567893", address=ADDRESS)
    service = ServicePayment(
        "99213",
        Decimal("100.50"),
        Decimal("80"),
        modifiers=("25",),
        units=Decimal("1"),
        dates={"472": date(2024, 1, 5)},
        adjustments=(Adjustment("CO", "45", Decimal("15.50")), Adjustment("PR", "2", Decimal("5"))),
        references=(("6R", "L1"),),
        amounts={"B6": Decimal("85")},
        remarks=(("HE", "N130"),),
    )
    claim = ClaimPayment(
        "PCN001",
        "1",
        Decimal("100.50"),
        Decimal("80"),
        Decimal("5"),
        "12",
        "PAYERCCN1",
        "11",
        "1",
        adjustments=(),
        patient=Party("1", "DOE", "JANE", id_qualifier="MI", id="W123456789"),
        dates={"232": date(2024, 1, 5), "233": date(2024, 1, 5)},
        services=(service,),
    )
    return Remittance(
        payer,
        payee,
        "I",
        Decimal("78.73"),
        "C",
        "CHK",
        payment_date=date(2024, 2, 1),
        trace_number="CHK0001",
        trace_originator="1123456789",
        production_date=date(2024, 2, 1),
        claims=(claim,),
        provider_adjustments=(ProviderAdjustment("1234567893", date(2024, 12, 31), "WO", Decimal("1.27"), "REF9"),),
    )


def test_canonical_835() -> None:
    remit = canonical_remittance()
    text = _835([remit])
    assert _errors(text) == []
    [parsed] = read_remittances(text, name="gen")
    assert parsed == remit
    assert _835([parsed]) == text


def test_amount_rendering() -> None:
    assert [amount(Decimal(v)) for v in ("100", "100.00", "100.50", "-12.34", "1E+2", "0.00", "-0")] == [
        "100",
        "100",
        "100.5",
        "-12.34",
        "100",
        "0",
        "0",
    ]
    assert amount(None) == ""


# --- other transactions ------------------------------------------------------------------------------------


def test_999_reader() -> None:
    [ack] = read_acknowledgments((FIXTURES / "999_834_ls_le_ls.txt").read_bytes(), name="999")
    assert (ack.functional_id, ack.group_control_number, ack.status) == ("BE", "146", "A")
    assert [(s.set_id, s.control_number, s.status) for s in ack.sets] == [("834", "146001", "A")]
    assert (ack.included, ack.received, ack.accepted) == (1, 1, 1)


def test_277_reader() -> None:
    [report] = read_status_reports((FIXTURES / "277_claim_level.277").read_bytes(), name="277")
    assert report.kind == "277" and report.payer is not None
    assert [c.trace_number for c in report.claims] == ["ABCXYZ1", "ABCXYZ2", "ABCXYC3"]
    first = report.claims[0]
    assert (first.statuses[0].category, first.statuses[0].code) == ("P3", "317")
    assert first.charge == Decimal("8513.88") and first.patient_control_number == "SM123456"
    dependent = report.claims[2]
    assert dependent.level == "2200E" and dependent.lines[0].procedure_code == "99203"


def test_276_reader() -> None:
    [request] = read_status_requests((FIXTURES / "276_claim_level.276").read_bytes(), name="276")
    assert [c.charge for c in request.claims] == [Decimal("8513.88"), Decimal("7599.00"), None]
    assert request.claims[0].service_date_from == date(2005, 8, 31)


def test_270_and_271_readers() -> None:
    [inquiry] = read_eligibility_inquiries((FIXTURES / "270_single_line.270").read_bytes(), name="270")
    [member] = inquiry.members
    assert member.service_types == ("30",) and member.birth_date == date(1943, 5, 19)
    [response] = read_eligibility_responses((FIXTURES / "271_subscriber.271").read_bytes(), name="271")
    benefits = response.members[0].benefits
    copays = [b for b in benefits if b.eligibility_code == "B"]
    assert [(b.amount, b.in_network) for b in copays] == [(Decimal("10.00"), "Y"), (Decimal("30.00"), "N")]
    assert "AL" in copays[0].service_types


def test_other_delimiters_round_trip() -> None:
    claims = canonical_professional()
    text = write_837(
        claims,
        kind="P",
        sender="SUB01",
        receiver="12345",
        submitter=SUBMITTER,
        receiver_party=RECEIVER,
        control_number=9,
        created=CREATED,
        delimiters=Delimiters("|", ">", "!", "\n"),
    )
    assert text.splitlines()[0].endswith("|!|00501|000000009|0|P|>")
    assert "SV1|HC>99213>25|100.5|UN|1|||1>2" in text
    assert list(read_claims(text, name="gen")) == claims
    assert _errors(text) == []
