"""`medbill x12 ...`: X12 5010 files: validation against the implementation guides (envelopes, loops,
segments, elements, code sets on the claim's dates, NPI check digits, balancing) with the TA1/999 a
clearinghouse would return, the placed segments, and a summary."""

from __future__ import annotations

import dataclasses
import json as jsonlib
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from medbill.cli.common import JsonOption, console, fail
from medbill.x12.validator import Checks, ValidationReport

app = typer.Typer(help="X12 5010 files: validate, acknowledge, parse, summarise.", no_args_is_help=True)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="X12 files.")],
    json: JsonOption = False,
    ack: Annotated[Path | None, typer.Option(help="Write the TA1 and 999 a clearinghouse would return here.")] = None,
    ack_control: Annotated[
        int, typer.Option(min=1, max=999_999_999, help="First interchange control number of the acknowledgments.")
    ] = 1,
    level: Annotated[
        str, typer.Option(help="implementation (the TR3, with code sets) or envelope (ISA/GS/ST only).")
    ] = "implementation",
    code_sets: Annotated[
        bool, typer.Option(help="Check ICD-10-CM, HCPCS/CPT, modifiers, CARC/RARC, POS, taxonomy.")
    ] = True,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Processes for a large file's transaction sets (default: CPUs, ≤ 4).")
    ] = min(os.cpu_count() or 1, 4),
) -> None:
    """Validate against the implementation guides; exit 0 when every file is accepted, 1 when any is rejected,
    2 if unreadable."""
    from medbill.x12.ack import acknowledge, write_acks
    from medbill.x12.validator import validate_x12

    if level not in ("implementation", "envelope"):
        raise fail(f"--level must be implementation or envelope, not {level!r}")
    envelope_only = level == "envelope"
    checks = _checks(code_sets and not envelope_only)
    external, hooks = checks.build()
    rejected = False
    control = ack_control
    stems: dict[str, int] = {}
    for path in files:
        _readable(path)
        if envelope_only:
            from medbill.x12.envelope import validate_envelopes

            envelope = validate_envelopes(_read(path), name=str(path))
            report = ValidationReport(envelope.name, envelope.accepted, envelope.findings, envelope.counts)
        else:  # read in chunks: a large file is never held in memory whole
            report = validate_x12(path, name=str(path), checks=checks, external=external, hooks=hooks, workers=workers)
        written: list[str] = []
        if ack is not None:
            acks = acknowledge(
                _read(path),
                name=str(path),
                control_number=control,
                external=external,
                hooks=hooks,
                envelope_only=envelope_only,
            )
            control = (control + len(acks.ta1s) + len(acks.acks_999) - 1) % 999_999_999 + 1
            try:
                # Two inputs with one file name (a/x.edi, b/x.edi) get distinct acknowledgment names.
                seen = stems.get(path.name, 0)
                stems[path.name] = seen + 1
                stem = path.name if seen == 0 else f"{path.stem}-{seen + 1}{path.suffix}"
                written = [str(p) for p in write_acks(ack, stem, acks)]
            except OSError as exc:
                raise fail(f"{ack}: acknowledgments cannot be written ({exc.strerror})") from None
        rejected |= not report.accepted
        if json:
            payload = {"file": str(path), "level": level, **report.to_dict(), "acks": written}
            sys.stdout.write(jsonlib.dumps(payload, ensure_ascii=False) + "\n")
            continue
        out = console()
        verdict = "[green]accepted[/]" if report.accepted else "[red]rejected[/]"
        counts = report.counts
        out.print(
            f"[bold]{escape(str(path))}[/] {verdict} ({level} checks): {counts.interchanges} interchange(s), "
            f"{counts.groups} group(s), {counts.transaction_sets} transaction set(s)"
        )
        for written_path in written:
            out.print(f"  wrote {escape(written_path)}")
        for finding in report.findings:
            where = (
                f" [segment {finding.segment_index} {finding.segment_id or ''}]".rstrip(" ]") + "]"
                if finding.segment_index is not None
                else ""
            )
            loop = f" loop {finding.loop}" if finding.loop and finding.ack_kind in ("IK3", "IK4") else ""
            out.print(f"  {finding.severity} {finding.code}{escape(where)}{escape(loop)}: {escape(finding.message)}")
    raise typer.Exit(1 if rejected else 0)


def _checks(code_sets: bool) -> Checks:
    """The TR3 rules, with the code sets of the shipped code library (built first if needed) when asked."""
    if not code_sets:
        return Checks()
    from medbill.cli.common import open_library
    from medbill.codes.store import medbill_home

    open_library().close()  # builds the store once, with its progress bar, before any worker opens it
    return Checks(code_sets_home=medbill_home(), today=date.today())


def _readable(path: Path) -> None:
    """Fail (exit 2) now for a file that cannot be opened, rather than as an X12 finding later."""
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise fail(f"{path}: cannot be read ({exc.strerror})") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise fail(f"{path}: cannot be read ({exc.strerror})") from None


@app.command()
def parse(
    file: Path,
    json: JsonOption = True,
    segments: Annotated[bool, typer.Option(help="Print the raw segments instead of the typed models.")] = False,
) -> None:
    """Print each transaction set as typed models (claims, remittances, statuses, benefits) in JSON, one line
    per transaction set; --segments prints the delimiters and raw segments instead."""
    from medbill.errors import X12SyntaxError

    data = _read(file)
    try:
        if segments:
            _print_segments(file, data)
        else:
            _print_models(file, data)
    except X12SyntaxError as exc:
        raise fail(exc.message) from None


def _print_models(file: Path, data: bytes) -> None:
    from medbill.x12.readers import models_of
    from medbill.x12.validator import placed_sets

    out = sys.stdout
    for placed in placed_sets(data, name=str(file)):
        st = placed.st
        item = {
            "file": str(file),
            "guide": placed.key,
            "transaction_set": st.elements[0] if st.elements else "",
            "control_number": st.elements[1] if len(st.elements) > 1 else "",
            "segment_index": st.index,
            "accepted": not any(f.is_error for f in placed.findings),
            "findings": len(placed.findings),
            "models": [_jsonable(model) for model in models_of(placed)],
        }
        out.write(jsonlib.dumps(item, ensure_ascii=False) + "\n")


def _jsonable(value: object) -> object:
    """Dataclasses as objects, Decimal as a string (exact), dates as ISO text, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _print_segments(file: Path, data: bytes) -> None:
    from medbill.x12.tokens import iter_segments, read_delimiters

    delimiters = read_delimiters(data, name=str(file))
    stream = iter_segments(data, name=str(file))
    out = sys.stdout
    out.write(jsonlib.dumps({"file": str(file), "delimiters": delimiters._asdict()})[:-1] + ', "segments": [\n')
    first = True
    for seg in stream:
        item = {"index": seg.index, "line": seg.line, "id": seg.id, "elements": list(seg.elements)}
        out.write(("" if first else ",\n") + jsonlib.dumps(item, ensure_ascii=False))
        first = False
    out.write("\n]}\n")


@app.command()
def show(file: Path) -> None:
    """A human summary: interchanges and groups, transaction sets, parties, claim and payment totals."""
    from medbill.errors import X12SyntaxError
    from medbill.x12.summary import summarize_file

    try:
        summary = summarize_file(_read(file), name=str(file))
    except X12SyntaxError as exc:
        raise fail(exc.message) from None
    out = console()
    out.print(f"[bold]{escape(str(file))}[/]")
    for line in summary.lines():
        out.print(f"  {escape(line)}")
