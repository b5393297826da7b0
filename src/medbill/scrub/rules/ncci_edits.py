"""NCCI edits (NC): procedure-to-procedure pairs, medically unlikely edits, add-on codes and global surgery.

The CMS National Correct Coding Initiative tables come from ``ctx.ncci`` (`medbill.scrub.ncci.NcciTables`); when
the run has no tables every NC rule is silent. The table set follows the claim: 837I claims use the hospital
outpatient tables, 837P claims the practitioner tables (the profile parameter ``ncci_setting`` may say
"outpatient" instead), and supplier MUEs come from the DME table for DME HCPCS codes (``mue_dme_codes``).

PTP pairs are looked for among the codes of one date of service and, on 837P claims, one rendering provider (a
line's own rendering NPI, else the claim's: lines rendered by different NPIs are never paired); an 837I claim's
lines of one date form one group. The pair, MUE, add-on and global-surgery analyses are done once per claim and
shared by the rules through a one-slot cache in ``ctx.memo``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple, TypeVar

from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts, LineFact
from medbill.scrub.ncci import MueEdit, NcciTables, PtpEdit, Setting
from medbill.scrub.registry import Hit, rule
from medbill.scrub.rules.procedure import is_em

T = TypeVar("T")

# -- NCCI-associated modifiers (NCCI Policy Manual for Medicare Services, Chapter I, Section E) -----------------

ANATOMIC: frozenset[str] = frozenset(
    {"E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD", "LM", "LT"}
    | {"RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"}
)
"""Anatomic modifiers: they bypass a PTP edit only when the two lines name different sites (LT vs RT)."""
EM_BYPASS: frozenset[str] = frozenset({"24", "25", "57"})
"""Global-surgery modifiers that bypass an edit pairing an E/M service with another code, on the E/M line."""
DISTINCT: frozenset[str] = frozenset({"59", "XE", "XP", "XS", "XU"})
"""Distinct procedural service: bypasses a non-E/M pair on either line (normally the column-two code)."""
PROCEDURE_BYPASS: frozenset[str] = frozenset({"58", "78", "79", "91"})
"""Staged/return-to-OR/unrelated procedure in a global period and repeat laboratory test: either line."""
OUTPATIENT_EM: frozenset[str] = frozenset({"27"})
"""Multiple outpatient hospital E/M encounters on the same date (outpatient hospital claims only)."""
INPATIENT_BILL_TYPES: frozenset[str] = frozenset({"11", "18", "21", "41"})
"""837I types of bill paid outside the outpatient NCCI tables (inpatient, swing bed, SNF Part A)."""
MUTUALLY_EXCLUSIVE = "Mutually exclusive procedures"
DME_PREFIXES: frozenset[str] = frozenset({"E", "K", "L"})
MINOR_GLOBALS: frozenset[str] = frozenset({"000", "010"})
UNRELATED_EM = "FT"
"""E/M unrelated to a procedure's global package furnished the same day or in its pre/postoperative period
(CMS CY2022 PFS final rule): outside the package, so neither 25 nor 57 is expected."""
MAJOR_GLOBAL = "090"


# -- table selection ---------------------------------------------------------------------------------------------


def per_profile(ctx: ScrubContext, name: str, compute: Callable[[ScrubContext], T]) -> T:
    """A value derived from the profile's parameters, computed once per profile (not per claim)."""
    slot = ctx.memo(name)
    if slot.get("profile") is not ctx.profile:
        slot["value"] = compute(ctx)
        slot["profile"] = ctx.profile
    value: T = slot["value"]
    return value


def per_claim(facts: ClaimFacts, ctx: ScrubContext, name: str, compute: Callable[[ClaimFacts, ScrubContext], T]) -> T:
    """A per-claim analysis shared by several rules: a one-slot cache holding the last claim's result."""
    slots = ctx.memo("nc-per-claim")
    entry = slots.get(name)
    if entry is not None and entry[0] is facts and entry[1] is ctx.profile:
        cached: T = entry[2]
        return cached
    value = compute(facts, ctx)
    slots[name] = (facts, ctx.profile, value)
    return value


def _practitioner_setting(ctx: ScrubContext) -> Setting:
    chosen = str(ctx.param("ncci_setting", "practitioner")).strip().lower()
    return Setting.OUTPATIENT if chosen == "outpatient" else Setting.PRACTITIONER


def _dme_prefixes(ctx: ScrubContext) -> tuple[str, ...]:
    return tuple(sorted(ctx.set_param("mue_dme_codes")))


def ptp_setting(facts: ClaimFacts, ctx: ScrubContext) -> Setting | None:
    """The PTP/MUE table for the claim: outpatient for 837I (None for inpatient bills), else the profile's."""
    if facts.kind == "I":
        if facts.claim.facility_code[:2] in INPATIENT_BILL_TYPES:
            return None
        return Setting.OUTPATIENT
    return per_profile(ctx, "nc-setting", _practitioner_setting)


def mue_for(ncci: NcciTables, code: str, setting: Setting, kind: str, ctx: ScrubContext) -> MueEdit | None:
    """The MUE that governs `code`: the setting's table, or the DME supplier table for DME HCPCS on 837P.

    With ``mue_dme_codes`` (a list of code prefixes) in the profile, 837P lines whose code starts with one of them
    use the DME supplier table first; without it the DME table is consulted only for E, K and L codes that have no
    practitioner MUE."""
    if kind == "P" and code[:1].isalpha():
        listed = per_profile(ctx, "nc-dme-prefixes", _dme_prefixes)
        if listed and code.startswith(listed):
            dme = ncci.mue(code, Setting.DME)
            if dme is not None:
                return dme
        edit = ncci.mue(code, setting)
        if edit is None and code[:1] in DME_PREFIXES:
            return ncci.mue(code, Setting.DME)
        return edit
    return ncci.mue(code, setting)


def _rendering(facts: ClaimFacts, line: LineFact) -> str:
    """The NPI that rendered the line: its own 2420A rendering provider, else the claim's (2310B), else the
    billing provider's. On 837I claims always "": outpatient hospital edits cover the whole claim's date."""
    if facts.kind == "I":
        return ""
    party = line.line.rendering_provider or facts.claim.rendering_provider or facts.claim.billing_provider
    return party.id.strip()


def _groups(facts: ClaimFacts) -> list[tuple[date, list[LineFact]]]:
    """Lines by (date of service, rendering NPI): NCCI pairs and global surgery concern one provider and day."""
    by_key: dict[tuple[date, str], list[LineFact]] = {}
    for ln in facts.lines:
        if ln.day is None or not ln.code:
            continue
        by_key.setdefault((ln.day, _rendering(facts, ln)), []).append(ln)
    return [(day, lines) for (day, _), lines in by_key.items()]


# -- PTP analysis (shared by NC001-NC003) ------------------------------------------------------------------------


class PairFinding(NamedTuple):
    kind: str
    """"never" (indicator 0), "unbypassed" (indicator 1, no bypassing modifier) or "bypassed"."""
    edit: PtpEdit
    first: LineFact
    second: LineFact
    why: str


def _bypass(edit: PtpEdit, a: LineFact, b: LineFact, setting: Setting) -> str:
    """Why the NCCI-associated modifiers on lines `a` (column 1) and `b` (column 2) bypass the edit, or ""."""
    ma, mb = set(a.modifiers), set(b.modifiers)
    em_a, em_b = is_em(a.code), is_em(b.code)
    if em_a or em_b:
        for ln, mods, em in ((a, ma, em_a), (b, mb, em_b)):
            found = sorted(mods & EM_BYPASS) if em else []
            if found:
                return f"modifier {found[0]} on E/M {ln.code} (line {ln.number})"
        if em_a and em_b and setting is Setting.OUTPATIENT and (ma | mb) & OUTPATIENT_EM:
            return "modifier 27 (multiple outpatient hospital E/M encounters)"
        if em_a and not em_b:  # a procedure bundled into an E/M: 59/X{EPSU} on the column 2 procedure
            found = sorted(mb & DISTINCT)
            if found:
                return f"modifier {found[0]} on column 2 {b.code} (line {b.number})"
        return ""
    for ln, mods in ((b, mb), (a, ma)):
        found = sorted(mods & (DISTINCT | PROCEDURE_BYPASS))
        if found:
            return f"modifier {found[0]} on {ln.code} (line {ln.number})"
    sites_a, sites_b = ma & ANATOMIC, mb & ANATOMIC
    if sites_a and sites_b and sites_a != sites_b:
        return (
            f"anatomic modifiers {'/'.join(sorted(sites_a))} on {a.code} and {'/'.join(sorted(sites_b))} on "
            f"{b.code} (different sites)"
        )
    return ""


def _why_not(a: LineFact, b: LineFact) -> str:
    """What the coder may have meant by the modifiers that did not bypass the edit (for the message)."""
    notes: list[str] = []
    for ln in (a, b):
        mods = set(ln.modifiers)
        if is_em(ln.code) and mods & DISTINCT:
            notes.append(f"modifier {sorted(mods & DISTINCT)[0]} may not be used on E/M {ln.code}: use 25")
        if not is_em(ln.code) and mods & EM_BYPASS:
            notes.append(f"modifier {sorted(mods & EM_BYPASS)[0]} on {ln.code} bypasses nothing: it belongs on an E/M")
    sites_a, sites_b = set(a.modifiers) & ANATOMIC, set(b.modifiers) & ANATOMIC
    if sites_a and sites_a == sites_b:
        notes.append(f"both lines carry {'/'.join(sorted(sites_a))}: the same site does not bypass")
    elif bool(sites_a) != bool(sites_b):
        notes.append("an anatomic modifier on one line only does not bypass: both sites must be stated")
    return "; ".join(notes)


def ptp_findings(facts: ClaimFacts, ctx: ScrubContext) -> list[PairFinding]:
    """Every PTP edit in force among the claim's same-day, same-provider lines, classified (cached per claim)."""
    if ctx.ncci is None or len(facts.lines) < 2:
        return []
    return per_claim(facts, ctx, "nc-ptp", _ptp_findings)


def _ptp_findings(facts: ClaimFacts, ctx: ScrubContext) -> list[PairFinding]:
    ncci = ctx.ncci
    if ncci is None or len(facts.lines) < 2:
        return []
    setting = ptp_setting(facts, ctx)
    if setting is None or setting is Setting.DME:
        return []
    out: list[PairFinding] = []
    seen: set[tuple[str, str, date]] = set()
    for day, lines in _groups(facts):
        codes: Sequence[str] = [ln.code for ln in lines]
        if len(set(codes)) < 2:
            continue
        for edit in ncci.pairs_among(codes, day, setting):
            key = (edit.column1, edit.column2, day)
            if edit.modifier_indicator == 9 or key in seen:
                continue  # 9: the edit is not applicable (deleted as of its effective date)
            seen.add(key)
            ones = [ln for ln in lines if ln.code == edit.column1]
            twos = [ln for ln in lines if ln.code == edit.column2]
            out.append(_classify(edit, ones, twos, setting))
    return out


def _classify(edit: PtpEdit, ones: list[LineFact], twos: list[LineFact], setting: Setting) -> PairFinding:
    a, b = ones[0], twos[0]
    if edit.modifier_indicator == 0:
        return PairFinding("never", edit, a, b, "")
    why = ""
    for x in ones:
        for y in twos:
            reason = _bypass(edit, x, y, setting)
            if not reason:
                return PairFinding("unbypassed", edit, x, y, _why_not(x, y))
            why = why or reason
    return PairFinding("bypassed", edit, a, b, why)


def _rationale(edit: PtpEdit) -> str:
    """The edit's CMS rationale in parentheses, or "" when the loaded tables do not carry rationales."""
    return f" ({edit.rationale})" if edit.rationale else ""


def _what(edit: PtpEdit) -> str:
    if edit.rationale == MUTUALLY_EXCLUSIVE:
        return "mutually exclusive procedures under NCCI (only one of them can be paid)"
    return "an NCCI PTP pair" + _rationale(edit)


def _pair_text(f: PairFinding) -> str:
    e = f.edit
    return (
        f"column 1 {e.column1} (line {f.first.number}) and column 2 {e.column2} (line {f.second.number}) on "
        f"{f.first.day}"
    )


@rule("NC001", "ptp-pair-never-bypassable", severity=Severity.ERROR)
def ptp_indicator_zero(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Two codes billed the same day form an NCCI procedure-to-procedure pair with modifier indicator 0.

    What it checks:
        Among the lines of one date of service and one rendering provider, each NCCI PTP edit in force on that
        date (practitioner table for 837P, hospital outpatient table for 837I) whose modifier indicator is 0.
        Such an edit can never be bypassed: no modifier, however appropriate clinically, makes both codes
        payable. Edits deleted before the date of service and indicator 9 edits are ignored.
    Why it matters:
        The MAC or outpatient code editor pays the column 1 code and denies the column 2 code (CARC 97/236:
        the service is included in another service or procedure); appending 59 or an X modifier to force it
        through is a compliance finding in a post-payment review.
    Example:
        11102 (tangential skin biopsy) and 64450 (peripheral nerve block) on 2024-08-14: practitioner PTP edit,
        indicator 0, "Misuse of column two code with column one code": the nerve block is the anesthesia of the
        biopsy.
    How to fix:
        Remove the column 2 code (its work is part of the column 1 code), or correct whichever code is wrong;
        do not add a modifier: indicator 0 means none is accepted.
    References:
        NCCI Policy Manual for Medicare Services (2024), Chapter I, Section E "Modifiers and Modifier
        Indicators"; CMS NCCI PTP edits, "Modifier Indicator" (0 = not allowed); CMS Pub. 100-04 Ch. 23 §20.9.
    """
    for f in ptp_findings(facts, ctx):
        if f.kind == "never":
            yield Hit(
                f"{_pair_text(f)} are {_what(f.edit)}, modifier indicator 0: the column 2 code is never separately "
                "payable with the column 1 code, whatever the modifiers",
                f.second.number,
                f"remove {f.edit.column2} or correct the coding; no modifier bypasses this edit",
            )


@rule("NC002", "ptp-pair-without-modifier", severity=Severity.ERROR)
def ptp_unbypassed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Two codes billed the same day form an NCCI PTP pair (indicator 1) and no line carries a bypassing modifier.

    What it checks:
        Each NCCI PTP edit in force on the date of service with modifier indicator 1 among the lines of one day
        and one rendering provider, when the NCCI-associated modifiers on the two lines do not bypass it. Pairs
        whose CMS rationale is "Mutually exclusive procedures" get their own message (only one of the two can be
        paid) when the loaded tables carry rationales; the message quotes the rationale otherwise. The bypass
        follows the NCCI Policy Manual: for a pair involving an E/M service, 24, 25 or 57 on the E/M line, or
        59/X{EPSU} on a column 2 procedure edited against a column 1 E/M (59 and the X modifiers may never be
        appended to the E/M itself; 27 counts between two E/M codes on an outpatient hospital claim); for other
        pairs 59, XE, XS, XP, XU, 58, 78, 79 or 91 on either line, or anatomic
        modifiers (LT/RT, F1-F9, T1-T9, E1-E4, LC/LD/LM/RC/RI, FA, TA) on both lines naming different sites.
    Why it matters:
        Without the modifier the column 2 code is denied as bundled into the column 1 code (CARC 97/B15/236).
    Example:
        11102 (skin biopsy) and 17000 (destruction of a premalignant lesion) on 2024-08-14 with no modifier:
        PTP edit 11102/17000, indicator 1, "CPT Manual or CMS manual coding instruction"; 10030 (image-guided
        catheter drainage) and 10060 (incision and drainage of abscess): "Mutually exclusive procedures".
    How to fix:
        If the two services were distinct (different site, lesion, encounter), append the modifier that says so
        (XS or 59 to the column 2 code; differing anatomic modifiers; 25 to a significant, separately
        identifiable E/M) and keep the documentation; otherwise remove the column 2 code.
    References:
        NCCI Policy Manual for Medicare Services (2024), Chapter I, Section E (NCCI-associated modifiers), Section
        D (mutually exclusive procedures) and Chapter XI, Section C (modifier 25 with E/M); CMS MLN1783722
        "Proper Use of Modifiers 59, XE, XP, XS, XU"; CMS Pub. 100-04 Ch. 12 §30.6.6.
    """
    for f in ptp_findings(facts, ctx):
        if f.kind == "unbypassed":
            extra = f" ({f.why})" if f.why else ""
            yield Hit(
                f"{_pair_text(f)} are {_what(f.edit)}, modifier indicator 1, and no NCCI-associated modifier "
                f"bypasses it{extra}: {f.edit.column2} will be denied with {f.edit.column1}",
                f.second.number,
                "append 59/XS/XE/XP/XU, differing anatomic modifiers, or 25 on an E/M when the services were "
                f"distinct and documented; otherwise remove {f.edit.column2}",
            )


@rule("NC003", "ptp-pair-bypassed", severity=Severity.INFO)
def ptp_bypassed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An NCCI PTP pair on the claim is bypassed by an NCCI-associated modifier: documentation must support it.

    What it checks:
        Each NCCI PTP edit in force with modifier indicator 1 among one day's lines of one rendering provider
        that the modifiers bypass (25/57/24 on the E/M line of an E/M pair; 59/X{EPSU}/58/78/79/91 on either line;
        anatomic modifiers naming different sites on the two lines).
    Why it matters:
        The claim will pay both codes, but the bypass is on record: modifier 59 and its X subsets are among the
        most audited modifiers (OIG reviews), and a recoupment follows when the record does not show a distinct
        site, session or service.
    Example:
        29881-RT and 29875-LT on 2024-08-14: knee arthroscopy pair 29881/29875 (indicator 1) bypassed because
        the anatomic modifiers name different knees.
    How to fix:
        Nothing to change on the claim if the services really were distinct; make sure the operative or visit
        note documents the separate site, session or the significant separately identifiable E/M.
    References:
        NCCI Policy Manual for Medicare Services (2024), Chapter I, Section E; CMS MLN1783722 (modifier 59 and
        XE/XP/XS/XU); OIG report OEI-03-02-00771 "Use of Modifier 59 to Bypass Medicare's NCCI Edits".
    """
    for f in ptp_findings(facts, ctx):
        if f.kind == "bypassed":
            yield Hit(
                f"{_pair_text(f)} are an NCCI PTP pair{_rationale(f.edit)} bypassed by {f.why}: the record must "
                "document the distinct service",
                f.second.number,
                "keep documentation of the separate site, session or significant separately identifiable service",
            )


# -- MUE ---------------------------------------------------------------------------------------------------------


def _mue_analysis(facts: ClaimFacts, ctx: ScrubContext) -> list[tuple[LineFact, MueEdit]]:
    ncci = ctx.ncci
    setting = ptp_setting(facts, ctx)
    if ncci is None or setting is None:
        return []
    out: list[tuple[LineFact, MueEdit]] = []
    for ln in facts.lines:
        if ln.code and ln.units is not None:
            edit = mue_for(ncci, ln.code, setting, facts.kind, ctx)
            if edit is not None:
                out.append((ln, edit))
    return out


def _mue_lines(facts: ClaimFacts, ctx: ScrubContext) -> list[tuple[LineFact, MueEdit]]:
    """The claim's lines that have an MUE, with it (computed once per claim for NC010-NC013)."""
    if ctx.ncci is None:
        return []
    return per_claim(facts, ctx, "nc-mue", _mue_analysis)


def _units(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _day_totals(facts: ClaimFacts, ctx: ScrubContext, mai: int) -> Iterator[tuple[LineFact, MueEdit, Decimal]]:
    """For date-of-service MUEs (MAI 2/3): the first line of each (code, day) whose summed units exceed the MUE."""
    totals: dict[tuple[str, date | None], tuple[LineFact, MueEdit, Decimal]] = {}
    for ln, edit in _mue_lines(facts, ctx):
        if edit.mai != mai or edit.units <= 0 or ln.units is None:
            continue
        key = (ln.code, ln.day)
        prev = totals.get(key)
        totals[key] = (prev[0], edit, prev[2] + ln.units) if prev is not None else (ln, edit, ln.units)
    for first, edit, total in totals.values():
        if total > edit.units:
            yield first, edit, total


@rule("NC010", "mue-line-units", severity=Severity.ERROR)
def mue_line(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line reports more units than the code's medically unlikely edit allows per line (MUE MAI 1).

    What it checks:
        For codes whose MUE adjudication indicator is 1 (claim line edit), the units of each line against the
        MUE value of the claim's setting (practitioner, outpatient hospital, or the DME supplier table for DME
        HCPCS). Lines of the same code on the same day are not added up: MAI 1 is adjudicated line by line.
    Why it matters:
        The whole line is denied (not cut back to the MUE) when its units exceed the MUE (CARC 151 / N362); the
        provider may appeal, but a resubmission with the right line split is faster.
    Example:
        A0425 (ground ambulance mileage, MUE 250, MAI 1) with 300 units on 2024-08-14.
    How to fix:
        Check the units; when more units were really provided and the MAI is 1, report them on separate lines
        with an appropriate modifier (anatomic, 59/XS, 76, 77, 91) as the MUE policy allows.
    References:
        CMS Medically Unlikely Edits (MUE) page and MUE FAQ (MAI 1: claim line edit); NCCI Policy Manual for
        Medicare Services (2024), Chapter I, Section V "Medically Unlikely Edits"; CMS Pub. 100-08 Ch. 3 §3.4.
    """
    for ln, edit in _mue_lines(facts, ctx):
        if edit.mai == 1 and edit.units > 0 and ln.units is not None and ln.units > edit.units:
            yield Hit(
                f"line {ln.number}: {ln.code} reports {_units(ln.units)} units on {ln.day}, above its MUE of "
                f"{edit.units} per line (MAI 1, {edit.rationale})",
                ln.number,
                "correct the units or split them over lines with the modifier that justifies each",
            )


@rule("NC011", "mue-day-policy", severity=Severity.ERROR)
def mue_day_policy(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A code's units on one date of service exceed its MUE, an absolute date-of-service limit (MUE MAI 2).

    What it checks:
        For codes whose MUE adjudication indicator is 2, the sum of the units on every line of that code on the
        same date of service (whatever the modifiers) against the MUE of the claim's setting.
    Why it matters:
        MAI 2 MUEs rest on policy or the code descriptor (one per day, one per patient anatomy): units above them
        are denied and CMS says such denials are not overturned on appeal, absent a coding error.
    Example:
        11102 (tangential biopsy, first lesion; MUE 1, MAI 2) on two lines of 2024-08-14: the additional lesions
        are 11103.
    How to fix:
        Correct the coding (use the add-on code for additional units when one exists) or the units; a modifier
        does not lift a MAI 2 limit.
    References:
        CMS MUE FAQ (MAI 2: "absolute date of service edit, policy"); NCCI Policy Manual for Medicare Services
        (2024), Chapter I, Section V; CMS Pub. 100-04 Ch. 23 §20.9.3.
    """
    for ln, edit, total in _day_totals(facts, ctx, 2):
        yield Hit(
            f"{ln.code} totals {_units(total)} units on {ln.day}, above its MUE of {edit.units} per day (MAI 2, "
            f"{edit.rationale}): an absolute limit no modifier lifts",
            ln.number,
            "correct the units or the code (an add-on code may report additional units)",
        )


@rule("NC012", "mue-day-clinical", severity=Severity.ERROR)
def mue_day_clinical(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A code's units on one date of service exceed its MUE, a clinical date-of-service limit (MUE MAI 3).

    What it checks:
        For codes whose MUE adjudication indicator is 3, the sum of units over every line of that code on the
        same date of service against the MUE of the claim's setting. Profiles may lower the severity (the
        commercial example reviews these on appeal).
    Why it matters:
        Units above a MAI 3 MUE are denied at the MAC; unlike MAI 2, the denial may be reversed on appeal with
        documentation that the units were medically necessary.
    Example:
        99213 with 3 units on 2024-08-14 (MUE 2, MAI 3, "Clinical: Data").
    How to fix:
        Verify the units; if they are right, expect a denial and prepare the appeal with the medical record.
    References:
        CMS MUE FAQ (MAI 3: "date of service edit, clinical"); NCCI Policy Manual for Medicare Services (2024),
        Chapter I, Section V; CMS Pub. 100-04 Ch. 23 §20.9.3.
    """
    for ln, edit, total in _day_totals(facts, ctx, 3):
        yield Hit(
            f"{ln.code} totals {_units(total)} units on {ln.day}, above its MUE of {edit.units} per day (MAI 3, "
            f"{edit.rationale})",
            ln.number,
            "verify the units; units above a clinical MUE are paid only on appeal with documentation",
        )


MEDICARE_FILING: frozenset[str] = frozenset({"MA", "MB", "16"})
GOVERNMENT_FILING: frozenset[str] = MEDICARE_FILING | {"MC"}
MEDICARE_NONCOVERED = "N"
"""PFS status N: excluded from Medicare coverage by statute (preventive visits 99381-99397 …)."""


def _mue_zero_applies(ctx: ScrubContext) -> bool:
    """``mue_zero_units``; by default only for profiles answering for Medicare or Medicaid filing indicators."""
    value = ctx.param("mue_zero_units")
    if value is None:
        return bool(GOVERNMENT_FILING & set(ctx.profile.filing_indicators))
    return bool(value)


def _is_medicare(ctx: ScrubContext) -> bool:
    return bool(MEDICARE_FILING & set(ctx.profile.filing_indicators))


def _medicare_noncovered(ctx: ScrubContext, ln: LineFact) -> bool:
    """The line's code has PFS status N on its date: its MUE of 0 is Medicare's coverage exclusion."""
    if ln.day is None or ctx.fees is None:
        return False
    memo = ctx.memo("nc-pfs-status")
    key = (ln.code, ln.day)
    status = memo.get(key)
    if status is None:
        try:
            row = ctx.rvu(ln.code, "", ln.day)
        except Exception:  # a date outside the loaded PFS year: status unknown
            row = None
        status = memo[key] = row.status.strip().upper() if row is not None else ""
    return bool(status == MEDICARE_NONCOVERED)


@rule("NC013", "mue-zero-units", severity=Severity.ERROR)
def mue_zero(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A code's MUE is 0 units in the claim's setting: it is not payable there at all.

    What it checks:
        Every line whose code has an MUE value of 0 in the table for the claim's setting (practitioner,
        outpatient hospital or, for DME HCPCS with ``mue_dme_codes``, DME supplier). An MUE of 0 often encodes
        Medicare coverage policy (preventive visits 99381-99397 are 0 for practitioners), so the edit runs when
        the profile's ``mue_zero_units`` is true, by default only for Medicare and Medicaid profiles; under a
        profile that is not Medicare's (no MA, MB or 16 filing indicator) codes Medicare does not cover at all
        (PFS status N, e.g. the preventive visits Medicaid pays under EPSDT) are left alone.
    Why it matters:
        CMS publishes MUE 0 for codes that the setting cannot bill (DME items on a practitioner claim, bundled
        status-B codes such as 20930): every unit is denied.
    Example:
        E0100 (cane) on a practitioner 837P on 2024-08-14: practitioner MUE 0 (DME is billed by a supplier to
        the DME MAC).
    How to fix:
        Remove the line or bill the item to the right contractor (DME MAC) or in the right setting; when the
        billing entity is a DME supplier, set the profile's ``mue_dme_codes``.
    References:
        CMS MUE FAQ ("MUE value of 0"); NCCI Policy Manual for Medicare Services (2024), Chapter I, Section V;
        CMS Pub. 100-04 Ch. 20 §10 (DME claims to DME MACs); CMS Medicaid NCCI (separate Medicaid MUE files);
        Social Security Act §1905(r) (EPSDT).
    """
    if not per_profile(ctx, "nc-mue-zero", _mue_zero_applies):
        return
    medicare = per_profile(ctx, "nc-medicare", _is_medicare)
    for ln, edit in _mue_lines(facts, ctx):
        if edit.units == 0 and (medicare or not _medicare_noncovered(ctx, ln)):
            yield Hit(
                f"line {ln.number}: {ln.code} has an MUE of 0 units in this setting ({edit.rationale}): it is not "
                "payable on this claim",
                ln.number,
                "remove the line or bill it in the setting (or to the contractor) that pays it",
            )


# -- add-on codes ------------------------------------------------------------------------------------------------


class _Addon(NamedTuple):
    line: LineFact
    edit_type: int
    primaries: frozenset[str]
    day_codes: frozenset[str]
    """Other codes on the same day that are not add-on codes."""
    claim_has_other: bool
    day_all: frozenset[str] = frozenset()
    """Every other code on the same day, add-on codes included (some add-ons list an add-on as their primary:
    15152 with 15151, 99416 with 99415, 64492 with 64491)."""

    def has_primary(self) -> bool:
        return bool(self.day_all & self.primaries)


def _addon_analysis(facts: ClaimFacts, ctx: ScrubContext) -> list[_Addon]:
    ncci = ctx.ncci
    if ncci is None:
        return []
    lines = facts.lines
    if not any(ncci.is_addon(ln.code) for ln in lines):
        return []
    others = {(ln.day, ln.code) for ln in lines if ln.code and not ncci.is_addon(ln.code)}
    out: list[_Addon] = []
    for ln in lines:
        edit = ncci.addon(ln.code)
        if edit is None:
            continue
        same_day = frozenset(code for day, code in others if day == ln.day)
        every = frozenset(o.code for o in lines if o.day == ln.day and o.code and o.number != ln.number)
        out.append(_Addon(ln, edit.edit_type, edit.primaries, same_day, bool(others), every))
    return out


def _addons(facts: ClaimFacts, ctx: ScrubContext) -> list[_Addon]:
    """The claim's add-on code lines with what is billed beside them (computed once per claim, NC020-NC024)."""
    if ctx.ncci is None:
        return []
    return per_claim(facts, ctx, "nc-addon", _addon_analysis)


@rule("NC020", "addon-primary-missing", severity=Severity.ERROR)
def addon_type1(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A type 1 add-on code is billed without any of its CMS-listed primary codes on the same day.

    What it checks:
        Each line whose code is an NCCI add-on code of edit type 1 (CMS lists every eligible primary) when other
        procedures are billed that day but none of them is a listed primary. A listed primary that is itself an
        add-on code counts (15152 lists only 15151, 99416 only 99415). (An add-on billed with no other procedure
        is NC024.)
    Why it matters:
        Type 1 add-on codes are paid only with a listed primary by the same practitioner on the same date; the
        add-on line is denied (CARC 107: the related or qualifying service was not paid or identified).
    Example:
        17003 (destruction of premalignant lesions 2-14) with 11102 but without its primary 17000.
    How to fix:
        Add the primary procedure that was performed (or correct the add-on code); if the primary was billed on
        another claim, bill them together.
    References:
        CMS NCCI Add-on Code Edits (edit type 1, "only the listed primary codes"); NCCI Policy Manual for
        Medicare Services (2024), Chapter I, Section R "Add-on Codes"; CMS Pub. 100-04 Ch. 12 §30.
    """
    for a in _addons(facts, ctx):
        if a.edit_type == 1 and a.day_codes and not a.has_primary():
            listed = ", ".join(sorted(a.primaries)[:6]) + (" …" if len(a.primaries) > 6 else "")
            yield Hit(
                f"line {a.line.number}: add-on code {a.line.code} (type 1) has none of its primary codes ({listed}) "
                f"on {a.line.day}",
                a.line.number,
                "bill the add-on with its primary procedure on the same claim and date",
            )


@rule("NC021", "addon-no-primary-list", severity=Severity.INFO)
def addon_type2(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A type 2 add-on code (no CMS primary list) is billed: the contractor decides which primaries qualify.

    What it checks:
        Each line whose code is an NCCI add-on code of edit type 2 when the claim also carries other (non
        add-on) procedures. CMS publishes no primary list for type 2 codes; the coder should confirm that one of
        the other procedures is an acceptable primary per CPT instructions or the MAC's policy.
    Why it matters:
        MACs may deny a type 2 add-on when the primary they expect is missing; there is nothing for the scrubber
        to verify against, so this is a reminder.
    Example:
        76937 (ultrasound guidance for vascular access) with 36556 (central venous catheter insertion).
    How to fix:
        Confirm the primary procedure is on the claim and meets the add-on's CPT parenthetical instructions.
    References:
        CMS NCCI Add-on Code Edits (edit type 2: primary "CCCCC", contractors define primaries); NCCI Policy
        Manual for Medicare Services (2024), Chapter I, Section R.
    """
    for a in _addons(facts, ctx):
        if a.edit_type == 2 and a.claim_has_other:
            yield Hit(
                f"line {a.line.number}: add-on code {a.line.code} (type 2) has no CMS primary list: confirm that a "
                "procedure on the claim is an acceptable primary",
                a.line.number,
                "check the CPT instructions and the contractor's policy for the add-on's primaries",
            )


@rule("NC022", "addon-type2-without-procedure", severity=Severity.WARNING)
def addon_type2_alone(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A type 2 add-on code is the only kind of procedure on the claim: no primary can be present.

    What it checks:
        Each line whose code is an NCCI add-on code of edit type 2 when every line of the claim is an add-on
        code (there is no other procedure anywhere on the claim).
    Why it matters:
        Any add-on code describes work done in addition to a primary service; without one the contractor will
        very likely deny it, though for type 2 codes CMS lists no primary to check against.
    Example:
        76937 (ultrasound guidance for vascular access) billed alone on 2024-08-14.
    How to fix:
        Add the primary service that was performed, or bill the add-on on the claim that carries its primary.
    References:
        CPT add-on code convention ("+" codes, reported in addition to a primary procedure); CMS NCCI Add-on Code
        Edits (edit type 2); NCCI Policy Manual for Medicare Services (2024), Chapter I, Section R.
    """
    for a in _addons(facts, ctx):
        if a.edit_type == 2 and not a.claim_has_other:
            yield Hit(
                f"line {a.line.number}: add-on code {a.line.code} (type 2) is billed without any other procedure on "
                "the claim",
                a.line.number,
                "add the primary service or bill the add-on with it",
            )


@rule("NC023", "addon-primary-unlisted", severity=Severity.WARNING)
def addon_type3(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A type 3 add-on code is billed without any CMS-listed primary: only the MAC's own list can save it.

    What it checks:
        Each line whose code is an NCCI add-on code of edit type 3 (CMS lists primaries, contractors may accept
        others) when other procedures are billed that day but none of them is a listed primary.
    Why it matters:
        The add-on will be denied unless the MAC has added the billed procedure to its own primary list.
    Example:
        64727 (internal neurolysis with microscope) with 20526 (carpal tunnel injection), which is not among its
        listed primaries (64702-64726).
    How to fix:
        Check the MAC's local list of acceptable primaries; correct the primary or the add-on code otherwise.
    References:
        CMS NCCI Add-on Code Edits (edit type 3, "contractors may allow other primaries"); NCCI Policy Manual for
        Medicare Services (2024), Chapter I, Section R.
    """
    for a in _addons(facts, ctx):
        if a.edit_type == 3 and a.day_codes and not a.has_primary():
            yield Hit(
                f"line {a.line.number}: add-on code {a.line.code} (type 3) has none of its CMS-listed primaries on "
                f"{a.line.day}; it pays only if the contractor accepts {', '.join(sorted(a.day_codes))} as primary",
                a.line.number,
                "check the MAC's list of additional primaries, or correct the coding",
            )


@rule("NC024", "addon-billed-alone", severity=Severity.ERROR)
def addon_alone(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An add-on code with a CMS primary list (type 1 or 3) is billed with no other procedure that day.

    What it checks:
        Each line whose code is an NCCI add-on code of edit type 1 or 3 when no line of the same date of service
        carries a code that is not itself an add-on code.
    Why it matters:
        An add-on code is never paid on its own: the line is denied (CARC 107) because its primary service is
        not on the claim.
    Example:
        17003 (destruction of lesions 2-14) billed alone on 2024-08-14, without 17000.
    How to fix:
        Bill the primary procedure on the same claim and date, or correct the add-on to the stand-alone code.
    References:
        CMS NCCI Add-on Code Edits; NCCI Policy Manual for Medicare Services (2024), Chapter I, Section R
        ("an add-on code is eligible for payment only if ... its primary procedure is also eligible"); CPT
        introduction, "Add-on codes".
    """
    for a in _addons(facts, ctx):
        if a.edit_type in (1, 3) and not a.day_codes:
            yield Hit(
                f"line {a.line.number}: add-on code {a.line.code} (type {a.edit_type}) is billed on {a.line.day} "
                "without any primary procedure",
                a.line.number,
                "bill it together with its primary procedure",
            )


# -- E/M with surgery (global surgery) ---------------------------------------------------------------------------


def global_days(ctx: ScrubContext, code: str, day: date) -> str:
    """The PFS global period of a code on a date ("000", "010", "090", "XXX" …), "" when unknown."""
    memo = ctx.memo("nc-global-days")
    key = (code, day)
    value = memo.get(key)
    if value is None:
        try:
            row = ctx.rvu(code, "", day)
        except Exception:  # a date outside the loaded PFS year: no global period known
            row = None
        value = memo[key] = row.global_days.strip().upper() if row is not None else ""
    return str(value)


class _Surgery(NamedTuple):
    line: LineFact
    global_days: str
    provider: str


def _surgery_analysis(facts: ClaimFacts, ctx: ScrubContext) -> list[_Surgery]:
    """The claim's procedures with a 000, 010 or 090 global period (empty when the claim has no E/M line)."""
    if not any(is_em(ln.code) for ln in facts.lines):
        return []
    out: list[_Surgery] = []
    for ln in facts.lines:
        if ln.day is not None and ln.code and not is_em(ln.code):
            days = global_days(ctx, ln.code, ln.day)
            if days in MINOR_GLOBALS or days == MAJOR_GLOBAL:
                out.append(_Surgery(ln, days, _rendering(facts, ln)))
    return out


def _surgeries(facts: ClaimFacts, ctx: ScrubContext) -> list[_Surgery]:
    if ctx.fees is None or len(facts.lines) < 2:
        return []
    return per_claim(facts, ctx, "nc-surgery", _surgery_analysis)


def _em_marked(facts: ClaimFacts, ctx: ScrubContext, ln: LineFact, modifier: str) -> bool:
    """The E/M line carries ``modifier`` (25 or 57) or FT; an E/M add-on code (99292, 99417, 99416 …) follows the
    E/M it extends: it is marked when a same-day E/M of the same provider is."""
    if modifier in ln.modifiers or UNRELATED_EM in ln.modifiers:
        return True
    if ctx.ncci is None or not ctx.ncci.is_addon(ln.code):
        return False
    who = _rendering(facts, ln)
    return any(
        o.number != ln.number
        and o.day == ln.day
        and is_em(o.code)
        and not ctx.ncci.is_addon(o.code)
        and _rendering(facts, o) == who
        and (modifier in o.modifiers or UNRELATED_EM in o.modifiers)
        for o in facts.lines
    )


@rule("NC030", "em-with-minor-procedure", severity=Severity.ERROR, kinds="P")
def em_minor(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An E/M service is billed the same day as a minor procedure (0 or 10-day global) without modifier 25.

    What it checks:
        On 837P claims, each E/M line (99202-99499, G0402, G0438, G0439) without modifier 25 that shares its date
        of service and rendering provider with a procedure whose Medicare PFS global period is 000 or 010. An E/M
        with modifier FT (unrelated to the procedure's global package) is left alone, and so is an E/M add-on
        code (99292, 99417 …) when the E/M it extends carries 25 or FT.
    Why it matters:
        The decision to perform a minor procedure and the usual pre-procedure assessment are part of its global
        package; an E/M that day is paid only if it is significant and separately identifiable and marked with
        modifier 25, so the E/M is denied as bundled (CARC 97) without it.
    Example:
        99213 and 11102 (tangential skin biopsy, global 000) on 2024-08-14, 99213 without modifier 25.
    How to fix:
        If the visit addressed a separate problem or went clearly beyond the usual pre-procedure evaluation,
        append 25 to the E/M and document it; otherwise remove the E/M.
    References:
        CMS Pub. 100-04 Ch. 12 §30.6.6 B and §40.1 C (minor surgery and the global package); NCCI Policy Manual
        for Medicare Services (2024), Chapter XI, Section C; Medicare PFS Relative Value File "GLOB DAYS"; CY2022
        PFS final rule, 86 FR 64996 (modifier FT).
    """
    surgeries = [s for s in _surgeries(facts, ctx) if s.global_days in MINOR_GLOBALS]
    if not surgeries:
        return
    for ln in facts.lines:
        if ln.day is None or not is_em(ln.code) or _em_marked(facts, ctx, ln, "25"):
            continue
        who = _rendering(facts, ln)
        proc = next((s for s in surgeries if s.line.day == ln.day and s.provider == who), None)
        if proc is not None:
            yield Hit(
                f"line {ln.number}: E/M {ln.code} on {ln.day} with minor procedure {proc.line.code} (line "
                f"{proc.line.number}, global {proc.global_days}) has no modifier 25",
                ln.number,
                "append 25 to a significant, separately identifiable E/M (documented), or remove the E/M",
            )


@rule("NC031", "em-before-major-surgery", severity=Severity.WARNING, kinds="P")
def em_major(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An E/M service on the day of or the day before a major (90-day global) surgery lacks modifier 57.

    What it checks:
        On 837P claims, each E/M line without modifier 57 dated the same day as, or the day before, a procedure
        by the same rendering provider whose Medicare PFS global period is 090. An E/M with modifier FT (an
        unrelated visit, outside the global package) is left alone, and so is an E/M add-on code (99292, 99417 …)
        when the E/M it extends carries 57 or FT.
    Why it matters:
        Pre-operative visits from the day before a major surgery are in its global package; only the visit at
        which the decision for surgery was made is paid separately, with modifier 57. Without it the E/M is
        denied as part of the global surgery (CARC 97).
    Example:
        99213 on 2024-08-14 with 29881 (knee arthroscopy with meniscectomy, global 090) the same day, no 57.
    How to fix:
        If the visit is where the decision to operate was made, append 57 and document the decision; otherwise
        the visit is part of the surgical package and should not be billed.
    References:
        CMS Pub. 100-04 Ch. 12 §40.1 A and §40.2 A.4 (decision for surgery, modifier 57); NCCI Policy Manual for
        Medicare Services (2024), Chapter XI, Section C; Medicare PFS Relative Value File "GLOB DAYS"; CY2022 PFS
        final rule, 86 FR 64996 (modifier FT).
    """
    majors = [s for s in _surgeries(facts, ctx) if s.global_days == MAJOR_GLOBAL]
    if not majors:
        return
    for ln in facts.lines:
        if ln.day is None or not is_em(ln.code) or _em_marked(facts, ctx, ln, "57"):
            continue
        who = _rendering(facts, ln)
        for day in (ln.day, ln.day + timedelta(days=1)):
            surgery = next((s.line for s in majors if s.line.day == day and s.provider == who), None)
            if surgery is not None:
                when = "the same day as" if day == ln.day else "the day before"
                yield Hit(
                    f"line {ln.number}: E/M {ln.code} on {ln.day} is {when} major surgery {surgery.code} (line "
                    f"{surgery.number}, global 090) and has no modifier 57",
                    ln.number,
                    "append 57 if this visit decided on the surgery (documented); otherwise it is in the global "
                    "package",
                )
                break


# -- edition -----------------------------------------------------------------------------------------------------


@rule("NC040", "ncci-edition-outdated", severity=Severity.INFO)
def edition_notice(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim's dates of service are after the newest NCCI quarter loaded: a later quarter's edits apply.

    What it checks:
        Whether the last date of service of the claim falls after the end of the quarter of the newest NCCI
        edition loaded (PTP, MUE and add-on tables are published quarterly).
    Why it matters:
        Edits are added, deleted and revised every quarter; the scrub ran with older tables, so a pair or MUE
        introduced since then was not checked and a deleted one may have been reported.
    Example:
        A claim with a date of service of 2024-10-15 scrubbed with the NCCI 2024Q3 tables (July-September 2024).
    How to fix:
        Update the NCCI tables to the quarter covering the date of service and scrub again before submitting.
    References:
        CMS National Correct Coding Initiative Edits pages (quarterly PTP, MUE and add-on code edit files);
        NCCI Policy Manual for Medicare Services (2024), Introduction.
    """
    ncci = ctx.ncci
    day = facts.last_day or facts.first_day
    if ncci is None or day is None:
        return
    memo = ctx.memo("nc-newer-quarter")
    newer = memo.get(day)
    if newer is None:
        newer = memo[day] = ncci.newer_quarter_applies(day)
    if not newer:
        return
    edition = ncci.edition
    yield Hit(
        f"{edition.name} edits (through {edition.through}) were used for dates of service to {day}; a newer NCCI "
        "quarter applies",
        None,
        "load the NCCI quarter that covers the date of service and scrub again",
    )
