"""`medbill claims ...`: scrub the practice's claims (from its database) or an inbound 837, as a clearinghouse
would; exit 1 when any error-level finding exists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from medbill.cli.common import JsonOption, console, fail, failures, parse_date, print_json

if TYPE_CHECKING:
    from datetime import date

    from medbill.scrub import Finding, PayerProfile, Scrubber, ScrubContext

Scrubbed = list[tuple[str, str, list["Finding"]]]
"""(claim id, profile name, findings) per claim."""

app = typer.Typer(help="Claims: scrub them before they go out.", no_args_is_help=True)


@app.command()
def scrub(
    claims: Annotated[
        list[str] | None, typer.Argument(help="Claim numbers (default: every draft and ready claim).")
    ] = None,
    db: Annotated[
        str, typer.Option(help="The practice database: a SQLite file or a database URL.")
    ] = "medbill-demo/medbill.db",
    x12: Annotated[
        Path | None, typer.Option("--x12", help="Scrub the claims of this 837P/837I file instead of the database.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            help="Payer profile (medicare, medicaid, commercial or a TOML file); default: by filing indicator."
        ),
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="The date to scrub as of (timely filing, future dates); default today.")
    ] = None,
    ready: Annotated[bool, typer.Option(help="Move clean draft claims to ready (database only).")] = False,
    json: JsonOption = False,
) -> None:
    """Run every selected rule over the claims; print the findings (rule, severity, message, claim, line)."""
    from datetime import date

    from medbill.scrub import Scrubber, load_profile, shipped_profiles
    from medbill.services.scrub import scrub_context

    day = parse_date(today) or date.today()
    with failures():
        profiles = shipped_profiles()
        chosen = load_profile(profile) if profile else None
        from medbill.cli.common import open_library

        library = open_library()
        context = scrub_context(library, chosen or profiles["commercial"], today=day)
        scrubber = Scrubber()
        if x12 is not None:
            if claims or ready:
                raise fail("--x12 scrubs a file: claim numbers and --ready apply to the database only")
            rows = _scrub_file(x12, scrubber, context, profiles, chosen)
        else:
            rows = _scrub_database(db, claims or [], scrubber, context, profiles, chosen, day, ready)
    findings = [f for _, _, found in rows for f in found]
    if json:
        print_json([f.to_dict() for f in findings])
    else:
        _print(rows, findings)
    if any(f.is_error for f in findings):
        raise typer.Exit(1)


def _scrub_file(
    path: Path,
    scrubber: Scrubber,
    context: ScrubContext,
    profiles: dict[str, PayerProfile],
    chosen: PayerProfile | None,
) -> Scrubbed:
    from medbill.errors import InvalidInput
    from medbill.issues import Issue, Location, Severity
    from medbill.scrub import profile_for
    from medbill.x12.readers import read_claims

    if not path.is_file():
        raise fail(f"{path}: no such file")
    data = path.read_bytes()
    if b"ISA" not in data[:200]:
        raise InvalidInput(
            f"{path}: not an X12 file (no ISA segment at the start)",
            issues=[Issue(Severity.ERROR, "x12", "no ISA segment", Location(file=str(path), segment_index=1))],
        )
    out: Scrubbed = []
    for claim in read_claims(data, name=str(path)):
        profile = chosen or profile_for(claim.subscriber.claim_filing_indicator, profiles)
        out.append((claim.claim_id, profile.name, scrubber.scrub(claim, context.with_profile(profile))))
    if not out:
        raise InvalidInput(f"{path}: no 837P or 837I claims in the file")
    return out


def _scrub_database(
    target: str,
    numbers: list[str],
    scrubber: Scrubber,
    context: ScrubContext,
    profiles: dict[str, PayerProfile],
    chosen: PayerProfile | None,
    day: date,
    ready: bool,
) -> Scrubbed:
    from medbill.errors import NotFound
    from medbill.services.scrub import claims_to_scrub, scrub_claims
    from medbill.store.database import open_database

    if "://" not in target and not Path(target).is_file():
        raise NotFound(f"no database at {target} (run `medbill demo` first, or pass --db)")
    database = open_database(target)
    try:
        with database.transaction() as session:
            rows = claims_to_scrub(session, numbers)
            missing = sorted(set(numbers) - {r.claim_number for r in rows})
            if missing:
                raise NotFound(f"no claim {missing[0]} in {target}")
            results = scrub_claims(
                session,
                rows,
                scrubber=scrubber,
                context=context,
                profiles=profiles,
                profile=chosen,
                today=day,
                ready=ready,
            )
    finally:
        database.close()
    return [(r.claim_number, r.profile, list(r.findings)) for r in results]


def _print(rows: Scrubbed, findings: list[Finding]) -> None:
    from collections import Counter

    from rich.markup import escape
    from rich.table import Table

    con = console()
    if findings:
        table = Table(title="scrubber findings")
        for column in ("claim", "line", "rule", "severity", "message", "how to fix"):
            table.add_column(column)
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}
        for f in findings:
            sev = str(f.severity)
            table.add_row(
                f.claim, str(f.line or ""), f.rule, f"[{colour[sev]}]{sev}[/]", escape(f.message), escape(f.hint or "")
            )
        con.print(table)
    by_severity = Counter(str(f.severity) for f in findings)
    clean = sum(1 for _, _, found in rows if not any(f.is_error for f in found))
    con.print(
        f"{len(rows)} claims scrubbed: {clean} without errors; "
        f"{by_severity['error']} errors, {by_severity['warning']} warnings, {by_severity['info']} notes"
    )
