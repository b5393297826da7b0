"""The scrubber: runs the selected rules over claims and collects findings; one broken rule never stops a batch.

Findings are values (rule code, severity, message, claim id, line number, fix hint). A rule that raises yields
one INT001 finding naming the rule and the exception type (never its message: it could quote patient data)
and the remaining rules still run. Rules are chosen per payer profile and per claim kind once, not per claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from medbill.billing.claim import Claim
from medbill.issues import Issue, Location, Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimExtras, ClaimFacts
from medbill.scrub.profiles import PayerProfile
from medbill.scrub.registry import Check, Registry, Rule, Status, load_rules

INTERNAL = "INT001"
INTERNAL_DOC = (
    "A rule raised an exception on this claim. The finding names the rule and the exception type (never its "
    "text, which could quote patient data); the other rules still ran and the batch went on. The claim was not "
    "checked by that rule: scrub it again after upgrading medbill, and report the rule code to its maintainers."
)
SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    claim: str
    line: int | None = None
    hint: str | None = None
    name: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "claim": self.claim,
            "line": self.line,
            "hint": self.hint,
        }

    def to_issue(self) -> Issue:
        item = f"line {self.line}" if self.line is not None else None
        return Issue(self.severity, self.rule, self.message, Location(claim=self.claim, item=item), self.hint)


class _Active(NamedTuple):
    """A rule as the hot loop wants it: the check and what a finding needs, unpacked once per plan."""

    check: Check
    code: str
    name: str
    severity: Severity
    dated: Rule | None
    """The rule when it has effective dates to test per claim, else None."""


class Scrubber:
    """Holds the registry and, per profile and claim kind, the list of rules to run."""

    def __init__(self, registry: Registry | None = None, *, only: Iterable[str] | None = None) -> None:
        self.registry = registry or load_rules()
        self.only = frozenset(c.upper() for c in only) if only is not None else None
        self._plans: dict[tuple[int, str], tuple[PayerProfile, tuple[_Active, ...]]] = {}

    def plan(self, profile: PayerProfile, kind: str) -> tuple[_Active, ...]:
        key = (id(profile), kind)
        entry = self._plans.get(key)
        if entry is not None and entry[0] is profile:  # the profile is held in the entry, so its id stays its own
            return entry[1]
        plan = tuple(
            _Active(
                r.check,
                r.code,
                r.name,
                profile.severity_of(r.code, r.severity),
                r if r.effective is not None or r.until is not None else None,
            )
            for r in self.registry.all()
            if kind in r.kinds
            and (r.code in self.only if self.only is not None else profile.selects(r.code))
            and r.status is not Status.DEPRECATED
            and (r.status is Status.STABLE or profile.preview or self.only is not None)
        )
        self._plans[key] = (profile, plan)
        return plan

    def scrub(self, claim: Claim, ctx: ScrubContext, extras: ClaimExtras | None = None) -> list[Finding]:
        facts = ClaimFacts.of(claim, ctx, extras)
        return self.scrub_facts(facts, ctx)

    def scrub_facts(self, facts: ClaimFacts, ctx: ScrubContext) -> list[Finding]:
        out: list[Finding] = []
        claim_id = facts.claim_id
        day = facts.first_day
        for check, code, name, severity, dated in self.plan(ctx.profile, facts.kind):
            if dated is not None and not dated.applies_on(day):
                continue
            try:
                for hit in check(facts, ctx):  # a plain loop: the hot path of a 10,000 claims/s scrub
                    out.append(Finding(code, severity, hit.message, claim_id, hit.line, hit.hint, name))  # noqa: PERF401
            except Exception as exc:  # one broken edit must not stop the batch: report it instead
                out.append(_internal(code, name, exc, claim_id))
        if len(out) > 1:
            out.sort(key=_order)
        return out

    def scrub_all(
        self, claims: Iterable[tuple[Claim, ClaimExtras | None]], ctx: ScrubContext
    ) -> Iterator[tuple[Claim, list[Finding]]]:
        for claim, extras in claims:
            yield claim, self.scrub(claim, ctx, extras)


def _order(f: Finding) -> tuple[int, int, str]:
    return SEVERITY_RANK[f.severity], f.line or 0, f.rule


def _internal(code: str, name: str, exc: Exception, claim_id: str) -> Finding:
    """The finding that stands for a rule that raised: the rule and the exception type, never its text (PHI)."""
    return Finding(
        INTERNAL,
        Severity.WARNING,
        f"rule {code} ({name}) failed with {type(exc).__name__}; the claim was not checked by it",
        claim_id,
        None,
        "report this to the medbill maintainers; the other rules ran",
        "internal-error",
    )
