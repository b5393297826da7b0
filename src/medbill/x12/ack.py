"""Acknowledgments for an inbound X12 file: a TA1 per interchange and a 999 (005010X231A1) per functional group.

The envelope findings (``medbill.x12.envelope``) carry the codes: ``ack_kind`` "TA1" findings become TA105 note
codes, "AK9" findings AK905..AK909 codes and "IK5" findings IK502..IK506 codes. One streaming pass feeds the
segments to an ``EnvelopeChecker`` and routes each finding to the interchange, group or transaction set it is
about; only the headers and the verdicts are kept, never the transaction-set content.

Rules applied (X12 005010X231A1 and the X12.5 interchange control structure):

* TA1 (one per inbound interchange, each in its own ISA/TA1/IEA interchange, IEA01 = 0): TA101/TA102/TA103 =
  inbound ISA13/ISA09/ISA10; TA104 = R when a TA1-kind finding is an error, E when there are only TA1-kind
  warnings, else A; TA105 = the note code of the first TA1-kind error (of the first warning when there is no
  error), 000 when there is none.
* 999 (one per inbound functional group, each in its own ISA/GS/ST..SE/GE/IEA): AK1 = inbound GS01/GS06/GS08;
  per transaction set AK2 = ST01/ST02[/ST03] and IK5: IK501 = R when one of its IK5-kind findings is an error,
  E when there are only warnings, else A; IK502.. = the distinct codes, at most five.
  AK9: AK902 = GE01 as declared (the count of sets when GE is missing or GE01 is not a number);
  AK903 = sets received; AK904 = sets accepted (IK501 A or E; 0 when the group itself is rejected);
  AK905.. = the distinct AK9-kind codes, at most five. AK901 = R when an AK9-kind finding is an error or no
  received set is accepted, P when some but not all are accepted, E when a set is E or an AK9-kind finding
  is a warning, else A. Code list 716 (AK905) has no value for "a transaction set was rejected": a group whose
  only problem is a rejected set gets AK9*R (or P) with no AK905.
* An interchange rejected by its TA1 (TA104 = R) is not processed further, so its groups get no 999
  (``process_rejected=True`` builds them anyway).
* Input that cannot be tokenized (no well-formed ISA): no acknowledgment at all. A TA1 must name the inbound
  ISA13, ISA09 and ISA10 and is addressed to the inbound ISA05/ISA06; without a readable ISA none of those
  exists, so any TA1 would be invented. ``Acknowledgments.syntax_error`` carries the reason instead.
* Transaction sets outside any functional group (IK5 code 18) have no AK1 to report under; they are not
  acknowledged (their interchange's TA1 is unaffected).

Values copied from the inbound file keep only printable ASCII and lose any character that is one of the
outbound delimiters, so every acknowledgment is itself a well-formed interchange. Control numbers: ISA13
runs from ``control_number`` (TA1 interchanges first, then the 999 interchanges), GS06 from
``group_control_number`` and ST02 from ``set_control_number``; re-acknowledging with the same numbers gives
the same text. Counts (SE01, GE01, IEA01) are computed from the segments built.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from medbill.errors import X12SyntaxError
from medbill.fileio import write_atomic
from medbill.x12.findings import Finding
from medbill.x12.tokens import ISA_WIDTHS, Delimiters, Segment, iter_segments, serialize
from medbill.x12.validator import HookFactory, X12Validator
from medbill.x12.walker import ExternalCheck

DEFAULT_DELIMITERS = Delimiters("*", ":", "^", "~")
IMPLEMENTATION = "005010X231A1"
_MAX_CONTROL = 999_999_999
_MAX_CODES = 5


@dataclass
class _Set:
    st: Segment
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Group:
    gs: Segment
    ge: Segment | None = None
    sets: list[_Set] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Interchange:
    isa: Segment
    groups: list[_Group] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Acknowledgments:
    """The acknowledgment interchanges for one inbound file, as X12 text."""

    ta1s: list[str]
    """One ISA/TA1/IEA interchange per inbound interchange."""
    acks_999: list[str]
    """One ISA/GS/ST(999)/SE/GE/IEA interchange per acknowledged functional group."""
    syntax_error: str | None = None
    """Why nothing could be acknowledged, when the input could not be tokenized."""

    @property
    def ta1(self) -> str | None:
        """The first (usually only) TA1 interchange."""
        return self.ta1s[0] if self.ta1s else None


class _Builder:
    """Builds outbound segments and hands out control numbers in order."""

    def __init__(
        self, delimiters: Delimiters, now: datetime, control: int, group_control: int, set_control: int
    ) -> None:
        self.delimiters = delimiters
        self.now = now
        self._control = control
        self._group_control = group_control
        self._set_control = set_control
        self._banned = {delimiters.element, delimiters.component, delimiters.segment}
        if delimiters.repetition is not None:
            self._banned.add(delimiters.repetition)

    @staticmethod
    def _next(value: int) -> int:
        return 1 if value >= _MAX_CONTROL else value + 1

    def take_control(self) -> int:
        value = self._control
        self._control = self._next(value)
        return value

    def take_group_control(self) -> int:
        value = self._group_control
        self._group_control = self._next(value)
        return value

    def take_set_control(self) -> int:
        value = self._set_control
        self._set_control = self._next(value)
        return value

    def clean(self, value: str, limit: int | None = None) -> str:
        """A copied value with only printable ASCII that is not an outbound delimiter."""
        kept = "".join(ch for ch in value if " " <= ch <= "~" and ch not in self._banned)
        return kept[:limit] if limit is not None else kept

    def isa(self, inbound: Segment, control: int) -> Segment:
        els = inbound.elements

        def fixed(number: int) -> str:
            width = ISA_WIDTHS[number - 1]
            value = els[number - 1] if len(els) >= number else ""
            return self.clean(value, width).ljust(width)

        usage = els[14] if len(els) > 14 and els[14] in ("P", "T") else "T"
        repetition = self.delimiters.repetition or "U"
        elements = (
            "00",
            " " * 10,
            "00",
            " " * 10,
            fixed(7),
            fixed(8),
            fixed(5),
            fixed(6),
            self.now.strftime("%y%m%d"),
            self.now.strftime("%H%M"),
            repetition,
            "00501",
            f"{control:09d}",
            "0",
            usage,
            self.delimiters.component,
        )
        return _seg("ISA", *elements)

    def serialize(self, segments: Sequence[Segment]) -> str:
        return serialize(segments, self.delimiters)


def _seg(sid: str, *elements: str) -> Segment:
    return Segment(sid, tuple(elements), 0, 0, 0)


def _element(segment: Segment | None, number: int) -> str:
    if segment is None or len(segment.elements) < number:
        return ""
    return segment.elements[number - 1]


def _verdict(findings: Sequence[Finding]) -> str:
    """A (none), E (warnings only) or R (an error)."""
    if any(f.is_error for f in findings):
        return "R"
    return "E" if findings else "A"


def _codes(findings: Sequence[Finding]) -> list[str]:
    out: list[str] = []
    for f in sorted(findings, key=lambda f: not f.is_error):
        if f.ack is not None and f.ack not in out:
            out.append(f.ack)
    return out[:_MAX_CODES]


def _check_delimiters(d: Delimiters) -> None:
    chars = [d.element, d.component, d.segment] + ([d.repetition] if d.repetition is not None else [])
    bad = any(len(c) != 1 or c.isalnum() or c == " " for c in chars) or d.element in "\t\r\n"
    if bad or len(set(chars)) != len(chars):
        raise ValueError(f"invalid outbound delimiters {d!r}: need distinct single non-alphanumeric characters")


def _read(data: bytes | str, name: str, checker: X12Validator) -> list[_Interchange]:
    """Interchanges, groups and transaction sets of ``data`` with their findings (one streaming pass)."""
    interchanges: list[_Interchange] = []
    ich: _Interchange | None = None
    grp: _Group | None = None
    tset: _Set | None = None
    last: Segment | None = None

    def route(findings: list[Finding], new_group: _Group | None = None, new_set: _Set | None = None) -> None:
        """Attach findings to the open envelopes, or to the ones ``seg`` just opened when given."""
        for f in findings:
            if f.ack_kind == "TA1" and interchanges:
                (ich or interchanges[-1]).findings.append(f)
            elif f.ack_kind == "AK9":
                group = new_group or grp
                if group is not None:
                    group.findings.append(f)
            elif f.ack_kind in ("IK5", "IK3", "IK4"):
                target = new_set or tset
                if target is not None:
                    target.findings.append(f)

    for seg in iter_segments(data, name=name):
        last = seg
        grp_new: _Group | None = None
        set_new: _Set | None = None
        sid = seg.id
        findings = checker.feed(seg)
        # Findings about the envelopes this segment closes come first; those about the one it opens
        # (codes "X12-ISA-...", "X12-GS-...", "X12-ST-...") are routed after the model is updated.
        opens = sid in ("ISA", "GS", "ST")
        opening: list[Finding] = []
        closing: list[Finding] = []
        for f in findings:
            about_new = f.code.startswith(f"X12-{sid}-") or (
                sid == "ST" and f.ack_kind in ("IK3", "IK4", "IK5") and f.segment_index == seg.index
            )
            (opening if opens and about_new else closing).append(f)
        route(closing)
        if sid == "ISA":
            ich, grp, tset = _Interchange(seg), None, None
            interchanges.append(ich)
        elif sid == "IEA":
            ich, grp, tset = None, None, None
        elif sid == "GS":
            grp_new = _Group(seg)
            (ich or interchanges[-1]).groups.append(grp_new)
            grp, tset = grp_new, None
        elif sid == "GE":
            if grp is not None:
                grp.ge = seg
            grp, tset = None, None
        elif sid == "ST":
            set_new = _Set(seg)
            if grp is not None:
                grp.sets.append(set_new)
            tset = set_new
        elif sid == "SE":
            tset = None
        route(opening, grp_new, set_new)
    route(checker.finish(last))
    return interchanges


MAX_SEGMENT_ERRORS = 100
"""IK3 loops per transaction set in a 999 (the rest are summarised by IK5 = R/E and code 5)."""


def _segment_errors(findings: Sequence[Finding]) -> list[Segment]:
    """IK3 (segment) and IK4 (element) segments, in file order, one IK3 per segment in error."""
    out: list[Segment] = []
    by_segment: dict[tuple[int, str], list[Finding]] = {}
    for f in findings:
        if f.ack_kind in ("IK3", "IK4") and f.segment_index is not None and f.position is not None:
            by_segment.setdefault((f.segment_index, f.code if f.ack_kind == "IK3" else ""), []).append(f)
    for (_, _kind), group in sorted(by_segment.items(), key=lambda item: item[0][0])[:MAX_SEGMENT_ERRORS]:
        first = group[0]
        sid = "".join(ch for ch in (first.segment_id or "") if ch.isalnum())[:3].upper()
        if len(sid) < 2:
            continue  # no segment id to name (an empty segment): IK5 still rejects the set
        seg_codes = [f.ack for f in group if f.ack_kind == "IK3" and f.ack]
        elements = [f for f in group if f.ack_kind == "IK4"]
        ik304 = seg_codes[0] if seg_codes else "8"
        loop = first.loop if first.loop and first.loop not in ("ST", "GS", "ISA") else ""
        out.append(_seg("IK3", sid, str(first.position), loop[:4], ik304))
        for f in elements[:99]:
            where = str(f.element_position or 0)
            if f.component_position is not None or f.repeat_position is not None:
                where += f":{f.component_position or ''}"
                if f.repeat_position is not None:
                    where += f":{f.repeat_position}"
            number = f.element_number if f.element_number and f.element_number.isdigit() else ""
            out.append(_seg("IK4", where, number, f.ack or "", ""))
    return [Segment(s.id, _trim(s.elements), 0, 0, 0) for s in out]


def _trim(elements: tuple[str, ...]) -> tuple[str, ...]:
    values = list(elements)
    while values and not values[-1]:
        values.pop()
    return tuple(values)


def _ta1(builder: _Builder, ich: _Interchange) -> str:
    control = builder.take_control()
    isa = builder.isa(ich.isa, control)
    errors = [f for f in ich.findings if f.is_error]
    first = errors[0] if errors else (ich.findings[0] if ich.findings else None)
    note = first.ack if first is not None and first.ack is not None else "000"
    ta1 = _seg(
        "TA1",
        builder.clean(_element(ich.isa, 13), 9),
        builder.clean(_element(ich.isa, 9), 6),
        builder.clean(_element(ich.isa, 10), 4),
        _verdict(ich.findings),
        note,
    )
    return builder.serialize([isa, ta1, _seg("IEA", "0", f"{control:09d}")])


def _group_999(builder: _Builder, ich: _Interchange, grp: _Group) -> str:
    control = builder.take_control()
    group_control = builder.take_group_control()
    st02 = f"{builder.take_set_control():04d}"
    isa = builder.isa(ich.isa, control)
    fallback_sender = builder.clean(_element(ich.isa, 8)).strip()
    fallback_receiver = builder.clean(_element(ich.isa, 6)).strip()
    gs = _seg(
        "GS",
        "FA",
        builder.clean(_element(grp.gs, 3), 15) or fallback_sender or "UNKNOWN",
        builder.clean(_element(grp.gs, 2), 15) or fallback_receiver or "UNKNOWN",
        builder.now.strftime("%Y%m%d"),
        builder.now.strftime("%H%M"),
        str(group_control),
        "X",
        IMPLEMENTATION,
    )
    body: list[Segment] = [
        _seg("ST", "999", st02, IMPLEMENTATION),
        _seg(
            "AK1",
            builder.clean(_element(grp.gs, 1), 2),
            builder.clean(_element(grp.gs, 6), 9),
            builder.clean(_element(grp.gs, 8), 12),
        ),
    ]
    accepted = 0
    for tset in grp.sets:
        ak2 = [builder.clean(_element(tset.st, 1), 3), builder.clean(_element(tset.st, 2), 9)]
        st03 = builder.clean(_element(tset.st, 3), 35)
        if st03:
            ak2.append(st03)
        verdict = _verdict(tset.findings)
        accepted += verdict != "R"
        body.append(_seg("AK2", *ak2))
        body.extend(_segment_errors(tset.findings))
        codes = _codes([f for f in tset.findings if f.ack_kind == "IK5"])
        if any(f.is_error and f.ack_kind in ("IK3", "IK4") for f in tset.findings) and "5" not in codes:
            codes = [*codes, "5"][:_MAX_CODES]
        body.append(_seg("IK5", verdict, *codes))
    received = len(grp.sets)
    group_rejected = any(f.is_error for f in grp.findings)
    if group_rejected:
        accepted = 0
    declared = _element(grp.ge, 1)
    included = declared if grp.ge is not None and declared.isdigit() and len(declared) <= 6 else str(received)
    if group_rejected or (received and not accepted):
        status = "R"
    elif accepted < received:
        status = "P"
    elif grp.findings or any(_verdict(s.findings) == "E" for s in grp.sets):
        status = "E"
    else:
        status = "A"
    body.append(_seg("AK9", status, included, str(received), str(accepted), *_codes(grp.findings)))
    body.append(_seg("SE", str(len(body) + 1), st02))
    segments = [
        isa,
        gs,
        *body,
        _seg("GE", "1", str(group_control)),
        _seg("IEA", "1", f"{control:09d}"),
    ]
    return builder.serialize(segments)


def acknowledge(
    data: bytes | str,
    *,
    name: str,
    control_number: int,
    now: datetime | None = None,
    delimiters: Delimiters | None = None,
    group_control_number: int | None = None,
    set_control_number: int = 1,
    process_rejected: bool = False,
    external: ExternalCheck | None = None,
    hooks: HookFactory | None = None,
    envelope_only: bool = False,
) -> Acknowledgments:
    """TA1 and 999 acknowledgments for an inbound X12 file.

    ``control_number`` is the first outbound ISA13 (1..999999999); ``group_control_number`` the first GS06
    (default: ``control_number``); ``set_control_number`` the first ST02. ``now`` (default: the current local
    time) dates the outbound ISA and GS. Transaction sets are validated against their implementation guide
    (IK3/IK4 segments in the 999) unless ``envelope_only``; ``external`` and ``hooks`` add code-set checks.
    Data problems never raise: unreadable input gives an empty result with ``syntax_error`` set.
    ``ValueError`` only for invalid arguments.
    """
    out = delimiters or DEFAULT_DELIMITERS
    _check_delimiters(out)
    group_start = control_number if group_control_number is None else group_control_number
    for label, value in (
        ("control_number", control_number),
        ("group_control_number", group_start),
        ("set_control_number", set_control_number),
    ):
        if not 1 <= value <= _MAX_CONTROL:
            raise ValueError(f"{label} must be between 1 and {_MAX_CONTROL}, not {value}")
    when = now if now is not None else datetime.now(UTC).astimezone()
    try:
        from medbill.x12.rules import rules_for

        checker = X12Validator(
            external=external, hooks=hooks if hooks is not None else rules_for(None), envelope_only=envelope_only
        )
        interchanges = _read(data, name, checker)
    except X12SyntaxError as exc:
        return Acknowledgments([], [], exc.message)
    builder = _Builder(out, when, control_number, group_start, set_control_number)
    ta1s = [_ta1(builder, ich) for ich in interchanges]
    acks: list[str] = []
    for ich in interchanges:
        if not process_rejected and any(f.is_error for f in ich.findings):
            continue
        # Acknowledgments are not acknowledged: a group of 999s (GS01 = FA) gets no 999 back.
        acks.extend(_group_999(builder, ich, grp) for grp in ich.groups if _element(grp.gs, 1) != "FA")
    return Acknowledgments(ta1s, acks)


def _numbered(stem: str, suffix: str, count: int) -> list[str]:
    if count == 1:
        return [f"{stem}.{suffix}"]
    return [f"{stem}.{n}.{suffix}" for n in range(1, count + 1)]


def write_acks(directory: Path, stem: str, acks: Acknowledgments) -> list[Path]:
    """Write ``<stem>.ta1`` and ``<stem>.999`` (``<stem>.<n>.ta1`` / ``<stem>.<n>.999`` when there are several).

    Each file is written to a temporary file in ``directory`` and renamed into place, so a reader never sees
    a partial acknowledgment. Returns the paths written, TA1 files first.
    """
    directory.mkdir(parents=True, exist_ok=True)
    # Acknowledgments left from an earlier run for the same stem would sit beside these as a mismatched set.
    for suffix in ("ta1", "999"):
        for stale in (
            *directory.glob(f"{glob.escape(stem)}.{suffix}"),
            *directory.glob(f"{glob.escape(stem)}.*.{suffix}"),
        ):
            stale.unlink()
    written: list[Path] = []
    for suffix, texts in (("ta1", acks.ta1s), ("999", acks.acks_999)):
        for filename, text in zip(_numbered(stem, suffix, len(texts)), texts, strict=True):
            path = directory / filename
            write_atomic(path, text)
            written.append(path)
    return written


__all__ = ["DEFAULT_DELIMITERS", "IMPLEMENTATION", "Acknowledgments", "acknowledge", "write_acks"]
