"""`medbill`: the root command. Subcommand modules register themselves here; imports stay lazy for fast start."""

from __future__ import annotations

import typer

from medbill import __version__
from medbill.cli.claims import app as claims_app
from medbill.cli.codes import app as codes_app
from medbill.cli.coding import app as coding_app
from medbill.cli.demo import demo
from medbill.cli.eval import app as eval_app
from medbill.cli.rules import app as rules_app
from medbill.cli.x12 import app as x12_app

app = typer.Typer(
    name="medbill",
    help="Open medical coding and billing engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(codes_app, name="codes")
app.add_typer(coding_app, name="coding")
app.add_typer(x12_app, name="x12")
app.add_typer(eval_app, name="eval")
app.add_typer(rules_app, name="rules")
app.add_typer(claims_app, name="claims")
app.command()(demo)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medbill {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Open medical coding and billing engine."""


def run() -> None:
    app()


if __name__ == "__main__":
    run()
