"""What every command shares: date parsing, JSON output, opening the library with a progress bar, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from medbill.codes.library import CodeLibrary


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{value!r} is not a date (YYYY-MM-DD)") from None


OnOption = Annotated[
    str | None,
    typer.Option("--on", help="Date of service (YYYY-MM-DD); default today.", metavar="DATE"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def open_library() -> CodeLibrary:
    """Open the code library, building the store first (with a progress bar on stderr) when needed."""
    from medbill.codes.library import CodeLibrary
    from medbill.codes.store import medbill_home, store_path

    home = medbill_home()
    if store_path(home).exists():
        return CodeLibrary.open(home)
    with build_progress() as step:
        return CodeLibrary.open(home, progress=step)


@contextmanager
def build_progress() -> Iterator[Callable[[str], None]]:
    """A progress bar over the store build's steps, on stderr, shown from the first step reported (an import
    refused before any build prints only its error); yields the callback the build reports to."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from medbill.codes.store import STEPS

    bar = Progress(
        TextColumn("[bold]building code sets[/]"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console(stderr=True),
    )
    task = bar.add_task("starting", total=len(STEPS))
    seen: list[str] = []

    def step(name: str) -> None:
        if seen:
            bar.advance(task)
        else:
            bar.start()
        seen.append(name)
        bar.update(task, description=name)

    try:
        yield step
        if seen:
            bar.update(task, completed=len(STEPS), description="done")
    finally:
        if seen:
            bar.stop()


@contextmanager
def failures() -> Iterator[None]:
    """Turn MedbillError into one clear line on stderr and exit 2 (never a traceback)."""
    from medbill.errors import MedbillError

    try:
        yield
    except MedbillError as exc:
        from rich.markup import escape

        console(stderr=True).print(f"[red]error:[/] {escape(exc.message)}")
        for issue in exc.issues[:10]:
            where = issue.location.describe() if issue.location else ""
            console(stderr=True).print(f"  {where}: {issue.message}", markup=False)
        raise typer.Exit(exc.exit_code) from None


def fail(message: str) -> typer.Exit:
    """Print one error line (user text shown literally, never as markup) and give the exit to raise."""
    from rich.markup import escape

    console(stderr=True).print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(2)
