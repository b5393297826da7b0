"""MD: modifiers on the service lines (form, catalog, combinations, and the PFS payment-policy indicators).

The PFS indicators (bilateral, PC/TC, assistant, co-surgeon, team) come from the CY2024 RVU file; their meanings
follow the "PFS Relative Value File" documentation (RVU24 record layout). Edits needing the fee schedule or the
NCCI add-on table skip quietly when those tables are not loaded.
"""

from __future__ import annotations

from collections.abc import Iterator

from medbill.codes.editions import CodeSystem
from medbill.coding.validation import ambulance_modifier
from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts, LineFact
from medbill.scrub.registry import Hit, rule
from medbill.scrub.rules.procedure import is_em, rvu_of, shape

ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
ASSISTANT = ("80", "81", "82", "AS")
X_MODIFIERS = ("XE", "XS", "XP", "XU")
PRICING = frozenset({"22", "26", "TC", "50", "52", "53", "62", "66", "73", "74", "80", "81", "82", "AS"})
ANESTHESIA_PRICING = frozenset({"AA", "AD", "QK", "QX", "QY", "QZ"})
"""Anesthesia payment modifiers (CMS IOM 100-04 ch. 12 §50): they price the anesthesia line and come first."""
PHYSICAL_STATUS = frozenset({"P1", "P2", "P3", "P4", "P5", "P6"})
RIGHT_DIGITS = frozenset({"F5", "F6", "F7", "F8", "F9", "T5", "T6", "T7", "T8", "T9", "E3", "E4"})
LEFT_DIGITS = frozenset({"FA", "F1", "F2", "F3", "F4", "TA", "T1", "T2", "T3", "T4", "E1", "E2"})
CORONARY = ("LC", "LD", "LM", "RC", "RI")
EM_LIKE = frozenset({"92002", "92004", "92012", "92014", "G0463"})
"""Visit codes besides the E/M services (`is_em`) that CMS lets carry 24/25/57 (eye visits, OPPS clinic visit)."""


def with_mods(facts: ClaimFacts) -> Iterator[LineFact]:
    for ln in facts.lines:
        if ln.modifiers:
            yield ln


def em_like(code: str) -> bool:
    return is_em(code) or code in EM_LIKE


@rule("MD001", "modifier-malformed", severity=Severity.ERROR)
def malformed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A modifier is not two letters or digits.

    What it checks:
        Every modifier on every line (837P SV101-3..6, 837I SV202-3..6) is exactly two characters, each a digit
        or a capital letter.
    Why it matters:
        Modifiers are two-character codes; anything else fails X12 validation and the claim is rejected.
    Example:
        Line 1 73560 with modifier "RT1" or "-5".
    How to fix:
        Report each modifier as its two-character code, one per modifier field.
    References:
        X12 005010X222A1 2400 SV101-3 to SV101-6; X12 005010X223A2 2400 SV202-3 to SV202-6; CMS IOM 100-04
        ch. 26 §10.4 (item 24D).
    """
    for ln in with_mods(facts):
        for m in ln.modifiers:
            if len(m) != 2 or m[0] not in ALNUM or m[1] not in ALNUM:
                yield Hit(f"line {ln.number} ({ln.code}): modifier {m!r} is not a two-character code", ln.number)


@rule("MD002", "modifier-unknown", severity=Severity.ERROR)
def unknown(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A modifier is not a CPT or HCPCS modifier (or not valid on the date of service).

    What it checks:
        Every well-formed modifier is in the CMS CPT/HCPCS modifier lists (ambulance origin/destination pairs
        such as RH are recognised by form) and valid on the line's date of service.
    Why it matters:
        Payers edit modifiers against the HCPCS modifier file and reject invalid ones (CARC 4 "the procedure
        code is inconsistent with the modifier used or a required modifier is missing").
    Example:
        Line 1 99213 with modifier ZZ (not a modifier).
    How to fix:
        Remove or correct the modifier.
    References:
        CMS HCPCS Level II modifier list 2024; AMA CPT Appendix A (modifiers); CMS IOM 100-04 ch. 23 §20.3;
        X12 005010X222A1 2400 SV101-3.
    """
    for ln in with_mods(facts):
        for m in ln.modifiers:
            if len(m) != 2 or not m.isalnum():
                continue
            rec = ctx.catalog(CodeSystem.MODIFIER, m)
            if rec is None:
                if not ambulance_modifier(m):
                    yield Hit(f"line {ln.number} ({ln.code}): {m} is not a CPT/HCPCS modifier", ln.number)
            elif ln.day is not None and rec.period_on(ln.day) is None:
                yield Hit(f"line {ln.number} ({ln.code}): modifier {m} is not valid on {ln.day.isoformat()}", ln.number)


@rule("MD003", "modifier-duplicate", severity=Severity.ERROR)
def duplicate(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The same modifier appears twice on one line.

    What it checks:
        No modifier is repeated among a line's modifiers.
    Why it matters:
        A repeated modifier adds nothing and is rejected by many payer front ends as an invalid modifier
        combination (CARC 4).
    Example:
        Line 1 73560 with modifiers RT, RT.
    How to fix:
        Report each modifier once.
    References:
        X12 005010X222A1 2400 SV101-3 to SV101-6; CMS IOM 100-04 ch. 26 §10.4 (item 24D).
    """
    for ln in with_mods(facts):
        if len(set(ln.modifiers)) != len(ln.modifiers):
            dups = sorted({m for i, m in enumerate(ln.modifiers) if m in ln.modifiers[:i]})
            yield Hit(f"line {ln.number} ({ln.code}): modifier {', '.join(dups)} repeated", ln.number)


@rule("MD004", "modifier-too-many", severity=Severity.ERROR)
def too_many(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line has more than four modifiers.

    What it checks:
        No line carries more than four modifiers.
    Why it matters:
        The 837 has four modifier positions (SV101-3..6 / SV202-3..6); extra modifiers cannot be sent and the
        claim is rejected or the modifiers are silently dropped.
    Example:
        Line 1 with modifiers 59, RT, GA, KX, Q6.
    How to fix:
        Keep the four that affect payment (pricing modifiers first); CMS allows modifier 99 (multiple
        modifiers) with the others in the narrative where a payer accepts it.
    References:
        X12 005010X222A1 2400 SV101-3 to SV101-6; X12 005010X223A2 2400 SV202-3 to SV202-6; CMS IOM 100-04
        ch. 26 §10.4 (item 24D, up to four modifiers).
    """
    for ln in with_mods(facts):
        if len(ln.modifiers) > 4:
            yield Hit(f"line {ln.number} ({ln.code}) has {len(ln.modifiers)} modifiers (at most 4)", ln.number)


@rule("MD005", "bilateral-with-side", severity=Severity.ERROR)
def bilateral_with_side(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 50 (bilateral) is on the same line as LT or RT.

    What it checks:
        No line carries 50 together with LT or RT.
    Why it matters:
        50 already says both sides; adding a side contradicts it and Medicare rejects the combination (CARC 4).
    Example:
        Line 1 27447 with modifiers 50, RT.
    How to fix:
        Report one line with 50 (and 1 unit) for a bilateral procedure, or one side with LT or RT.
    References:
        CMS IOM 100-04 ch. 12 §40.7 (bilateral surgery); NCCI Policy Manual ch. 1 §E (modifiers).
    """
    for ln in with_mods(facts):
        mods = ln.modifiers
        if "50" in mods and ("LT" in mods or "RT" in mods):
            yield Hit(f"line {ln.number} ({ln.code}): modifier 50 with {'LT' if 'LT' in mods else 'RT'}", ln.number)


@rule("MD006", "left-and-right-same-line", severity=Severity.WARNING)
def left_and_right(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """LT and RT are on the same line.

    What it checks:
        No line carries both LT and RT.
    Why it matters:
        Medicare wants a bilateral procedure on one line with 50 (bilateral indicator 1) or on two lines, one
        with RT and one with LT (indicator 3); LT+RT on one line is priced as one side or denied (CARC 4).
    Example:
        Line 1 73560 with modifiers LT, RT and 2 units.
    How to fix:
        Use 50 on one line when the bilateral indicator is 1; otherwise two lines with RT and LT.
    References:
        CMS IOM 100-04 ch. 12 §40.7.B; CMS PFS Relative Value File documentation (BILAT SURG indicator).
    """
    for ln in with_mods(facts):
        if "LT" in ln.modifiers and "RT" in ln.modifiers:
            yield Hit(f"line {ln.number} ({ln.code}) has both LT and RT", ln.number, "use 50 or two lines")


def indicator_lines(facts: ClaimFacts, ctx: ScrubContext, mods: tuple[str, ...]) -> Iterator[tuple[LineFact, str]]:
    """(line, modifier) for lines carrying one of ``mods`` whose code has a PFS row."""
    if ctx.fees is None:
        return
    for ln in with_mods(facts):
        for m in mods:
            if m in ln.modifiers:
                yield ln, m
                break


@rule("MD007", "bilateral-not-allowed", severity=Severity.ERROR)
def bilateral_not_allowed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 50 is on a code whose PFS bilateral indicator is 0, 2 or 9.

    What it checks:
        Lines with modifier 50 whose code has BILAT SURG indicator 0 (bilateral adjustment does not apply), 2
        (the code is already bilateral) or 9 (concept does not apply) in the PFS on the date of service.
    Why it matters:
        Only indicator 1 codes take 50 for the 150% bilateral payment; on other codes Medicare rejects or pays
        one side (CARC 4 / B15).
    Example:
        10060 (indicator 0) or 77067 (indicator 2) with 50 on 2024-08-14.
    How to fix:
        Remove 50; report RT/LT or units as the code's bilateral indicator allows.
    References:
        CMS PFS Relative Value File documentation, "BILAT SURG" indicator 0/1/2/3/9; CMS IOM 100-04 ch. 12 §40.7.
    """
    for ln, _ in indicator_lines(facts, ctx, ("50",)):
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.bilateral in ("0", "2", "9"):
            yield Hit(
                f"line {ln.number}: modifier 50 on {ln.code}, whose PFS bilateral indicator is {row.bilateral}",
                ln.number,
                "remove 50",
            )


@rule("MD008", "bilateral-indicator-3", severity=Severity.WARNING)
def bilateral_three(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 50 is on a code whose PFS bilateral indicator is 3 (each side paid separately).

    What it checks:
        Lines with modifier 50 whose code has BILAT SURG indicator 3 (usually radiology and diagnostic tests).
    Why it matters:
        For indicator 3 each side is paid at 100%; many MACs want two lines with RT and LT (or 2 units) and pay
        one side when 50 is used.
    Example:
        73560 (indicator 3) with 50 on 2024-08-14.
    How to fix:
        Report RT and LT on two lines (check the MAC's instructions).
    References:
        CMS PFS Relative Value File documentation, "BILAT SURG" indicator 3; CMS IOM 100-04 ch. 12 §40.7.B.
    """
    for ln, _ in indicator_lines(facts, ctx, ("50",)):
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.bilateral == "3":
            yield Hit(f"line {ln.number}: modifier 50 on {ln.code} (bilateral indicator 3)", ln.number, "use RT/LT")


@rule("MD009", "bilateral-units", severity=Severity.WARNING)
def bilateral_units(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line with modifier 50 has more than one unit.

    What it checks:
        Lines carrying modifier 50 whose unit count is greater than 1.
    Why it matters:
        Medicare wants a bilateral procedure as one line, one unit, with 50 (the 150% adjustment is applied to
        it); 2 units with 50 is paid as 300% and denied or recouped (MUE edits, CARC 151).
    Example:
        27447-50 with 2 units.
    How to fix:
        Report 1 unit with modifier 50.
    References:
        CMS IOM 100-04 ch. 12 §40.7.B; NCCI MUE FAQ (bilateral procedures count as one unit with 50).
    """
    for ln in with_mods(facts):
        if "50" in ln.modifiers and ln.units is not None and ln.units > 1:
            yield Hit(f"line {ln.number} ({ln.code}): modifier 50 with {ln.units} units", ln.number, "report 1 unit")


@rule("MD010", "professional-and-technical-same-line", severity=Severity.ERROR)
def pc_and_tc(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifiers 26 and TC are on the same line.

    What it checks:
        No line carries both 26 (professional component) and TC (technical component).
    Why it matters:
        Both components together are the global service, billed without either modifier; the combination is
        rejected (CARC 4).
    Example:
        Line 2 71046 with modifiers 26, TC.
    How to fix:
        Bill the global service without modifiers, or only the component performed.
    References:
        CMS IOM 100-04 ch. 13 §20 (professional and technical components); CMS PFS Relative Value File
        documentation, PC/TC indicator 1.
    """
    for ln in with_mods(facts):
        if "26" in ln.modifiers and "TC" in ln.modifiers:
            yield Hit(f"line {ln.number} ({ln.code}) has both 26 and TC", ln.number, "bill the global service")


PC_ALLOWED = frozenset({"1", "6", "8"})
PCTC_MEANING = {
    "0": "physician service, PC/TC does not apply",
    "2": "professional-component-only code",
    "3": "technical-component-only code",
    "4": "global-test-only code",
    "5": "incident-to code",
    "6": "laboratory physician interpretation code",
    "7": "physical therapy service",
    "8": "physician interpretation code",
    "9": "PC/TC concept does not apply",
}


@rule("MD011", "professional-component-not-allowed", severity=Severity.ERROR)
def pc_not_allowed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 26 is on a code whose PFS PC/TC indicator does not allow a professional component.

    What it checks:
        Lines with modifier 26 whose code has PC/TC indicator 0, 2, 3, 4, 5, 7 or 9 on the date of service.
        26 is accepted on indicator 1 (diagnostic tests with components), 6 (laboratory physician
        interpretation) and 8 (physician interpretation).
    Why it matters:
        The RVU file documentation says 26 "cannot be used" with indicators 0, 2, 3, 4, 5, 7 and 9; Medicare
        rejects the line (CARC 4).
    Example:
        93010 (indicator 2, interpretation-only) or 99213 (indicator 0) with 26 on 2024-08-14.
    How to fix:
        Remove 26; for a global-test-only code (4) report the separate professional-component code.
    References:
        CMS PFS Relative Value File documentation, "PCTC IND" 0-9; CMS IOM 100-04 ch. 13 §20.
    """
    for ln, _ in indicator_lines(facts, ctx, ("26",)):
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.pctc_indicator and row.pctc_indicator not in PC_ALLOWED:
            meaning = PCTC_MEANING.get(row.pctc_indicator, "")
            yield Hit(
                f"line {ln.number}: modifier 26 on {ln.code}, PC/TC indicator {row.pctc_indicator} ({meaning})",
                ln.number,
                "remove 26",
            )


@rule("MD012", "technical-component-not-allowed", severity=Severity.ERROR)
def tc_not_allowed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier TC is on a code whose PFS PC/TC indicator is not 1.

    What it checks:
        Lines with modifier TC whose code's PC/TC indicator is anything but 1 on the date of service.
    Why it matters:
        Only indicator 1 codes split into professional and technical components; the RVU file documentation
        says TC cannot be used with indicators 0, 2, 3, 4, 5, 6, 7, 8 and 9 (a technical-only code, 3, is already
        the technical component). Medicare rejects the line (CARC 4).
    Example:
        93005 (indicator 3) or 93000 (indicator 4) with TC on 2024-08-14.
    How to fix:
        Remove TC; for a global-test-only code report the separate technical-component code.
    References:
        CMS PFS Relative Value File documentation, "PCTC IND" 0-9; CMS IOM 100-04 ch. 13 §20.
    """
    for ln, _ in indicator_lines(facts, ctx, ("TC",)):
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.pctc_indicator and row.pctc_indicator != "1":
            meaning = PCTC_MEANING.get(row.pctc_indicator, "")
            yield Hit(
                f"line {ln.number}: modifier TC on {ln.code}, PC/TC indicator {row.pctc_indicator} ({meaning})",
                ln.number,
                "remove TC",
            )


@rule("MD013", "assistant-surgeon-not-allowed", severity=Severity.ERROR)
def assistant_not_allowed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An assistant-at-surgery modifier (80, 81, 82, AS) is on a code that does not pay an assistant.

    What it checks:
        Lines with 80, 81, 82 or AS whose code has ASST SURG indicator 1 (statutory payment restriction) or 9
        (concept does not apply) in the PFS on the date of service.
    Why it matters:
        Medicare does not pay an assistant at surgery for these codes (CARC 54 "multiple physicians/assistants
        are not covered in this case").
    Example:
        10060 (assistant indicator 1) with 80 on 2024-08-14.
    How to fix:
        Do not bill an assistant for the procedure (indicator 0 codes need documentation of necessity).
    References:
        CMS PFS Relative Value File documentation, "ASST SURG" 0/1/2/9; CMS IOM 100-04 ch. 12 §20.4.3 and
        §110; Social Security Act §1842(b)(6)(D).
    """
    for ln, m in indicator_lines(facts, ctx, ASSISTANT):
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.assistant in ("1", "9"):
            yield Hit(
                f"line {ln.number}: assistant modifier {m} on {ln.code}, assistant indicator {row.assistant}",
                ln.number,
                "an assistant at surgery is not paid for this code",
            )


@rule("MD014", "co-surgeon-not-allowed", severity=Severity.ERROR)
def co_surgeon_not_allowed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 62 (two surgeons) is on a code whose PFS co-surgeon indicator is 0 or 9.

    What it checks:
        Lines with 62 whose code has CO SURG indicator 0 (co-surgeons not permitted) or 9 (not applicable).
    Why it matters:
        Medicare does not pay co-surgeons for these codes (CARC 54).
    Example:
        10060 (co-surgeon indicator 0) with 62 on 2024-08-14.
    How to fix:
        Bill the procedure by the one surgeon who performed it (or as an assistant where allowed).
    References:
        CMS PFS Relative Value File documentation, "CO SURG" 0/1/2/9; CMS IOM 100-04 ch. 12 §40.8.
    """
    for ln, _ in indicator_lines(facts, ctx, ("62",)):
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.co_surgeon in ("0", "9"):
            yield Hit(
                f"line {ln.number}: modifier 62 on {ln.code}, co-surgeon indicator {row.co_surgeon}",
                ln.number,
                "co-surgeons are not paid for this code",
            )


@rule("MD015", "team-surgery-not-allowed", severity=Severity.ERROR)
def team_not_allowed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 66 (surgical team) is on a code whose PFS team-surgery indicator is 0 or 9.

    What it checks:
        Lines with 66 whose code has TEAM SURG indicator 0 (not permitted) or 9 (not applicable).
    Why it matters:
        Medicare does not pay team surgery for these codes (CARC 54).
    Example:
        27447 (team indicator 0) with 66 on 2024-08-14.
    How to fix:
        Remove 66; bill the surgeon (and an assistant or co-surgeon where the indicators allow).
    References:
        CMS PFS Relative Value File documentation, "TEAM SURG" 0/1/2/9; CMS IOM 100-04 ch. 12 §40.8.
    """
    for ln, _ in indicator_lines(facts, ctx, ("66",)):
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.team in ("0", "9"):
            yield Hit(
                f"line {ln.number}: modifier 66 on {ln.code}, team-surgery indicator {row.team}",
                ln.number,
                "team surgery is not paid for this code",
            )


@rule("MD016", "modifier-51-on-addon", severity=Severity.ERROR)
def fifty_one_addon(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 51 (multiple procedures) is on an add-on code.

    What it checks:
        Lines with 51 whose code is in the NCCI add-on code table.
    Why it matters:
        Add-on codes are exempt from the multiple-procedure reduction and never take 51; payers reject the
        combination or reduce the add-on twice (CARC 4).
    Example:
        11045 (an add-on code) with 51.
    How to fix:
        Remove 51 from the add-on line.
    References:
        NCCI Policy Manual ch. 1 §D (add-on codes); CMS IOM 100-04 ch. 12 §40.6; CMS NCCI add-on code edit
        tables 2024.
    """
    ncci = ctx.ncci
    if ncci is None:
        return
    for ln in with_mods(facts):
        if "51" in ln.modifiers and ncci.is_addon(ln.code):
            yield Hit(f"line {ln.number}: modifier 51 on add-on code {ln.code}", ln.number, "remove 51")


@rule("MD017", "modifier-51-on-em", severity=Severity.ERROR)
def fifty_one_em(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 51 (multiple procedures) is on an evaluation and management code.

    What it checks:
        Lines with 51 whose code is an E/M service (99202-99499).
    Why it matters:
        51 applies to multiple procedures in one session; E/M services are not subject to the multiple
        procedure rules (PFS MULT PROC indicator 0) and the combination is rejected (CARC 4).
    Example:
        99213 with 51.
    How to fix:
        Remove 51; use 25 on the E/M when it is separate from a procedure on the same day.
    References:
        CMS IOM 100-04 ch. 12 §40.6; CMS PFS Relative Value File documentation, "MULT PROC" indicator 0;
        AMA CPT Appendix A (modifier 51).
    """
    for ln in with_mods(facts):
        if "51" in ln.modifiers and is_em(ln.code):
            yield Hit(f"line {ln.number}: modifier 51 on E/M code {ln.code}", ln.number, "remove 51")


@rule("MD018", "em-modifier-on-non-em", severity=Severity.ERROR)
def em_modifier(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 24, 25 or 57 is on a code that is not an evaluation and management service.

    What it checks:
        Lines with 24 (unrelated E/M in the post-operative period), 25 (separately identifiable E/M) or 57
        (decision for surgery) whose code is not an E/M code (99202-99499) or one of the visit codes CMS lets
        carry them (92002-92014 eye visits, G0402, G0438, G0439, G0463).
    Why it matters:
        These modifiers describe E/M services only; on a procedure they are invalid and the line is rejected
        (CARC 4), or they wrongly bypass global-surgery edits.
    Example:
        36415 with 25.
    How to fix:
        Move the modifier to the E/M line; use 59/X{EPSU} or 76-79 for procedures.
    References:
        CMS IOM 100-04 ch. 12 §30.6.6 (modifier 25), §40.2.A (modifiers 24, 57); NCCI Policy Manual ch. 1 §E.
    """
    for ln in with_mods(facts):
        mods = ln.modifiers
        if ("25" in mods or "24" in mods or "57" in mods) and not em_like(ln.code):
            which = ", ".join(m for m in mods if m in ("24", "25", "57"))
            yield Hit(f"line {ln.number}: modifier {which} on non-E/M code {ln.code}", ln.number, "remove it")


@rule("MD019", "modifier-59-with-x", severity=Severity.WARNING)
def fifty_nine_with_x(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifier 59 and an X{EPSU} modifier are on the same line.

    What it checks:
        No line carries 59 together with XE, XS, XP or XU.
    Why it matters:
        CMS created XE/XS/XP/XU as more specific subsets of 59 and says not to report both on one line;
        payers treat the pair as an error or audit target.
    Example:
        Line 2 with modifiers 59, XS.
    How to fix:
        Keep the X modifier that describes why the service is distinct; drop 59.
    References:
        CMS MLN Matters MM8863 (X{EPSU} modifiers); NCCI Policy Manual ch. 1 §E.1 (modifiers 59 and X{EPSU}).
    """
    for ln in with_mods(facts):
        if "59" in ln.modifiers:
            x = [m for m in ln.modifiers if m in X_MODIFIERS]
            if x:
                yield Hit(f"line {ln.number} ({ln.code}): 59 together with {', '.join(x)}", ln.number, "drop 59")


@rule("MD020", "ga-with-gz", severity=Severity.ERROR)
def ga_gz(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifiers GA and GZ are on the same line.

    What it checks:
        No line carries both GA (ABN on file) and GZ (ABN expected to be needed but not obtained).
    Why it matters:
        The two statements contradict each other; Medicare rejects the line as unprocessable (CARC 4/16).
    Example:
        Line 1 with modifiers GA, GZ.
    How to fix:
        Keep GA if a valid ABN was signed, GZ if not.
    References:
        CMS IOM 100-04 ch. 30 §90.1 (GA, GZ, GX, GY); CMS MLN Matters MM9971.
    """
    for ln in with_mods(facts):
        if "GA" in ln.modifiers and "GZ" in ln.modifiers:
            yield Hit(f"line {ln.number} ({ln.code}) has both GA and GZ", ln.number, "keep one")


@rule("MD021", "gy-with-ga", severity=Severity.WARNING)
def gy_ga(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Modifiers GY and GA are on the same line.

    What it checks:
        No line carries both GY (statutorily excluded / not a Medicare benefit) and GA (ABN on file for a
        service expected to be denied as not reasonable and necessary).
    Why it matters:
        An ABN is for services that may be denied as not medically necessary; a statutorily excluded service
        needs no ABN (GX for a voluntary notice). The pair is inconsistent and may be rejected.
    Example:
        Line 1 with modifiers GY, GA.
    How to fix:
        Use GY alone (with GX for a voluntary ABN) for excluded services; GA alone for medical-necessity ABNs.
    References:
        CMS IOM 100-04 ch. 30 §40.3, §50, §90.1; CMS MLN Matters MM9971 (GX/GY combinations).
    """
    for ln in with_mods(facts):
        if "GY" in ln.modifiers and "GA" in ln.modifiers:
            yield Hit(f"line {ln.number} ({ln.code}) has both GY and GA", ln.number, "GY with GX, or GA alone")


@rule("MD022", "pricing-modifier-order", severity=Severity.INFO)
def pricing_order(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A pricing modifier follows an informational one on a line.

    What it checks:
        On each line, the payment-affecting modifiers (22, 26, TC, 50, 52, 53, 62, 66, 73, 74, 80, 81, 82, AS,
        and the anesthesia payment modifiers AA, AD, QK, QX, QY, QZ) come before informational/statistical ones
        (LT, RT, 59, GA, QS ...). Anesthesia physical status modifiers (P1-P6) may stand anywhere: by
        convention they follow the payment modifier ("00840 AA P2").
    Why it matters:
        Many payers read the first modifier position for pricing; a pricing modifier in position 2-4 can be
        ignored and the line priced as the global service.
    Example:
        Line 2 71046 with modifiers GA, 26.
    How to fix:
        Reorder: pricing modifiers first, then informational ones.
    References:
        CMS IOM 100-04 ch. 26 §10.4 (item 24D: functional modifiers first); X12 005010X222A1 2400 SV101-3;
        CMS IOM 100-04 ch. 12 §50 (anesthesia payment modifiers AA, AD, QK, QX, QY, QZ).
    """
    for ln in with_mods(facts):
        mods = ln.modifiers
        if len(mods) < 2:
            continue
        seen_info = ""
        for m in mods:
            if m in PHYSICAL_STATUS:
                continue  # follows the anesthesia payment modifier ("00840 AA P2"); Medicare does not price it
            pricing = m in PRICING or m in ANESTHESIA_PRICING
            if not pricing and not seen_info:
                seen_info = m
            elif pricing and seen_info:
                yield Hit(
                    f"line {ln.number} ({ln.code}): pricing modifier {m} follows informational modifier {seen_info}",
                    ln.number,
                    "put pricing modifiers first",
                )
                break


@rule("MD023", "anatomic-side-conflict", severity=Severity.ERROR)
def side_conflict(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A digit or eyelid modifier names one side and LT/RT the other.

    What it checks:
        No line combines a right-side digit/eyelid modifier (F5-F9 right hand, T5-T9 right foot, E3/E4 right
        eyelids) with LT, or a left-side one (FA, F1-F4 left hand, TA, T1-T4 left foot, E1/E2 left eyelids) with
        RT; nor left-side and right-side digit/eyelid modifiers together.
    Why it matters:
        The modifiers contradict each other about which side was treated; payers reject the line (CARC 4) and it
        is a documentation red flag.
    Example:
        Line 1 26055 with modifiers F5 (right thumb) and LT.
    How to fix:
        Correct the side so the modifiers agree (and split lines for services on both sides).
    References:
        CMS HCPCS Level II modifier list (E1-E4, FA, F1-F9, TA, T1-T9, LT, RT); NCCI Policy Manual ch. 1 §E
        (anatomic modifiers).
    """
    for ln in with_mods(facts):
        mods = set(ln.modifiers)
        right = mods & RIGHT_DIGITS
        left = mods & LEFT_DIGITS
        if (right and ("LT" in mods or left)) or (left and "RT" in mods):
            yield Hit(
                f"line {ln.number} ({ln.code}): side modifiers disagree ({', '.join(ln.modifiers)})",
                ln.number,
                "make the side modifiers agree",
            )


@rule("MD024", "coronary-modifiers-multiple", severity=Severity.WARNING)
def coronary_multiple(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """More than one coronary artery modifier (LC, LD, LM, RC, RI) is on one line.

    What it checks:
        No line carries two or more of the coronary artery modifiers.
    Why it matters:
        Coronary intervention codes are reported per major vessel, one line per vessel with that vessel's
        modifier; two vessels on one line cannot be priced and deny (CARC 4), e.g. LD with RC.
    Example:
        Line 1 92928 with modifiers LD and RC.
    How to fix:
        Report one line per vessel, each with its own coronary modifier.
    References:
        CMS HCPCS modifier list (LC, LD, LM, RC, RI); CMS IOM 100-04 ch. 12 §40.6 and the CY2013 PFS final rule
        (77 FR 68900, coronary modifiers per major vessel); NCCI Policy Manual ch. 11 §K.
    """
    for ln in with_mods(facts):
        vessels = [m for m in ln.modifiers if m in CORONARY]
        if len(vessels) > 1:
            yield Hit(f"line {ln.number} ({ln.code}): several coronary modifiers {', '.join(vessels)}", ln.number)


@rule("MD025", "physical-status-non-anesthesia", severity=Severity.WARNING)
def physical_status(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An anesthesia physical status modifier (P1-P6) is on a code that is not an anesthesia code.

    What it checks:
        Lines with P1-P6 whose code is outside the anesthesia CPT range 00100-01999.
    Why it matters:
        Physical status modifiers qualify anesthesia services only; on other codes they are invalid and the
        line is rejected or the modifier ignored (CARC 4).
    Example:
        99213 with P2.
    How to fix:
        Remove the physical status modifier, or report the anesthesia code.
    References:
        AMA CPT Anesthesia Guidelines (physical status modifiers); CMS IOM 100-04 ch. 12 §50; CMS HCPCS modifier
        list (P1-P6).
    """
    for ln in with_mods(facts):
        ps = [m for m in ln.modifiers if m in PHYSICAL_STATUS]
        if ps and not ("00100" <= ln.code <= "01999" and shape(ln.code) == "CPT"):
            yield Hit(f"line {ln.number}: {ps[0]} on non-anesthesia code {ln.code}", ln.number, "remove it")
