"""Validity periods: when a code was valid, with the edit flags in force then.

Serialized in the store as "YYYYMMDD-YYYYMMDD:flag|flag;..." (end empty when open) so a record loads with one
string split and no date parsing until a date is asked about.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import NamedTuple


class Period(NamedTuple):
    """Immutable; a NamedTuple because records are built by the hundred thousand and tuples build fastest."""

    start: date
    end: date | None
    flags: frozenset[str]

    def contains(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


def _date(text: str) -> date | None:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if text else None


def period_on(periods: tuple[Period, ...], on: date) -> Period | None:
    """The period in force on a date, if any (periods never overlap)."""
    for period in periods:
        if period.start <= on and (period.end is None or on <= period.end):
            return period
    return None


@lru_cache(maxsize=4096)
def parse_periods(text: str) -> tuple[Period, ...]:
    """Cached: about a hundred thousand records share a few hundred distinct period strings, so they share
    the Period objects too (less memory, warmer CPU caches)."""
    if not text:
        return ()
    out = []
    for part in text.split(";"):
        span, _, flags = part.partition(":")
        start, _, end = span.partition("-")
        first = _date(start)
        if first is None:
            raise ValueError(f"period without a start: {part!r}")
        out.append(Period(first, _date(end), frozenset(f for f in flags.split("|") if f)))
    return tuple(out)


def format_period(start: date | None, end: date | None, flags: frozenset[str] | tuple[str, ...] = ()) -> str:
    first = (start or date(1900, 1, 1)).strftime("%Y%m%d")
    last = end.strftime("%Y%m%d") if end else ""
    return f"{first}-{last}:{'|'.join(sorted(flags))}"


def merged_spans(periods: tuple[Period, ...]) -> list[tuple[date, date | None]]:
    """Validity as a coder reads it: periods that only differ in edit flags and touch are one span."""
    spans: list[tuple[date, date | None]] = []
    for period in periods:
        if spans and spans[-1][1] is not None and (period.start - spans[-1][1]).days == 1:
            spans[-1] = (spans[-1][0], period.end)
        else:
            spans.append((period.start, period.end))
    return spans
