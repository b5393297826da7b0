"""`medbill coding ...`: the encoder (index walk + tabular verification) and computer-assisted coding (suggest)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from medbill.cli.common import JsonOption, OnOption, console, fail, failures, open_library, parse_date, print_json

if TYPE_CHECKING:
    from rich.console import Console

    from medbill.coding.cac import Suggestion

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


def _read_note(path: Path) -> str:
    """The note's text, or one clear error line (exit 2) for a missing, empty, binary or undecodable file."""
    if not path.is_file():
        raise fail(f"no note file at {path}")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise fail(f"{path} is a binary file, not a text note")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(f"{path} is not UTF-8 text") from None
    if not text.strip():
        raise fail(f"{path} is empty")
    return text


@app.command()
def suggest(
    note_file: Annotated[Path, typer.Argument(help="A clinical note (UTF-8 text).", metavar="NOTE_FILE")],
    setting: Annotated[
        str, typer.Option("--setting", help="outpatient (uncertain diagnoses dropped) or inpatient (kept).")
    ] = "outpatient",
    on: OnOption = None,
    candidates: Annotated[
        int, typer.Option("--candidates", min=0, help="Also show the next N candidates of the ranking.")
    ] = 0,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0.0, max=1.0, help="Probability a suggestion needs (default 0.20)."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Computer-assisted coding: ICD-10-CM suggestions from a note (probability >= threshold), with evidence spans
    and assertion; `--json` gives {"suggestions": [...], "candidates": [...every further candidate...]}."""
    if setting not in ("outpatient", "inpatient"):
        raise fail(f"--setting must be outpatient or inpatient, not {setting!r}")
    day = parse_date(on)
    text = _read_note(note_file)
    with failures():
        from medbill.coding.cac import Coder

        result = Coder(open_library()).suggest(
            text, setting="inpatient" if setting == "inpatient" else "outpatient", on=day, threshold=threshold
        )
    if json:
        print_json(
            {
                "suggestions": [s.to_dict(text) for s in result.suggestions],
                "candidates": [s.to_dict(text) for s in result.candidates],
            }
        )
        return
    out = console()
    if not result.suggestions:
        out.print("no diagnosis found in the note")
    for s in result.suggestions:
        _print_suggestion(out, s, text, "green")
    more = result.candidates[:candidates]
    if more:
        out.print(f"[bold]next {len(more)} candidates[/] (below the threshold, negated, or uncertain for outpatient):")
    for s in more:
        _print_suggestion(out, s, text, "yellow")


def _print_suggestion(out: Console, s: Suggestion, text: str, colour: str) -> None:
    where = ", ".join(f"{a}-{b} {text[a:b]!r}" for a, b in s.evidence) or "-"
    out.print(f"[{colour}]{escape(s.code):<8}[/] {s.confidence:.2f} {escape(s.title)}")
    out.print(
        f"         {s.assertion}; {escape(', '.join(s.sources) or 'lexicon')}; "
        f"matched {escape(s.matched)!r} at {escape(where)}"
    )
