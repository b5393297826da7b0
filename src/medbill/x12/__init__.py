"""X12 5010 syntax layer: tokenizer, envelope checks (ISA/IEA, GS/GE, ST/SE) and their findings."""

from medbill.x12.envelope import (
    EnvelopeChecker,
    EnvelopeCounts,
    EnvelopeReport,
    check_envelopes,
    summarize,
    validate_envelopes,
)
from medbill.x12.findings import Finding
from medbill.x12.tokens import Delimiters, Segment, iter_segments, read_delimiters, serialize

__all__ = [
    "Delimiters",
    "EnvelopeChecker",
    "EnvelopeCounts",
    "EnvelopeReport",
    "Finding",
    "Segment",
    "check_envelopes",
    "iter_segments",
    "read_delimiters",
    "serialize",
    "summarize",
    "validate_envelopes",
]
