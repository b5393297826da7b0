"""Envelope checks: ISA/IEA, GS/GE, ST/SE counts and control numbers, with TA1/999 codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.issues import Severity
from medbill.x12 import (
    Finding,
    check_envelopes,
    iter_segments,
    read_delimiters,
    serialize,
    summarize,
    validate_envelopes,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1200*^*00501*000000001*0*T*:~"
GS = "GS*HC*SENDER*RECEIVER*20240102*1200*1*X*005010X222A1~"
BODY = "ST*837*0001*005010X222A1~BHT*0019*00*1*20240102*1200*CH~SE*3*0001~"
SMALL = ISA + GS + BODY + "GE*1*1~IEA*1*000000001~"

# fixture: (interchanges, groups, {(ST01, GS08): count}, accepted, error codes)
PINNED: dict[str, tuple[int, int, dict[tuple[str, str], int], bool, set[str]]] = {
    "837p_ambulance.edi": (1, 1, {("837", "005010X222A1"): 1}, True, set()),
    "837p_hccinfhir_11.txt": (1, 1, {("837", "005010X222A1"): 1}, False, {"X12-SE-COUNT"}),
    "837i_demo.837i": (1, 1, {("837", "005010X223A3"): 1}, True, set()),
    "835_mult_loops.txt": (1, 1, {("835", "005010X221A1"): 1}, True, set()),
    "999_834_ls_le_ls.txt": (1, 1, {("999", "005010X231"): 1}, True, set()),
    "270_single_line.270": (1, 1, {("270", "005010X279A1"): 1}, True, set()),
    "271_subscriber.271": (1, 1, {("271", "005010X279A1"): 1}, True, set()),
    "276_claim_level.276": (1, 1, {("276", "005010X212"): 1}, True, set()),
    "277_claim_level.277": (1, 1, {("277", "005010X212"): 1}, True, set()),
}


def errors(text: str | bytes) -> list[Finding]:
    return [f for f in validate_envelopes(text, name="t").findings if f.is_error]


def only(text: str, code: str) -> Finding:
    found = errors(text)
    assert [f.code for f in found] == [code], found
    return found[0]


def test_clean_file_is_accepted_with_counts() -> None:
    report = validate_envelopes(SMALL, name="t")
    assert report.accepted
    assert report.findings == ()
    assert report.counts.interchanges == 1
    assert report.counts.groups == 1
    assert report.counts.transaction_sets == 1
    assert dict(report.counts.by_type) == {("837", "005010X222A1"): 1}
    json.dumps(report.to_dict())


def test_se01_off_by_one() -> None:
    f = only(SMALL.replace("SE*3*0001", "SE*4*0001"), "X12-SE-COUNT")
    assert (f.ack, f.ack_kind, f.element, f.loop, f.segment_id, f.segment_index) == ("4", "IK5", "SE01", "ST", "SE", 4)
    assert f.severity is Severity.ERROR


def test_st02_se02_mismatch() -> None:
    f = only(SMALL.replace("SE*3*0001", "SE*3*0002"), "X12-SE-CONTROL")
    assert (f.ack, f.ack_kind, f.element) == ("3", "IK5", "SE02")


def test_ge01_wrong() -> None:
    f = only(SMALL.replace("GE*1*1", "GE*2*1"), "X12-GE-COUNT")
    assert (f.ack, f.ack_kind, f.element) == ("5", "AK9", "GE01")


def test_ge02_mismatch() -> None:
    f = only(SMALL.replace("GE*1*1", "GE*1*2"), "X12-GE-CONTROL")
    assert (f.ack, f.ack_kind) == ("4", "AK9")


def test_iea02_differs_from_isa13() -> None:
    f = only(SMALL.replace("IEA*1*000000001", "IEA*1*000000002"), "X12-IEA-CONTROL")
    assert (f.ack, f.ack_kind, f.element, f.loop) == ("001", "TA1", "IEA02", "ISA")


def test_iea01_wrong() -> None:
    f = only(SMALL.replace("IEA*1*", "IEA*2*"), "X12-IEA-COUNT")
    assert (f.ack, f.ack_kind) == ("021", "TA1")


@pytest.mark.parametrize(
    ("old", "new", "code", "ack"),
    [
        ("*240102*", "*241345*", "X12-ISA-DATE", "014"),
        ("*240102*", "*240230*", "X12-ISA-DATE", "014"),
        ("*1200*^", "*2460*^", "X12-ISA-TIME", "015"),
        ("000000001", "00000000A", "X12-ISA-CONTROL", "018"),
        ("*0*T*", "*2*T*", "X12-ISA-ACK-REQUESTED", "019"),
        ("*0*T*", "*0*X*", "X12-ISA-USAGE", "020"),
    ],
)
def test_isa_field_values(old: str, new: str, code: str, ack: str) -> None:
    f = only(SMALL.replace(old, new), code)
    assert (f.ack, f.ack_kind) == (ack, "TA1")


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("*20240102*1200*1*", "*20241302*1200*1*", "X12-GS-DATE"),
        ("*20240102*1200*1*", "*20240102*1275*1*", "X12-GS-TIME"),
        ("*X*005010X222A1~ST", "*X~ST", "X12-GS-ELEMENTS"),
    ],
)
def test_gs_field_values(old: str, new: str, code: str) -> None:
    assert only(SMALL.replace(old, new, 1), code).ack == "024"


def test_gs_time_with_seconds_and_decimals() -> None:
    assert errors(SMALL.replace("*20240102*1200*1*", "*20240102*12005999*1*")) == []


def test_missing_trailers_at_end_of_file() -> None:
    found = errors(ISA + GS + "ST*837*0001~BHT*0019~")
    assert [(f.code, f.ack, f.ack_kind) for f in found] == [
        ("X12-SE-MISSING", "2", "IK5"),
        ("X12-GE-MISSING", "3", "AK9"),
        ("X12-IEA-MISSING", "023", "TA1"),
    ]


def test_segment_outside_envelope_and_st_outside_group() -> None:
    found = errors(ISA + "NM1*41*2~" + BODY + "IEA*0*000000001~")
    assert [f.code for f in found] == ["X12-OUTSIDE-ENVELOPE", "X12-ST-OUTSIDE"]
    assert found[1].ack == "18"


def test_two_interchanges_and_duplicate_control_number_warning() -> None:
    report = validate_envelopes(SMALL + "\n" + SMALL, name="t")
    assert report.accepted
    assert report.counts.interchanges == 2
    assert [f.code for f in report.findings] == ["X12-ISA-DUPLICATE"]


def test_isa11_u_in_5010_is_a_warning() -> None:
    report = validate_envelopes(SMALL.replace("*^*", "*U*", 1), name="t")
    assert report.accepted
    assert [(f.code, f.ack) for f in report.findings] == [("X12-ISA-REPETITION", "016")]


def test_untokenizable_input_gives_a_report() -> None:
    report = validate_envelopes(b"\x00\x01 not x12", name="junk.bin")
    assert not report.accepted
    assert [f.code for f in report.findings] == ["X12-SYNTAX"]
    assert "junk.bin" in report.findings[0].message


def test_bom_crlf_indentation_give_the_same_verdict_and_segments() -> None:
    messy = ("\ufeff\r\n" + SMALL.replace("~", "~\r\n  ")).encode("utf-8")
    assert [(s.id, s.elements) for s in iter_segments(messy, name="t")] == [
        (s.id, s.elements) for s in iter_segments(SMALL, name="t")
    ]
    assert validate_envelopes(messy, name="t").accepted


def test_check_envelopes_streams() -> None:
    it = check_envelopes(iter_segments(SMALL.replace("SE*3", "SE*9"), name="t"))
    assert next(it).code == "X12-SE-COUNT"


def test_finding_to_dict_and_issue() -> None:
    f = only(SMALL.replace("SE*3*0001", "SE*4*0001"), "X12-SE-COUNT")
    d = f.to_dict()
    assert d["code"] == "X12-SE-COUNT"
    assert d["ack"] == "4"
    assert d["ack_kind"] == "IK5"
    assert f.to_issue(file="x.837").location is not None


@pytest.mark.parametrize("fixture", sorted(PINNED))
def test_pinned_fixture_facts(fixture: str) -> None:
    interchanges, groups, by_type, accepted, codes = PINNED[fixture]
    raw = (FIXTURES / fixture).read_bytes()
    report = validate_envelopes(raw, name=fixture)
    assert report.counts.interchanges == interchanges
    assert report.counts.groups == groups
    assert dict(report.counts.by_type) == by_type
    assert report.accepted is accepted
    assert {f.code for f in report.findings if f.is_error} == codes
    assert summarize(iter_segments(raw, name=fixture)) == report.counts


# -- robustness ---------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_arbitrary_bytes_always_get_a_report(data: bytes) -> None:
    report = validate_envelopes(data, name="fuzz")
    assert report.accepted == (not any(f.is_error for f in report.findings))


@settings(max_examples=400, deadline=None)
@given(
    fixture=st.sampled_from(sorted(PINNED)),
    action=st.sampled_from(["delete", "duplicate", "modify", "truncate"]),
    where=st.integers(min_value=0, max_value=10_000),
    junk=st.text(alphabet="*:^~ABCGIEST0123456789", max_size=12),
)
def test_mutated_samples_always_get_a_report(fixture: str, action: str, where: int, junk: str) -> None:
    raw = (FIXTURES / fixture).read_bytes()
    segments = list(iter_segments(raw, name=fixture))
    delimiters = read_delimiters(raw, name=fixture)
    i = where % len(segments)
    if action == "delete":
        del segments[i]
    elif action == "duplicate":
        segments.insert(i, segments[i])
    elif action == "modify":
        seg = segments[i]
        segments[i] = seg._replace(elements=(*seg.elements[:-1], junk))
    else:
        segments = segments[:i]
    text = serialize(segments, delimiters)
    report = validate_envelopes(text, name=fixture)
    assert report.accepted == (not any(f.is_error for f in report.findings))
    for f in report.findings:
        json.dumps(f.to_dict())


# -- the shared corpus --------------------------------------------------------------------------------

# Files the envelope layer alone rejects although pyx12 accepted them, with the reason.
EXPLAINED_DISAGREEMENTS: dict[str, str] = {}


@pytest.mark.shared
def test_every_shared_sample_gets_a_report(shared_dir: Path) -> None:
    samples = shared_dir / "x12" / "samples"
    with (samples / "VERDICTS.tsv").open(newline="") as handle:
        pyx12 = {row["file"]: row["pyx12"] for row in csv.DictReader(handle, delimiter="\t")}
    files = sorted(p for p in samples.rglob("*") if p.is_file() and p.name not in {"MANIFEST.tsv", "VERDICTS.tsv"})
    assert len(files) > 100
    disagreements = {}
    for path in files:
        rel = path.relative_to(samples).as_posix()
        report = validate_envelopes(path.read_bytes(), name=rel)
        if not report.accepted and pyx12.get(rel) == "OK":
            disagreements[rel] = sorted({f.code for f in report.findings if f.is_error})
    unexplained = {k: v for k, v in disagreements.items() if k not in EXPLAINED_DISAGREEMENTS}
    assert unexplained == {}


def test_ta1_inside_an_interchange_is_not_outside_the_envelope() -> None:
    from medbill.x12 import check_envelopes, iter_segments

    isa = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241001*1200*^*00501*000000001*0*T*:~"
    good = isa + "TA1*000000123*241001*1159*A*000~IEA*0*000000001~"
    assert list(check_envelopes(iter_segments(good, name="ta1"))) == []
    # A TA1 inside a functional group is still misplaced.
    bad = isa + "GS*FA*S*R*20241001*1200*1*X*005010X231A1~TA1*000000123*241001*1159*A*000~GE*0*1~IEA*1*000000001~"
    codes = [f.code for f in check_envelopes(iter_segments(bad, name="ta1-in-group"))]
    assert "X12-OUTSIDE-ENVELOPE" in codes
