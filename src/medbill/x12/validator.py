"""Full X12 validation of a file: envelopes, then each transaction set against its implementation guide.

``X12Validator`` has the same feed/finish shape as the envelope checker, so one streaming pass serves the
verdict, the JSON report and the 999. Which guide applies comes from ST01 and the implementation reference
(ST03, else the group's GS08); a set with no guide medbill knows is rejected with IK502 = 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medbill.errors import X12SyntaxError
from medbill.issues import Severity
from medbill.x12.envelope import EnvelopeChecker, EnvelopeCounts
from medbill.x12.findings import Finding
from medbill.x12.rules import rules_for
from medbill.x12.schema import Schema, available_schemas, load_schema, schema_key_for, versions_for
from medbill.x12.tokens import Segment, iter_file_segments, iter_segments
from medbill.x12.walker import CleanSegments, ExternalCheck, SegmentHook, TransactionWalker

MAX_FINDINGS_PER_SET = 500
"""A badly broken set stops collecting findings here (one more finding says so); memory stays bounded."""

_CONTROL = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_NOTHING: list[Finding] = []
"""Returned (never modified) for the many segments with nothing to report."""
HookFactory = Callable[[Schema], tuple[SegmentHook, ...]]


@dataclass(frozen=True)
class Checks:
    """Which checks to run, in a form another process can rebuild: the TR3 rules always; with
    ``code_sets_home`` the code sets from the code library in that MEDBILL_HOME, judged on ``today``."""

    code_sets_home: Path | None = None
    today: dt.date | None = None

    def build(self) -> tuple[ExternalCheck | None, HookFactory]:
        if self.code_sets_home is None:
            return None, rules_for(None, today=self.today)
        from medbill.codes.library import CodeLibrary
        from medbill.x12.rules import CodeSets

        codes = CodeSets(CodeLibrary.open(self.code_sets_home))
        return codes.external(self.today or dt.date.today()), rules_for(codes, today=self.today)


def _pick_schema(st: Segment, gs08: str) -> tuple[Schema | None, str]:
    """The schema for an ST and a reason when there is none."""
    st01 = st.elements[0] if st.elements else ""
    st03 = st.elements[2] if len(st.elements) > 2 and st.elements[2] else ""
    version = st03 or gs08
    key = schema_key_for(st01, version)
    if key is None:
        known = versions_for(st01)
        # A non-adopted version of a known transaction (X222A2, X223A1 …): validate by the adopted guide of the
        # same base guide, and ST03's code check reports the version.
        base = [v for v in known if version[:10] and v.startswith(version[:10])]
        if base:
            key = schema_key_for(st01, base[0])
        elif len(known) == 1:
            key = schema_key_for(st01, known[0])
    if key is None or key not in available_schemas():
        what = f"{st01 or '(empty)'} {version}".strip()
        return None, f"transaction set {what} is not supported (medbill validates {', '.join(available_schemas())})"
    return load_schema(key), ""


class X12Validator:
    """Feed every segment of a file; ``finish`` at the end. Findings come back as they are known."""

    def __init__(
        self,
        *,
        external: ExternalCheck | None = None,
        hooks: HookFactory | None = None,
        envelope_only: bool = False,
        envelopes: bool = True,
        sets_before: int | None = None,
    ) -> None:
        self.envelope = EnvelopeChecker()
        self.envelope_only = envelope_only
        self.envelopes = envelopes
        """False: no envelope checks (a worker validating a range of transaction sets; the parent checks them)."""
        self.sets_before = sets_before
        """Validate only the transaction sets starting before this offset (the rest go to workers)."""
        self.external = external
        self.hooks = hooks
        self.component = ":"
        self.repetition: str | None = None
        self._gs08 = ""
        self._walker: TransactionWalker | None = None
        self._walker_st: Segment | None = None
        self._clean = CleanSegments()
        self._clean_delimiters: tuple[str, str | None] = (self.component, self.repetition)
        self._set_findings = 0
        self.schemas_used: dict[str, int] = {}

    @property
    def counts(self) -> EnvelopeCounts:
        return self.envelope.counts

    def feed(self, seg: Segment) -> list[Finding]:
        sid = seg.id
        walker = self._walker
        if walker is not None and sid and sid not in _CONTROL:
            # The hot path: a body segment of an open set. The envelope checker only counts it.
            if self.envelopes:
                self.envelope.body_segment()
            walker.feed(seg)
            if walker.findings:
                out: list[Finding] = []
                self._drain_from(walker, out)
                return out
            return _NOTHING
        out = self.envelope.feed(seg) if self.envelopes else []
        if sid not in _CONTROL:
            if walker is not None:
                walker.feed(seg)
                self._drain_from(walker, out)
            return out
        if sid == "ISA":
            self._end_set(None, out)
            values = seg.elements
            if len(values) >= 16 and values[15]:
                self.component = values[15][0]
            rep = values[10] if len(values) >= 11 else ""
            self.repetition = rep if len(rep) == 1 and not rep.isalnum() else None
        elif sid == "GS":
            self._end_set(None, out)
            self._gs08 = seg.elements[7] if len(seg.elements) >= 8 else ""
        elif sid in ("GE", "IEA"):
            self._end_set(None, out)
        elif sid == "ST":
            self._end_set(None, out)
            self._start_set(seg, out)
        else:  # SE
            self._end_set(seg, out)
        return out

    def finish(self, last: Segment | None) -> list[Finding]:
        out = self.envelope.finish(last) if self.envelopes else []
        self._end_set(None, out)
        return out

    def _start_set(self, st: Segment, out: list[Finding]) -> None:
        if self.envelope_only or (self.sets_before is not None and st.offset >= self.sets_before):
            return
        schema, reason = _pick_schema(st, self._gs08)
        self._set_findings = 0
        if schema is None:
            out.append(Finding(Severity.ERROR, "X12-TS-UNSUPPORTED", reason, st.index, "ST", "ST", "ST01", "1", "IK5"))
            return
        self.schemas_used[schema.key] = self.schemas_used.get(schema.key, 0) + 1
        self._walker_st = st
        hooks = self.hooks(schema) if self.hooks is not None else ()
        if self._clean_delimiters != (self.component, self.repetition):
            self._clean = CleanSegments()  # element checks depend on the interchange's delimiters
            self._clean_delimiters = (self.component, self.repetition)
        self._walker = TransactionWalker(
            schema,
            st,
            component=self.component,
            repetition=self.repetition,
            external=self.external,
            hooks=hooks,
            clean=self._clean,
        )
        self._drain(out)

    def _end_set(self, se: Segment | None, out: list[Finding]) -> None:
        walker = self._walker
        if walker is None:
            return
        self._walker = None
        walker.finish(se)
        self._drain_from(walker, out)

    def _drain(self, out: list[Finding]) -> None:
        if self._walker is not None:
            self._drain_from(self._walker, out)

    def _drain_from(self, walker: TransactionWalker, out: list[Finding]) -> None:
        if not walker.findings:
            return
        room = MAX_FINDINGS_PER_SET - self._set_findings
        taken = walker.findings[: max(room, 0)]
        if len(walker.findings) > room >= 0:
            taken.append(
                Finding(
                    Severity.ERROR,
                    "X12-TOO-MANY-FINDINGS",
                    f"more than {MAX_FINDINGS_PER_SET} findings in this transaction set; the rest are not listed",
                    walker.current.index,
                    walker.current.id,
                    walker.loop_id,
                )
            )
            self._set_findings = MAX_FINDINGS_PER_SET + 1
        else:
            self._set_findings += len(taken)
        out.extend(taken)
        walker.findings.clear()


@dataclass
class ValidationReport:
    file: str
    accepted: bool
    findings: tuple[Finding, ...]
    counts: EnvelopeCounts
    schemas: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "accepted": self.accepted,
            "counts": self.counts.to_dict(),
            "guides": dict(sorted(self.schemas.items())),
            "errors": sum(1 for f in self.findings if f.is_error),
            "warnings": sum(1 for f in self.findings if not f.is_error),
            "findings": [f.to_dict() for f in self.findings],
        }


def iter_findings(validator: X12Validator, data: bytes | str | Path, *, name: str) -> Iterator[Finding]:
    """Stream the findings of ``data`` (a file path is read in chunks); X12SyntaxError when it is not X12."""
    last: Segment | None = None
    segments = iter_file_segments(data, name=name) if isinstance(data, Path) else iter_segments(data, name=name)
    for seg in segments:
        last = seg
        yield from validator.feed(seg)
    yield from validator.finish(last)


def validate_x12(
    data: bytes | str | Path,
    *,
    name: str,
    external: ExternalCheck | None = None,
    hooks: HookFactory | None = None,
    workers: int = 1,
    checks: Checks | None = None,
) -> ValidationReport:
    """A verdict for any input: envelope and implementation-guide findings; never raises on bad data. Given a
    ``Path``, the file is read in chunks, so memory does not grow with the file.

    ``workers`` > 1 validates a large file's transaction sets in that many processes (see ``x12.parallel``); each
    worker rebuilds its checks from ``checks``. ``external``/``hooks``, when given with ``checks``, are those same
    checks already built (a caller validating many files builds them once); this process uses them."""
    if workers > 1 and isinstance(data, Path) and (checks is not None or (external is None and hooks is None)):
        from medbill.x12.parallel import validate_parallel

        parallel = validate_parallel(
            data, name=name, workers=workers, checks=checks or Checks(), external=external, hooks=hooks
        )
        if parallel is not None:
            return parallel  # None: a file too small, not ASCII, or with mixed delimiters goes the single way
    if checks is not None and external is None and hooks is None:
        external, hooks = checks.build()
    validator = X12Validator(external=external, hooks=hooks if hooks is not None else rules_for(None))
    try:
        findings = tuple(iter_findings(validator, data, name=name))
    except X12SyntaxError as exc:
        finding = Finding(Severity.ERROR, "X12-SYNTAX", exc.message, loop="ISA")
        return ValidationReport(name, False, (finding,), validator.counts)
    accepted = not any(f.is_error for f in findings)
    return ValidationReport(name, accepted, findings, validator.counts, validator.schemas_used)


@dataclass
class PlacedSet:
    """One transaction set with every segment placed in its loop: what typed readers build models from."""

    key: str
    """The guide: 837P, 837I, 835, 999, 277CA, 277, 270, 271, 276."""
    st: Segment
    segments: list[tuple[tuple[str, ...], Segment]] = field(default_factory=list)
    """(open loops from the transaction set down, e.g. ("ST", "2000A", "2000B", "2300", "2400"), segment)."""
    findings: list[Finding] = field(default_factory=list)
    delimiters: tuple[str, str | None] = (":", None)
    """(component separator, repetition separator) of the interchange."""


class _Recorder(SegmentHook):
    def __init__(self, placed: PlacedSet) -> None:
        self.placed = placed

    def segment(self, walker: TransactionWalker, segdef: object, seg: Segment) -> None:
        self.placed.segments.append((walker.open_loops(), seg))


def placed_sets(data: bytes | str, *, name: str) -> Iterator[PlacedSet]:
    """Each transaction set of ``data`` (one at a time, so memory holds one set), with its findings.

    X12SyntaxError when the data is not X12. Sets with no guide medbill knows are skipped.
    """
    current: list[PlacedSet] = []
    done: list[PlacedSet] = []

    def hooks(schema: Schema) -> tuple[SegmentHook, ...]:
        placed = PlacedSet(schema.key, validator._walker_st or Segment("ST", (), 0, 0, 0))
        placed.delimiters = (validator.component, validator.repetition)
        current.append(placed)
        return (_Recorder(placed), *rules_for(None)(schema))

    validator = X12Validator(hooks=hooks)
    last: Segment | None = None
    for seg in iter_segments(data, name=name):
        last = seg
        found = validator.feed(seg)
        if current:
            current[-1].findings.extend(found)
        if seg.id == "SE" and current:
            done.append(current.pop())
        while done:
            yield done.pop(0)
    found = validator.finish(last)
    if current:
        current[-1].findings.extend(found)
        yield current.pop()
