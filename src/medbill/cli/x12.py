"""`medbill x12 ...`: X12 5010 files. Today: syntax and envelope checks (ISA/IEA, GS/GE, ST/SE) with the
TA1/999 codes a clearinghouse would return; transaction-level (implementation guide) validation is not built yet,
and every report says so in its "level" field."""

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
) -> None:
    """Check syntax and envelopes; exit 0 when every file is accepted, 1 when any is rejected, 2 if unreadable."""
    from medbill.x12.envelope import validate_envelopes

    rejected = False
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise fail(f"{path}: cannot be read ({exc.strerror})") from None
        report = validate_envelopes(data, name=str(path))
        rejected |= not report.accepted
        if json:
            payload = {"file": str(path), "level": LEVEL, **report.to_dict()}
            sys.stdout.write(jsonlib.dumps(payload, ensure_ascii=False) + "\n")
            continue
        out = console()
        verdict = "[green]accepted[/]" if report.accepted else "[red]rejected[/]"
        counts = report.counts
        out.print(
            f"[bold]{escape(str(path))}[/] {verdict} ({LEVEL} checks): {counts.interchanges} interchange(s), "
            f"{counts.groups} group(s), {counts.transaction_sets} transaction set(s)"
        )
        for finding in report.findings:
            where = f"segment {finding.segment_index} {finding.segment_id or ''}".strip()
            out.print(f"  {finding.severity} {finding.code} {escape(f'[{where}]')}: {escape(finding.message)}")
    raise typer.Exit(1 if rejected else 0)
