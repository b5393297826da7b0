"""`medbill codes ...`: look up, search and validate codes; list editions; import CPT, HCPCS and the main index."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from medbill.cli.common import (
    JsonOption,
    OnOption,
    build_progress,
    console,
    fail,
    failures,
    open_library,
    parse_date,
    print_json,
)
from medbill.codes.periods import merged_spans

if TYPE_CHECKING:
    from medbill.codes.catalog import CatalogAnswer
    from medbill.codes.icd10cm import CodeAnswer, Icd10cmCode
    from medbill.codes.library import CodeLibrary

app = typer.Typer(
    help="Code sets: ICD-10-CM, ICD-10-PCS, HCPCS, CPT, modifiers, POS, CARC/RARC, taxonomy.", no_args_is_help=True
)

NOTE_TITLES = {
    "includes": "Includes",
    "inclusion_term": "Inclusion terms",
    "excludes1": "Excludes1 (never coded together)",
    "excludes2": "Excludes2 (not included here; both may be coded)",
    "code_first": "Code first",
    "use_additional": "Use additional code",
    "code_also": "Code also",
    "note": "Notes",
    "seventh_character_note": "7th character",
}


def _resolve(library: CodeLibrary, code: str, on: date | None) -> CodeAnswer | CatalogAnswer | None:
    from medbill.coding.validation import Validator, parse_system

    text = code.strip()
    system = None
    if ":" in text:
        prefix, _, rest = text.partition(":")
        try:
            system, text = parse_system(prefix), rest.strip()
        except ValueError as exc:
            raise fail(str(exc)) from None
    from medbill.codes.editions import CodeSystem

    if system is None:
        system = Validator(library).detect(text)
        if system is None:
            raise fail(f"{text} could be a modifier or a place of service: use modifier:{text} or pos:{text}")
    if system is CodeSystem.ICD10CM:
        return library.icd10cm.lookup(text, on)
    return library.catalog(system).lookup(text, on)


@app.command()
def show(code: str, on: OnOption = None, json: JsonOption = False) -> None:
    """Show a code's page: titles, hierarchy, notes (inherited ones marked), 7th characters, edits, editions."""
    day = parse_date(on)
    with failures():
        library = open_library()
        answer = _resolve(library, code, day)
        if answer is None:
            raise fail(f"{code.strip()} is not a known code (try: medbill codes validate {code.strip()})")
        from medbill.codes.icd10cm import CodeAnswer

        if json:
            payload = answer.to_dict()
            if not isinstance(answer, CodeAnswer) and str(answer.record.system) == "ICD-10-PCS":
                payload["axes"] = _pcs_axes(library, answer.code)
            print_json(payload)
        elif isinstance(answer, CodeAnswer):
            _render_icd(answer)
        else:
            _render_catalog(library, answer)


def _pcs_axes(library: CodeLibrary, code: str) -> list[dict[str, object]] | None:
    axes = library.pcs_tables.explain(code)
    if axes is None:
        return None
    return [{"position": a.position, "title": a.title, "value": a.value, "label": a.label} for a in axes]


def _render_icd(answer: CodeAnswer) -> None:
    from rich.markup import escape

    out = console()
    rec = answer.record
    status = "[green]billable[/]" if answer.billable else "[yellow]not billable on this date[/]"
    out.print(f"[bold]{rec.code}[/]  {escape(rec.title)}")
    if rec.short_title and rec.short_title != rec.title:
        out.print(f"  short: {escape(rec.short_title)}")
    out.print(f"  ICD-10-CM {rec.kind} · {status} · edition: {escape(answer.edition.name)}")
    if answer.notice:
        out.print(f"  [bold yellow]notice:[/] {escape(answer.notice)}")
    path = " › ".join(f"{a.code} {a.title}" for a in reversed(answer.ancestors()))
    if path:
        out.print(f"  [dim]{escape(path)}[/]")
    grouped: dict[str, list[str]] = {}
    for note in answer.notes():
        mark = f"  [dim](from {note.source})[/]" if note.inherited else ""
        grouped.setdefault(note.kind, []).append(f"{escape(note.text)}{mark}")
    for kind, lines in grouped.items():
        out.print(f"\n[bold]{NOTE_TITLES.get(kind, kind)}[/]")
        for line in lines:
            out.print(f"  • {line}")
    seventh = answer.seventh_characters()
    if seventh is not None:
        out.print(f"\n[bold]7th characters[/] [dim](from {seventh.source})[/]")
        for char, text in seventh.values:
            out.print(f"  {char}  {escape(text)}")
    from medbill.codes.icd10cm import FLAG_LABELS

    if answer.flags:
        out.print("\n[bold]MCE edits[/]")
        for flag in sorted(answer.flags):
            out.print(f"  • {escape(FLAG_LABELS.get(flag, flag))}")
    if rec.periods:
        spans = ", ".join(
            f"{a.isoformat()} to {b.isoformat() if b else 'current'}" for a, b in merged_spans(rec.periods)
        )
        out.print(f"\n[bold]Valid[/] {spans}")
    children = answer.children()
    if children:
        out.print(f"\n[bold]Codes below[/] ({len(children)})")
        for child in children[:40]:
            out.print(f"  {child.code:<9} {escape(child.title)}")
        if len(children) > 40:
            out.print(f"  … {len(children) - 40} more (medbill codes children {rec.code})")


def _render_catalog(library: CodeLibrary, answer: CatalogAnswer) -> None:
    from rich.markup import escape

    out = console()
    rec = answer.record
    status = "[green]active[/]" if answer.active else "[yellow]not active on this date[/]"
    out.print(f"[bold]{rec.code}[/]  {escape(rec.title or '(descriptor not loaded: import your CPT file)')}")
    out.print(f"  {rec.system} · {status} · edition: {escape(answer.edition.name)}")
    if answer.notice:
        out.print(f"  [bold yellow]notice:[/] {escape(answer.notice)}")
    for key, value in rec.detail.items():
        if value not in (None, "", []):
            out.print(f"  {key.replace('_', ' ')}: {escape(str(value))}")
    if str(rec.system) == "ICD-10-PCS":
        for axis in _pcs_axes(library, rec.code) or []:
            out.print(f"  {axis['position']}. {axis['title']}: {axis['value']} = {escape(str(axis['label']))}")
    spans = [
        f"{p.start.isoformat() if p.start.year > 1900 else '…'} to {p.end.isoformat() if p.end else 'current'}"
        for p in rec.periods
    ]
    if spans:
        out.print(f"  valid: {', '.join(spans)}")


@app.command()
def search(
    query: str,
    on: OnOption = None,
    json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many hits.")] = 20,
    system: Annotated[list[str] | None, typer.Option(help="Only these systems (icd10cm, hcpcs, cpt).")] = None,
    chapter: Annotated[str | None, typer.Option(help="Only this ICD-10-CM chapter (number).")] = None,
    billable_only: Annotated[bool, typer.Option("--billable-only", help="Only billable codes.")] = False,
) -> None:
    """Search codes by words: titles, inclusion terms and index tables; abbreviations and typos understood."""
    day = parse_date(on)
    from medbill.coding.validation import parse_system

    try:
        systems = frozenset(parse_system(s) for s in system) if system else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    with failures():
        from medbill.coding.search import Searcher

        hits = Searcher(open_library()).search(
            query, systems=systems, chapter=chapter, billable_only=billable_only, on=day, limit=limit
        )
    if json:
        print_json([h.to_dict() for h in hits])
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"search: {escape(query)}", show_lines=False)
    for column in ("code", "system", "description", "score", "matched"):
        table.add_column(column)
    for h in hits:
        code = h.code if h.billable else f"{h.code} [dim](header)[/]"
        table.add_row(code, h.system, escape(h.description), f"{h.score:.3f}", escape(h.matched))
    console().print(table)


@app.command()
def validate(
    codes: Annotated[list[str], typer.Argument(help="Codes; prefix with a system to be explicit (pos:11).")],
    on: OnOption = None,
    json: JsonOption = False,
    system: Annotated[str | None, typer.Option(help="Treat every code as this system.")] = None,
) -> None:
    """Validate codes for a date of service; exit 0 when all are valid, 1 when any is not."""
    day = parse_date(on)
    from medbill.coding.validation import Validator, parse_system

    try:
        forced = parse_system(system) if system else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    with failures():
        validator = Validator(open_library())
        results = [validator.validate(code, day, forced) for code in codes]
    if json:
        print_json([r.to_dict() for r in results])
    else:
        from rich.markup import escape

        out = console()
        for r in results:
            mark = "[green]valid[/]" if r.valid else "[red]invalid[/]"
            what = f"{r.system} " if r.system else ""
            out.print(
                f"[bold]{escape(r.code)}[/] {mark} {what}{escape(r.title or '')} [dim]{escape(r.edition or '')}[/]"
            )
            for issue in r.issues:
                colour = {"error": "red", "warning": "yellow"}.get(str(issue.severity), "cyan")
                out.print(f"  [{colour}]{issue.severity}[/] {issue.code}: {escape(issue.message)}")
                if issue.hint:
                    out.print(f"    hint: {escape(issue.hint)}")
    raise typer.Exit(0 if all(r.valid for r in results) else 1)


@app.command()
def children(code: str, on: OnOption = None, json: JsonOption = False) -> None:
    """List the codes directly below an ICD-10-CM chapter, block, category or subcategory."""
    day = parse_date(on) or date.today()
    with failures():
        library = open_library()
        answer = library.icd10cm.lookup(code, day)
        if answer is None:
            raise fail(f"{code.strip()} is not an ICD-10-CM code, block or chapter")
        kids = [(c, _child_state(library, c, day)) for c in answer.children()]
    if json:
        print_json(
            [
                {
                    "code": c.code,
                    "title": c.title,
                    "kind": str(c.kind),
                    "billable": st == "billable",
                    "status": st,
                    "edition": answer.edition.name,
                }
                for c, st in kids
            ]
        )
        return
    out = console()
    out.print(f"[bold]{escape(answer.code)}[/] {escape(answer.record.title)} — {len(kids)} below")
    colours = {"billable": "green", "header": "dim"}
    for child, state in kids:
        mark = f"[{colours.get(state, 'yellow')}]{escape(state)}[/]"
        out.print(f"  {child.code:<9} {mark:<40} {escape(child.title)}")


def _child_state(library: CodeLibrary, child: Icd10cmCode, day: date) -> str:
    """billable / header / not valid on the date (added later, or deleted), as a coder reads a code list."""
    if child.period_on(day) is not None:
        return "billable"
    if any(g.period_on(day) is not None for g in library.icd10cm.descendants(child)):
        return "header"
    if child.periods and day < child.periods[0].start:
        return f"added {child.periods[0].start.isoformat()}"
    if child.periods and child.periods[-1].end is not None and day > child.periods[-1].end:
        return f"deleted after {child.periods[-1].end.isoformat()}"
    return "not valid on this date"


@app.command()
def editions(json: JsonOption = False) -> None:
    """List every loaded edition, its source and the dates it covers."""
    with failures():
        eds = open_library().editions()
    if json:
        print_json([e.to_dict() for e in eds])
        return
    from rich.table import Table

    table = Table(title="loaded editions")
    for column in ("system", "edition", "from", "through", "source"):
        table.add_column(column)
    for e in eds:
        table.add_row(
            str(e.system), e.name, e.effective.isoformat(), e.through.isoformat() if e.through else "(open)", e.source
        )
    console().print(table)


def _import_home() -> Path:
    from medbill.codes.store import medbill_home

    return medbill_home()


@app.command("import-cpt")
def import_cpt(
    file: Annotated[Path, typer.Argument(help="Your licensed CPT file (CSV/TSV with a header, or CODE<space>text).")],
    edition: Annotated[str | None, typer.Option(help="Edition name, e.g. 'CPT 2026'.")] = None,
    effective: Annotated[str | None, typer.Option(help="First date the edition applies (YYYY-MM-DD).")] = None,
) -> None:
    """Load CPT descriptors from your licensed file into the local store (nothing is shipped)."""
    start = parse_date(effective)
    with failures():
        from medbill.codes.imports import import_cpt as do_import

        with build_progress() as step:
            imp, count = do_import(file, _import_home(), edition=edition, effective=start, progress=step)
    console().print(f"imported {count} CPT codes as [bold]{escape(imp.edition)}[/] (effective {imp.effective})")


@app.command("import-index")
def import_index(
    file: Annotated[Path, typer.Argument(help="The ICD-10-CM Index to Diseases and Injuries XML (from CMS).")],
    edition: Annotated[str | None, typer.Option(help="Edition name.")] = None,
) -> None:
    """Load the main ICD-10-CM Alphabetic Index (same XML schema as the shipped External Cause Index)."""
    with failures():
        from medbill.codes.imports import import_index as do_import

        with build_progress() as step:
            imp, count = do_import(file, _import_home(), edition=edition, progress=step)
    console().print(f"imported {count} main terms as [bold]{escape(imp.edition)}[/]")


@app.command("import-icd10cm")
def import_icd10cm(
    order_file: Annotated[Path, typer.Argument(help="The CMS ICD-10-CM order file of a newer release.")],
    tabular: Annotated[Path | None, typer.Option(help="That release's tabular XML (titles and notes).")] = None,
    effective: Annotated[str | None, typer.Option(help="First date it applies (default Oct 1 before the FY).")] = None,
    edition: Annotated[str | None, typer.Option(help="Edition name, e.g. 'ICD-10-CM FY2027'.")] = None,
) -> None:
    """Add a newer ICD-10-CM release (e.g. FY2027): its order file decides what is billable from its date on."""
    start = parse_date(effective)
    with failures():
        from medbill.codes.imports import import_icd10cm as do_import

        with build_progress() as step:
            imp, count = do_import(
                order_file, _import_home(), tabular=tabular, edition=edition, effective=start, progress=step
            )
    console().print(f"imported {escape(imp.edition)}: {count:,} billable codes from {imp.effective}")


@app.command("import-hcpcs")
def import_hcpcs(
    file: Annotated[
        Path,
        typer.Argument(help="A CMS HCPCS Level II quarterly file (CSV export of the alpha-numeric spreadsheet)."),
    ],
    effective: Annotated[
        str | None, typer.Option(help="First date the quarter applies (default: from the file name, e.g. JAN 2026).")
    ] = None,
    edition: Annotated[str | None, typer.Option(help="Edition name, e.g. 'HCPCS Level II January 2026'.")] = None,
) -> None:
    """Add a newer HCPCS Level II quarter: its codes and add/termination dates answer from its date on."""
    start = parse_date(effective)
    with failures():
        from medbill.codes.imports import import_hcpcs as do_import

        with build_progress() as step:
            imp, count = do_import(file, _import_home(), edition=edition, effective=start, progress=step)
    console().print(f"imported {escape(imp.edition)}: {count:,} HCPCS codes from {imp.effective}")
