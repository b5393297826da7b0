"""The rule registry: every scrubber edit is one pure function registered under a code such as ``DX003``.

A rule reads a claim's precomputed facts and the scrub context and yields ``Hit``s; the engine turns hits into
findings with the rule's code and severity, so a rule never repeats its own metadata. The docstring is the
rule's documentation and must carry the five sections in ``SECTIONS`` (a test holds every rule to it).
Codes are two or three letters for the family and three digits; a code, once published, is never reused.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from medbill.issues import Severity

if TYPE_CHECKING:
    from medbill.scrub.context import ScrubContext
    from medbill.scrub.facts import ClaimFacts

SECTIONS = ("What it checks", "Why it matters", "Example", "How to fix", "References")
CODE_PATTERN = re.compile(r"^[A-Z]{2,3}[0-9]{3}$")

FAMILIES: dict[str, str] = {
    "DX": "diagnosis codes and their sequencing (ICD-10-CM tabular, guidelines, MCE)",
    "PR": "procedure and supply codes (CPT, HCPCS, revenue codes, NDC)",
    "MD": "modifiers",
    "NC": "NCCI edits: procedure-to-procedure pairs, medically unlikely edits, add-on codes",
    "CL": "claim structure and required fields (837P/837I, CMS-1500/UB-04)",
    "PV": "providers: NPI, taxonomy, tax id, addresses",
    "DT": "dates of service, birth, coverage and filing",
    "DU": "duplicate claims and lines",
    "PY": "payer-specific rules (selected by payer profile)",
    "INT": "internal: a rule failed to run",
}


class Status(StrEnum):
    PREVIEW = "preview"
    """New; runs only when a profile asks for preview rules."""
    STABLE = "stable"
    DEPRECATED = "deprecated"
    """Kept so old selections still parse; never runs."""


class Hit(NamedTuple):
    """What a rule reports: the message, the service line it concerns (1-based, None for the claim) and a fix."""

    message: str
    line: int | None = None
    hint: str | None = None


Check = Callable[["ClaimFacts", "ScrubContext"], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    status: Status
    since: str
    check: Check
    effective: date | None = None
    """First date of service the edit applies to (None: always)."""
    until: date | None = None
    """Last date of service the edit applies to (None: still in force)."""
    kinds: frozenset[str] = frozenset({"P", "I"})
    """Claim kinds the edit applies to: "P" professional (837P), "I" institutional (837I)."""

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")

    @property
    def doc(self) -> str:
        return _dedent(self.check.__doc__ or "")

    def sections(self) -> dict[str, str]:
        """The docstring split at its section headers ("What it checks:" on a line of its own)."""
        out: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for raw in self.doc.splitlines():
            header = raw.strip().rstrip(":")
            if header in SECTIONS and raw.strip().endswith(":"):
                if current is not None:
                    out[current] = textwrap.dedent("\n".join(lines)).strip()
                current, lines = header, []
            elif current is not None:
                lines.append(raw)
        if current is not None:
            out[current] = textwrap.dedent("\n".join(lines)).strip()
        return out

    def applies_on(self, on: date | None) -> bool:
        if on is None:
            return True
        return (self.effective is None or self.effective <= on) and (self.until is None or on <= self.until)


def _dedent(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)


class Registry:
    """Rules by code; filled by the ``rule`` decorator when the rule modules are imported."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> None:
        if not CODE_PATTERN.match(rule.code):
            raise ValueError(f"rule code {rule.code!r} must be 2-3 capital letters and 3 digits")
        if rule.code in self._rules:
            raise ValueError(f"rule code {rule.code} registered twice")
        if rule.family not in FAMILIES:
            raise ValueError(f"rule {rule.code}: unknown family {rule.family}")
        self._rules[rule.code] = rule

    def get(self, code: str) -> Rule | None:
        return self._rules.get(code.strip().upper())

    def all(self) -> list[Rule]:
        return sorted(self._rules.values(), key=lambda r: r.code)

    def __len__(self) -> int:
        return len(self._rules)


REGISTRY = Registry()


def rule(
    code: str,
    name: str,
    *,
    severity: Severity = Severity.ERROR,
    status: Status = Status.STABLE,
    since: str = "0.1",
    effective: date | None = None,
    until: date | None = None,
    kinds: str = "PI",
) -> Callable[[Check], Check]:
    """Register a check under ``code``; ``name`` is a short kebab-case phrase ("dx-header-code")."""

    def register(check: Check) -> Check:
        REGISTRY.add(Rule(code, name, severity, status, since, check, effective, until, frozenset(kinds)))
        return check

    return register


def load_rules() -> Registry:
    """Import every rule module (registration happens at import) and return the registry."""
    import medbill.scrub.rules  # noqa: F401  (the import registers the rules)

    return REGISTRY
