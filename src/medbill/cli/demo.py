"""`medbill demo`: the main job on shipped data: the code-set store and what it answers, then a synthetic practice
run through the billing core into DIR (a SQLite database, 837P batches validated by medbill, a CMS-1500 PDF)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from medbill.cli.common import console, failures, open_library

if TYPE_CHECKING:
    from rich.console import Console

    from medbill.codes.library import CodeLibrary
    from medbill.services.scrub import ClaimScrub
    from medbill.x12.validator import ValidationReport

SHOW = ("E11.22", "S72.001A", "O80", "I10")
SEARCHES = ("HTN", "DM2 with CKD", "COPD exacerbation", "femur neck fx", "wheelchair", "pnuemonia")
VALIDATE = (
    ("E11.9", date(2025, 3, 1)),
    ("S72.001", date(2025, 3, 1)),
    ("T36.01A", date(2025, 3, 1)),
    ("C81.0A", date(2024, 6, 1)),
    ("E11", date(2025, 3, 1)),
    ("J1100", date(2024, 8, 1)),
    ("99213", date(2024, 8, 1)),
    ("pos:11", date(2024, 8, 1)),
    ("E11.9", date(2026, 11, 28)),
)


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's database, 837 batches and CMS-1500 PDF.")] = Path(
        "medbill-demo"
    ),
    encounters: Annotated[int, typer.Option(min=1, max=100_000, help="Encounters to generate.")] = 300,
) -> None:
    """Build the code-set store and show what it answers; then run a synthetic practice through the billing core
    (idempotent: running it again adds nothing)."""
    from rich.markup import escape
    from rich.table import Table

    from medbill.coding.search import Searcher
    from medbill.coding.validation import Validator

    con = console()
    with failures():
        library = open_library()
        con.print("[bold]medbill demo[/]")
        con.print(f"  code-set store: {escape(str(library.path))}", soft_wrap=True)
        icd = library.icd10cm
        icd.preload()
        for day in (date(2026, 5, 1), date(2025, 3, 1), date(2024, 3, 1)):
            con.print(f"  billable ICD-10-CM codes on {day.isoformat()}: {icd.count_billable(day):,}")

        lookups = Table(title="lookups (date of service 2025-03-01)")
        for column in ("code", "title", "billable", "notes", "MCE edits", "edition"):
            lookups.add_column(column)
        for code in SHOW:
            answer = icd.lookup(code, date(2025, 3, 1))
            assert answer is not None, code
            kinds = sorted({n.kind for n in answer.notes()})
            lookups.add_row(
                answer.code,
                escape(answer.record.title),
                "yes" if answer.billable else "no",
                ", ".join(kinds),
                ", ".join(sorted(answer.flags)),
                answer.edition.name,
            )
        con.print(lookups)

        searcher = Searcher(library)
        found = Table(title="searches (top 3)")
        for column in ("query", "code", "description", "matched"):
            found.add_column(column)
        for query in SEARCHES:
            for hit in searcher.search(query, limit=3):
                code = hit.code if hit.billable else f"{hit.code} (header)"
                found.add_row(query, code, escape(hit.description), escape(hit.matched))
        con.print(found)

        validator = Validator(library)
        checks = Table(title="validations")
        for column in ("code", "date of service", "valid", "issues"):
            checks.add_column(column)
        for code, day in VALIDATE:
            result = validator.validate(code, day)
            issues = (
                "; ".join(f"{i.code}: {i.message}" + (f" ({i.hint})" if i.hint else "") for i in result.issues) or "-"
            )
            checks.add_row(code, day.isoformat(), "yes" if result.valid else "no", escape(issues))
        con.print(checks)
        _billing(con, library, out, encounters)


def _billing(con: Console, library: CodeLibrary, out: Path, count: int) -> None:
    """The revenue-cycle part of the demo: everything lands in ``out``."""
    from rich.markup import escape

    from medbill.scrub import load_profile
    from medbill.services.demo import AS_OF, run_demo
    from medbill.services.scrub import scrub_context
    from medbill.store.database import open_database
    from medbill.x12.rules import CodeSets, rules_for
    from medbill.x12.validator import validate_x12

    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "medbill.db"
    codes = CodeSets(library)
    scrub = scrub_context(library, load_profile("commercial"), today=AS_OF)

    def validate(text: str) -> ValidationReport:
        return validate_x12(text, name="batch", external=codes.external(date.today()), hooks=rules_for(codes))

    database = open_database(db_path)
    try:
        with database.transaction() as session:
            summary = run_demo(session, out_dir=out, encounters_count=count, scrub=scrub, validate=validate)
    finally:
        database.close()
    con.print("[bold]billing[/] (synthetic practice: fictitious people, Luhn-valid NPIs, real code numbers)")
    con.print(f"  database: {escape(str(db_path))}")
    con.print(
        f"  {summary.patients} patients, {summary.encounters} encounters, {summary.claims} claims; "
        f"{summary.claims_submitted_now} submitted in this run"
    )
    _scrub_summary(con, summary.scrubbed)
    con.print(
        f"  charges {summary.charges:,.2f}; expected reimbursement (PFS CY2024 and contracts) {summary.expected:,.2f}"
    )
    con.print(
        f"  837P batches: {len(summary.batch_files)} ({summary.batches_accepted} accepted by medbill's validator, "
        f"{summary.batches_rejected} rejected)"
    )
    for name in summary.batch_files:
        con.print(f"    {escape(name)}")
    ar = summary.receivables
    con.print(
        f"  A/R ledger: {ar.entries} entries ({summary.ledger_entries_new} new); open receivables {ar.total} "
        f"as of {ar.as_of.isoformat()}"
    )
    buckets = ", ".join(f"{bucket}: {amount}" for bucket, amount in ar.insurance.items())
    con.print(f"    insurance, by days since the date of service: {buckets}")
    if summary.cms1500:
        con.print(f"  CMS-1500 (first three claims): {escape(summary.cms1500)}")


def _scrub_summary(con: Console, scrubbed: tuple[ClaimScrub, ...]) -> None:
    """How the scrubber treated this run's drafts: clean ones went on, held ones wait with their top reasons."""
    from collections import Counter

    from rich.markup import escape

    if not scrubbed:
        con.print("  scrubber: no new draft claims")
        return
    held = [s for s in scrubbed if not s.clean]
    con.print(
        f"  scrubber ({len(scrubbed)} draft claims, payer profiles by filing indicator): "
        f"{len(scrubbed) - len(held)} clean and ready, {len(held)} held with error-level findings"
    )
    reasons = Counter((f.rule, f.name) for s in held for f in s.findings if f.is_error)
    for (rule, name), count in reasons.most_common(5):
        con.print(f"    {rule} {escape(name)}: {count}")
    notes = Counter(str(f.severity) for s in scrubbed for f in s.findings if not f.is_error)
    if notes:
        con.print(f"    also {notes['warning']} warnings and {notes['info']} notes (see `medbill claims scrub`)")
