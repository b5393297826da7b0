"""Implementation-guide validation of one transaction set: place every segment in its loop, check every element.

The walker keeps a stack of open loops (innermost last). A segment is looked for in the innermost loop from the
current position on, then in each enclosing loop; a loop's own first segment seen again from inside it opens a
new instance of that loop in its parent. Leaving a loop (or passing items) reports the required segments and
loops that never came. Memory is the open-loop stack, so it does not grow with the size of the set.

Element checks follow the guide's usage, the data element's type and length, code lists, patterns, repeats,
composites and the segment's syntax notes; code-set and balancing rules run in ``medbill.x12.rules`` through
the ``SegmentHook`` protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from medbill.issues import Severity
from medbill.x12.fastcheck import FastCheck
from medbill.x12.findings import Finding
from medbill.x12.schema import ElementDef, LoopDef, Schema, SegmentDef, code_list
from medbill.x12.tokens import Segment
from medbill.x12.values import DECIMAL, INTEGER, real_date, real_time

ExternalCheck = Callable[[str, str], bool | None]
"""(list name, value) → valid? (None when the list is unknown to the caller)."""


class CleanSegments:
    """Segments (schema position and element values) whose element checks found nothing.

    Files repeat segments verbatim (the payer's NM1, an SV1 with the same code and charge, a date); a repeat
    skips the element checks. The walkers of one validator share it, with the same delimiters and code-set
    checks (the element checks depend on nothing else). Bounded: emptied when it reaches ``limit`` keys.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.keys: set[tuple[int, tuple[str, ...]]] = set()
        self.limit = limit

    def add(self, key: tuple[int, tuple[str, ...]]) -> None:
        if len(self.keys) >= self.limit:
            self.keys.clear()
        self.keys.add(key)


@dataclass(slots=True)
class _Frame:
    loop: LoopDef
    pos: int
    counts: list[int]


class SegmentHook:
    """Receives each placed segment; rules that span segments (balancing, code sets on the claim's dates)."""

    handlers: Mapping[str, Callable[[TransactionWalker, SegmentDef, Segment], None]] | None = None
    """Segment id → the bound method called for it (None: ``segment`` is called for every segment)."""

    def segment(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        """Called after a segment is placed and its elements checked."""

    def loop_closed(self, walker: TransactionWalker, loop: LoopDef) -> None:
        """Called when a loop instance ends (a new instance, a sibling, or the end of the set)."""


class TransactionWalker:
    """Feed the segments of one transaction set after its ST; ``finish`` with the SE (or None if missing)."""

    def __init__(
        self,
        schema: Schema,
        st: Segment,
        *,
        component: str,
        repetition: str | None,
        external: ExternalCheck | None = None,
        hooks: tuple[SegmentHook, ...] = (),
        clean: CleanSegments | None = None,
    ) -> None:
        self.schema = schema
        self.clean = clean if clean is not None else CleanSegments()
        self.st = st
        self.component = component
        self.repetition = repetition
        self.external = external
        self.hooks = hooks
        self.findings: list[Finding] = []
        self.current: Segment = st
        self._stack: list[_Frame] = []
        root = schema.root
        frame = _Frame(root, 0, [0] * len(root.items))
        frame.counts[0] = 1
        self._stack.append(frame)
        self._check_elements(root.items[0], st)  # type: ignore[arg-type]

    # -- where we are ----------------------------------------------------------------------------------
    @property
    def loop_id(self) -> str:
        return self._stack[-1].loop.id

    @property
    def path(self) -> str:
        return "/".join(f.loop.id for f in self._stack[1:]) or "ST"

    def open_loops(self) -> tuple[str, ...]:
        return tuple(f.loop.id for f in self._stack)

    def position_of(self, seg: Segment) -> int:
        return seg.index - self.st.index + 1

    # -- findings ---------------------------------------------------------------------------------------
    def segment_finding(
        self,
        seg: Segment,
        code: str,
        ack: str,
        message: str,
        *,
        loop: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.findings.append(
            Finding(
                severity,
                code,
                message,
                segment_index=seg.index,
                segment_id=seg.id,
                loop=loop or self.loop_id,
                ack=ack,
                ack_kind="IK3",
                position=self.position_of(seg),
                path=self.path,
            )
        )

    def element_finding(
        self,
        seg: Segment,
        element: ElementDef,
        code: str,
        ack: str,
        message: str,
        *,
        component: int | None = None,
        repeat: int | None = None,
        position: int | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.findings.append(
            Finding(
                severity,
                code,
                message,
                segment_index=seg.index,
                segment_id=seg.id,
                loop=self.loop_id,
                element=element.ref,
                ack=ack,
                ack_kind="IK4",
                position=self.position_of(seg),
                element_position=position if position is not None else element.position,
                component_position=component,
                repeat_position=repeat,
                element_number=element.number or None,
                path=self.path,
            )
        )

    # -- placing segments -------------------------------------------------------------------------------
    def feed(self, seg: Segment) -> None:
        self.current = seg
        # The common case, inlined: the segment continues the innermost open loop (same result as _place, which
        # also looks there first; the qualifier test is SegmentDef.matches, unrolled for speed).
        stack = self._stack
        top = stack[-1]
        candidates = top.loop.candidates.get(seg.id)
        if candidates is not None:
            pos = top.pos
            nested = len(stack) > 1
            elements = seg.elements
            for k, segdef, q_index, q_comp, q_codes, opens_loop, fast in candidates:
                if k < pos or (k == 0 and nested):
                    continue
                if q_index >= 0:
                    if q_index >= len(elements):
                        continue
                    value = elements[q_index]
                    if q_comp >= 0 and self.component in value:
                        value = value.split(self.component)[q_comp]
                    elif q_comp > 0:
                        value = ""
                    if value not in q_codes:
                        continue
                counts = top.counts
                if k <= pos + 1 and not counts[k]:
                    top.pos = k  # the next item, first use: nothing skipped, no limit to check
                    counts[k] = 1
                else:
                    self._advance(top, k, seg)
                if opens_loop:
                    item = top.loop.items[k]
                    assert isinstance(item, LoopDef)
                    child = _Frame(item, 0, [0] * len(item.items))
                    child.counts[0] = 1
                    stack.append(child)
                if segdef.usage == "N" or fast is None or not fast(elements, self.component, self._external_ok):
                    self._open_segment(segdef, seg, None)
                else:
                    sid = seg.id
                    for hook in self.hooks:
                        handler = hook.handlers.get(sid) if hook.handlers is not None else hook.segment
                        if handler is not None:
                            handler(self, segdef, seg)
                return
        # Not the innermost loop by qualifier (checked just above): its parents, then anywhere without qualifiers.
        found = self._place(seg, by_qualifier=True, below=1) or self._place(seg, by_qualifier=False)
        if not found:
            self._unplaced(seg)

    def _place(self, seg: Segment, *, by_qualifier: bool, below: int = 0) -> bool:
        """Find the segment's place, from the loop ``below`` levels under the innermost one outwards."""
        stack = self._stack
        sid = seg.id
        elements = seg.elements
        component = self.component
        top = len(stack) - 1
        depth = top - below
        while depth >= 0:
            frame = stack[depth]
            candidates = frame.loop.candidates.get(sid)
            if candidates is not None:
                pos = frame.pos
                for k, segdef, _q_index, _q_comp, _q_codes, opens_loop, fast in candidates:
                    if k < pos or (k == 0 and depth > 0):
                        continue  # behind us, or this loop's own opener (a new instance: the parent decides)
                    if by_qualifier and not segdef.matches(elements, component):
                        continue
                    if depth != top:
                        self._close_to(depth, seg)
                    self._advance(frame, k, seg)
                    if opens_loop:
                        item = frame.loop.items[k]
                        assert isinstance(item, LoopDef)
                        child = _Frame(item, 0, [0] * len(item.items))
                        child.counts[0] = 1
                        stack.append(child)
                    self._open_segment(segdef, seg, fast)
                    return True
            depth -= 1
        return False

    def _open_segment(self, segdef: SegmentDef, seg: Segment, fast: FastCheck | None) -> None:
        if segdef.usage == "N":
            self.segment_finding(seg, "X12-SEGMENT-NOT-USED", "I4", f"{seg.id} ({segdef.name}) is not used here")
        if fast is None or not fast(seg.elements, self.component, self._external_ok):
            key = (id(segdef), seg.elements)
            clean = self.clean
            if key not in clean.keys:
                before = len(self.findings)
                self._check_elements(segdef, seg)
                if len(self.findings) == before:
                    clean.add(key)
        sid = seg.id
        for hook in self.hooks:
            handler = hook.handlers.get(sid) if hook.handlers is not None else hook.segment
            if handler is not None:
                handler(self, segdef, seg)

    def _advance(self, frame: _Frame, k: int, seg: Segment) -> None:
        loop = frame.loop
        if k > frame.pos + 1:
            self._missing(frame, frame.pos + 1, k, seg)
        frame.pos = k
        counts = frame.counts
        counts[k] += 1
        if counts[k] == 1:
            return
        item = loop.items[k]
        limit = item.max_use if isinstance(item, SegmentDef) else item.max_repeat
        if limit is not None and counts[k] == limit + 1:
            if isinstance(item, SegmentDef):
                self.segment_finding(
                    seg, "X12-SEGMENT-MAX-USE", "5", f"{seg.id} ({item.name}) is used more than {limit} time(s)"
                )
            else:
                self.segment_finding(
                    seg,
                    "X12-LOOP-MAX-REPEAT",
                    "4",
                    f"loop {item.id} ({item.name}) occurs more than {limit} time(s)",
                    loop=item.id,
                )

    def _missing(self, frame: _Frame, start: int, stop: int, at: Segment) -> None:
        """Required items in ``frame.loop.items[start:stop]`` that never occurred."""
        counts = frame.counts
        for k in frame.loop.required:
            if k < start or k >= stop or counts[k]:
                continue
            item = frame.loop.items[k]
            if isinstance(item, SegmentDef):
                msg = f"required segment {item.id} ({item.name}) is missing in loop {frame.loop.id}"
                self.segment_finding(at, "X12-SEGMENT-MISSING", "3", msg, loop=frame.loop.id)
            else:
                msg = f"required loop {item.id} ({item.name}) is missing in loop {frame.loop.id}"
                self.segment_finding(at, "X12-LOOP-MISSING", "3", msg, loop=item.id)

    def _close_to(self, depth: int, at: Segment) -> None:
        """Close the loops above ``depth``."""
        stack = self._stack
        while len(stack) - 1 > depth:
            frame = stack[-1]
            self._missing(frame, frame.pos + 1, len(frame.loop.items), at)
            for hook in self.hooks:
                hook.loop_closed(self, frame.loop)
            stack.pop()

    def _unplaced(self, seg: Segment) -> None:
        sid = seg.id
        if sid not in self.schema.segment_ids:
            self.segment_finding(
                seg, "X12-SEGMENT-UNKNOWN", "6", f"segment {sid or '(empty)'} is not in the {self.schema.key} guide"
            )
            return
        frame = self._stack[-1]
        if any(k < frame.pos for k in frame.loop.by_segment.get(sid, ())):
            self.segment_finding(
                seg, "X12-SEGMENT-ORDER", "7", f"segment {sid} is out of order in loop {frame.loop.id}"
            )
        else:
            self.segment_finding(
                seg, "X12-SEGMENT-UNEXPECTED", "2", f"segment {sid} is not expected in loop {frame.loop.id}"
            )

    def finish(self, se: Segment | None) -> list[Finding]:
        """Close every loop; ``se`` is the trailer (placed like any segment) or None when it is missing."""
        if se is not None:
            self.feed(se)
        at = se or self.current
        self._close_to(0, at)
        root = self._stack[0]
        if se is not None:
            self._missing(root, root.pos + 1, len(root.loop.items), at)
        for hook in self.hooks:
            hook.loop_closed(self, root.loop)
        return self.findings

    # -- elements --------------------------------------------------------------------------------------
    def _check_elements(self, segdef: SegmentDef, seg: Segment) -> None:
        """The general element check: runs when the compiled fast check (``x12.fastcheck``) could not say clean."""
        values = seg.elements
        defs = segdef.elements
        count = len(values)
        if count > len(defs) and any(values[len(defs) :]):
            self._too_many(segdef, seg)
        for k, ed in enumerate(defs):
            value = values[k] if k < count else ""
            if value:
                self._check_present(seg, ed, value)
            elif ed.usage == "R":
                self.element_finding(seg, ed, "X12-ELEMENT-MISSING", "1", f"{ed.ref} ({ed.name}) is required")
        if segdef.syntax:
            self._check_syntax(segdef, seg)

    def _too_many(self, segdef: SegmentDef, seg: Segment) -> None:
        values = seg.elements
        extra = len(segdef.elements) + 1
        self.findings.append(
            Finding(
                Severity.ERROR,
                "X12-TOO-MANY-ELEMENTS",
                f"{seg.id} has {len(values)} elements; the guide defines {len(segdef.elements)}",
                segment_index=seg.index,
                segment_id=seg.id,
                loop=self.loop_id,
                element=f"{seg.id}{extra:02d}",
                ack="3",
                ack_kind="IK4",
                position=self.position_of(seg),
                element_position=extra,
                path=self.path,
            )
        )

    def _check_present(self, seg: Segment, ed: ElementDef, value: str) -> None:
        """The full check of a present element (not used, repeats, composites, type, length, codes)."""
        if ed.usage == "N":
            self.element_finding(seg, ed, "X12-ELEMENT-NOT-USED", "I10", f"{ed.ref} ({ed.name}) is not used")
            return
        if ed.repeat > 1 and self.repetition and self.repetition in value:
            parts = value.split(self.repetition)
            if len(parts) > ed.repeat:
                self.element_finding(
                    seg, ed, "X12-TOO-MANY-REPEATS", "12", f"{ed.ref} repeats {len(parts)} times (max {ed.repeat})"
                )
            for r, part in enumerate(parts, start=1):
                if part:
                    self._check_one(seg, ed, part, r)
        else:
            self._check_one(seg, ed, value, None)

    def _check_one(self, seg: Segment, ed: ElementDef, value: str, repeat: int | None) -> None:
        if not ed.components:
            self._check_value(seg, ed, value, None, repeat)
            return
        parts = value.split(self.component) if self.component in value else [value]
        comps = ed.components
        if len(parts) > len(comps) and any(parts[len(comps) :]):
            self.element_finding(
                seg, ed, "X12-TOO-MANY-COMPONENTS", "13", f"{ed.ref} has {len(parts)} components (max {len(comps)})"
            )
        for c, comp in enumerate(comps):
            part = parts[c] if c < len(parts) else ""
            if not part:
                if comp.usage == "R":
                    self.element_finding(
                        seg,
                        comp,
                        "X12-ELEMENT-MISSING",
                        "1",
                        f"{comp.ref} ({comp.name}) is required",
                        component=c + 1,
                        repeat=repeat,
                        position=ed.position,
                    )
                continue
            if comp.usage == "N":
                self.element_finding(
                    seg,
                    comp,
                    "X12-ELEMENT-NOT-USED",
                    "I10",
                    f"{comp.ref} ({comp.name}) is not used",
                    component=c + 1,
                    repeat=repeat,
                    position=ed.position,
                )
                continue
            self._check_value(seg, comp, part, (ed.position, c + 1), repeat)

    def _check_value(
        self, seg: Segment, ed: ElementDef, value: str, where: tuple[int, int] | None, repeat: int | None
    ) -> None:
        kind = ed.type
        if kind in ("R", "N0", "N2"):
            ok = (DECIMAL if kind == "R" else INTEGER).fullmatch(value) is not None
            length = len(value) - value.count("-") - value.count(".")
        else:
            ok = value.isprintable()
            length = len(value)
        problem: tuple[str, str, str] | None = None
        if not ok:
            problem = ("X12-ELEMENT-CHARACTERS", "6", f"{ed.ref} is not a valid {_TYPE_NAMES.get(kind, kind)} value")
        elif length < ed.min_len:
            problem = ("X12-ELEMENT-TOO-SHORT", "4", f"{ed.ref} is shorter than {ed.min_len} character(s)")
        elif length > ed.max_len:
            problem = ("X12-ELEMENT-TOO-LONG", "5", f"{ed.ref} is longer than {ed.max_len} character(s)")
        elif kind == "DT" and not real_date(value):
            problem = ("X12-ELEMENT-DATE", "8", f"{ed.ref} is not a real date (CCYYMMDD)")
        elif kind == "TM" and not real_time(value):
            problem = ("X12-ELEMENT-TIME", "9", f"{ed.ref} is not a real time (HHMM[SS])")
        elif ed.codes is not None and value not in ed.codes:
            problem = ("X12-ELEMENT-CODE", "7", f"{ed.ref} ({ed.name}) has a code the guide does not allow here")
        elif ed.external is not None and not self._external_ok(ed.external, value):
            problem = ("X12-ELEMENT-CODE", "7", f"{ed.ref} ({ed.name}) is not in the {ed.external} code list")
        elif ed.pattern is not None and ed.pattern.fullmatch(value) is None:
            problem = ("X12-ELEMENT-PATTERN", "I12", f"{ed.ref} ({ed.name}) does not have the required form")
        if problem is None:
            return
        code, ack, message = problem
        if where is None:
            self.element_finding(seg, ed, code, ack, message, repeat=repeat)
        else:
            self.element_finding(seg, ed, code, ack, message, component=where[1], repeat=repeat, position=where[0])

    def _external_ok(self, name: str, value: str) -> bool:
        if self.external is not None:
            verdict = self.external(name, value)
            if verdict is not None:
                return verdict
        codes = code_list(name)
        return codes is None or value in codes

    def _check_syntax(self, segdef: SegmentDef, seg: Segment) -> None:
        values = seg.elements
        count = len(values)
        for rule in segdef.syntax:
            positions = rule.positions
            present = [p <= count and values[p - 1] != "" for p in positions]
            kind = rule.kind
            if kind == "P":
                if any(present) and not all(present):
                    missing = positions[present.index(False)]
                    self._syntax_finding(segdef, seg, missing, "2", f"{rule.text}: these elements go together")
            elif kind == "R":
                if not any(present):
                    self._syntax_finding(
                        segdef, seg, positions[0], "2", f"{rule.text}: at least one of the elements is required"
                    )
            elif kind == "E":
                if sum(present) > 1:
                    extra = [p for p, h in zip(positions, present, strict=True) if h][1]
                    self._syntax_finding(
                        segdef, seg, extra, "10", f"{rule.text}: only one of the elements may be present"
                    )
            elif present[0]:
                rest = present[1:]
                if kind == "C" and not all(rest):
                    missing = positions[1 + rest.index(False)]
                    self._syntax_finding(segdef, seg, missing, "2", f"{rule.text}: required when the first is present")
                elif kind == "L" and not any(rest):
                    self._syntax_finding(segdef, seg, positions[1], "2", f"{rule.text}: one of the others is required")

    def _syntax_finding(self, segdef: SegmentDef, seg: Segment, position: int, ack: str, message: str) -> None:
        ed = segdef.elements[position - 1] if position <= len(segdef.elements) else None
        if ed is None:
            return
        code = "X12-SYNTAX-EXCLUSION" if ack == "10" else "X12-SYNTAX-REQUIRED"
        self.element_finding(seg, ed, code, ack, f"{seg.id}: {message}")


_TYPE_NAMES = {"R": "decimal number", "N0": "whole number", "N2": "number", "AN": "text", "ID": "code"}
