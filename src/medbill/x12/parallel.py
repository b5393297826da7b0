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

import itertools
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from medbill.errors import X12SyntaxError
from medbill.x12.findings import Finding
from medbill.x12.tokens import _Cursor, _scan, _skip_prefix, read_delimiters

if TYPE_CHECKING:
    from medbill.x12.validator import Checks, ValidationReport

MIN_BYTES = 1 << 20
"""Below this a single pass is quicker than starting a worker."""
PARENT_SHARE = 0.4
"""The parent also reads the whole file for the envelopes, so it validates a smaller share of the sets."""


def _split_points(data: bytes, start: int, workers: int, st_start: re.Pattern[bytes]) -> list[int]:
    """Offsets of the ST segments that begin the ranges after the first (at most ``workers`` - 1)."""
    size = len(data)
    points: list[int] = []
    for k in range(1, workers):
        share = PARENT_SHARE + (1 - PARENT_SHARE) * (k - 1) / (workers - 1)
        target = max(start + int(size * share), points[-1] + 1 if points else start)
        match = st_start.search(data, target)
        if match is None:
            break
        points.append(match.end() - 3)  # the "ST" and its separator begin the range
    return points


def _gs08_before(data: bytes, offset: int, gs_start: re.Pattern[bytes], element: bytes, segment: bytes) -> str:
    last = None
    for match in gs_start.finditer(data, 0, offset):
        last = match
    if last is None:
        return ""
    end = data.find(segment, last.end())
    values = data[last.end() - 3 : end if end > 0 else len(data)].split(element)
    return values[8].decode("ascii") if len(values) > 8 else ""


def _range_findings(
    path: str, begin: int, end: int, index: int, line: int, gs08: str, delimiters: tuple[str, str, str | None, str],
    checks: Checks,
) -> tuple[list[Finding], dict[str, int]]:  # fmt: skip
    """Worker: validate the transaction sets in ``[begin, end)`` of the file (no envelope checks)."""
    from medbill.x12.tokens import Delimiters
    from medbill.x12.validator import X12Validator

    with open(path, "rb") as handle:  # noqa: PTH123 - a worker opens its own handle
        handle.seek(begin)
        text = handle.read(end - begin).decode("ascii")
    external, hooks = checks.build()
    validator = X12Validator(external=external, hooks=hooks, envelopes=False)
    element, component, repetition, segment = delimiters
    validator.component, validator.repetition, validator._gs08 = component, repetition, gs08
    cursor = _Cursor(Delimiters(element, component, repetition, segment))
    cursor.index, cursor.line, cursor.base = index, line, begin
    findings: list[Finding] = []
    last = None
    for seg in _scan(text, 0, cursor, final=True):
        last = seg
        findings.extend(validator.feed(seg))
    findings.extend(validator.finish(last))
    return findings, validator.schemas_used


def validate_parallel(path: Path, *, name: str, workers: int, checks: Checks) -> ValidationReport | None:
    from medbill.x12.validator import ValidationReport, X12Validator, iter_findings

    if path.stat().st_size < MIN_BYTES:
        return None
    data = path.read_bytes()
    if not data.isascii():
        return None
    try:
        delimiters = read_delimiters(data[:4096], name=name)
    except X12SyntaxError:
        return None
    element, segment = delimiters.element.encode(), delimiters.segment.encode()
    for match in re.finditer(re.escape(b"ISA" + element), data):
        try:
            same = read_delimiters(data[match.start() : match.start() + 200], name=name) == delimiters
        except X12SyntaxError:
            same = False
        if not same:
            return None  # an interchange with other delimiters (or an "ISA" inside data): cut no ranges
    start = _skip_prefix(data[:4096].decode("ascii"))
    st_start = re.compile(re.escape(segment) + rb"[ \t\r\n]*ST" + re.escape(element))
    gs_start = re.compile(re.escape(segment) + rb"[ \t\r\n]*GS" + re.escape(element))
    points = _split_points(data, start, workers, st_start)
    if not points:
        return None
    bounds = [*points, len(data)]
    spec = (delimiters.element, delimiters.component, delimiters.repetition, delimiters.segment)
    jobs = []
    for begin, end in itertools.pairwise(bounds):
        index = data.count(segment, start, begin)  # every segment before ``begin`` ends with a terminator
        line = data.count(b"\n", 0, begin) + 1
        gs08 = _gs08_before(data, begin, gs_start, element, segment)
        jobs.append((str(path), begin, end, index, line, gs08, spec, checks))
    del data
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
        futures = [pool.submit(_range_findings, *job) for job in jobs]
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
