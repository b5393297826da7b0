"""Implementation-guide validation: each kind of finding flagged on a broken file and absent on the clean one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill.codes.library import CodeLibrary
from medbill.x12.ack import acknowledge
from medbill.x12.findings import Finding
from medbill.x12.rules import CodeSets, npi_valid, rules_for
from medbill.x12.schema import SCHEMA_KEYS, load_schema
from medbill.x12.tokens import iter_segments
from medbill.x12.validator import ValidationReport, placed_sets, validate_x12

ENVELOPE = (
    "ISA*00*          *00*          *ZZ*MEDBILLSYNTH   *ZZ*SYNTHPAYER     *240115*1200*^*00501*000000001*0*T*:~"
    "GS*{gs01}*MEDBILLSYNTH*SYNTHPAYER*20240115*1200*1*X*{version}~"
    "{body}"
    "GE*1*1~IEA*1*000000001~"
)

CLAIM_837P = [
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*B000000001*20240115*1200*CH",
    "NM1*41*2*LAKESIDE FAMILY MEDICINE BILLING*****46*MEDBILLSYNTH",
    "PER*IC*BILLING OFFICE*TE*5555550100",
    "NM1*40*2*SYNTHETIC HEALTH PLAN*****46*SYNTHPAYER",
    "HL*1**20*1",
    "PRV*BI*PXC*207Q00000X",
    "NM1*85*2*LAKESIDE FAMILY MEDICINE*****XX*1847194929",
    "N3*100 MAIN STREET",
    "N4*SPRINGFIELD*IL*627011234",
    "REF*EI*363644813",
    "HL*2*1*22*0",
    "SBR*P*18*GRP00000******CI",
    "NM1*IL*1*MARLOWE*WREN****MI*MBR000000000",
    "N3*100 ASPEN WAY",
    "N4*SALEM*OR*973012244",
    "DMG*D8*19500607*F",
    "NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*SYNPAY01",
    "CLM*PCN0000000000*387***11:B:1*Y*A*Y*Y",
    "HI*ABK:R109*ABF:E119",
    "LX*1",
    "SV1*HC:90686*42*UN*1***1",
    "DTP*472*D8*20231121",
    "LX*2",
    "SV1*HC:99214:25*185*UN*1***1:2",
    "DTP*472*D8*20231121",
    "LX*3",
    "SV1*HC:99203*160*UN*1***1",
    "DTP*472*D8*20231121",
]

REMIT_835 = [
    "ST*835*0001",
    "BPR*I*229.29*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*98765432*20240115",
    "TRN*1*EFT000000001*1512345678",
    "DTM*405*20240114",
    "N1*PR*SYNTHETIC HEALTH PLAN",
    "N3*1 PAYER PLAZA",
    "N4*HARTFORD*CT*061031234",
    "PER*BL*PROVIDER SERVICES*TE*8005550199",
    "N1*PE*LAKESIDE FAMILY MEDICINE*XX*1935159941",
    "N3*100 MAIN STREET",
    "N4*SPRINGFIELD*IL*627011234",
    "REF*TJ*593743297",
    "LX*1",
    "CLP*PCN0000000000*1*292*229.29*2.2*12*PAYER000000000000*11*1",
    "NM1*QC*1*NORCROSS*TESS****MI*MBR000000000",
    "DTM*050*20240110",
    "SVC*HC:71046*95*81.7**1",
    "DTM*472*20231209",
    "CAS*CO*45*13.3",
    "REF*6R*L0X1",
    "AMT*B6*81.7",
    "SVC*HC:99214*185*138.75**1",
    "DTM*472*20231209",
    "CAS*CO*45*46.25",
    "REF*6R*L0X2",
    "AMT*B6*138.75",
    "SVC*HC:81003*12*8.84**1",
    "DTM*472*20231209",
    "CAS*CO*45*0.96",
    "CAS*PR*2*2.2",
    "REF*6R*L0X3",
    "AMT*B6*11.04",
]


def interchange(segments: list[str], *, gs01: str = "HC", version: str = "005010X222A1") -> str:
    body = "".join(f"{s}~" for s in segments) + f"SE*{len(segments) + 1}*0001~"
    return ENVELOPE.format(gs01=gs01, version=version, body=body)


def claim(edit: Callable[[list[str]], None] | None = None) -> str:
    segments = list(CLAIM_837P)
    if edit is not None:
        edit(segments)
    return interchange(segments)


def remit(edit: Callable[[list[str]], None] | None = None) -> str:
    segments = list(REMIT_835)
    if edit is not None:
        edit(segments)
    return interchange(segments, gs01="HP", version="005010X221A1")


def replace(old: str, new: str) -> Callable[[list[str]], None]:
    def edit(segments: list[str]) -> None:
        k = segments.index(old)
        segments[k : k + 1] = new.split("~") if new else []

    return edit


def errors(report: ValidationReport) -> list[Finding]:
    return [f for f in report.findings if f.is_error]


def only(report: ValidationReport, code: str) -> Finding:
    found = [f for f in errors(report) if f.code == code]
    assert found, [f.to_dict() for f in report.findings]
    assert {f.code for f in errors(report)} == {code}, [f.to_dict() for f in report.findings]
    return found[0]


@pytest.fixture(scope="module")
def codes(library: CodeLibrary) -> CodeSets:
    return CodeSets(library)


def with_codes(text: str, codes: CodeSets) -> ValidationReport:
    return validate_x12(text, name="t", external=codes.external(dt.date(2024, 1, 15)), hooks=rules_for(codes))


def test_clean_claim_and_remittance_pass_with_code_sets(codes: CodeSets) -> None:
    for text in (claim(), remit()):
        report = with_codes(text, codes)
        assert report.accepted and report.findings == (), [f.to_dict() for f in report.findings]
    assert validate_x12(claim(), name="t").schemas == {"837P": 1}


def test_placed_segments_carry_their_loops() -> None:
    (placed,) = list(placed_sets(claim(), name="t"))
    assert placed.key == "837P" and placed.findings == []
    where = {seg.elements[0]: loops for loops, seg in placed.segments if seg.id == "NM1"}
    assert where["85"] == ("ST", "2000A", "2010AA")
    assert where["PR"] == ("ST", "2000A", "2000B", "2010BB")
    lines = [loops for loops, seg in placed.segments if seg.id == "SV1"]
    assert lines == [("ST", "2000A", "2000B", "2300", "2400")] * 3


@pytest.mark.parametrize(
    ("edit", "code", "ack", "loop"),
    [
        (replace("N4*SPRINGFIELD*IL*627011234", ""), "X12-SEGMENT-MISSING", "3", "2010AA"),
        (replace("NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*SYNPAY01", ""), "X12-LOOP-MISSING", "3", "2010BB"),
        (replace("REF*EI*363644813", "REF*EI*363644813~AMT*T*1"), "X12-SEGMENT-UNEXPECTED", "2", "2010AA"),
        (replace("DMG*D8*19500607*F", "DMG*D8*19500607*F~N3*9 ELM ST"), "X12-SEGMENT-ORDER", "7", "2010BA"),
        (replace("LX*3", "ZZZ*1~LX*3"), "X12-SEGMENT-UNKNOWN", "6", "2400"),
        (
            replace("PER*IC*BILLING OFFICE*TE*5555550100", "PER*IC*A*TE*5555550100~" * 2 + "PER*IC*B*TE*1"),
            "X12-SEGMENT-MAX-USE",
            "5",
            "1000A",
        ),
    ],
)
def test_segment_findings(edit: Callable[[list[str]], None], code: str, ack: str, loop: str) -> None:
    text = claim(edit)
    finding = only(validate_x12(text, name="t"), code)
    assert (finding.ack, finding.ack_kind, finding.loop) == (ack, "IK3", loop)
    assert finding.position is not None and finding.position > 1


def test_a_loop_over_its_maximum() -> None:
    def fifty_one_lines(segments: list[str]) -> None:
        start = segments.index("LX*1")
        del segments[start:]
        for n in range(1, 52):
            segments += [f"LX*{n}", "SV1*HC:99213*1*UN*1***1", "DTP*472*D8*20231121"]
        segments[segments.index("CLM*PCN0000000000*387***11:B:1*Y*A*Y*Y")] = "CLM*PCN1*51***11:B:1*Y*A*Y*Y"

    finding = only(validate_x12(claim(fifty_one_lines), name="t"), "X12-LOOP-MAX-REPEAT")
    assert (finding.ack, finding.loop) == ("4", "2400")


@pytest.mark.parametrize(
    ("old", "new", "code", "ack", "element"),
    [
        ("N3*100 MAIN STREET", "N3", "X12-ELEMENT-MISSING", "1", "N301"),
        ("REF*EI*363644813", "REF*EI*" + "9" * 51, "X12-ELEMENT-TOO-LONG", "5", "REF02"),
        ("N4*SALEM*OR*973012244", "N4*SALEM*XX*973012244", "X12-ELEMENT-CODE", "7", "N402"),
        ("SBR*P*18*GRP00000******CI", "SBR*Q*18*GRP00000******CI", "X12-ELEMENT-CODE", "7", "SBR01"),
        ("DTP*472*D8*20231121", "DTP*472*D8*20241345", "X12-ELEMENT-DATE", "8", "DTP03"),
        ("DMG*D8*19500607*F", "DMG*D8*19500230*F", "X12-ELEMENT-DATE", "8", "DMG02"),
        (
            "BHT*0019*00*B000000001*20240115*1200*CH",
            "BHT*0019*00*B1*20240115*2561*CH",
            "X12-ELEMENT-TIME",
            "9",
            "BHT05",
        ),
        ("SV1*HC:90686*42*UN*1***1", "SV1*HC:90686*4X2*UN*1***1", "X12-ELEMENT-CHARACTERS", "6", "SV102"),
        (
            "NM1*85*2*LAKESIDE FAMILY MEDICINE*****XX*1847194929",
            "NM1*85*2*LAKESIDE FAMILY MEDICINE*****XX",
            "X12-SYNTAX-REQUIRED",
            "2",
            "NM109",
        ),
        (
            "CLM*PCN0000000000*387***11:B:1*Y*A*Y*Y",
            "CLM*PCN0000000000*387***11:B:1:9*Y*A*Y*Y",
            "X12-TOO-MANY-COMPONENTS",
            "13",
            "CLM05",
        ),
        ("N3*100 MAIN STREET", "N3*100 MAIN STREET*SUITE 2*EXTRA", "X12-TOO-MANY-ELEMENTS", "3", "N303"),
        (
            "NM1*85*2*LAKESIDE FAMILY MEDICINE*****XX*1847194929",
            "NM1*85*2*LAKESIDE FAMILY MEDICINE*****XX*1847194920",
            "X12-NPI-CHECK-DIGIT",
            "7",
            "NM109",
        ),
        ("HL*2*1*22*0", "HL*2*7*22*0", "X12-HL-PARENT", "7", "HL02"),
        (
            "CLM*PCN0000000000*387***11:B:1*Y*A*Y*Y",
            "CLM*PCN0000000000*388***11:B:1*Y*A*Y*Y",
            "X12-CLAIM-BALANCE",
            "I12",
            "CLM02",
        ),
        ("ST*837*0001*005010X222A1", "ST*837*0001*005010X222A2", "X12-ELEMENT-CODE", "7", "ST03"),
    ],
)
def test_element_findings(old: str, new: str, code: str, ack: str, element: str) -> None:
    finding = only(validate_x12(claim(replace(old, new)), name="t"), code)
    assert (finding.ack, finding.ack_kind, finding.element) == (ack, "IK4", element)
    assert finding.element_position is not None


@pytest.mark.parametrize(
    ("old", "new", "code", "element"),
    [
        ("SVC*HC:81003*12*8.84**1", "SVC*HC:81003*12*8.85**1", "X12-PAYMENT-BALANCE", "SVC03"),
        (
            "CLP*PCN0000000000*1*292*229.29*2.2*12*PAYER000000000000*11*1",
            "CLP*PCN0000000000*1*293*229.29*2.2*12*PAYER000000000000*11*1",
            "X12-PAYMENT-BALANCE",
            "CLP04",
        ),
    ],
)
def test_835_line_and_claim_balancing(old: str, new: str, code: str, element: str) -> None:
    report = validate_x12(remit(replace(old, new)), name="t")
    assert any(f.code == code and f.element == element for f in errors(report)), report.findings


def test_835_transaction_balancing_counts_provider_adjustments() -> None:
    with_plb = remit(replace("AMT*B6*11.04", "AMT*B6*11.04~PLB*1512345678*20241231*WO:CLAIM1*29.29"))
    report = validate_x12(with_plb, name="t")
    finding = only(report, "X12-REMITTANCE-BALANCE")
    assert finding.element == "BPR02"
    balanced = with_plb.replace("BPR*I*229.29*", "BPR*I*200*")
    assert validate_x12(balanced, name="t").accepted


@pytest.mark.parametrize(
    ("old", "new", "element", "why", "severity"),
    [
        ("HI*ABK:R109*ABF:E119", "HI*ABK:R109*ABF:E11", "HI02-02", "DX-HEADER", "error"),
        ("HI*ABK:R109*ABF:E119", "HI*ABK:C810A*ABF:E119", "HI01-02", "DX-NOT-YET-VALID", "error"),
        ("SV1*HC:90686*42*UN*1***1", "SV1*HC:Q9999*42*UN*1***1", "SV101-02", "HCPCS-UNKNOWN", "warning"),
        ("SV1*HC:99214:25*185*UN*1***1:2", "SV1*HC:99214:2Q*185*UN*1***1:2", "SV101-03", "MOD-UNKNOWN", "warning"),
        ("PRV*BI*PXC*207Q00000X", "PRV*BI*PXC*207Q00001X", "PRV03", "TAXONOMY-UNKNOWN", "warning"),
    ],
)
def test_code_sets_on_the_claims_dates(
    codes: CodeSets, old: str, new: str, element: str, why: str, severity: str
) -> None:
    """Errors where a loaded edition covers the date; warnings where it does not (the HCPCS data starts in
    July 2024, this claim is from 2023) or the list is undated (taxonomy)."""
    report = with_codes(claim(replace(old, new)), codes)
    (finding,) = [f for f in report.findings if f.code == "X12-CODE-SET"]
    assert finding.element == element and why in finding.message and finding.ack == "7"
    assert str(finding.severity) == severity
    assert report.accepted is (severity == "warning")


def test_hcpcs_and_modifiers_are_errors_where_the_2024_editions_cover_the_date(codes: CodeSets) -> None:
    text = claim(replace("SV1*HC:90686*42*UN*1***1", "SV1*HC:Q9999:2Q*42*UN*1***1")).replace("20231121", "20240801")
    report = with_codes(text, codes)
    found = {(f.element, str(f.severity)) for f in report.findings if f.code == "X12-CODE-SET"}
    assert found == {("SV101-02", "error"), ("SV101-03", "error")}
    assert not report.accepted


def test_carc_and_rarc_codes_in_a_remittance(codes: CodeSets) -> None:
    report = with_codes(remit(replace("CAS*CO*45*13.3", "CAS*CO*ZZ9*13.3")), codes)
    assert only(report, "X12-CODE-SET").element == "CAS02"
    report = with_codes(remit(replace("AMT*B6*81.7", "AMT*B6*81.7~LQ*HE*ZZ999")), codes)
    assert only(report, "X12-CODE-SET").element == "LQ02"


def test_unsupported_transaction_is_rejected_with_ik5_1() -> None:
    text = interchange(["ST*834*0001*005010X220A1", "BGN*00*1*20240101*1200****2"], gs01="BE", version="005010X220A1")
    report = validate_x12(text, name="t")
    finding = only(report, "X12-TS-UNSUPPORTED")
    assert (finding.ack, finding.ack_kind) == ("1", "IK5")


def test_999_carries_ik3_and_ik4_and_is_itself_valid() -> None:
    text = claim(replace("DTP*472*D8*20231121", "DTP*472*D8*20241345"))
    acks = acknowledge(text, name="t", control_number=9)
    (ack,) = acks.acks_999
    segs = {s.id: s.elements for s in iter_segments(ack, name="999")}
    assert segs["IK3"] == ("DTP", "23", "2400", "8")
    assert segs["IK4"] == ("3", "1251", "8")
    assert segs["IK5"] == ("R", "5")
    assert validate_x12(ack, name="999").accepted


def test_npi_luhn() -> None:
    assert npi_valid("1234567893") and npi_valid("1847194929")
    assert not npi_valid("1234567890") and not npi_valid("123456789") and not npi_valid("12345678 3")


def test_every_schema_loads() -> None:
    for key in SCHEMA_KEYS:
        schema = load_schema(key)
        assert schema.root.items[0].id == "ST" and schema.root.items[-1].id == "SE"
        assert schema.version.startswith("005010X")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_verdict(data: bytes) -> None:
    report = validate_x12(data, name="fuzz")
    assert isinstance(report.accepted, bool)
    if not report.accepted:
        assert report.findings


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["837", "835"]),
    st.lists(
        st.tuples(st.integers(0, 4000), st.sampled_from(["*", "~", ":", "", "X", "9", "HL*9*1*22", "^"])), max_size=6
    ),
)
def test_mutated_files_give_findings_not_exceptions(kind: str, edits: list[tuple[int, str]]) -> None:
    text = claim() if kind == "837" else remit()
    for position, chunk in edits:
        at = position % (len(text) + 1)
        text = text[:at] + chunk + text[at + 1 :]
    report = validate_x12(text, name="mutant")
    for finding in report.findings:
        if finding.ack_kind in ("IK3", "IK4"):
            assert finding.position is not None and finding.segment_id is not None
    acknowledge(text, name="mutant", control_number=1)
