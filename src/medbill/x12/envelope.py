"""X12 5010 envelope checks (ISA/IEA, GS/GE, ST/SE) in one streaming pass.

The checker keeps only the open envelopes' headers and counters (plus the set of ISA13 values seen, to
spot duplicates), so memory does not grow with the number of transaction sets.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from medbill.errors import X12SyntaxError
from medbill.issues import Severity
from medbill.x12.findings import AckKind, Finding
from medbill.x12.tokens import ISA_WIDTHS, Segment, iter_segments

# TA1 note code for a wrong width in ISA01..ISA16 (None: no specific code).
_ISA_WIDTH_NOTE: tuple[str, ...] = (
    "010",
    "011",
    "012",
    "013",
    "005",
    "006",
    "007",
    "008",
    "014",
    "015",
    "016",
    "017",
    "018",
    "019",
    "020",
    "027",
)

_ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


@dataclass
class EnvelopeCounts:
    """Structure of a file: interchanges, functional groups, and transaction sets by (ST01, GS08)."""

    interchanges: int = 0
    groups: int = 0
    transaction_sets: int = 0
    segments: int = 0
    by_type: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Transaction-set count per (ST01, GS08)."""
    versions: Counter[str] = field(default_factory=Counter)
    """Functional-group count per GS08."""

    def to_dict(self) -> dict[str, object]:
        return {
            "interchanges": self.interchanges,
            "groups": self.groups,
            "transaction_sets": self.transaction_sets,
            "segments": self.segments,
            "by_type": [{"st01": st, "gs08": gs, "count": n} for (st, gs), n in sorted(self.by_type.items())],
            "versions": dict(sorted(self.versions.items())),
        }


@dataclass(frozen=True)
class EnvelopeReport:
    name: str
    accepted: bool
    """True when no finding is an error."""
    findings: tuple[Finding, ...]
    counts: EnvelopeCounts

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "accepted": self.accepted,
            "findings": [f.to_dict() for f in self.findings],
            "counts": self.counts.to_dict(),
        }


def _real_date(text: str, fmt: str) -> bool:
    if not text.isdigit():
        return False
    try:
        dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - calendar validity only
    except ValueError:
        return False
    return True


def _real_hhmm(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and int(text[:2]) < 24 and int(text[2:]) < 60


def _real_gs_time(text: str) -> bool:
    """HHMM, HHMMSS or HHMMSSD[D]: 4, 6, 7 or 8 digits with valid hour, minute and second."""
    if len(text) not in (4, 6, 7, 8) or not text.isdigit():
        return False
    return _real_hhmm(text[:4]) and (len(text) == 4 or int(text[4:6]) < 60)


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 10 else None


class EnvelopeChecker:
    """Feed segments one at a time; ``finish`` reports trailers missing at end of input."""

    def __init__(self) -> None:
        self.counts = EnvelopeCounts()
        self._isa: Segment | None = None
        self._isa_groups = 0
        self._seen_isa13: set[str] = set()
        self._gs: Segment | None = None
        self._gs_sets = 0
        self._st: Segment | None = None
        self._st_segments = 0

    @staticmethod
    def _finding(
        segment: Segment,
        code: str,
        message: str,
        *,
        loop: str,
        element: str | None = None,
        ack: str | None = None,
        kind: AckKind | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Finding:
        return Finding(severity, code, message, segment.index, segment.id, loop, element, ack, kind)

    def body_segment(self) -> None:
        """A segment inside an open ST..SE that is not an envelope segment: only counted."""
        self.counts.segments += 1
        if self._st is not None:
            self._st_segments += 1

    def feed(self, seg: Segment) -> list[Finding]:
        self.counts.segments += 1
        out: list[Finding] = []
        sid = seg.id
        if sid not in _ENVELOPE_IDS:
            if self._st is not None:
                self._st_segments += 1
            elif sid == "TA1" and self._gs is None and self._isa is not None:
                pass  # an interchange acknowledgment sits between ISA and IEA, outside any group
            elif not sid:
                out.append(self._finding(seg, "X12-EMPTY-SEGMENT", "empty segment", loop="ISA", ack="022", kind="TA1"))
            else:
                level = "GS" if self._gs is not None else "ISA"
                out.append(
                    self._finding(
                        seg,
                        "X12-OUTSIDE-ENVELOPE",
                        f"segment {sid} is outside any transaction set (ST/SE)",
                        loop=level,
                        ack="022",
                        kind="TA1",
                    )
                )
            return out
        if sid == "ISA":
            self._close_all(seg, out, at_end=False)
            self._open_isa(seg, out)
        elif sid == "IEA":
            self._close_group(seg, out, seg.id)
            self._close_isa(seg, out)
        elif sid == "GS":
            self._close_group(seg, out, seg.id)
            self._open_gs(seg, out)
        elif sid == "GE":
            self._close_st(seg, out, seg.id)
            self._close_gs(seg, out)
        elif sid == "ST":
            self._close_st(seg, out, seg.id)
            self._open_st(seg, out)
        else:  # SE
            self._close_se(seg, out)
        return out

    def finish(self, last: Segment | None) -> list[Finding]:
        out: list[Finding] = []
        if last is not None:
            self._close_all(last, out, at_end=True)
        return out

    # -- interchange ---------------------------------------------------------------------------------

    def _open_isa(self, seg: Segment, out: list[Finding]) -> None:
        self.counts.interchanges += 1
        self._isa = seg
        self._isa_groups = 0
        els = seg.elements
        if len(els) != 16:
            out.append(
                self._finding(
                    seg,
                    "X12-ISA-ELEMENTS",
                    f"ISA has {len(els)} elements, 16 required",
                    loop="ISA",
                    ack="022",
                    kind="TA1",
                )
            )
        for number, (value, width) in enumerate(zip(els, ISA_WIDTHS, strict=False), start=1):
            if len(value) != width:
                out.append(
                    self._finding(
                        seg,
                        "X12-ISA-WIDTH",
                        f"ISA{number:02d} is {len(value)} characters, {width} required",
                        loop="ISA",
                        element=f"ISA{number:02d}",
                        ack=_ISA_WIDTH_NOTE[number - 1],
                        kind="TA1",
                    )
                )
        if len(els) > 11 and els[11].isdigit() and els[11] >= "00501" and (els[10].isalnum() or els[10] == " "):
            out.append(
                self._finding(
                    seg,
                    "X12-ISA-REPETITION",
                    "ISA11 is not a repetition separator (5010 requires one)",
                    loop="ISA",
                    element="ISA11",
                    ack="016",
                    kind="TA1",
                    severity=Severity.WARNING,
                )
            )
        if len(els) > 8 and len(els[8]) == 6 and not _real_date(els[8], "%y%m%d"):
            out.append(
                self._finding(
                    seg,
                    "X12-ISA-DATE",
                    "ISA09 is not a real YYMMDD date",
                    loop="ISA",
                    element="ISA09",
                    ack="014",
                    kind="TA1",
                )
            )
        if len(els) > 9 and len(els[9]) == 4 and not _real_hhmm(els[9]):
            out.append(
                self._finding(
                    seg,
                    "X12-ISA-TIME",
                    "ISA10 is not a real HHMM time",
                    loop="ISA",
                    element="ISA10",
                    ack="015",
                    kind="TA1",
                )
            )
        if len(els) > 12:
            control = els[12]
            if len(control) == 9 and not control.isdigit():
                out.append(
                    self._finding(
                        seg,
                        "X12-ISA-CONTROL",
                        "ISA13 is not nine digits",
                        loop="ISA",
                        element="ISA13",
                        ack="018",
                        kind="TA1",
                    )
                )
            if control in self._seen_isa13:
                out.append(
                    self._finding(
                        seg,
                        "X12-ISA-DUPLICATE",
                        f"ISA13 {control} is repeated in this file",
                        loop="ISA",
                        element="ISA13",
                        ack="025",
                        kind="TA1",
                        severity=Severity.WARNING,
                    )
                )
            self._seen_isa13.add(control)
        if len(els) > 13 and len(els[13]) == 1 and els[13] not in ("0", "1"):
            out.append(
                self._finding(
                    seg,
                    "X12-ISA-ACK-REQUESTED",
                    "ISA14 is not 0 or 1",
                    loop="ISA",
                    element="ISA14",
                    ack="019",
                    kind="TA1",
                )
            )
        if len(els) > 14 and len(els[14]) == 1 and els[14] not in ("P", "T"):
            out.append(
                self._finding(
                    seg, "X12-ISA-USAGE", "ISA15 is not P or T", loop="ISA", element="ISA15", ack="020", kind="TA1"
                )
            )

    def _close_isa(self, seg: Segment, out: list[Finding]) -> None:
        """``seg`` is an IEA."""
        isa = self._isa
        if isa is None:
            out.append(
                self._finding(seg, "X12-IEA-UNEXPECTED", "IEA without an open ISA", loop="ISA", ack="022", kind="TA1")
            )
            return
        self._isa = None
        els = seg.elements
        if len(els) != 2:
            out.append(
                self._finding(
                    seg,
                    "X12-IEA-ELEMENTS",
                    f"IEA has {len(els)} elements, 2 required",
                    loop="ISA",
                    ack="022",
                    kind="TA1",
                )
            )
        if els:
            declared = _count(els[0])
            if declared != self._isa_groups:
                out.append(
                    self._finding(
                        seg,
                        "X12-IEA-COUNT",
                        f"IEA01 declares {els[0]!r} functional groups; the interchange holds {self._isa_groups}",
                        loop="ISA",
                        element="IEA01",
                        ack="021",
                        kind="TA1",
                    )
                )
        isa13 = isa.elements[12] if len(isa.elements) > 12 else None
        iea02 = els[1] if len(els) > 1 else None
        if isa13 != iea02:
            out.append(
                self._finding(
                    seg,
                    "X12-IEA-CONTROL",
                    f"IEA02 {iea02!r} does not match ISA13 {isa13!r}",
                    loop="ISA",
                    element="IEA02",
                    ack="001",
                    kind="TA1",
                )
            )

    def _close_all(self, seg: Segment, out: list[Finding], *, at_end: bool) -> None:
        self._close_group(seg, out, "end of file" if at_end else seg.id)
        if self._isa is not None:
            where = "at end of file" if at_end else "before the next ISA"
            out.append(
                self._finding(
                    seg,
                    "X12-IEA-MISSING",
                    f"interchange ISA13 {self._isa_control()!r} has no IEA {where}",
                    loop="ISA",
                    ack="023",
                    kind="TA1",
                )
            )
            self._isa = None

    def _isa_control(self) -> str | None:
        if self._isa is None or len(self._isa.elements) < 13:
            return None
        return self._isa.elements[12]

    # -- functional group ----------------------------------------------------------------------------

    def _open_gs(self, seg: Segment, out: list[Finding]) -> None:
        self.counts.groups += 1
        if self._isa is None:
            out.append(
                self._finding(seg, "X12-GS-OUTSIDE", "GS outside an interchange", loop="ISA", ack="022", kind="TA1")
            )
        else:
            self._isa_groups += 1
        self._gs = seg
        self._gs_sets = 0
        els = seg.elements
        if len(els) != 8:
            out.append(
                self._finding(
                    seg,
                    "X12-GS-ELEMENTS",
                    f"GS has {len(els)} elements, 8 required",
                    loop="GS",
                    ack="024",
                    kind="TA1",
                )
            )
        if len(els) > 3 and not (len(els[3]) == 8 and _real_date(els[3], "%Y%m%d")):
            out.append(
                self._finding(
                    seg,
                    "X12-GS-DATE",
                    "GS04 is not a real CCYYMMDD date",
                    loop="GS",
                    element="GS04",
                    ack="024",
                    kind="TA1",
                )
            )
        if len(els) > 4 and not _real_gs_time(els[4]):
            out.append(
                self._finding(
                    seg,
                    "X12-GS-TIME",
                    "GS05 is not a real HHMM[SS[D[D]]] time",
                    loop="GS",
                    element="GS05",
                    ack="024",
                    kind="TA1",
                )
            )
        if len(els) > 5 and not (els[5].isdigit() and 1 <= len(els[5]) <= 9):
            out.append(
                self._finding(
                    seg, "X12-GS-CONTROL", "GS06 is not 1-9 digits", loop="GS", element="GS06", ack="6", kind="AK9"
                )
            )
        version = els[7] if len(els) > 7 else ""
        self.counts.versions[version] += 1

    def _close_gs(self, seg: Segment, out: list[Finding]) -> None:
        """``seg`` is a GE."""
        gs = self._gs
        if gs is None:
            out.append(
                self._finding(seg, "X12-GE-UNEXPECTED", "GE without an open GS", loop="GS", ack="022", kind="TA1")
            )
            return
        self._gs = None
        els = seg.elements
        if els:
            declared = _count(els[0])
            if declared != self._gs_sets:
                out.append(
                    self._finding(
                        seg,
                        "X12-GE-COUNT",
                        f"GE01 declares {els[0]!r} transaction sets; the group holds {self._gs_sets}",
                        loop="GS",
                        element="GE01",
                        ack="5",
                        kind="AK9",
                    )
                )
        gs06 = gs.elements[5] if len(gs.elements) > 5 else None
        ge02 = els[1] if len(els) > 1 else None
        if gs06 != ge02:
            out.append(
                self._finding(
                    seg,
                    "X12-GE-CONTROL",
                    f"GE02 {ge02!r} does not match GS06 {gs06!r}",
                    loop="GS",
                    element="GE02",
                    ack="4",
                    kind="AK9",
                )
            )

    def _close_group(self, seg: Segment, out: list[Finding], before: str) -> None:
        """Close an open ST and GS that lack their trailers (``seg`` is the segment that ended them)."""
        self._close_st(seg, out, before)
        if self._gs is not None:
            gs06 = self._gs.elements[5] if len(self._gs.elements) > 5 else None
            out.append(
                self._finding(
                    seg,
                    "X12-GE-MISSING",
                    f"functional group GS06 {gs06!r} has no GE before {before}",
                    loop="GS",
                    ack="3",
                    kind="AK9",
                )
            )
            self._gs = None

    # -- transaction set -----------------------------------------------------------------------------

    def _open_st(self, seg: Segment, out: list[Finding]) -> None:
        self.counts.transaction_sets += 1
        self._st = seg
        self._st_segments = 1
        els = seg.elements
        if self._gs is None:
            out.append(
                self._finding(seg, "X12-ST-OUTSIDE", "ST outside a functional group", loop="ST", ack="18", kind="IK5")
            )
        else:
            self._gs_sets += 1
        st01 = els[0] if els else ""
        if not (len(st01) == 3 and st01.isdigit()):
            out.append(
                self._finding(
                    seg,
                    "X12-ST-ID",
                    "ST01 is not a three-digit transaction set identifier",
                    loop="ST",
                    element="ST01",
                    ack="6",
                    kind="IK5",
                )
            )
        st02 = els[1] if len(els) > 1 else ""
        if not 4 <= len(st02) <= 9:
            out.append(
                self._finding(
                    seg,
                    "X12-ST-CONTROL",
                    "ST02 is not 4-9 characters",
                    loop="ST",
                    element="ST02",
                    ack="7",
                    kind="IK5",
                )
            )
        gs08 = ""
        if self._gs is not None and len(self._gs.elements) > 7:
            gs08 = self._gs.elements[7]
        self.counts.by_type[(st01, gs08)] += 1

    def _close_se(self, seg: Segment, out: list[Finding]) -> None:
        st = self._st
        if st is None:
            out.append(
                self._finding(seg, "X12-SE-UNEXPECTED", "SE without an open ST", loop="ST", ack="022", kind="TA1")
            )
            return
        self._st = None
        actual = self._st_segments + 1
        els = seg.elements
        declared = _count(els[0]) if els else None
        if declared != actual:
            shown = els[0] if els else None
            out.append(
                self._finding(
                    seg,
                    "X12-SE-COUNT",
                    f"SE01 declares {shown!r} segments; ST..SE holds {actual}",
                    loop="ST",
                    element="SE01",
                    ack="4",
                    kind="IK5",
                )
            )
        st02 = st.elements[1] if len(st.elements) > 1 else None
        se02 = els[1] if len(els) > 1 else None
        if st02 != se02:
            out.append(
                self._finding(
                    seg,
                    "X12-SE-CONTROL",
                    f"SE02 {se02!r} does not match ST02 {st02!r}",
                    loop="ST",
                    element="SE02",
                    ack="3",
                    kind="IK5",
                )
            )

    def _close_st(self, seg: Segment, out: list[Finding], before: str) -> None:
        if self._st is not None:
            st02 = self._st.elements[1] if len(self._st.elements) > 1 else None
            out.append(
                self._finding(
                    seg,
                    "X12-SE-MISSING",
                    f"transaction set ST02 {st02!r} has no SE before {before}",
                    loop="ST",
                    ack="2",
                    kind="IK5",
                )
            )
            self._st = None


def check_envelopes(segments: Iterable[Segment], *, counts: EnvelopeCounts | None = None) -> Iterator[Finding]:
    """Envelope findings for a stream of segments, in one pass; fills ``counts`` when given."""
    checker = EnvelopeChecker()
    if counts is not None:
        checker.counts = counts
    last: Segment | None = None
    for segment in segments:
        last = segment
        yield from checker.feed(segment)
    yield from checker.finish(last)


def summarize(segments: Iterable[Segment]) -> EnvelopeCounts:
    """Structure counts of a file (interchanges, groups, transaction sets by ST01 and GS08)."""
    counts = EnvelopeCounts()
    for _ in check_envelopes(segments, counts=counts):
        pass
    return counts


def validate_envelopes(data: bytes | str, *, name: str) -> EnvelopeReport:
    """A verdict for any input: tokenizer failures become one error finding instead of an exception."""
    counts = EnvelopeCounts()
    try:
        findings = tuple(check_envelopes(iter_segments(data, name=name), counts=counts))
    except X12SyntaxError as exc:
        finding = Finding(Severity.ERROR, "X12-SYNTAX", exc.message, loop="ISA")
        return EnvelopeReport(name, False, (finding,), counts)
    accepted = not any(f.is_error for f in findings)
    return EnvelopeReport(name, accepted, findings, counts)
