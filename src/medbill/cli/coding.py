"""`medbill coding ...`: the encoder (index walk + tabular verification); computer-assisted coding comes next."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from medbill.cli.common import JsonOption, OnOption, console, failures, open_library, parse_date, print_json

app = typer.Typer(help="Coding: find codes through the Alphabetic Index and tables, verified in the Tabular.")


@app.command()
def encode(
    term: Annotated[str, typer.Argument(help='A diagnostic statement or external cause, e.g. "fall from ladder".')],
    on: OnOption = None,
    json: JsonOption = False,
) -> None:
    """Walk the index like a coder: main term, subterms, see references, table column, then the Tabular."""
    day = parse_date(on)
    with failures():
        from medbill.coding.encoder import Encoder

        results = Encoder(open_library()).encode(term, day)
    if json:
        print_json([r.to_dict() for r in results])
        return
    out = console()
    if not results:
        out.print(f"no index entry matches {escape(term)!r} in the loaded index tables")
        return
    for result in results:
        verdict = (
            f"[green]{escape(result.code)}[/] {escape(result.title or '')}" if result.code else "[yellow]incomplete[/]"
        )
        out.print(f"[bold]{escape(result.index)}[/]: {verdict}")
        for step in result.path:
            out.print(f"  {step.kind:<14} {escape(step.text)}")
        for question in result.questions:
            out.print(f"  [yellow]?[/] {escape(question.asks)}")
            for value, label in question.options[:20]:
                out.print(f"      {escape(value)}  {escape(label)}")
        for note in result.notes:
            out.print(f"  [cyan]note[/] {escape(note)}")
