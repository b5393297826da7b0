"""The claim scrubber: documented, coded edits run over claims before they go out (or as they come in).

``Scrubber`` runs the rules in ``REGISTRY`` (filled by ``medbill.scrub.rules``) with a ``ScrubContext`` and a
payer profile, returning ``Finding`` values. See ``registry`` for how a rule is written and documented.
"""

from medbill.scrub.context import ScrubContext
from medbill.scrub.engine import INTERNAL, Finding, Scrubber
from medbill.scrub.facts import ClaimExtras, ClaimFacts, Coverage
from medbill.scrub.profiles import PayerProfile, load_profile, profile_for, shipped_profiles
from medbill.scrub.registry import REGISTRY, Hit, Rule, Status, rule

__all__ = [
    "INTERNAL",
    "REGISTRY",
    "ClaimExtras",
    "ClaimFacts",
    "Coverage",
    "Finding",
    "Hit",
    "PayerProfile",
    "Rule",
    "ScrubContext",
    "Scrubber",
    "Status",
    "load_profile",
    "profile_for",
    "rule",
    "shipped_profiles",
]
