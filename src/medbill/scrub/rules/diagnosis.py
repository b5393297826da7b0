"""Diagnosis rules (DX): ICD-10-CM validity on the date of service, tabular instructions, MCE edits, sequencing.

Validity questions (unknown, header, deleted, 7th character, placeholder X) reuse the single-code validator of
``medbill.coding.validation`` for the rare code that is not billable on the date, cached per (code, day); a
billable code never reaches it. Tabular notes (Excludes1, code first, use additional) are parsed once per code
into code ranges and cached in ``ctx.memo``. MCE flags come from the validity period in force on the date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts, DxFact
from medbill.scrub.registry import Hit, rule

ICD10_START = date(2015, 10, 1)
MATERNITY_WIDENED = date(2019, 10, 1)
"""MCE age ranges (mce_age_ranges.csv.gz): maternity 12-55 through 2019-09-30, 9-64 from FY2020."""
ICD10_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "ABN", "APR"})
ICD9_QUALIFIERS = frozenset({"BK", "BF", "BJ", "BN", "PR"})
PRINCIPAL = frozenset({"ABK", "BK"})
QUALIFIERS_BY_KIND = {
    "P": frozenset({"ABK", "ABF", "BK", "BF"}),
    "I": ICD10_QUALIFIERS | ICD9_QUALIFIERS,
}
POA_VALUES = frozenset({"Y", "N", "U", "W", "1"})
SIDE_MODIFIERS = frozenset(
    {"LT", "RT", "50", "E1", "E2", "E3", "E4"} | {f"F{c}" for c in "A123456789"} | {f"T{c}" for c in "A123456789"}
)
CONDITIONAL = (
    *("if applicable", "where applicable", "if known", "any associated", "for adverse effect", "if present"),
    "identify any ",
)
"""Phrases that make a tabular instruction conditional: "use additional code to identify any family history of
malignant neoplasm (Z80.-)" (Z12) applies only when there is such a history."""
DOCUMENTATION_DEPENDENT = (
    *("Z7722", "Z87891", "Z5731", "F17", "Z720", "P9681", "F10", "B95", "B96", "B97", "Z16"),
    *("V", "W", "X", "Y"),
)
"""Use-additional families that apply only when documented (tobacco and alcohol exposure or use, infectious
agent, drug resistance) and external causes (voluntary, guideline I.C.20): a group naming any of them is not
treated as required."""
LIST_LEADS = ("such as", "associated", "when specified", "manifestation", "source of exposure", "presence of")
"""Use-additional leads that introduce lists of conditions to add only when present (not requirements)."""
_PAREN = re.compile(r"\(([^()]*)\)")
_SIDE_WORD = re.compile(r"\b(?:right|left|bilateral)\b")
_REF = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")

# The validator's issue codes mapped to the rule that reports each.
_VERDICT_RULE = {
    "DX-NOT-A-CODE": "DX001",
    "DX-MALFORMED": "DX001",
    "DX-HEADER": "DX002",
    "DX-UNKNOWN": "DX003",
    "DX-NOT-YET-VALID": "DX004",
    "DX-DELETED": "DX005",
    "DX-7TH-REQUIRED": "DX007",
    "DX-7TH-INVALID": "DX008",
    "DX-PLACEHOLDER": "DX009",
    "DX-INCOMPLETE": "DX037",
}


class Verdict(NamedTuple):
    rule: str
    message: str
    hint: str | None


Ref = tuple[str, str]
"""A code reference as (low, high) undotted prefixes: "E10.-" is ("E10", "E10"), "P70-P74" ("P70", "P74")."""


class ParsedNotes(NamedTuple):
    excludes1: tuple[Ref, ...]
    code_first: tuple[tuple[Ref, ...], ...]
    """Mandatory code-first groups: any one reference of a group satisfies it."""
    use_additional: tuple[tuple[Ref, ...], ...]


# -- helpers -------------------------------------------------------------------------------------------------
def _day(facts: ClaimFacts) -> date | None:
    return facts.first_day


def _icd10_day(facts: ClaimFacts) -> date | None:
    day = facts.first_day
    return day if day is not None and day >= ICD10_START else None


def _verdict(d: DxFact, day: date, ctx: ScrubContext) -> Verdict | None:
    """Why a diagnosis not billable on the day is not (None when it is billable)."""
    if d.period is not None:
        return None
    memo = ctx.memo("dx.verdict")
    key = (d.code.strip().upper(), day)
    if key in memo:
        cached: Verdict | None = memo[key]
        return cached
    text = key[0]
    if not text:
        found: Verdict | None = Verdict("DX001", "an empty diagnosis code", "remove the empty diagnosis")
    else:
        holder = ctx.memo("dx.validator")
        validator = holder.get(0)
        if validator is None:
            from medbill.coding.validation import Validator

            validator = holder[0] = Validator(ctx.library)
        result = validator.icd10cm(text, day)
        found = None
        if not result.billable:
            for issue in result.issues:
                code = _VERDICT_RULE.get(issue.code)
                if code is not None:
                    found = Verdict(code, issue.message, issue.hint)
                    break
    memo[key] = found
    return found


def _verdict_hits(facts: ClaimFacts, ctx: ScrubContext, code: str) -> Iterator[Hit]:
    day = _icd10_day(facts)
    if day is None:
        return
    for d in facts.dx:
        if d.period is None:
            v = _verdict(d, day, ctx)
            if v is not None and v.rule == code:
                yield Hit(f"diagnosis {d.position} on {day.isoformat()}: {v.message}", None, v.hint)


def _refs(text: str) -> list[Ref]:
    """Code references in the parentheses of a note: "(E10.-)", "(O24.4-)", "(P70-P74)", "(E00-E03.-)"."""
    out: list[Ref] = []
    for group in _PAREN.findall(text):
        for part in group.split(","):
            token = part.strip().upper()
            if token.endswith("-"):
                token = token[:-1].rstrip(".")
            lo, dash, hi = token.partition("-")
            if dash:
                lo, hi = lo.strip().rstrip("."), hi.strip().rstrip(".")
                if _REF.match(lo) and _REF.match(hi):
                    out.append((lo.replace(".", ""), hi.replace(".", "")))
            elif _REF.match(token):
                key = token.replace(".", "")
                out.append((key, key))
    return out


def _show(ref: Ref) -> str:
    lo, hi = (k if len(k) <= 3 else f"{k[:3]}.{k[3:]}" for k in ref)
    return lo if lo == hi else f"{lo}-{hi}"


def _matches(refs: tuple[Ref, ...], key: str) -> bool:
    return any(key[: len(lo)] >= lo and key[: len(hi)] <= hi for lo, hi in refs)


def _conditional(text: str, more: tuple[str, ...] = ()) -> bool:
    low = text.lower()
    return any(c in low for c in CONDITIONAL) or any(c in low for c in more) or low.strip() == "code to identify:"


ANY_CODE: Ref = ("A", "Z")
"""Matches every diagnosis: the alternative a "such as" list of examples adds to its group."""


def _groups(
    notes: list[tuple[str, str]], own_only: bool, more: tuple[str, ...] = (), examples: bool = False
) -> tuple[tuple[Ref, ...], ...]:
    """Notes of one kind as instruction groups: consecutive lines from one tabular node form one group of
    alternatives (a lead such as "code to identify control using:" and its items). A group whose first line is
    conditional ("if applicable", "any associated" ...) is dropped, and so are conditional items. With
    ``examples``, a group whose lead says "such as" lists examples only: any code satisfies it (``ANY_CODE``
    is added after the examples)."""
    groups: list[tuple[Ref, ...]] = []
    source: str | None = None
    refs: list[Ref] = []
    skip = False
    open_list = False
    for text, origin in [*notes, ("", "\x00end")]:
        if origin != source:
            if source is not None and not skip and refs:
                groups.append((*refs, ANY_CODE) if open_list else tuple(refs))
            source, refs = origin, []
            skip = _conditional(text, more) or (own_only and ("-" in origin or origin.startswith("Chapter")))
            open_list = examples and "such as" in text.lower()
            if not skip:
                refs.extend(_refs(text))
                if open_list and not refs:
                    refs.append(ANY_CODE)
            continue
        if not skip and not _conditional(text, more):
            refs.extend(_refs(text))
    return tuple(groups)


def _notes(d: DxFact, ctx: ScrubContext) -> ParsedNotes | None:
    rec = d.record
    if rec is None:
        return None
    memo = ctx.memo("dx.notes")
    parsed: ParsedNotes | None = memo.get(rec.key)
    if parsed is None:
        excludes1: list[Ref] = []
        code_first: list[tuple[str, str]] = []
        use_additional: list[tuple[str, str]] = []
        for note in ctx.library.icd10cm.notes(rec):
            if note.kind == "excludes1":
                excludes1.extend(_refs(note.text))
            elif note.kind == "code_first":
                code_first.append((note.text, note.source))
            elif note.kind == "use_additional":
                use_additional.append((note.text, note.source))
        manifestation = "classified elsewhere" in rec.title.lower() or any(
            "manifestation" in p.flags for p in rec.periods
        )
        parsed = memo[rec.key] = ParsedNotes(
            tuple(excludes1),
            _groups(code_first, False, examples=True) if manifestation else (),
            tuple(
                g
                for g in _groups(use_additional, True, LIST_LEADS)
                if not any(lo.startswith(DOCUMENTATION_DEPENDENT) for lo, _ in g)
            ),
        )
    return parsed


def _first(facts: ClaimFacts) -> DxFact | None:
    return facts.dx[0] if facts.dx else None


def _exempt(a: str, b: str, exempt: frozenset[str]) -> bool:
    for pair in exempt:
        left, _, right = pair.replace(".", "").partition(":")
        if not right:
            continue
        if (a.startswith(left) and b.startswith(right)) or (a.startswith(right) and b.startswith(left)):
            return True
    return False


def _laterality_unspecified(d: DxFact, ctx: ScrubContext) -> bool:
    rec = d.record
    if rec is None:
        return False
    memo = ctx.memo("dx.laterality")
    found: bool | None = memo.get(rec.key)
    if found is None:
        found = False
        title = rec.title.lower()
        # "unspecified" must be about the side: "sprain of unspecified ligament of right ankle" names the side
        if "unspecified" in title and not _SIDE_WORD.search(title) and rec.parent is not None:
            parent = ctx.library.icd10cm.get(rec.parent)
            for key in parent.children if parent is not None else ():
                sibling = ctx.library.icd10cm.get(key)
                if sibling is not None and sibling.key != rec.key and _SIDE_WORD.search(sibling.title.lower()):
                    found = True
                    break
        memo[rec.key] = found
    return found


def _has_specific_sibling(d: DxFact, day: date, ctx: ScrubContext) -> bool:
    rec = d.record
    if rec is None or rec.parent is None:
        return False
    memo = ctx.memo("dx.specific-sibling")
    key = (rec.key, day)
    found: bool | None = memo.get(key)
    if found is None:
        found = False
        parent = ctx.library.icd10cm.get(rec.parent)
        for child in parent.children if parent is not None else ():
            sibling = ctx.library.icd10cm.get(child)
            if sibling is not None and sibling.key != rec.key:
                period = sibling.period_on(day)
                if period is not None and "unspecified" not in period.flags:
                    found = True
                    break
        memo[key] = found
    return found


def _sequela(d: DxFact) -> bool:
    key = d.key
    return len(key) == 7 and key[6] == "S" and key[0] in "ST" and d.period is not None


def _inpatient(facts: ClaimFacts) -> bool:
    return facts.claim.facility_code.startswith("11")


# -- validity on the date --------------------------------------------------------------------------------------
@rule("DX001", "dx-malformed", severity=Severity.ERROR)
def malformed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis is not shaped like an ICD-10-CM code (or is a chapter or block, or empty).

    What it checks:
        Each diagnosis not billable on the first date of service is validated: it flags codes that are empty,
        do not follow the ICD-10-CM pattern (a letter, two letters or digits, then up to four characters) or
        name a chapter or block range instead of a code.
    Why it matters:
        Clearinghouses reject the 837 at the front end (277CA A7:255 / A3:21) and payers deny with CARC 16
        (claim lacks information) or 146 (diagnosis invalid for the date of service).
    Example:
        "E11.6.5" or "I10-I1A" on 2024-08-14.
    How to fix:
        Enter the code as printed in the tabular list without punctuation other than the dot (E1165).
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A (conventions) and I.B.2; X12 005010X222A1 2300 HI01-2 (code
        value); CMS IOM 100-04 chapter 23 section 10.2.
    """
    yield from _verdict_hits(facts, ctx, "DX001")


@rule("DX002", "dx-header-code", severity=Severity.ERROR)
def header_code(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis is a category or subcategory that has more specific codes (not billable).

    What it checks:
        Each diagnosis that exists in ICD-10-CM but is not billable on the first date of service because it has
        billable codes below it (a header), including a code that became a header when it was subdivided.
    Why it matters:
        Payers deny non-billable (truncated) diagnosis codes with CARC 146 or 16 / RARC M76.
    Example:
        E11.6 on 2024-08-14 (E11.61-, E11.62-, ... E11.65, E11.69 are billable; E11.6 is not).
    How to fix:
        Code to the highest specificity documented: pick one of the billable codes listed in the hint.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.B.2 (level of detail in coding); CMS IOM 100-04
        chapter 23 section 10.2; X12 005010X222A1 2300 HI.
    """
    yield from _verdict_hits(facts, ctx, "DX002")


@rule("DX003", "dx-unknown-code", severity=Severity.ERROR)
def unknown_code(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A well-formed diagnosis is not an ICD-10-CM code at all (with "did you mean" suggestions).

    What it checks:
        Each diagnosis that has the ICD-10-CM shape but is in no edition of the code set, and is not explained
        by a missing placeholder X or a wrong 7th character (those have their own rules).
    Why it matters:
        An unknown code is rejected at the clearinghouse or denied with CARC 146 (diagnosis invalid).
    Example:
        E11.66 on 2024-08-14 (no such code; did you mean E11.65, E11.69?).
    How to fix:
        Check the code for a typo against the suggestions and the documentation.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.2; CMS IOM 100-04 chapter 23 section 10.2;
        X12 005010X222A1 2300 HI01-2.
    """
    yield from _verdict_hits(facts, ctx, "DX003")


@rule("DX004", "dx-not-yet-valid", severity=Severity.ERROR)
def not_yet_valid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis was added to ICD-10-CM after the date of service.

    What it checks:
        Each diagnosis whose first validity period starts after the first date of service.
    Why it matters:
        Codes are valid by date of service, not by billing date: payers deny with CARC 146 / RARC M76.
    Example:
        E11.A (type 2 diabetes in remission, new 2025-10-01) on a 2024-08-14 claim.
    How to fix:
        Use the code that was valid on the date of service (the edition of that fiscal year).
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.2; HIPAA code set rule 45 CFR 162.1002 (code set
        valid on the date of service); CMS IOM 100-04 chapter 23 section 10.2.
    """
    yield from _verdict_hits(facts, ctx, "DX004")


@rule("DX005", "dx-deleted", severity=Severity.ERROR)
def deleted(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis was deleted from ICD-10-CM before the date of service.

    What it checks:
        Each diagnosis whose last validity period ended before the first date of service, with no billable
        code below it (a deleted code, not a subdivided one).
    Why it matters:
        Payers deny deleted codes with CARC 146 (diagnosis invalid for the date of service).
    Example:
        A code valid only through 2023-09-30 used on a 2024-08-14 claim.
    How to fix:
        Find the replacement in the ICD-10-CM conversion table of the fiscal year that deleted it.
    References:
        45 CFR 162.1002 (code set in effect on the date of service); ICD-10-CM Official Guidelines FY2024
        Section I.A.2; CMS IOM 100-04 chapter 23 section 10.2.
    """
    yield from _verdict_hits(facts, ctx, "DX005")


@rule("DX006", "dx-before-icd10", severity=Severity.ERROR)
def before_icd10(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An ICD-10-CM diagnosis is reported for a date of service before 2015-10-01, when ICD-9-CM applied.

    What it checks:
        When the first date of service is before 2015-10-01, any diagnosis sent with an ICD-10-CM qualifier
        (ABK, ABF, ABJ, ABN, APR).
    Why it matters:
        Services before the ICD-10 compliance date must be coded in ICD-9-CM (qualifiers BK/BF); payers reject
        ICD-10 codes on those dates (CARC 16 / 146).
    Example:
        I10 with qualifier ABK on a claim dated 2015-09-20.
    How to fix:
        Code the diagnoses in ICD-9-CM with BK/BF qualifiers, or correct the date of service.
    References:
        45 CFR 162.1002(c) (ICD-10 compliance date 2015-10-01); CMS MLN Matters SE1408 (claims spanning the
        ICD-10 date); X12 005010X222A1 2300 HI01-1.
    """
    day = _day(facts)
    if day is None or day >= ICD10_START:
        return
    for d in facts.dx:
        if d.qualifier in ICD10_QUALIFIERS:
            yield Hit(
                f"diagnosis {d.position} {d.code} is sent as ICD-10-CM ({d.qualifier}) for a date of service "
                f"{day.isoformat()} before 2015-10-01",
                None,
                "code dates of service before 2015-10-01 in ICD-9-CM (qualifiers BK/BF)",
            )


@rule("DX007", "dx-seventh-required", severity=Severity.ERROR)
def seventh_required(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis requires a 7th character and was sent without one.

    What it checks:
        Each diagnosis not billable on the date that belongs to a category requiring a 7th character (injury,
        poisoning, fracture, pregnancy fetus codes ...) and whose codes below are all 7 characters long.
    Why it matters:
        Without the 7th character the code is incomplete and denied with CARC 146 / 16.
    Example:
        S72.001 (fracture of neck of right femur) on 2024-08-14 without A, B, D ... (S72.001A).
    How to fix:
        Add the 7th character for the encounter (A initial, D subsequent, S sequela ...), with placeholder X
        when the code is shorter than 6 characters.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.5 (7th characters) and I.C.19.a; CMS IOM 100-04
        chapter 23 section 10.2.
    """
    yield from _verdict_hits(facts, ctx, "DX007")


@rule("DX008", "dx-seventh-invalid", severity=Severity.ERROR)
def seventh_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis carries a 7th character its category does not allow.

    What it checks:
        Each 7-character diagnosis not billable on the date whose first six characters name a code taking a
        7th character, when the 7th character is not among the values defined for it.
    Why it matters:
        The resulting code does not exist: CARC 146 (invalid diagnosis).
    Example:
        S72.001Z on 2024-08-14 (S72 takes A, B, C, D, E, F, G, H, J, K, M, N, P, Q, R, S).
    How to fix:
        Choose the 7th character from the list in the hint for the encounter being billed.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.5; ICD-10-CM Tabular List 7th character notes;
        CMS IOM 100-04 chapter 23 section 10.2.
    """
    yield from _verdict_hits(facts, ctx, "DX008")


@rule("DX009", "dx-placeholder-missing", severity=Severity.ERROR)
def placeholder_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A 7th character was added to a short code without the placeholder X.

    What it checks:
        Each unknown diagnosis that becomes a billable code when placeholder X characters are inserted so the
        7th character lands in position 7.
    Why it matters:
        Without the X the code is another (non-existent) string: CARC 146.
    Example:
        T36.01A on 2024-08-14 (meant T36.0X1A, poisoning by penicillins, accidental, initial encounter).
    How to fix:
        Insert X placeholders: T36.0X1A.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.4 (placeholder character) and I.A.5.
    """
    yield from _verdict_hits(facts, ctx, "DX009")


@rule("DX037", "dx-seventh-incomplete", severity=Severity.ERROR)
def seventh_incomplete(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A 7th character was typed straight after a header that needs more characters first.

    What it checks:
        Each unknown diagnosis made of a header code that takes a 7th character plus a valid 7th character,
        where characters 5 or 6 are still missing.
    Why it matters:
        The code does not exist: CARC 146 (diagnosis invalid for the date of service).
    Example:
        S72.0A on 2024-08-14 (S72.0 needs its 5th and 6th characters: S72.001A, S72.002A ...).
    How to fix:
        Code the full subcategory from the documentation, then the 7th character.
    References:
        ICD-10-CM Official Guidelines FY2024 Sections I.A.5 and I.B.2 (level of detail).
    """
    yield from _verdict_hits(facts, ctx, "DX037")


# -- tabular instructions ----------------------------------------------------------------------------------------
@rule("DX010", "dx-excludes1-pair", severity=Severity.ERROR)
def excludes1_pair(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Two diagnoses on the claim form an Excludes1 pair (never coded together), unless the payer exempts it.

    What it checks:
        For each diagnosis, the code references in the Excludes1 notes of the code and its ancestors
        ("(E10.-)", "(P70-P74)", "(O24.4-)") are matched against the other diagnoses. Pairs listed in the
        profile parameter ``excludes1_exempt`` ("E11:E10", "R06.00:J96.01"; codes or category prefixes, either
        order) are skipped: guideline I.A.12.a allows both codes when the conditions are unrelated.
        Excludes2 notes ("not included here") never flag.
    Why it matters:
        Many payers (and the NCCI-like diagnosis edits of commercial claim editors) deny mutually exclusive
        diagnoses (CARC 11, diagnosis inconsistent; CARC 16).
    Example:
        E11.65 (type 2 diabetes) with E10.9 (type 1 diabetes): E11 Excludes1 type 1 diabetes mellitus (E10.-).
    How to fix:
        Keep the code the documentation supports; if the two conditions are truly unrelated, document it and
        ask the payer (then list the pair in ``excludes1_exempt``).
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.12.a (Excludes1) and I.A.12.b (Excludes2);
        ICD-10-CM Tabular List conventions.
    """
    dxs = facts.dx
    if len(dxs) < 2:
        return
    pairs = ctx.memo("dx.excludes1-pairs")
    for a in dxs:
        if a.record is None:
            continue
        for b in dxs:
            if b.position == a.position or b.record is None or b.key == a.key:
                continue
            hit = pairs.get((a.key, b.key))
            if hit is None:
                parsed = _notes(a, ctx)
                hit = pairs[(a.key, b.key)] = parsed is not None and _matches(parsed.excludes1, b.key)
            if not hit:
                continue
            if b.position < a.position and _excludes1(b, a, pairs, ctx):
                continue  # reported once, from the earlier code
            if _exempt(a.key, b.key, ctx.set_param("excludes1_exempt")):
                continue
            yield Hit(
                f"diagnosis {a.position} {a.dotted} has an Excludes1 note for diagnosis {b.position} "
                f"{b.dotted}: they are not coded together",
                None,
                "keep the code the record supports; if unrelated conditions, ask the payer (excludes1_exempt)",
            )


def _excludes1(a: DxFact, b: DxFact, pairs: dict[tuple[str, str], bool], ctx: ScrubContext) -> bool:
    hit = pairs.get((a.key, b.key))
    if hit is None:
        parsed = _notes(a, ctx)
        hit = pairs[(a.key, b.key)] = parsed is not None and _matches(parsed.excludes1, b.key)
    return hit


@rule("DX011", "dx-manifestation-first", severity=Severity.ERROR)
def manifestation_first(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A manifestation code ("in diseases classified elsewhere") is first-listed or principal.

    What it checks:
        The first diagnosis (or any with the principal qualifier ABK/BK) carries the MCE manifestation flag on
        the date of service.
    Why it matters:
        Manifestation codes may never be principal or first-listed: the MCE rejects them (edit 6,
        "manifestation code as principal diagnosis") and professional payers deny with CARC 11/16.
    Example:
        D63.1 (anemia in chronic kidney disease) first, before N18.5.
    How to fix:
        Sequence the underlying condition (etiology) first and the manifestation after it.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.13 (etiology/manifestation convention) and I.B.7;
        CMS Definition of Medicare Code Edits v41, edit 6.
    """
    for d in facts.dx:
        if (d.position == 1 or d.qualifier in PRINCIPAL) and "manifestation" in d.flags:
            yield Hit(
                f"diagnosis {d.position} {d.dotted} is a manifestation code and may not be first-listed or principal",
                None,
                "sequence the underlying (etiology) condition first",
            )


@rule("DX012", "dx-code-first-missing", severity=Severity.WARNING)
def code_first_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A code with a "code first" instruction has none of the referenced underlying codes before it.

    What it checks:
        For each diagnosis, every mandatory "code first" group of its tabular notes (notes saying "if
        applicable", "any associated" or "for adverse effects" are conditional and skipped) must be satisfied
        by some earlier diagnosis matching one of the group's references. A group introduced by "such as"
        lists examples only, so any earlier diagnosis satisfies it (D63.8 after M06.9 rheumatoid arthritis).
    Why it matters:
        Sequencing errors put the manifestation before its cause; payers with diagnosis-sequencing edits deny
        (CARC 11) and the claim misrepresents medical necessity.
    Example:
        D63.1 (anemia in CKD, "code first underlying chronic kidney disease (N18.-)") with no N18 code before it.
    How to fix:
        Add the underlying condition and list it before this code.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.13 ("code first" notes) and I.B.7 (multiple coding).
    """
    for i, d in enumerate(facts.dx):
        parsed = _notes(d, ctx)
        if parsed is None or not parsed.code_first:
            continue
        earlier = facts.dx[:i]
        for group in parsed.code_first:
            if not any(_matches(group, e.key) for e in earlier):
                example = f" (such as {_show(group[0])})" if group[0] != ANY_CODE else ""
                yield Hit(
                    f"diagnosis {d.position} {d.dotted} says code first the underlying condition{example}; "
                    "none precedes it",
                    None,
                    "add the underlying condition before this code, or re-sequence",
                )
                break


@rule("DX013", "dx-use-additional-missing", severity=Severity.WARNING)
def use_additional_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A code's "use additional code" instruction names a code family absent from the claim.

    What it checks:
        For each diagnosis, the mandatory "use additional code" groups written at the code, its subcategory or
        category (block and chapter notes, and notes saying "if applicable", "if known" or "to identify any",
        are skipped) must be matched by some other diagnosis on the claim.
    Why it matters:
        The additional code completes the picture (drug control of diabetes, organism, status); claim editors
        and risk-adjustment audits flag incomplete coding. A warning: the record may not support the code.
    Example:
        E11.65 (type 2 diabetes) with no Z79.4, Z79.84 or Z79.85 for how it is controlled.
    How to fix:
        Add the additional code the documentation supports (Z79.84 oral hypoglycemics, Z79.4 insulin ...).
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.A.13 ("use additional code"), I.B.7 and I.C.4.a.3.
    """
    dxs = facts.dx
    for d in dxs:
        parsed = _notes(d, ctx)
        if parsed is None or not parsed.use_additional:
            continue
        for group in parsed.use_additional:
            if not any(_matches(group, e.key) for e in dxs if e.position != d.position):
                listed = ", ".join(dict.fromkeys(_show(ref) for ref in group[:6]))
                yield Hit(
                    f"diagnosis {d.position} {d.dotted} says use an additional code ({listed}); none is on the claim",
                    None,
                    "add the additional code if the documentation supports it",
                )
                break


# -- MCE age and sex ------------------------------------------------------------------------------------------
def _age_hits(facts: ClaimFacts, ctx: ScrubContext, flag: str, low: int, high: int, label: str) -> Iterator[Hit]:
    age = facts.age
    if age is None or not ctx.bool_param("age_edits", True):
        return
    if low <= age <= high:
        return
    shown = str(age) if age < 90 else "90 or older"  # HIPAA Safe Harbor: ages over 89 identify
    for d in facts.dx:
        if flag in d.flags:
            yield Hit(
                f"diagnosis {d.position} {d.dotted} is {label} code (ages {low}-{high}); the patient is {shown} "
                "on the date of service",
                None,
                "check the code and the patient's date of birth",
            )


@rule("DX014", "dx-age-newborn", severity=Severity.ERROR)
def age_newborn(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A newborn (perinatal) code is reported for a patient older than 0.

    What it checks:
        Diagnoses with the MCE newborn flag when the patient's age on the first date of service is not 0.
        Skipped when the age is unknown or the profile parameter ``age_edits`` is false.
    Why it matters:
        The MCE age conflict edit (edit 4) returns the claim; professional payers deny with CARC 9
        (diagnosis inconsistent with the patient's age).
    Example:
        P07.30 or Z00.110 (newborn check under 8 days) for a 66-year-old.
    How to fix:
        Correct the code or the date of birth; mother's codes go on the mother's claim.
    References:
        CMS Definition of Medicare Code Edits v41, edit 4 (age conflict, newborn age 0); ICD-10-CM Official
        Guidelines FY2024 Section I.C.16.a.
    """
    yield from _age_hits(facts, ctx, "newborn", 0, 0, "a newborn")


@rule("DX015", "dx-age-pediatric", severity=Severity.ERROR)
def age_pediatric(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A pediatric code is reported for a patient 18 or older.

    What it checks:
        Diagnoses with the MCE pediatric flag (ages 0-17) when the patient's age is outside 0-17 on the first
        date of service. Skipped when the age is unknown or ``age_edits`` is false.
    Why it matters:
        MCE age conflict (edit 4); payers deny with CARC 9 (inconsistent with age).
    Example:
        E30.1 (precocious puberty) for a 66-year-old.
    How to fix:
        Use the adult equivalent or correct the date of birth.
    References:
        CMS Definition of Medicare Code Edits v41, edit 4 (pediatric 0-17); mce_age_ranges (CMS MCE).
    """
    yield from _age_hits(facts, ctx, "pediatric", 0, 17, "a pediatric")


@rule("DX016", "dx-age-maternity", severity=Severity.ERROR)
def age_maternity(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A maternity (pregnancy) code is reported for a patient outside the maternity ages.

    What it checks:
        Diagnoses with the MCE maternity flag when the patient's age is outside 9-64 (dates from 2019-10-01)
        or 12-55 (earlier dates). This also covers chapter 15 (O) codes. Skipped without an age or when
        ``age_edits`` is false.
    Why it matters:
        MCE age conflict (edit 4); payers deny with CARC 9.
    Example:
        O24.410 (gestational diabetes, diet controlled) for a 66-year-old on 2024-08-14.
    How to fix:
        Check the code (a history code such as Z86.32 may be meant) and the date of birth.
    References:
        CMS Definition of Medicare Code Edits v41, edit 4 (maternity 9-64 from FY2020); ICD-10-CM Official
        Guidelines FY2024 Section I.C.15.a.
    """
    day = _day(facts)
    if day is None:
        return
    low, high = (9, 64) if day >= MATERNITY_WIDENED else (12, 55)
    yield from _age_hits(facts, ctx, "maternity", low, high, "a maternity")


@rule("DX017", "dx-unspecified-code", severity=Severity.WARNING)
def unspecified_code(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An MCE "unspecified" code is used where a more specific code in the same subcategory exists.

    What it checks:
        Diagnoses carrying the MCE unspecified flag on the date when a sibling code (same parent) is billable
        and not itself flagged unspecified. A warning by default; the commercial example profile lowers it to info.
    Why it matters:
        Medicare and many plans review or deny unspecified codes when the record supports a specific one
        (CARC 16 / 11), and they weaken medical-necessity and risk-adjustment coding.
    Example:
        H05.019 (cellulitis of unspecified orbit) when H05.011 (right orbit) exists.
    How to fix:
        Code the documented site, side or type.
    References:
        ICD-10-CM Official Guidelines FY2024 Sections I.B.18 (use of unspecified codes) and I.B.2; CMS
        Definition of Medicare Code Edits v41 (unspecified code edit).
    """
    day = _day(facts)
    if day is None:
        return
    for d in facts.dx:
        if "unspecified" in d.flags and _has_specific_sibling(d, day, ctx):
            yield Hit(
                f"diagnosis {d.position} {d.dotted} is an unspecified code; a more specific code exists",
                None,
                "code to the specificity the record documents",
            )


@rule("DX018", "dx-age-adult", severity=Severity.ERROR)
def age_adult(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An adult code is reported for a patient younger than 15.

    What it checks:
        Diagnoses with the MCE adult flag when the patient's age is outside 15-124 on the first date of
        service. Skipped without an age or when ``age_edits`` is false.
    Why it matters:
        MCE age conflict (edit 4); payers deny with CARC 9 (diagnosis inconsistent with age).
    Example:
        F01.50 (vascular dementia) for a 10-year-old.
    How to fix:
        Check the code against the documentation and the patient's date of birth.
    References:
        CMS Definition of Medicare Code Edits v41, edit 4 (adult 15-124).
    """
    yield from _age_hits(facts, ctx, "adult", 15, 124, "an adult")


@rule("DX019", "dx-sex-conflict", severity=Severity.ERROR)
def sex_conflict(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis the MCE restricts to one sex is reported for a patient recorded as the other sex.

    What it checks:
        Diagnoses flagged male-only or female-only on the date when the patient's sex is F or M respectively.
        Unknown (U) or missing sex is skipped. Runs only when the profile parameter ``sex_edits`` is true
        (default true; Medicare and Medicaid keep it, the commercial example turns it off because gender
        identity and transgender care make sex edits unreliable). Pregnancy (O) codes carried the female flag
        through 2024-09-30.
    Why it matters:
        MCE sex conflict (edit 5) returns the claim; payers deny with CARC 10 (diagnosis inconsistent with
        gender).
    Example:
        C61 (malignant neoplasm of prostate) for a patient recorded as F.
    How to fix:
        Correct the code or the patient's sex; for transgender patients Medicare uses condition code 45 and
        modifier KX on professional lines.
    References:
        CMS Definition of Medicare Code Edits v41, edit 5 (sex conflict, bypassed by condition code 45 on
        institutional claims); NUBC UB-04 manual condition code 45 (gender incongruence).
    """
    sex = facts.sex
    if sex not in ("M", "F") or not ctx.bool_param("sex_edits", True):
        return
    other = "male" if sex == "F" else "female"
    for d in facts.dx:
        if other in d.flags:
            yield Hit(
                f"diagnosis {d.position} {d.dotted} is a {other}-only code; the patient's sex is {sex}",
                None,
                "check the code and the patient's sex (condition code 45 / modifier KX where applicable)",
            )


# -- sequencing and the principal diagnosis ----------------------------------------------------------------------
@rule("DX020", "dx-external-cause-first", severity=Severity.ERROR)
def external_cause_first(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An external cause code (V00-Y99) is first-listed or principal.

    What it checks:
        The first diagnosis, or one with the principal qualifier, is in chapter 20 (V00-Y99) or carries the
        MCE ecodepdx flag.
    Why it matters:
        External cause codes are never principal or first-listed: MCE edit 2 ("external causes of
        morbidity codes as principal diagnosis") and CARC 16/11 denials.
    Example:
        W19.XXXA (unspecified fall, initial) first, before S72.001A.
    How to fix:
        List the injury or condition first; the external cause code follows.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.C.20 (and I.C.20.a.1); CMS Definition of Medicare Code
        Edits v41, edit 2.
    """
    for d in facts.dx:
        if (d.position == 1 or d.qualifier in PRINCIPAL) and (
            "ecodepdx" in d.flags or (d.key[:1] in ("V", "W", "X", "Y") and d.record is not None)
        ):
            yield Hit(
                f"diagnosis {d.position} {d.dotted} is an external cause code and may not be first-listed or principal",
                None,
                "sequence the injury or condition first",
            )


@rule("DX021", "dx-unacceptable-principal", severity=Severity.ERROR, kinds="I")
def unacceptable_principal(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The principal diagnosis of an inpatient claim is a code the MCE marks unacceptable as principal.

    What it checks:
        On 837I inpatient claims (type of bill 11x), the principal diagnosis (first, or qualifier ABK) carries the
        MCE "unacceptable principal diagnosis" flag: encounter-reason Z codes that describe outpatient visits
        (Z00.00, Z23), status and history codes (Z79.-, Z87.-), infectious agents (B95-B97), adverse effects
        (T36-T50 intent 5) and similar.
    Why it matters:
        MCE edit 9 returns the claim to the provider: the MS-DRG grouper cannot assign a DRG from a code that
        does not describe the reason for the admission.
    Example:
        Z79.84 (long-term use of oral hypoglycemic drugs) as principal on a type of bill 111 claim.
    How to fix:
        The principal diagnosis is the condition established after study to be chiefly responsible for the
        admission; the status code follows it.
    References:
        CMS Definition of Medicare Code Edits (MCE) v41/v43, edit 9 "unacceptable principal diagnosis";
        ICD-10-CM Official Guidelines FY2024 Section II (selection of principal diagnosis). Professional and
        outpatient claims use DX041 instead: the MCE list is an inpatient list.
    """
    if not _inpatient(facts):
        return
    for d in facts.dx:
        if (d.position == 1 or d.qualifier in PRINCIPAL) and "unacceptable" in d.flags:
            yield Hit(
                f"diagnosis {d.position} {d.dotted} is not acceptable as the principal diagnosis of an inpatient stay",
                None,
                "list the condition chiefly responsible for the admission first",
            )


SECONDARY_ONLY_CATEGORIES = frozenset({"B95", "B96", "B97", "Z3A", "Z68", "Z16", "Z17", "Z18", "Z19"})
"""Categories the tabular and guidelines place after another code: infectious agents as the cause of diseases
classified elsewhere (B95-B97, I.C.1.a / tabular "use additional code"), weeks of gestation (Z3A, I.C.15.b),
body mass index (Z68, I.C.21.c.3), drug resistance, receptor status, retained foreign body and hormone
sensitivity (Z16-Z19: tabular "code first")."""
ADVERSE_CATEGORIES = frozenset(f"T{n}" for n in range(36, 51))


def _secondary_only(key: str) -> bool:
    if key[:3] in SECONDARY_ONLY_CATEGORIES:
        return True
    if key[:3] in ADVERSE_CATEGORIES and len(key) >= 6:
        intent = key[4] if key[5] == "X" else key[5]
        return intent in "56"  # adverse effect, underdosing: sequenced after the nature of the effect
    return False


@rule("DX041", "dx-secondary-only-first", severity=Severity.ERROR)
def secondary_only_first(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A code the guidelines allow only as an additional diagnosis is first-listed.

    What it checks:
        On professional and outpatient claims (inpatient bills have DX021), the first-listed diagnosis belongs
        to B95-B97 (infectious agent as the cause), Z3A (weeks of
        gestation), Z68 (body mass index), Z16-Z19 (resistance, receptor status, retained foreign body, hormone
        sensitivity) or is an adverse effect or underdosing code (T36-T50 with intent 5 or 6).
    Why it matters:
        These codes qualify another condition and say nothing about the reason for the visit on their own;
        payers deny claims whose first-listed diagnosis cannot support medical necessity (CARC 11, 16).
    Example:
        T38.3X5A (adverse effect of insulin and oral hypoglycemic drugs) before R55 (syncope).
    How to fix:
        List the condition treated first (for an adverse effect, the nature of the effect; for B95-B97 the
        infection; for Z68 the weight diagnosis), then the qualifying code.
    References:
        ICD-10-CM Official Guidelines FY2024 Sections I.C.1.a (B95-B97), I.C.15.b.3 and tabular Z3A note,
        I.C.19.e.5(a) and (c) (adverse effect, underdosing sequencing), I.C.21.c.3 (BMI as secondary); Section
        IV.G (first-listed diagnosis in outpatient services).
    """
    if facts.kind == "I" and _inpatient(facts):
        return  # inpatient principal diagnoses: the MCE list of DX021 covers these and more
    first = facts.dx[0] if facts.dx else None
    if first is not None and first.record is not None and _secondary_only(first.key):
        yield Hit(
            f"diagnosis 1 {first.dotted} may only be reported after the condition it qualifies",
            None,
            "list the condition treated first and this code after it",
        )


@rule("DX022", "dx-questionable-admission", severity=Severity.WARNING, kinds="I")
def questionable_admission(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The principal diagnosis of an inpatient claim is one the MCE considers a questionable admission.

    What it checks:
        On 837I inpatient claims (type of bill 11x), the principal diagnosis carries the MCE qadm flag
        (for example I10, E11.9 alone).
    Why it matters:
        MCE edit 8 sends the claim to medical review; without documentation of why inpatient care was needed
        the stay is denied (CARC 50, not medically necessary).
    Example:
        I10 as principal diagnosis on a type of bill 111 claim.
    How to fix:
        Check that the principal diagnosis is the condition that occasioned the admission; document the
        medical necessity of the inpatient stay.
    References:
        CMS Definition of Medicare Code Edits v41, edit 8 (questionable admission); ICD-10-CM Official
        Guidelines FY2024 Section II (selection of principal diagnosis).
    """
    if not _inpatient(facts):
        return
    for d in facts.dx:
        if d.qualifier in PRINCIPAL and "qadm" in d.flags:
            yield Hit(
                f"principal diagnosis {d.dotted} is a questionable reason for an inpatient admission",
                None,
                "confirm the principal diagnosis and document why inpatient care was needed",
            )


@rule("DX023", "dx-duplicate", severity=Severity.WARNING)
def duplicate(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The same diagnosis appears more than once on the claim.

    What it checks:
        Two diagnoses with the same normalized code (E11.65 and E1165 count as the same).
    Why it matters:
        A repeated code wastes one of the 12 (837P) diagnosis slots and some clearinghouses reject it;
        pointers may point at the wrong copy.
    Example:
        I10 at positions 1 and 3.
    How to fix:
        Remove the repeat and renumber the line diagnosis pointers.
    References:
        X12 005010X222A1 2300 HI (each code reported once); CMS IOM 100-04 chapter 26 section 10.2 (item 21).
    """
    seen: dict[str, int] = {}
    for d in facts.dx:
        if not d.key:
            continue
        first = seen.get(d.key)
        if first is None:
            seen[d.key] = d.position
        else:
            yield Hit(
                f"diagnosis {d.position} {d.dotted} repeats diagnosis {first}",
                None,
                "remove the repeat and fix the line pointers",
            )


@rule("DX024", "dx-none", severity=Severity.ERROR)
def none(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim has no diagnosis at all.

    What it checks:
        The claim's HI segment is empty (no principal and no other diagnosis).
    Why it matters:
        The 837P and 837I require at least the principal diagnosis; the claim is rejected at the front end
        (277CA) or denied with CARC 16 / RARC M76 (missing diagnosis).
    Example:
        An office visit with lines 99213 and 36415 and no diagnosis codes.
    How to fix:
        Enter the diagnoses that support the services, principal first.
    References:
        X12 005010X222A1 2300 HI (required); X12 005010X223A2 2300 HI principal diagnosis (required); CMS IOM
        100-04 chapter 26 section 10.2 (item 21).
    """
    if not facts.dx:
        yield Hit("the claim has no diagnosis codes", None, "enter the diagnoses supporting the services")


@rule("DX025", "dx-too-many-professional", severity=Severity.ERROR, kinds="P")
def too_many_professional(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An 837P claim carries more diagnoses than the professional claim allows.

    What it checks:
        The number of diagnoses exceeds the profile parameter ``max_diagnoses_professional`` (default 12,
        the HI segment's twelve composites and CMS-1500 item 21 A-L).
    Why it matters:
        The 13th code cannot be transmitted: the file fails X12 syntax or the extra codes are dropped.
    Example:
        Thirteen diagnoses on one 837P claim.
    How to fix:
        Keep the twelve most relevant diagnoses (those the lines point to first), or split the claim.
    References:
        X12 005010X222A1 2300 HI01-HI12; CMS IOM 100-04 chapter 26 section 10.2 (item 21, up to 12 codes).
    """
    limit = ctx.int_param("max_diagnoses_professional", 12)
    if len(facts.dx) > limit:
        yield Hit(f"the claim has {len(facts.dx)} diagnoses; the limit is {limit}", None, "keep at most the limit")


@rule("DX026", "dx-too-many-institutional", severity=Severity.ERROR, kinds="I")
def too_many_institutional(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An 837I claim carries more principal and other diagnoses than the institutional claim allows.

    What it checks:
        The number of principal and other diagnoses (ABK/ABF, BK/BF) exceeds the profile parameter
        ``max_diagnoses_institutional`` (default 25: one principal and 24 other diagnoses).
    Why it matters:
        The 837I holds one principal and two HI segments of twelve other diagnoses; more cannot be sent.
    Example:
        One principal and 25 other diagnoses on a type of bill 111 claim.
    How to fix:
        Report the diagnoses that affect care and the stay, up to the limit.
    References:
        X12 005010X223A2 2300 HI (principal diagnosis, other diagnosis information, two iterations of 12);
        CMS IOM 100-04 chapter 25 section 75 (UB-04 FL 67A-Q).
    """
    limit = ctx.int_param("max_diagnoses_institutional", 25)
    count = sum(1 for d in facts.dx if d.qualifier in ("ABK", "ABF", "BK", "BF"))
    if count > limit:
        yield Hit(f"the claim has {count} principal and other diagnoses; the limit is {limit}", None, None)


@rule("DX027", "dx-principal-not-first", severity=Severity.ERROR)
def principal_not_first(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The first diagnosis is not sent with the principal diagnosis qualifier (ABK, or BK for ICD-9).

    What it checks:
        The claim has diagnoses and the first one's qualifier is not ABK/BK.
    Why it matters:
        The principal (first-listed) diagnosis composite HI01 must use ABK; claims without it are rejected
        by the clearinghouse (277CA) or denied with CARC 16.
    Example:
        A claim whose first diagnosis I10 carries ABF.
    How to fix:
        Send the first diagnosis with qualifier ABK.
    References:
        X12 005010X222A1 2300 HI01-1 (ABK principal diagnosis); X12 005010X223A2 2300 HI principal diagnosis
        (ABK).
    """
    first = _first(facts)
    if first is not None and first.qualifier not in PRINCIPAL:
        yield Hit(
            f"the first diagnosis {first.dotted} has qualifier {first.qualifier or '(none)'}, not ABK",
            None,
            "send the principal diagnosis first with ABK",
        )


@rule("DX038", "dx-several-principal", severity=Severity.ERROR)
def several_principal(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """More than one diagnosis is sent as the principal diagnosis.

    What it checks:
        Diagnoses after the first carrying the principal qualifier ABK or BK.
    Why it matters:
        A claim has exactly one principal diagnosis (one HI composite with ABK); a second one fails the TR3
        situational rules and is rejected.
    Example:
        I10 (ABK) and E11.65 (ABK) on one claim.
    How to fix:
        Send the other diagnoses with qualifier ABF.
    References:
        X12 005010X222A1 2300 HI01-1 and HI02-1 (ABK once, ABF for the others); X12 005010X223A2 2300 HI.
    """
    for d in facts.dx[1:]:
        if d.qualifier in PRINCIPAL:
            yield Hit(f"diagnosis {d.position} {d.dotted} is also sent as principal ({d.qualifier})", None, "use ABF")


@rule("DX028", "dx-icd9-qualifier", severity=Severity.ERROR)
def icd9_qualifier(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An ICD-9-CM qualifier (BK, BF, BJ, BN, PR) is used for a date of service from 2015-10-01.

    What it checks:
        Diagnoses with an ICD-9 qualifier when the first date of service is on or after 2015-10-01.
    Why it matters:
        ICD-9-CM codes are not valid for those dates: the claim is rejected (CARC 16 / 146).
    Example:
        I10 sent with qualifier BK on 2024-08-14.
    How to fix:
        Send ICD-10-CM codes with the ABK/ABF qualifiers.
    References:
        45 CFR 162.1002(c); X12 005010X222A1 2300 HI01-1 (ABK/BK code list); CMS MLN Matters SE1408.
    """
    day = _day(facts)
    if day is None or day < ICD10_START:
        return
    for d in facts.dx:
        if d.qualifier in ICD9_QUALIFIERS:
            yield Hit(
                f"diagnosis {d.position} {d.code} has the ICD-9 qualifier {d.qualifier} on {day.isoformat()}",
                None,
                "use the ICD-10-CM qualifiers (ABK, ABF ...)",
            )


@rule("DX039", "dx-qualifier-invalid", severity=Severity.ERROR)
def qualifier_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis qualifier is not one the claim type allows.

    What it checks:
        837P diagnoses must use ABK or ABF (BK/BF for ICD-9); 837I ones ABK, ABF, ABJ (admitting), ABN
        (external cause) or APR (reason for visit), or their ICD-9 forms.
    Why it matters:
        Unknown qualifiers fail the TR3 code list and the claim is rejected at the front end.
    Example:
        An 837P diagnosis sent with APR (reason for visit is 837I only).
    How to fix:
        Use ABK for the first diagnosis and ABF for the others on professional claims.
    References:
        X12 005010X222A1 2300 HI01-1 (ABK, BK) and HI02-1 (ABF, BF); X12 005010X223A2 2300 HI (ABJ, ABN, APR).
    """
    allowed = QUALIFIERS_BY_KIND.get(facts.kind)
    if allowed is None:
        return
    for d in facts.dx:
        if d.qualifier not in allowed:
            yield Hit(
                f"diagnosis {d.position} {d.dotted} has qualifier {d.qualifier or '(none)'}, not valid on an "
                f"837{facts.kind}",
                None,
                "use ABK for the principal and ABF for the others",
            )


@rule("DX040", "dx-external-cause-qualifier", severity=Severity.ERROR, kinds="I")
def external_cause_qualifier(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A code sent as external cause of injury (ABN) is not an external cause code.

    What it checks:
        837I diagnoses with qualifier ABN whose code is outside chapter 20 (V00-Y99).
    Why it matters:
        The external cause composite takes only external cause codes; other codes are rejected or lost.
    Example:
        S72.001A sent with ABN.
    How to fix:
        Send the injury as ABK/ABF and its cause (W19.XXXA ...) as ABN.
    References:
        X12 005010X223A2 2300 HI external cause of injury (ABN); ICD-10-CM Official Guidelines FY2024
        Section I.C.20.
    """
    for d in facts.dx:
        if d.qualifier == "ABN" and d.key[:1] not in ("V", "W", "X", "Y"):
            yield Hit(
                f"diagnosis {d.position} {d.dotted} is sent as external cause (ABN) but is not a V00-Y99 code",
                None,
                "send it as ABF",
            )


# -- 837I present on admission and admitting diagnosis -----------------------------------------------------------
@rule("DX029", "dx-poa-invalid", severity=Severity.ERROR, kinds="I")
def poa_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A present-on-admission indicator is not Y, N, U, W or 1.

    What it checks:
        Each 837I diagnosis with a non-empty POA indicator outside Y, N, U, W, 1.
    Why it matters:
        Medicare returns inpatient claims with invalid POA values (the HAC payment provision needs them).
    Example:
        J18.9 with POA "X".
    How to fix:
        Use Y (present), N (not present), U (documentation insufficient), W (clinically undetermined) or 1
        (exempt; blank on 5010 for exempt codes).
    References:
        CMS IOM 100-04 chapter 3 section 20.2.3.1 (POA indicator reporting); ICD-10-CM Official Guidelines
        FY2024 Appendix I (Present on Admission Reporting Guidelines); X12 005010X223A2 2300 HI0x-9.
    """
    for d in facts.dx:
        poa = d.poa.strip().upper()
        if poa and poa not in POA_VALUES:
            yield Hit(f"diagnosis {d.position} {d.dotted} has POA indicator {poa!r}", None, "use Y, N, U, W or 1")


@rule("DX030", "dx-poa-missing", severity=Severity.WARNING, kinds="I")
def poa_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An inpatient diagnosis has no present-on-admission indicator.

    What it checks:
        On 837I inpatient claims (type of bill 11x), principal and other diagnoses (ABK/ABF) without a POA
        indicator. The POA-exempt code list is not in the shipped data, so a missing indicator is a warning
        (exempt codes are legitimately blank) rather than an error.
    Why it matters:
        IPPS hospitals must report POA for every non-exempt diagnosis; Medicare returns claims missing it and
        pays HAC-related stays at the lower DRG.
    Example:
        J18.9 principal diagnosis with no POA on a type of bill 111 claim.
    How to fix:
        Add Y, N, U or W for each diagnosis; leave blank only codes on the POA-exempt list.
    References:
        CMS IOM 100-04 chapter 3 section 20.2.3.1; ICD-10-CM Official Guidelines FY2024 Appendix I; Social
        Security Act section 1886(d)(4)(D) (hospital-acquired conditions); X12 005010X223A2 2300 HI0x-9.
    """
    if not _inpatient(facts):
        return
    for d in facts.dx:
        if d.qualifier in ("ABK", "ABF") and not d.poa.strip():
            yield Hit(
                f"diagnosis {d.position} {d.dotted} has no present-on-admission indicator",
                None,
                "add Y, N, U or W (blank only for POA-exempt codes)",
            )


@rule("DX031", "dx-admitting-missing", severity=Severity.ERROR, kinds="I")
def admitting_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An inpatient claim has no admitting diagnosis (ABJ).

    What it checks:
        837I claims with type of bill 11x or 12x without a diagnosis sent with qualifier ABJ (or BJ).
    Why it matters:
        The admitting diagnosis (UB-04 FL 69) is required on inpatient claims; Medicare returns the claim.
    Example:
        A type of bill 111 claim with J18.9 (ABK) and I10 (ABF) only.
    How to fix:
        Add the condition identified at admission with qualifier ABJ.
    References:
        X12 005010X223A2 2300 HI admitting diagnosis (ABJ, required on inpatient claims); CMS IOM 100-04
        chapter 25 section 75.5 (FL 69).
    """
    code = facts.claim.facility_code
    if not code.startswith(("11", "12")):
        return
    if not any(d.qualifier in ("ABJ", "BJ") for d in facts.dx):
        yield Hit(
            f"inpatient claim (type of bill {code}x) has no admitting diagnosis (ABJ)",
            None,
            "add the admitting diagnosis",
        )


# -- clinical consistency ----------------------------------------------------------------------------------------
@rule("DX032", "dx-external-cause-absent", severity=Severity.INFO)
def external_cause_absent(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An injury at its initial encounter has no external cause code.

    What it checks:
        Claims with an injury code (S00-T34, T66-T78) whose 7th character is A (initial encounter) and no
        diagnosis in V00-Y99. Poisoning and adverse-effect codes (T36-T65) already include the cause.
    Why it matters:
        External cause codes drive subrogation, workers' compensation and liability recovery; payers send
        accident questionnaires and delay payment without them.
    Example:
        S72.001A (fracture of neck of right femur, initial) with no W19.XXXA.
    How to fix:
        Add the cause, place and activity codes the record supports (W19.XXXA, Y92.- ...).
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.C.20 (external cause codes, voluntary unless mandated)
        and I.C.19.a.
    """
    injuries = [
        d
        for d in facts.dx
        if len(d.key) == 7
        and d.key[6] == "A"
        and d.period is not None
        and (d.key[0] == "S" or (d.key[0] == "T" and ("T07" <= d.key[:3] <= "T34" or "T66" <= d.key[:3] <= "T78")))
    ]
    if not injuries:
        return
    if any(d.key[:1] in ("V", "W", "X", "Y") for d in facts.dx):
        return
    d = injuries[0]
    yield Hit(f"injury diagnosis {d.position} {d.dotted} has no external cause code", None, "add V00-Y99 codes")


@rule("DX033", "dx-sequela-first", severity=Severity.WARNING)
def sequela_first(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A sequela code (7th character S) is listed first although other codes follow.

    What it checks:
        The first diagnosis is an injury code (S/T) with 7th character S and the claim has more diagnoses.
    Why it matters:
        The residual condition is sequenced first and the sequela code after it; the reverse misstates the
        reason for the encounter and draws denials for medical necessity (CARC 11 / 50).
    Example:
        S72.001S (sequela of femoral neck fracture) first, then M24.551 (contracture of right hip).
    How to fix:
        List the residual effect (the condition treated) first and the S-7th-character code after it.
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.B.10 (sequela) and I.C.19.a (7th character S).
    """
    first = _first(facts)
    if first is not None and len(facts.dx) > 1 and _sequela(first):
        yield Hit(
            f"sequela code {first.dotted} is first-listed; the residual condition should come first",
            None,
            "list the residual condition first and the sequela code after it",
        )


def _puerperal(d: DxFact) -> bool:
    """A chapter 15 code for the puerperium or postpartum period (no gestation left to count in weeks)."""
    title = d.record.title.lower() if d.record is not None else ""
    return ("puerperium" in title or "postpartum" in title) and "pregnancy" not in title


@rule("DX034", "dx-pregnancy-weeks-missing", severity=Severity.INFO)
def pregnancy_weeks_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A pregnancy code is reported without a Z3A weeks-of-gestation code.

    What it checks:
        Claims with an obstetric code in O09-O60, O80-O82 or O98-O9A (the pregnancy conditions Z3A's code-first
        note names) and no Z3A code. Codes for the puerperium or postpartum period (O24.43-, O99.03, O99.43 ...)
        and sequelae of complications of pregnancy (O94) are not flagged: there are no weeks of gestation after
        delivery.
    Why it matters:
        Chapter 15 instructs to add Z3A when the weeks are known; payers and quality programs use it to
        validate trimester-specific codes.
    Example:
        O24.410 (gestational diabetes, diet controlled) without Z3A.28.
    How to fix:
        Add the Z3A code for the documented week of gestation.
    References:
        ICD-10-CM Tabular chapter 15 "use additional code from category Z3A" and the Z3A "code first" note;
        ICD-10-CM Official Guidelines FY2024 Section I.C.15.a.
    """
    found: DxFact | None = None
    for d in facts.dx:
        k = d.key
        if k.startswith("Z3A"):
            return
        if found is None and k[:1] == "O" and d.record is not None:
            cat = k[:3]
            if ("O09" <= cat <= "O60" or "O80" <= cat <= "O82" or "O98" <= cat <= "O9A") and not _puerperal(d):
                found = d
    if found is not None:
        yield Hit(f"pregnancy diagnosis {found.position} {found.dotted} has no Z3A weeks of gestation", None, None)


@rule("DX035", "dx-insulin-type1", severity=Severity.WARNING)
def insulin_type1(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Long-term insulin use (Z79.4) is coded with type 1 diabetes.

    What it checks:
        Claims with a type 1 diabetes code (E10.-) and Z79.4. Type 2 (E11.-) with Z79.4 is correct.
    Why it matters:
        Type 1 diabetics are insulin-dependent by definition; Z79.4 is not assigned and its presence flags the
        diabetes type for review (risk-adjustment audits, CARC 16).
    Example:
        E10.9 with Z79.4.
    How to fix:
        Remove Z79.4, or correct the diabetes type if it is type 2 treated with insulin.
    References:
        ICD-10-CM Official Guidelines FY2024 Sections I.C.4.a.2 and I.C.4.a.3 (type 1 diabetes implies
        insulin use; Z79.4 identifies insulin use for other diabetes types).
    """
    e10 = next((d for d in facts.dx if d.key.startswith("E10")), None)
    if e10 is None:
        return
    for d in facts.dx:
        if d.key == "Z794":
            yield Hit(
                f"diagnosis {d.position} Z79.4 (insulin use) is coded with type 1 diabetes {e10.dotted}",
                None,
                "remove Z79.4 for type 1 diabetes",
            )


@rule("DX036", "dx-laterality-unspecified", severity=Severity.WARNING)
def laterality_unspecified(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis codes an unspecified side while a line documents the side (LT, RT, 50, E1-E4, F/T).

    What it checks:
        Diagnoses whose title says "unspecified" and names no side (right, left, bilateral) while a sibling
        code does, when a line pointing to them (or, on claims without pointers, any line) carries a side
        modifier. "Sprain of unspecified ligament of right ankle" (S93.401A) names its side and passes.
    Why it matters:
        Side-specific codes exist; payers deny laterality mismatches (CARC 11) and Medicare's MCE flags
        unspecified laterality.
    Example:
        M17.10 (unilateral primary osteoarthritis, unspecified knee) on a 20610-RT line.
    How to fix:
        Use the code for the documented side (M17.11 right knee).
    References:
        ICD-10-CM Official Guidelines FY2024 Section I.B.13 (laterality) and I.B.18; CMS IOM 100-04
        chapter 12 section 40.7 (side modifiers).
    """
    sided = [ln for ln in facts.lines if any(m in SIDE_MODIFIERS for m in ln.modifiers)]
    if not sided:
        return
    pointers = any(ln.pointers for ln in facts.lines)
    for d in facts.dx:
        if not _laterality_unspecified(d, ctx):
            continue
        for ln in sided:
            if not pointers or d.position in ln.pointers:
                mods = "/".join(m for m in ln.modifiers if m in SIDE_MODIFIERS)
                yield Hit(
                    f"diagnosis {d.position} {d.dotted} has an unspecified side; line {ln.number} is billed {mods}",
                    ln.number,
                    "use the side-specific code",
                )
                break
