"""`medbill x12 ...`: X12 5010 files. Today: syntax and envelope checks (ISA/IEA, GS/GE, ST/SE) with the
TA1/999 codes a clearinghouse would return, the raw segments, and a summary; transaction-level (implementation
guide) validation is not built yet, and every validation report says so in its "level" field."""

from __future__ import annotations

import json as jsonlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from medbill.cli.common import JsonOption, console, fail

app = typer.Typer(help="X12 5010 files: syntax and envelope validation.", no_args_is_help=True)

LEVEL = "envelope"  # what "accepted" covers; transaction-set (TR3) validation comes with the schemas


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="X12 files.")],
    json: JsonOption = False,
    ack: Annotated[Path | None, typer.Option(help="Write the TA1 and 999 a clearinghouse would return here.")] = None,
    ack_control: Annotated[
        int, typer.Option(min=1, max=999_999_999, help="First interchange control number of the acknowledgments.")
    ] = 1,
) -> None:
    """Check syntax and envelopes; exit 0 when every file is accepted, 1 when any is rejected, 2 if unreadable."""
    from medbill.x12.ack import acknowledge, write_acks
    from medbill.x12.envelope import validate_envelopes

    rejected = False
    control = ack_control
    stems: dict[str, int] = {}
    for path in files:
        data = _read(path)
        report = validate_envelopes(data, name=str(path))
        written: list[str] = []
        if ack is not None:
            acks = acknowledge(data, name=str(path), control_number=control)
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
            payload = {"file": str(path), "level": LEVEL, **report.to_dict(), "acks": written}
            sys.stdout.write(jsonlib.dumps(payload, ensure_ascii=False) + "\n")
            continue
        out = console()
        verdict = "[green]accepted[/]" if report.accepted else "[red]rejected[/]"
        counts = report.counts
        out.print(
            f"[bold]{escape(str(path))}[/] {verdict} ({LEVEL} checks): {counts.interchanges} interchange(s), "
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
            out.print(f"  {finding.severity} {finding.code}{escape(where)}: {escape(finding.message)}")
    raise typer.Exit(1 if rejected else 0)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise fail(f"{path}: cannot be read ({exc.strerror})") from None


@app.command()
def parse(file: Path, json: JsonOption = True) -> None:
    """Print the file's delimiters and segments as JSON (streamed, one segment per line)."""
    from medbill.errors import X12SyntaxError
    from medbill.x12.tokens import iter_segments, read_delimiters

    data = _read(file)
    try:
        delimiters = read_delimiters(data, name=str(file))
        segments = iter_segments(data, name=str(file))
    except X12SyntaxError as exc:
        raise fail(exc.message) from None
    out = sys.stdout
    out.write(jsonlib.dumps({"file": str(file), "delimiters": delimiters._asdict()})[:-1] + ', "segments": [\n')
    first = True
    for seg in segments:
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
