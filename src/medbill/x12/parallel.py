"""Validating a large file on several cores.

The file is cut into ranges that each begin at an ST, so no transaction set is split. The parent process reads
the whole file once for the envelope checks (ISA/GS/ST/SE counts and control numbers need every segment) and
validates the sets of the first range; each other range goes to a forked worker that validates only its sets
(no envelope checks), with the segment index, line and offset its range starts at, so its findings name the same
places a single pass would. Findings are merged in segment order.

Used only where it is exact and worth it: a file of plain ASCII (character offsets are byte offsets), with one set
of delimiters throughout, larger than ``MIN_BYTES``. Anything else returns None and the caller validates in one
pass. The checks (TR3 rules, code sets) are rebuilt in each worker from a picklable ``Checks``: an open SQLite
connection must not cross a fork.
"""

from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from medbill.errors import X12SyntaxError
from medbill.x12.findings import Finding
from medbill.x12.tokens import CHUNK, Delimiters, _chunks, _Cursor, _skip_prefix, read_delimiters

if TYPE_CHECKING:
    from medbill.x12.validator import Checks, HookFactory, ValidationReport
    from medbill.x12.walker import ExternalCheck

MIN_BYTES = 1 << 20
"""Below this a single pass is quicker than starting a worker."""
PARENT_SHARE = 0.4
"""The parent also reads the whole file for the envelopes, so it validates a smaller share of the sets."""


OVERLAP = 512
"""Bytes kept from one prescan chunk to the next, so a pattern or a GS segment cut by the chunk edge is whole."""


def _prescan(path: Path, delimiters: Delimiters, targets: list[int]) -> tuple[bool, list[tuple[int, int, int, str]]]:
    """One pass over the file in chunks: (every ISA has the same delimiters, and for each target offset the first
    ST at or after it as (offset, segments before it, its line, the GS08 in force there))."""
    segment, element = delimiters.segment.encode(), delimiters.element.encode()
    st_at = re.compile(re.escape(segment) + rb"[ \t\r\n]*ST" + re.escape(element))
    gs_at = re.compile(re.escape(segment) + rb"[ \t\r\n]*GS" + re.escape(element))
    isa_at = re.compile(re.escape(b"ISA" + element))
    found: list[tuple[int, int, int, str]] = []
    gs08 = ""
    base = 0  # file offset of buffer[0]
    segments = lines = 0  # counted in the file before buffer[0]
    buffer = b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            buffer += chunk
            final = not chunk
            limit = len(buffer) if final else max(len(buffer) - OVERLAP, 0)
            for match in (m for m in isa_at.finditer(buffer) if m.start() < limit):
                try:
                    if read_delimiters(buffer[match.start() : match.start() + 200], name="") != delimiters:
                        return False, []
                except X12SyntaxError:
                    return False, []  # "ISA" inside data: cut no ranges
            events: list[tuple[int, str, re.Match[bytes]]] = [
                *((m.start(), "GS", m) for m in gs_at.finditer(buffer) if m.start() < limit),
                *((m.start(), "ST", m) for m in st_at.finditer(buffer) if m.start() < limit),
            ]
            for _, kind, match in sorted(events, key=lambda e: e[0]):
                if kind == "GS":
                    stop = buffer.find(segment, match.end())
                    values = buffer[match.end() - 3 : stop if stop > 0 else len(buffer)].split(element)
                    gs08 = values[8].decode("ascii") if len(values) > 8 else ""
                elif len(found) < len(targets) and base + match.end() - 3 >= targets[len(found)]:
                    at = match.end() - 3
                    found.append(
                        (
                            base + at,
                            segments + buffer.count(segment, 0, at),
                            lines + buffer.count(b"\n", 0, at) + 1,
                            gs08,
                        )
                    )
            if final or (len(found) == len(targets) and not isa_at.search(buffer, limit)):
                if not final:  # every cut is known; the rest of the file still has to be checked for ISAs
                    for rest in iter(lambda: handle.read(CHUNK), b""):
                        if isa_at.search(rest):
                            return _prescan_isas(path, delimiters, found)
                return True, found
            segments += buffer.count(segment, 0, limit)
            lines += buffer.count(b"\n", 0, limit)
            base += limit
            buffer = buffer[limit:]


def _prescan_isas(
    path: Path, delimiters: Delimiters, found: list[tuple[int, int, int, str]]
) -> tuple[bool, list[tuple[int, int, int, str]]]:
    """A later ISA exists: check its delimiters (rare: several interchanges in one large file)."""
    isa_at = re.compile(re.escape(b"ISA" + delimiters.element.encode()))
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            data = tail + chunk
            for match in isa_at.finditer(data):
                head = data[match.start() : match.start() + 200]
                if len(head) < 200 and len(chunk) == CHUNK:
                    continue  # cut by the chunk edge: seen again with the next chunk
                try:
                    if read_delimiters(head, name="") != delimiters:
                        return False, []
                except X12SyntaxError:
                    return False, []
            tail = data[-OVERLAP:]
    return True, found


def _range_findings(
    path: str, begin: int, end: int, index: int, line: int, gs08: str, delimiters: tuple[str, str, str | None, str],
    checks: Checks,
) -> tuple[list[Finding], dict[str, int]]:  # fmt: skip
    """Worker: validate the transaction sets in ``[begin, end)`` of the file (no envelope checks)."""
    from medbill.x12.validator import X12Validator

    external, hooks = checks.build()
    validator = X12Validator(external=external, hooks=hooks, envelopes=False)
    element, component, repetition, segment = delimiters
    validator.component, validator.repetition, validator._gs08 = component, repetition, gs08
    cursor = _Cursor(Delimiters(element, component, repetition, segment))
    cursor.index, cursor.line, cursor.base = index, line, begin
    findings: list[Finding] = []
    last = None
    for seg in _chunks(_Range(path, begin, end), _Range.first(path, begin, end), 0, cursor):
        last = seg
        findings.extend(validator.feed(seg))
    findings.extend(validator.finish(last))
    return findings, validator.schemas_used


class _Range:
    """A text reader over bytes ``[begin, end)`` of an ASCII file, chunk by chunk (what ``tokens._chunks`` reads);
    the first chunk is read by ``first`` and this reader continues after it."""

    def __init__(self, path: str, begin: int, end: int) -> None:
        self.handle = open(path, "rb")  # noqa: SIM115, PTH123 - closed by __exit__ when _chunks ends
        self.handle.seek(min(begin + CHUNK, end))
        self.remaining = max(end - begin - CHUNK, 0)

    @staticmethod
    def first(path: str, begin: int, end: int) -> str:
        with open(path, "rb") as handle:  # noqa: PTH123
            handle.seek(begin)
            return handle.read(min(CHUNK, end - begin)).decode("ascii")

    def read(self, size: int) -> str:
        data = self.handle.read(min(size, self.remaining))
        self.remaining -= len(data)
        return data.decode("ascii")

    def __enter__(self) -> _Range:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def _ascii(path: Path) -> bool:
    with path.open("rb") as handle:
        return all(chunk.isascii() for chunk in iter(lambda: handle.read(CHUNK), b""))


def validate_parallel(
    path: Path,
    *,
    name: str,
    workers: int,
    checks: Checks,
    external: ExternalCheck | None = None,
    hooks: HookFactory | None = None,
) -> ValidationReport | None:
    """The report, or None when the file is not worth or not safe to cut. ``external``/``hooks``: ``checks``
    already built for this process (built here when not given)."""
    from medbill.x12.validator import ValidationReport, X12Validator, iter_findings

    size = path.stat().st_size
    if size < MIN_BYTES:
        return None
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.isascii():
        return None
    try:
        delimiters = read_delimiters(head, name=name)
    except X12SyntaxError:
        return None
    start = _skip_prefix(head.decode("ascii"))
    targets = [start + int(size * (PARENT_SHARE + (1 - PARENT_SHARE) * k / (workers - 1))) for k in range(workers - 1)]
    same, cuts = _prescan(path, delimiters, targets)
    if not same or not cuts or not _ascii(path):
        return None
    bounds = [cut[0] for cut in cuts] + [size]
    spec = (delimiters.element, delimiters.component, delimiters.repetition, delimiters.segment)
    jobs = [
        (str(path), begin, end, index, line, gs08, spec, checks)
        for (begin, index, line, gs08), end in zip(cuts, bounds[1:], strict=True)
    ]
    points = [cuts[0][0]]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
        futures = [pool.submit(_range_findings, *job) for job in jobs]
        if external is None and hooks is None:
            external, hooks = checks.build()
        parent = X12Validator(external=external, hooks=hooks, sets_before=points[0])
        try:
            own = list(iter_findings(parent, path, name=name))
        except X12SyntaxError as exc:  # cannot happen after read_delimiters above; kept for a clear error
            from medbill.issues import Severity

            return ValidationReport(name, False, (Finding(Severity.ERROR, "X12-SYNTAX", exc.message),), parent.counts)
        results = [future.result() for future in futures]
    schemas = dict(parent.schemas_used)
    merged = list(own)
    for findings, used in results:
        merged.extend(findings)
        for key, count in used.items():
            schemas[key] = schemas.get(key, 0) + count
    merged.sort(key=lambda f: -1 if f.segment_index is None else f.segment_index)
    accepted = not any(f.is_error for f in merged)
    return ValidationReport(name, accepted, tuple(merged), parent.counts, schemas)
