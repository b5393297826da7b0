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
    """Micro P/R/F1 over full codes and 3-character F1 of the CAC decision set on CodiEsp-D (English); MAP over the
    full ranking (decision set, then the further candidates) and `map_decision_set` over the decision set alone;
    notes/s."""
    if split not in ("dev", "test"):
        raise fail(f"--split must be dev or test, not {split!r}")
    if not data.is_dir():
        raise fail(f"no CodiEsp folder at {data}")
    with failures():
        from medbill.coding.cac import Coder, CodingResult
        from medbill.coding.evaluate import evaluate_ranked, load_codiesp

        gold, texts = load_codiesp(data, split)
        coder = Coder(open_library())

        def codes(text: str) -> tuple[list[str], list[str]]:
            result: CodingResult = coder.suggest(text)
            return [s.code for s in result.suggestions], [s.code for s in result.candidates]

        coder.suggest("Warm-up.")  # load the model files before the clock starts: notes/s is the per-note rate
        scores, _, _ = evaluate_ranked(gold, texts, codes)
    if json:
        print_json(scores.to_dict())
        return
    out = console()
    for key, value in scores.to_dict().items():
        out.print(f"{key:<18} {value:.4f}" if key != "notes_per_s" else f"{key:<18} {value:.1f}")
