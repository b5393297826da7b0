"""The claim lifecycle: which status may follow which, and why the transition table looks the way it does.

draft → ready (scrubbed, no error-level edits) → submitted (in an 837 batch) → accepted / rejected (999,
277CA) → paid / partially paid / denied (835) → appealed or corrected → closed. Every transition is
recorded with who, when and why (``ClaimEvent``); a transition the table does not allow is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from medbill.errors import Conflict


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    """Built from an encounter; may still change."""
    READY = "ready"
    """Scrubbed without error-level findings; waiting for the next batch."""
    SUBMITTED = "submitted"
    """Sent in an 837 batch; waiting for the 999 / 277CA."""
    ACCEPTED = "accepted"
    """The clearinghouse or payer accepted it for adjudication (999 A/E, 277CA A1/A2)."""
    REJECTED = "rejected"
    """Refused before adjudication (999 R or 277CA A3/A6/A7): fix and send again."""
    PAID = "paid"
    """The 835 paid it in full (nothing left with this payer)."""
    PARTIALLY_PAID = "partially_paid"
    """Paid in part; a balance remains (patient responsibility, secondary payer, or an underpayment)."""
    DENIED = "denied"
    """Adjudicated with no payment."""
    APPEALED = "appealed"
    """A reconsideration or appeal was filed with the payer."""
    CORRECTED = "corrected"
    """Replaced by a corrected claim (frequency 7) or voided (8), or fixed after a rejection."""
    CLOSED = "closed"
    """Nothing more to do: paid and posted, written off, or voided."""


S = ClaimStatus
TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.DRAFT: frozenset({S.READY, S.CLOSED}),
    S.READY: frozenset({S.SUBMITTED, S.DRAFT, S.CLOSED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset({S.PAID, S.PARTIALLY_PAID, S.DENIED, S.REJECTED}),
    S.REJECTED: frozenset({S.CORRECTED, S.CLOSED}),
    S.PAID: frozenset({S.CLOSED, S.CORRECTED}),
    S.PARTIALLY_PAID: frozenset({S.PAID, S.APPEALED, S.CORRECTED, S.CLOSED}),
    S.DENIED: frozenset({S.APPEALED, S.CORRECTED, S.CLOSED}),
    S.APPEALED: frozenset({S.PAID, S.PARTIALLY_PAID, S.DENIED, S.CLOSED}),
    S.CORRECTED: frozenset({S.READY, S.CLOSED}),
    S.CLOSED: frozenset(),
}
"""Allowed next statuses. A corrected claim goes back to ready and through a new batch; a paid claim can still be
corrected (a payer-requested adjustment, frequency 7)."""


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    claim_number: str
    from_status: ClaimStatus
    to_status: ClaimStatus
    at: datetime
    actor: str
    reason: str


def transition(
    claim_number: str, current: ClaimStatus, target: ClaimStatus, *, at: datetime, actor: str, reason: str
) -> ClaimEvent:
    """The event for a permitted transition; ``Conflict`` naming both statuses otherwise."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (closed)"
        raise Conflict(f"claim {claim_number}: {current} cannot become {target} (allowed: {allowed})")
    if not actor:
        raise ValueError("a transition needs an actor")
    return ClaimEvent(claim_number, current, target, at, actor, reason)
