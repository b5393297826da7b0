"""TA1 and 999 (005010X231A1) acknowledgments built from envelope findings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill.x12 import Delimiters, Segment, check_envelopes, iter_segments, validate_envelopes
from medbill.x12.ack import Acknowledgments, acknowledge, write_acks
from medbill.x12.validator import validate_x12

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.name != "LICENSES.md")
NOW = datetime(2026, 3, 4, 5, 6)  # noqa: DTZ001 - a fixed wall-clock time for the outbound envelopes

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1200*^*00501*000000001*0*T*:~"
GS = "GS*HC*SENDER*RECEIVER*20240102*1200*1*X*005010X222A1~"
BODY = "ST*837*0001*005010X222A1~BHT*0019*00*1*20240102*1200*CH~SE*3*0001~"
SMALL = ISA + GS + BODY + "GE*1*1~IEA*1*000000001~"

# fixture: (AK1, [(AK2, IK5)], AK9)
EXPECTED: dict[str, tuple[tuple[str, ...], list[tuple[tuple[str, ...], tuple[str, ...]]], tuple[str, ...]]] = {
    "270_single_line.270": (
        ("HS", "1", "005010X279A1"),
        [(("270", "1234", "005010X279A1"), ("A",))],
        ("A", "1", "1", "1"),
    ),
    "271_subscriber.271": (
        ("HB", "1", "005010X279A1"),
        [(("271", "4321", "005010X279A1"), ("A",))],
        ("A", "1", "1", "1"),
    ),
    "276_claim_level.276": (("HR", "1", "005010X212"), [(("276", "0001", "005010X212"), ("A",))], ("A", "1", "1", "1")),
    "277_claim_level.277": (("HN", "1", "005010X212"), [(("277", "0001", "005010X212"), ("A",))], ("A", "1", "1", "1")),
    "835_mult_loops.txt": (("HP", "383880001", "005010X221A1"), [(("835", "0001"), ("A",))], ("A", "1", "1", "1")),
    "837i_demo.837i": (
        ("HC", "1", "005010X223A3"),
        [(("837", "987654", "005010X223A3"), ("A",))],
        ("A", "1", "1", "1"),
    ),
    "837p_ambulance.edi": (
        ("HC", "20213", "005010X222A1"),
        [(("837", "000017712", "005010X222A1"), ("A",))],
        ("A", "1", "1", "1"),
    ),
    "837p_hccinfhir_11.txt": (
        ("HC", "1", "005010X222A1"),
        [(("837", "0001", "005010X222A1"), ("R", "4"))],
        ("R", "1", "1", "0"),
    ),
    "999_834_ls_le_ls.txt": (
        ("FA", "146", "005010X231"),
        [(("999", "0001", "005010X231"), ("A",))],
        ("A", "1", "1", "1"),
    ),
}


def ack(data: str | bytes, **kwargs: object) -> Acknowledgments:
    options: dict[str, object] = {"name": "t", "control_number": 100, "now": NOW, "envelope_only": True}
    options.update(kwargs)
    return acknowledge(data, **options)  # type: ignore[arg-type]


def segments(text: str) -> list[Segment]:
    return list(iter_segments(text, name="ack"))


def by_id(text: str, sid: str) -> list[tuple[str, ...]]:
    return [s.elements for s in segments(text) if s.id == sid]


def assert_999_valid(text: str, *, full: bool = True) -> None:
    report = validate_envelopes(text, name="999")
    assert report.accepted, report.findings
    assert report.findings == ()
    segs = segments(text)
    ids = [s.id for s in segs]
    assert ids[:3] == ["ISA", "GS", "ST"]
    assert ids[-3:] == ["SE", "GE", "IEA"]
    isa, gs, st_, se, ge, iea = segs[0], segs[1], segs[2], segs[-3], segs[-2], segs[-1]
    assert st_.elements == ("999", se.elements[1], "005010X231A1")
    assert int(se.elements[0]) == len(segs) - 4  # ST..SE inclusive
    assert int(ge.elements[0]) == ids.count("ST")
    assert ge.elements[1] == gs.elements[5]
    assert int(iea.elements[0]) == ids.count("GS")
    assert iea.elements[1] == isa.elements[12]
    assert gs.elements[0] == "FA"
    assert gs.elements[7] == "005010X231A1"
    assert set(ids[3:-3]) <= {"AK1", "AK2", "IK3", "IK4", "IK5", "AK9"}
    if full:  # the 999 meets its own implementation guide (not checkable when the inbound GS/ST are garbage)
        report = validate_x12(text, name="999")
        assert report.accepted, [f.to_dict() for f in report.findings]


def assert_ta1_valid(text: str) -> None:
    """A TA1 interchange: ISA, TA1, IEA*0, which the envelope checker accepts as it stands."""
    segs = segments(text)
    assert [s.id for s in segs] == ["ISA", "TA1", "IEA"]
    findings = list(check_envelopes(segs))
    assert findings == []
    assert segs[2].elements == ("0", segs[0].elements[12])
    ta1 = segs[1].elements
    assert len(ta1) == 5
    assert ta1[3] in ("A", "E", "R")
    assert len(ta1[4]) == 3
    assert ta1[4].isdigit()


def assert_all_valid(acks: Acknowledgments, *, full: bool = True) -> None:
    for text in acks.ta1s:
        assert_ta1_valid(text)
    for text in acks.acks_999:
        assert_999_valid(text, full=full)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_acknowledgments(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    acks = ack(data, name=name)
    assert_all_valid(acks)
    assert acks.syntax_error is None
    assert len(acks.ta1s) == 1
    assert acks.ta1 is not None
    inbound_isa = next(iter(iter_segments(data, name=name))).elements
    ta1 = by_id(acks.ta1, "TA1")[0]
    assert ta1 == (inbound_isa[12], inbound_isa[8], inbound_isa[9], "A", "000")
    if name.startswith("999"):
        assert acks.acks_999 == []  # acknowledgments are not acknowledged
        return
    assert len(acks.acks_999) == 1
    ak1, sets, ak9 = EXPECTED[name]
    text = acks.acks_999[0]
    assert by_id(text, "AK1") == [ak1]
    assert list(zip(by_id(text, "AK2"), by_id(text, "IK5"), strict=True)) == sets
    assert by_id(text, "AK9") == [ak9]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_outbound_envelope_swaps_sender_and_receiver(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    inbound = list(iter_segments(data, name=name))
    isa_in = inbound[0].elements
    gs_in = next(s for s in inbound if s.id == "GS").elements
    acks = ack(data)
    for text in [*acks.ta1s, *acks.acks_999]:
        isa_out = segments(text)[0].elements
        assert isa_out[4:8] == (isa_in[6], isa_in[7], isa_in[4], isa_in[5])
        assert isa_out[8:10] == ("260304", "0506")
        assert isa_out[10:12] == ("^", "00501")
        assert isa_out[13:16] == ("0", isa_in[14], ":")
    if not acks.acks_999:
        assert gs_in[0] == "FA"
        return
    gs_out = by_id(acks.acks_999[0], "GS")[0]
    assert gs_out[:3] == ("FA", gs_in[2], gs_in[1])
    assert gs_out[3:5] == ("20260304", "0506")


def test_se01_miscount_rejects_set_without_ak905() -> None:
    """Code list 716 (AK905) covers group header/trailer and security errors only; a group whose single set
    is rejected is AK9*R with no AK905 (the reason is in IK502)."""
    acks = ack((FIXTURES / "837p_hccinfhir_11.txt").read_bytes())
    text = acks.acks_999[0]
    assert by_id(text, "IK5") == [("R", "4")]
    assert by_id(text, "AK9") == [("R", "1", "1", "0")]
    assert by_id(acks.ta1 or "", "TA1")[0][3:] == ("A", "000")


def test_clean_file() -> None:
    acks = ack(SMALL, control_number=42, group_control_number=7, set_control_number=9)
    assert_all_valid(acks)
    assert acks.ta1 == (
        "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *260304*0506*^*00501*000000042*0*T*:~"
        "TA1*000000001*240102*1200*A*000~IEA*0*000000042~"
    )
    assert acks.acks_999 == [
        "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *260304*0506*^*00501*000000043*0*T*:~"
        "GS*FA*RECEIVER*SENDER*20260304*0506*7*X*005010X231A1~ST*999*0009*005010X231A1~"
        "AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~SE*6*0009~GE*1*7~IEA*1*000000043~"
    ]


def test_resending_with_the_same_numbers_is_identical() -> None:
    assert ack(SMALL) == ack(SMALL)
    assert ack(SMALL, control_number=5).acks_999 != ack(SMALL, control_number=6).acks_999


def test_iea02_mismatch_gives_ta1_r_001_and_no_999() -> None:
    acks = ack(SMALL.replace("IEA*1*000000001", "IEA*1*000000002"))
    assert_all_valid(acks)
    assert by_id(acks.ta1 or "", "TA1") == [("000000001", "240102", "1200", "R", "001")]
    assert acks.acks_999 == []
    forced = ack(SMALL.replace("IEA*1*000000001", "IEA*1*000000002"), process_rejected=True)
    assert len(forced.acks_999) == 1
    assert_all_valid(forced)


def test_warning_only_gives_ta1_e() -> None:
    acks = ack(SMALL.replace("*^*", "*U*", 1))
    assert by_id(acks.ta1 or "", "TA1")[0][3:] == ("E", "016")
    assert len(acks.acks_999) == 1


def test_first_error_wins_over_earlier_warning() -> None:
    text = SMALL.replace("*^*", "*U*", 1).replace("IEA*1*000000001", "IEA*1*000000002")
    assert by_id(ack(text).ta1 or "", "TA1")[0][3:] == ("R", "001")


@pytest.mark.parametrize(
    ("old", "new", "ak9"),
    [
        ("GE*1*1", "GE*2*1", ("R", "2", "1", "0", "5")),
        ("GE*1*1", "GE*1*2", ("R", "1", "1", "0", "4")),
        ("GE*1*1", "GE*X*1", ("R", "1", "1", "0", "5")),
    ],
)
def test_group_trailer_errors(old: str, new: str, ak9: tuple[str, ...]) -> None:
    acks = ack(SMALL.replace(old, new))
    assert_all_valid(acks)
    assert by_id(acks.acks_999[0], "AK9") == [ak9]
    assert by_id(acks.acks_999[0], "IK5") == [("A",)]


def test_partial_acceptance_and_several_sets() -> None:
    body2 = BODY.replace("0001", "0002").replace("SE*3", "SE*9")
    body3 = BODY.replace("0001", "0003")
    text = ISA + GS + BODY + body2 + body3 + "GE*3*1~IEA*1*000000001~"
    acks = ack(text)
    assert_all_valid(acks)
    out = acks.acks_999[0]
    assert [a[1] for a in by_id(out, "AK2")] == ["0001", "0002", "0003"]
    assert by_id(out, "IK5") == [("A",), ("R", "4"), ("A",)]
    assert by_id(out, "AK9") == [("P", "3", "3", "2")]
    assert int(by_id(out, "SE")[0][0]) == 2 + 1 + 2 * 3 + 1


def test_missing_trailers() -> None:
    acks = ack(ISA + GS + "ST*837*0001~BHT*0019~", process_rejected=True)
    assert by_id(acks.ta1 or "", "TA1")[0][3:] == ("R", "023")
    out = acks.acks_999[0]
    assert by_id(out, "AK2") == [("837", "0001")]
    assert by_id(out, "IK5") == [("R", "2")]
    assert by_id(out, "AK9") == [("R", "1", "1", "0", "3")]
    assert_all_valid(acks)


def test_two_groups_and_two_interchanges() -> None:
    gs2 = GS.replace("*1*X*", "*2*X*").replace("GS*HC", "GS*HP")
    one = ISA + GS + BODY + "GE*1*1~" + gs2 + BODY + "GE*1*2~IEA*2*000000001~"
    two = one + "\n" + SMALL.replace("000000001", "000000002")
    acks = ack(two, control_number=10, group_control_number=20, set_control_number=30)
    assert_all_valid(acks)
    assert len(acks.ta1s) == 2
    assert len(acks.acks_999) == 3
    assert [by_id(t, "ISA")[0][12] for t in [*acks.ta1s, *acks.acks_999]] == [f"{n:09d}" for n in range(10, 15)]
    assert [by_id(t, "GS")[0][5] for t in acks.acks_999] == ["20", "21", "22"]
    assert [by_id(t, "ST")[0][1] for t in acks.acks_999] == ["0030", "0031", "0032"]
    assert [by_id(t, "AK1")[0][:2] for t in acks.acks_999] == [("HC", "1"), ("HP", "2"), ("HC", "1")]
    assert [by_id(t, "TA1")[0][0] for t in acks.ta1s] == ["000000001", "000000002"]


def test_control_numbers_wrap_and_are_checked() -> None:
    acks = ack(SMALL, control_number=999_999_999)
    assert [by_id(t, "ISA")[0][12] for t in [*acks.ta1s, *acks.acks_999]] == ["999999999", "000000001"]
    with pytest.raises(ValueError, match="control_number"):
        ack(SMALL, control_number=0)
    with pytest.raises(ValueError, match="delimiters"):
        ack(SMALL, delimiters=Delimiters("*", "*", "^", "~"))


def test_other_delimiters() -> None:
    acks = ack(SMALL, delimiters=Delimiters("|", ">", "!", "\n"))
    report = validate_envelopes(acks.acks_999[0], name="999")
    assert report.accepted
    assert report.findings == ()
    assert "|" in acks.acks_999[0]


def test_copied_values_lose_outbound_delimiters() -> None:
    text = SMALL.replace("*", "|").replace("~", "\n").replace("GS|HC|SENDER", "GS|HC|SEN*DER~")
    acks = ack(text)
    assert_all_valid(acks)
    assert by_id(acks.acks_999[0], "GS")[0][2] == "SENDER"


def test_untokenizable_input_gives_no_acknowledgment() -> None:
    acks = ack(b"\x00\x01 not x12")
    assert acks.ta1 is None
    assert acks.ta1s == []
    assert acks.acks_999 == []
    assert acks.syntax_error is not None
    assert "not an X12 interchange" in acks.syntax_error


def test_write_acks(tmp_path: Path) -> None:
    acks = ack(SMALL)
    paths = write_acks(tmp_path / "out", "claims", acks)
    assert [p.name for p in paths] == ["claims.ta1", "claims.999"]
    assert paths[1].read_text(encoding="ascii") == acks.acks_999[0]
    two = ack(SMALL + SMALL.replace("000000001", "000000002"))
    names = [p.name for p in write_acks(tmp_path, "b", two)]
    assert names == ["b.1.ta1", "b.2.ta1", "b.1.999", "b.2.999"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(names)
    assert write_acks(tmp_path, "none", ack(b"junk")) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert_all_valid(ack(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FIXTURE_NAMES),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=2), st.binary(max_size=3))),
)
def test_mutated_fixtures_give_valid_acknowledgments(name: str, edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray((FIXTURES / name).read_bytes())
    for position, mode, chunk in edits:
        at = position % (len(data) + 1)
        if mode == 0:
            data[at:at] = chunk
        elif mode == 1:
            del data[at : at + len(chunk) + 1]
        else:
            data[at : at + len(chunk)] = chunk
    acks = ack(bytes(data), process_rejected=True, envelope_only=False)
    assert_all_valid(acks, full=False)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="*~:^|!>\n ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ISAGSETIE", max_size=200))
def test_envelope_shaped_text(tail: str) -> None:
    assert_all_valid(ack(ISA + tail, process_rejected=True), full=False)
