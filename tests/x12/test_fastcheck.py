"""The compiled fast check never calls a segment clean when the general element checker has a finding."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.x12.fastcheck import compile_check
from medbill.x12.schema import Schema, SegmentDef
from medbill.x12.tokens import Segment
from medbill.x12.validator import X12Validator, iter_findings
from medbill.x12.walker import SegmentHook, TransactionWalker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class _Collect(SegmentHook):
    def __init__(self, out: list[tuple[Schema, SegmentDef, Segment]], schema: Schema) -> None:
        self.out = out
        self.schema = schema

    def segment(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self.out.append((self.schema, segdef, seg))


def _placed() -> list[tuple[Schema, SegmentDef, Segment]]:
    out: list[tuple[Schema, SegmentDef, Segment]] = []
    for path in sorted([*(FIXTURES / "x12").iterdir(), *(FIXTURES / "x12_models").iterdir()]):
        if path.suffix == ".md":
            continue
        validator = X12Validator(hooks=lambda schema: (_Collect(out, schema),))
        list(iter_findings(validator, path.read_bytes(), name=path.name))
    return out


PLACED = _placed()


def walker_for(schema: Schema) -> TransactionWalker:
    st_segment = Segment("ST", (schema.transaction, "0001", schema.version), 0, 1, 0)
    return TransactionWalker(schema, st_segment, component=":", repetition="^")


def agree(schema: Schema, segdef: SegmentDef, seg: Segment) -> bool:
    """Fast says clean => the general checker finds nothing (the converse is not required: fast may defer)."""
    walker = walker_for(schema)
    check = compile_check(segdef)
    if check is None or not check(seg.elements, ":", walker._external_ok):
        return False
    walker.findings.clear()
    walker._check_elements(segdef, seg)  # the general checker is the reference here
    assert not walker.findings, (segdef.id, seg.elements, [f.code for f in walker.findings])
    return True


def test_every_placed_segment_agrees() -> None:
    assert len(PLACED) > 300
    passed = sum(agree(schema, segdef, seg) for schema, segdef, seg in PLACED)
    assert passed > len(PLACED) * 0.8  # the fast path is the common path on real files


@settings(max_examples=400, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.lists(
        st.tuples(
            st.integers(0, 30),
            st.sampled_from(
                ["", "X", "ZZ", "9", "-1.5", "20241345", "2561", "ABK:E119", "1:2:3:4:5", "\x07", "12345678901"]
            ),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_segments_agree(pick: int, edits: list[tuple[int, str]]) -> None:
    schema, segdef, seg = PLACED[pick % len(PLACED)]
    values = list(seg.elements)
    for position, value in edits:
        while len(values) <= position % (len(segdef.elements) + 2):
            values.append("")
        values[position % (len(segdef.elements) + 2)] = value
    agree(schema, segdef, Segment(seg.id, tuple(values), seg.index, seg.line, seg.offset))
