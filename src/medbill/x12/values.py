"""Value tests shared by the element checkers: real calendar dates and clock times."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def real_date(text: str) -> bool:
    """CCYYMMDD (or YYMMDD) that names a real calendar day."""
    if not text.isdigit() or len(text) not in (6, 8):
        return False
    year = int(text[:-4]) if len(text) == 8 else 2000 + int(text[:2])
    try:
        dt.date(year, int(text[-4:-2]), int(text[-2:]))
    except ValueError:
        return False
    return True


def real_time(text: str) -> bool:
    """HHMM, HHMMSS or HHMMSSD.. with hours < 24 and minutes and seconds < 60."""
    if not text.isdigit() or len(text) not in (4, 6, 7, 8):
        return False
    return int(text[:2]) < 24 and int(text[2:4]) < 60 and (len(text) == 4 or int(text[4:6]) < 60)


DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
"""An X12 R (decimal) value."""
INTEGER = re.compile(r"-?\d+")
"""An X12 N0/N2 (implied-decimal integer) value."""

__all__ = ["DECIMAL", "INTEGER", "real_date", "real_time"]
