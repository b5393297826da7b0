"""The rule library as a whole: documented, covered by flag and pass cases, quiet on clean claims, isolating."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from scrubkit import Case, ScrubEnv, institutional, professional
from test_scrub_rules import CASES

from medbill.issues import Severity
from medbill.scrub import INTERNAL, REGISTRY, Hit, Rule, Scrubber, Status
from medbill.scrub.profiles import PayerProfile, parse_profile
from medbill.scrub.registry import SECTIONS, load_rules

load_rules()
RULES = REGISTRY.all()


def test_at_least_120_rules() -> None:
    assert len(RULES) >= 120, len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented(rule: Rule) -> None:
    sections = rule.sections()
    missing = [s for s in SECTIONS if not sections.get(s)]
    assert not missing, f"{rule.code} lacks doc sections {missing}"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    assert rule.doc.splitlines()[0].strip(), "first docstring line is the summary"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_has_flag_and_pass_cases(rule: Rule) -> None:
    kinds = Counter(c.expect for c in CASES if c.rule == rule.code)
    assert kinds["flag"] >= 1 and kinds["pass"] >= 1, f"{rule.code}: {dict(kinds)}"


def test_every_case_names_a_registered_rule() -> None:
    unknown = sorted({c.rule for c in CASES} - {r.code for r in RULES})
    assert not unknown


@pytest.mark.parametrize("profile", ["medicare", "medicaid", "commercial"])
@pytest.mark.parametrize("make", [professional, institutional], ids=["837P", "837I"])
def test_clean_claims_pass_every_rule(scrub_env: ScrubEnv, profile: str, make: object) -> None:
    assert callable(make)
    claim = make()
    ctx = scrub_env.context(profile)
    findings = Scrubber().scrub(claim, ctx)
    assert [f for f in findings if f.severity is not Severity.INFO] == [], [f.to_dict() for f in findings]


def test_a_raising_rule_becomes_an_internal_finding(scrub_env: ScrubEnv) -> None:
    from medbill.scrub.registry import Registry

    def broken(facts: object, ctx: object) -> list[Hit]:
        """Always fails."""
        raise ZeroDivisionError("patient DOE JANE")

    def fine(facts: object, ctx: object) -> list[Hit]:
        """Always flags."""
        return [Hit("flagged", 1)]

    registry = Registry()
    registry.add(Rule("DX900", "broken", Severity.ERROR, Status.STABLE, "0.1", broken))  # type: ignore[arg-type]
    registry.add(Rule("DX901", "fine", Severity.ERROR, Status.STABLE, "0.1", fine))  # type: ignore[arg-type]
    findings = Scrubber(registry).scrub(professional(), scrub_env.context())
    assert [f.rule for f in findings] == ["DX901", INTERNAL]
    internal = findings[1]
    assert "DX900" in internal.message and "ZeroDivisionError" in internal.message
    assert "DOE" not in internal.message  # the exception text could carry PHI: never copied


def test_profile_selection_by_longest_prefix() -> None:
    profile = PayerProfile("t", select=("ALL", "PY101"), ignore=("PY", "NC0"))
    assert profile.selects("DX001")
    assert not profile.selects("PY205")
    assert profile.selects("PY101")
    assert not profile.selects("NC001")
    tie = PayerProfile("t", select=("DX",), ignore=("DX",))
    assert not tie.selects("DX001")


def test_shipped_profiles_select_their_own_payer_rules(scrub_env: ScrubEnv) -> None:
    medicare, medicaid, commercial = (scrub_env.profiles[n] for n in ("medicare", "medicaid", "commercial"))
    py = [r.code for r in RULES if r.family == "PY"]
    assert any(c.startswith("PY1") for c in py) and any(c.startswith("PY2") for c in py)
    assert any(c.startswith("PY3") for c in py)
    for code in py:
        owner = {"PY1": medicare, "PY2": medicaid, "PY3": commercial}[code[:3]]
        for profile in (medicare, medicaid, commercial):
            assert profile.selects(code) is (profile is owner), (code, profile.name)
    assert medicare.params["timely_filing_days"] != commercial.params["timely_filing_days"]


def test_profile_severity_override_and_bad_profiles() -> None:
    profile = parse_profile('select = ["DX"]\n[severity]\nDX017 = "error"\n', "p.toml")
    assert profile.severity_of("DX017", Severity.WARNING) is Severity.ERROR
    from medbill.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"p\.toml"):
        parse_profile('[severity]\nDX017 = "fatal"\n', "p.toml")
    with pytest.raises(InvalidInput, match="unknown keys"):
        parse_profile("selekt = []\n", "p.toml")
    with pytest.raises(InvalidInput, match="TOML"):
        parse_profile("select = [\n", "p.toml")


def test_case_shape_is_sound() -> None:
    for case in CASES:
        assert isinstance(case, Case) and case.why


def test_profile_severity_override_applies_in_a_scrub(scrub_env: ScrubEnv) -> None:
    case = next(c for c in CASES if c.rule == "DX017" and c.expect == "flag")
    levels = {}
    for name in ("medicare", "commercial"):
        findings = Scrubber(only=["DX017"]).scrub(case.claim, scrub_env.context(name))
        levels[name] = {f.severity for f in findings}
    assert levels == {"medicare": {Severity.WARNING}, "commercial": {Severity.INFO}}


def test_no_finding_quotes_patient_identifiers(scrub_env: ScrubEnv) -> None:
    """Findings go to logs, screens and clearinghouse reports: never a name, member id or birth date (PHI)."""
    for case in CASES:
        if case.expect != "flag":
            continue
        claim = case.claim
        people = [claim.subscriber.party, *([claim.patient.party] if claim.patient else [])]
        secrets = {p.last_or_org for p in people} | {p.first for p in people if p.first}
        secrets |= {claim.subscriber.member_id} - {""}
        births = [claim.subscriber.birth_date, claim.patient.birth_date if claim.patient else None]
        secrets |= {b.isoformat() for b in births if b is not None}
        for finding in scrub_env.run(case):
            text = f"{finding.message} {finding.hint or ''}"
            leaked = [s for s in secrets if len(s) > 2 and s in text]
            assert not leaked, (case.rule, case.why, finding.message)
