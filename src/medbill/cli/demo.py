"""`medbill demo`: the main job on shipped data. Today it builds the code-set store and shows what it answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from medbill.cli.common import console, failures, open_library

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
    out: Annotated[
        str, typer.Option(help="Folder for the demo's files (later issues write claims here).")
    ] = "medbill-demo",
) -> None:
    """Build the code-set store (progress bar) and show lookups, searches and validations on real data."""
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
    con.print(f"[dim]later steps of the revenue cycle will write their files to ./{out}[/]")
