"""`python -m medbill`: the same command line as the `medbill` script."""

from medbill.cli.main import run

run()
