"""`medbill eval ...`: score computer-assisted coding against labelled corpora (CodiEsp)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medbill.cli.common import JsonOption, console, fail, failures, open_library, print_json

app = typer.Typer(help="Evaluation: score computer-assisted coding against labelled clinical notes.")


@app.command()
def codiesp(
    data: Annotated[Path, typer.Option("--data", help="The CodiEsp folder (holding train/, dev/...).")],
    split: Annotated[str, typer.Option("--split", help="Which split to score: dev or test.")] = "dev",
    json: JsonOption = False,
) -> None:
    """Micro P/R/F1 over full codes, 3-character F1, MAP and notes/s of the CAC baseline on CodiEsp-D (English)."""
    if split not in ("dev", "test"):
        raise fail(f"--split must be dev or test, not {split!r}")
    if not data.is_dir():
        raise fail(f"no CodiEsp folder at {data}")
    with failures():
        from medbill.coding.cac import Coder
        from medbill.coding.evaluate import evaluate, load_codiesp

        gold, texts = load_codiesp(data, split)
        coder = Coder(open_library())
        scores, _ = evaluate(gold, texts, lambda text: [s.code for s in coder.suggest(text)])
    if json:
        print_json(scores.to_dict())
        return
    out = console()
    for key, value in scores.to_dict().items():
        out.print(f"{key:<16} {value:.4f}" if key != "notes_per_s" else f"{key:<16} {value:.1f}")
