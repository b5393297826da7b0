"""medbill: an open medical coding and billing engine.

The package is layered (see docs/ARCHITECTURE.md): vocabulary (`money`, `issues`, `errors`) at the bottom,
then `codes` (dated code-set editions), the domain packages, and the thin `cli` on top.
"""

__version__ = "0.1.0"
