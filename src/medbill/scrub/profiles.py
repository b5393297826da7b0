"""Payer profiles: which edits a payer applies and with which parameters, as data (TOML), never as code.

A profile selects rules by code prefix (``select = ["ALL"]``, ``ignore = ["PY2"]``); the longest matching prefix
wins and an ignore beats a select of the same length, as in flake8/Ruff. ``severity`` overrides a rule's level
for this payer; ``params`` are the thresholds rules read (timely filing days, sex edits on or off …).
Shipped profiles live beside this module in ``profiles/``; a user's file is loaded by path.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from medbill.errors import InvalidInput, NotFound
from medbill.issues import Issue, Location, Severity

SHIPPED = ("medicare", "medicaid", "commercial")
MEDICARE_FILING = frozenset({"MA", "MB", "16"})
MEDICAID_FILING = frozenset({"MC"})


@dataclass(frozen=True)
class PayerProfile:
    name: str
    title: str = ""
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    preview: bool = False
    """Run preview-status rules too."""
    severity: dict[str, str] = field(default_factory=dict)
    params: dict[str, object] = field(default_factory=dict)
    filing_indicators: tuple[str, ...] = ()
    """Claim filing indicators (SBR09) this profile answers for when none is named."""

    def selects(self, code: str) -> bool:
        best, chosen = -1, False
        for prefix in self.select:
            p = "" if prefix == "ALL" else prefix
            if code.startswith(p) and len(p) > best:
                best, chosen = len(p), True
        for prefix in self.ignore:
            p = "" if prefix == "ALL" else prefix
            if code.startswith(p) and len(p) >= best:
                best, chosen = len(p), False
        return chosen

    def severity_of(self, code: str, default: Severity) -> Severity:
        value = self.severity.get(code)
        return Severity(value) if value else default


def _bad(name: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"payer profile {name}: {message}",
        issues=[Issue(Severity.ERROR, "profile", message, Location(file=name))],
    )


def parse_profile(text: str, name: str) -> PayerProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _bad(name, f"not valid TOML ({exc})") from None
    known = {"name", "title", "select", "ignore", "preview", "severity", "params", "filing_indicators"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise _bad(name, f"unknown keys {', '.join(unknown)} (allowed: {', '.join(sorted(known))})")

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(name, f"{key} must be a list of strings")
        return tuple(v.strip().upper() for v in value)

    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise _bad(name, "severity must be a table of RULE = level")
    for code, level in severity.items():
        if level not in {s.value for s in Severity}:
            raise _bad(name, f"severity.{code} = {level!r}: use error, warning or info")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise _bad(name, "params must be a table")
    return PayerProfile(
        name=str(data.get("name", Path(name).stem)),
        title=str(data.get("title", "")),
        select=strings("select") if "select" in data else ("ALL",),
        ignore=strings("ignore"),
        preview=bool(data.get("preview", False)),
        severity={str(k).upper(): str(v) for k, v in severity.items()},
        params=dict(params),
        filing_indicators=strings("filing_indicators"),
    )


def load_profile(name_or_path: str) -> PayerProfile:
    """A shipped profile by name (medicare, medicaid, commercial) or a TOML file by path."""
    key = name_or_path.strip().lower()
    if key in SHIPPED:
        text = resources.files("medbill.scrub").joinpath("profiles", f"{key}.toml").read_text("utf-8")
        return parse_profile(text, f"{key}.toml")
    path = Path(name_or_path)
    if not path.is_file():
        raise NotFound(f"payer profile {name_or_path!r}: not a shipped profile ({', '.join(SHIPPED)}) nor a file")
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise _bad(path.name, "not UTF-8 text") from None
    return parse_profile(text, path.name)


def shipped_profiles() -> dict[str, PayerProfile]:
    return {name: load_profile(name) for name in SHIPPED}


def profile_for(filing_indicator: str, profiles: dict[str, PayerProfile]) -> PayerProfile:
    """The profile answering for a claim filing indicator (SBR09), the commercial one by default."""
    code = filing_indicator.strip().upper()
    for profile in profiles.values():
        if code in profile.filing_indicators:
            return profile
    return profiles.get("commercial") or next(iter(profiles.values()))
