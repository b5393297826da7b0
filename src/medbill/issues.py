"""Issue: a problem found in user data, collected and returned, never raised.

A validation, a scrubber edit and an X12 check all speak in Issues, so every front end renders them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    """The data cannot be used as it is (an invalid code, a missing field)."""
    WARNING = "warning"
    """Usable, but likely to cause a denial or a compliance question."""
    INFO = "info"
    """Worth knowing (a newer code-set release applies and is not loaded)."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where an issue lies; every field optional so one shape serves files, claims and code lists."""

    file: str | None = None
    line: int | None = None
    segment_index: int | None = None
    loop: str | None = None
    element: str | None = None
    claim: str | None = None
    item: str | None = None

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("file", self.file),
                ("line", self.line),
                ("segment", self.segment_index),
                ("loop", self.loop),
                ("element", self.element),
                ("claim", self.claim),
                ("item", self.item),
            )
            if value is not None
        ]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Issue:
    severity: Severity
    code: str
    message: str
    location: Location | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"severity": str(self.severity), "code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.location is not None:
            out["location"] = self.location.describe()
        return out
