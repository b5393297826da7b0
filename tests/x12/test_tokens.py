"""Tokenizer: delimiters from ISA, segments with positions, tolerant layout, exact round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill.errors import X12SyntaxError
from medbill.x12 import Delimiters, Segment, iter_segments, read_delimiters, serialize, tokens
from medbill.x12.tokens import iter_file_segments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1200*^*00501*000000001*0*T*:~"
SMALL = (
    ISA + "GS*HC*SENDER*RECEIVER*20240102*1200*1*X*005010X222A1~"
    "ST*837*0001*005010X222A1~BHT*0019*00*1*20240102*1200*CH~SE*3*0001~GE*1*1~IEA*1*000000001~"
)

# (fixture, newline after each terminator) for the samples that are written canonically.
CANONICAL = [
    ("837p_ambulance.edi", False),
    ("837p_hccinfhir_11.txt", False),
    ("835_mult_loops.txt", True),
    ("999_834_ls_le_ls.txt", True),
    ("270_single_line.270", False),
]


def test_isa_is_106_characters() -> None:
    assert len(ISA) == 106


def test_delimiters_from_isa_positions() -> None:
    assert read_delimiters(SMALL, name="t") == Delimiters("*", ":", "^", "~")
    other = ISA.replace("*", "|").replace("^", "!").replace(":", ">").replace("~", "\n")
    assert read_delimiters(other, name="t") == Delimiters("|", ">", "!", "\n")


def test_no_repetition_separator_before_5010_or_when_isa11_is_u() -> None:
    assert read_delimiters(ISA.replace("00501", "00401").replace("^", "U"), name="t").repetition is None
    assert read_delimiters(ISA.replace("^", "U"), name="t").repetition is None


def test_segments_carry_id_elements_index_line_offset() -> None:
    text = SMALL.replace("~", "~\n")
    segments = list(iter_segments(text.encode(), name="t"))
    assert [s.id for s in segments] == ["ISA", "GS", "ST", "BHT", "SE", "GE", "IEA"]
    assert segments[0].elements[15] == ":"
    assert segments[2] == Segment("ST", ("837", "0001", "005010X222A1"), 2, 3, text.index("ST*837"))
    assert [s.line for s in segments] == [1, 2, 3, 4, 5, 6, 7]
    assert segments[-1].elements == ("1", "000000001")


def test_iter_segments_is_lazy() -> None:
    it = iter_segments(SMALL, name="t")
    assert next(it).id == "ISA"


def test_bom_whitespace_crlf_and_indentation_tokenize_like_canonical() -> None:
    canonical = list(iter_segments(SMALL, name="t"))
    messy = "\ufeff \r\n" + SMALL.replace("~", "~\r\n    ").replace("~\r\n    GS", "~\r\n\tGS")
    tolerant = list(iter_segments(messy.encode("utf-8"), name="t"))
    assert [(s.id, s.elements, s.index) for s in tolerant] == [(s.id, s.elements, s.index) for s in canonical]
    lf_only = list(iter_segments(SMALL.replace("~", "~\n"), name="t"))
    assert [s.elements for s in lf_only] == [s.elements for s in canonical]


def test_newline_as_segment_terminator_with_crlf() -> None:
    text = SMALL.replace("~", "\n").replace("\n", "\r\n")
    text = text[:105] + "\n" + text[107:]  # the ISA terminator is the single character after ISA16
    segments = list(iter_segments(text, name="t"))
    assert [s.id for s in segments][-1] == "IEA"
    assert segments[-1].elements == ("1", "000000001")


def test_several_interchanges_each_read_their_delimiters() -> None:
    second = SMALL.replace("*", "|").replace("~", "'").replace("^", "!")
    text = SMALL + "\n" + second
    segments = list(iter_segments(text, name="t"))
    assert [s.id for s in segments].count("ISA") == 2
    assert segments[-1] == Segment("IEA", ("1", "000000001"), 13, 2, text.rindex("IEA"))


def test_latin1_fallback_keeps_bytes() -> None:
    raw = SMALL.replace("BHT*0019", "BHT*00\xe919").encode("latin-1")
    segments = list(iter_segments(raw, name="t"))
    out = serialize(segments, read_delimiters(raw, name="t")).encode("latin-1")
    assert out == raw


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ("", "does not start with an ISA"),
        ("GS*HC*A*B~", "does not start with an ISA"),
        (ISA[:80], "shorter than 106"),
        (SMALL.replace("SENDER         ", "SENDER"), "fixed position"),
        (ISA[:104] + "*~", "component separator"),
        (ISA.replace("*00*          *", "*00*ab*defghij*", 1), "element separator occurs"),
        (ISA[:105] + "*", "segment terminator"),
        (ISA[:105] + "0", "segment terminator"),
    ],
)
def test_bad_isa_raises_with_file_offset_and_reason(data: str, why: str) -> None:
    with pytest.raises(X12SyntaxError) as info:
        iter_segments("  " + data, name="claims.x12")
    assert "claims.x12" in info.value.message
    assert "offset 2" in info.value.message
    assert why in info.value.message


@pytest.mark.parametrize(("fixture", "newline"), CANONICAL)
def test_canonical_samples_round_trip_exactly(fixture: str, newline: bool) -> None:
    raw = (FIXTURES / fixture).read_bytes()
    segments = list(iter_segments(raw, name=fixture))
    assert serialize(segments, read_delimiters(raw, name=fixture), newline=newline) == raw.decode()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_segments_or_syntax_error(data: bytes) -> None:
    try:
        segments = list(iter_segments(data, name="fuzz"))
    except X12SyntaxError:
        return
    assert segments[0].id == "ISA"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="*:^~\n\r ISAGSTE0159", max_size=300))
def test_x12_like_text_after_a_valid_isa_tokenizes(tail: str) -> None:
    segments = list(iter_segments(ISA + tail, name="fuzz"))
    assert segments[0].id == "ISA"
    assert all(isinstance(s.index, int) and s.line >= 1 for s in segments)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(sorted(p.name for p in FIXTURES.iterdir() if p.suffix != ".md")),
    st.integers(min_value=1, max_value=400),
    st.lists(st.tuples(st.integers(0, 3000), st.sampled_from([b"~", b"\n", b"ISA", b"*", b"\xe9", b""])), max_size=4),
)
def test_reading_a_file_in_chunks_gives_the_same_segments(
    tmp_path_factory: pytest.TempPathFactory, name: str, chunk: int, edits: list[tuple[int, bytes]]
) -> None:
    data = bytearray((FIXTURES / name).read_bytes())
    for position, piece in edits:
        at = position % (len(data) + 1)
        data[at:at] = piece
    path = tmp_path_factory.mktemp("chunks") / name
    path.write_bytes(bytes(data))
    try:
        whole: list[Segment] | str = list(iter_segments(bytes(data), name=name))
    except X12SyntaxError as exc:
        whole = exc.message
    previous = tokens.CHUNK
    tokens.CHUNK = chunk
    try:
        try:
            chunked: list[Segment] | str = list(iter_file_segments(path, name=name))
        except X12SyntaxError as exc:
            chunked = exc.message
    finally:
        tokens.CHUNK = previous
    assert chunked == whole


ISA_PIPE = ISA.replace("*", "|").replace("|^|", "|!|")[:-1] + "\n"  # other delimiters: | ! : and newline


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "ST*837*1~",
                "NM1*85*2*X~",
                "  ",
                "\n",
                "\r\n",
                "~",
                "*",
                ":",
                "^",
                "ISA",
                ISA,
                ISA_PIPE,
                "HL|1||20\n",
                "SE*2*1~",
                "\t",
                "A",
                "\r",
            ]
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_the_split_scanner_matches_the_segment_by_segment_scanner(pieces: list[str], final: bool) -> None:
    text = ISA + "".join(pieces)
    delimiters = read_delimiters(text, name="t")
    fast_cursor, slow_cursor = tokens._Cursor(delimiters), tokens._Cursor(delimiters)
    fast = list(tokens._scan(text, 0, fast_cursor, final=final))
    slow = list(tokens._scan_slow(text, 0, slow_cursor, final=final))
    assert fast == slow
    assert (fast_cursor.index, fast_cursor.line, fast_cursor.delimiters, fast_cursor.tail) == (
        slow_cursor.index,
        slow_cursor.line,
        slow_cursor.delimiters,
        slow_cursor.tail,
    )
