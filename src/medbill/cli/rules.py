"""`medbill rules ...`: the scrubber's edits, with their codes, severities and documentation."""

from __future__ import annotations

from typing import Annotated

import typer

from medbill.cli.common import JsonOption, console, fail, print_json

app = typer.Typer(help="The claim scrubber's rules: list them, show one's documentation.", no_args_is_help=True)


@app.command("list")
def list_rules(
    family: Annotated[
        str | None, typer.Option(help="Only codes starting with this prefix (DX, NC, PY1 …).", metavar="PREFIX")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Only the rules this payer profile runs (name or TOML file).")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Every rule: code, name, severity, status and its one-line summary."""
    from rich.table import Table

    from medbill.cli.common import failures
    from medbill.scrub import load_profile
    from medbill.scrub.registry import load_rules

    with failures():
        chosen = load_profile(profile) if profile else None
    rules = [
        r
        for r in load_rules().all()
        if (family is None or r.code.startswith(family.strip().upper())) and (chosen is None or chosen.selects(r.code))
    ]
    if json:
        print_json([_summary(r) for r in rules])
        return
    table = Table(title=f"{len(rules)} scrubber rules")
    for column in ("code", "name", "severity", "status", "applies to", "summary"):
        table.add_column(column)
    for r in rules:
        s = _summary(r)
        table.add_row(r.code, r.name, str(r.severity), str(r.status), str(s["applies_to"]), str(s["summary"]))
    console().print(table)


@app.command()
def show(code: Annotated[str, typer.Argument(help="A rule code such as DX003.")], json: JsonOption = False) -> None:
    """A rule's full documentation: what it checks, why it matters, an example, how to fix, references."""
    from rich.markup import escape

    from medbill.scrub.engine import INTERNAL, INTERNAL_DOC
    from medbill.scrub.registry import SECTIONS, load_rules

    if code.strip().upper() == INTERNAL:
        if json:
            print_json({"code": INTERNAL, "name": "internal-error", "severity": "warning", "doc": INTERNAL_DOC})
        else:
            console().print(f"[bold]{INTERNAL}[/] internal-error  (warning)\n{INTERNAL_DOC}", markup=True)
        return
    found = load_rules().get(code)
    if found is None:
        raise fail(f"no rule {code!r} (see `medbill rules list`)")
    sections = found.sections()
    if json:
        print_json({**_summary(found), "sections": {name: sections.get(name, "") for name in SECTIONS}})
        return
    con = console()
    con.print(f"[bold]{found.code}[/] {found.name}  ({found.severity}, {found.status}, since {found.since})")
    con.print(escape(str(_summary(found)["summary"])))
    s = _summary(found)
    con.print(f"applies to: {s['applies_to']}; effective: {s['effective'] or 'always'}; until: {s['until'] or '-'}")
    for name in SECTIONS:
        con.print(f"\n[bold]{name}[/]")
        con.print(escape(sections.get(name, "")))


def _summary(rule: object) -> dict[str, object]:
    from medbill.scrub.registry import Rule

    assert isinstance(rule, Rule)
    doc = rule.doc.strip().splitlines()
    kinds = "837P and 837I" if rule.kinds == {"P", "I"} else ("837P" if "P" in rule.kinds else "837I")
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": str(rule.severity),
        "status": str(rule.status),
        "since": rule.since,
        "effective": rule.effective.isoformat() if rule.effective else None,
        "until": rule.until.isoformat() if rule.until else None,
        "applies_to": kinds,
        "summary": doc[0] if doc else "",
    }
