"""A human summary of an X12 file from its segments alone: envelopes, parties, claim and payment totals,
claim statuses (277/277CA), acknowledgment verdicts (999) and eligibility answers (271).

Only organisations are named (submitter, receiver, billing provider, payer, payee); patient and subscriber
names (PHI) are never part of a summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from medbill.x12.tokens import iter_segments

# NM1/N1 entity identifier codes of organisations a summary may name (X12 element 98).
PARTY_ROLES = {
    "41": "submitter",
    "40": "receiver",
    "85": "billing provider",
    "PR": "payer",
    "PE": "payee",
}


@dataclass
class GroupSummary:
    functional_id: str
    version: str
    sender: str
    receiver: str
    transaction_sets: Counter[str] = field(default_factory=Counter)
    parties: dict[str, str] = field(default_factory=dict)
    claims: int = 0
    claim_charges: Decimal = Decimal("0")
    claims_paid: Decimal = Decimal("0")
    payments: Decimal = Decimal("0")
    claim_status: Counter[str] = field(default_factory=Counter)
    status_categories: Counter[str] = field(default_factory=Counter)
    """277/277CA STC01-1 (claim status category code: A1 received, A2 accepted, A3 rejected, …)."""
    set_verdicts: Counter[str] = field(default_factory=Counter)
    """999 IK501 per acknowledged set (A accepted, E accepted with errors, R rejected)."""
    group_verdicts: Counter[str] = field(default_factory=Counter)
    """999 AK901."""
    eligibility: Counter[str] = field(default_factory=Counter)
    """271 EB01 (1 active coverage, 6 inactive, …)."""


@dataclass
class FileSummary:
    interchanges: list[tuple[str, str, str, str]] = field(default_factory=list)  # control, sender, receiver, date
    groups: list[GroupSummary] = field(default_factory=list)
    unreadable_amounts: int = 0

    def lines(self) -> list[str]:
        out = [f"interchange {c}: {s} -> {r}, {d}" for c, s, r, d in self.interchanges]
        for g in self.groups:
            sets = ", ".join(f"{n} x {st}" for st, n in sorted(g.transaction_sets.items()))
            out.append(f"group {g.functional_id} {g.version}: {g.sender} -> {g.receiver}; {sets}")
            out.extend(f"  {role}: {name}" for role, name in g.parties.items())
            if g.claims:
                paid = f", paid {g.claims_paid:.2f}" if g.claim_status else ""  # 835 claims only
                out.append(f"  claims: {g.claims}, charges {g.claim_charges:.2f}{paid}")
            if g.claim_status:
                statuses = ", ".join(f"{code}: {n}" for code, n in sorted(g.claim_status.items()))
                out.append(f"  claim status codes (CLP02): {statuses}")
            if g.payments:
                out.append(f"  payment (BPR02): {g.payments:.2f}")
            for label, counts in (
                ("claim status categories (STC01-1)", g.status_categories),
                ("acknowledged sets (IK501)", g.set_verdicts),
                ("acknowledged groups (AK901)", g.group_verdicts),
                ("eligibility and benefits (EB01)", g.eligibility),
            ):
                if counts:
                    out.append(f"  {label}: " + ", ".join(f"{code}: {n}" for code, n in sorted(counts.items())))
        if self.unreadable_amounts:
            out.append(f"({self.unreadable_amounts} amount(s) were not numbers and are not in the totals)")
        return out


def summarize_file(data: bytes | str, *, name: str) -> FileSummary:
    summary = FileSummary()
    group: GroupSummary | None = None

    def amount(text: str) -> Decimal:
        try:
            return Decimal(text)
        except InvalidOperation:
            summary.unreadable_amounts += 1
            return Decimal("0")

    component = ":"
    for seg in iter_segments(data, name=name):
        e = seg.elements

        def el(i: int, e: tuple[str, ...] = e) -> str:
            return e[i - 1].strip() if len(e) >= i else ""

        if seg.id == "ISA":
            component = el(16)[:1] or component
            summary.interchanges.append((el(13), el(6), el(8), f"20{el(9)}" if len(el(9)) == 6 else el(9)))
        elif seg.id == "GS":
            group = GroupSummary(el(1), el(8), el(2), el(3))
            summary.groups.append(group)
        elif group is None:
            continue
        elif seg.id == "ST":
            group.transaction_sets[el(1)] += 1
        elif seg.id in ("NM1", "N1") and el(1) in PARTY_ROLES:
            role = PARTY_ROLES[el(1)]
            label = el(2) if seg.id == "N1" else " ".join(p for p in (el(3), el(4)) if p)
            group.parties.setdefault(role, label)
        elif seg.id == "CLM":
            group.claims += 1
            group.claim_charges += amount(el(2))
        elif seg.id == "CLP":
            group.claims += 1
            group.claim_charges += amount(el(3))
            group.claims_paid += amount(el(4))
            group.claim_status[el(2)] += 1
        elif seg.id == "BPR":
            group.payments += amount(el(2))
        elif seg.id == "STC":
            group.status_categories[el(1).split(component)[0]] += 1
        elif seg.id == "IK5":
            group.set_verdicts[el(1)] += 1
        elif seg.id == "AK9":
            group.group_verdicts[el(1)] += 1
        elif seg.id == "EB":
            group.eligibility[el(1)] += 1
    return summary
