"""PR: procedure and supply codes on the service lines (CPT, HCPCS Level II, revenue codes, units, charges, NDC).

CPT is known here by number only (CMS PFS RVU, NCCI MUE and add-on tables) unless the user imported a licensed
CPT file, so an unknown CPT number is a warning, never a rejection. HCPCS Level II is the CMS public-domain file
with add and termination dates and the Medicare coverage code. PFS indicators come from the CY2024 RVU file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from medbill.billing.fees import RvuRow
from medbill.codes.catalog import CatalogCode
from medbill.codes.editions import CodeSystem
from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts, LineFact
from medbill.scrub.registry import Hit, rule

PROCEDURE_QUALIFIERS = frozenset({"HC", "HP", "IV", "ER", "WK"})
NDC_UNITS = frozenset({"F2", "GR", "ME", "ML", "UN"})
CPT_LAST = frozenset("0123456789FTUM")
HCPCS_FIRST = frozenset("ABCDEGHJKLMPQRSTV")
DIGITS = frozenset("0123456789")
PAYABLE = frozenset({"A", "R", "T"})
MEDICARE_NONCOVERED = {"I": "not payable by Medicare", "M": "non-covered by Medicare", "S": "non-covered by statute"}
UNLISTED_CPT = frozenset(
    {
        *("21089", "23929", "26989", "37501", "38129", "38589", "43289", "43659", "44238", "44979", "47379"),
        *("47579", "49329", "49659", "50549", "50949", "55559", "58578", "58579", "58679", "59897", "59898"),
        *("60659", "69949", "69979", "76496", "76497", "76498", "81479", "86849", "88749", "89240", "89398"),
        *("90749", "92700", "93998", "96379", "96549", "97039", "97139", "99429", "99600"),
    }
)
"""Unlisted CPT codes whose number does not end in 99 (CPT section guidelines, "unlisted procedure" lists)."""
_DRUG_DOSE = re.compile(
    r"^(?:injection|factor)\b.*(?:\b\d[\d,.]*\s*(?:mg|mcg|g|grams?|units?|i\.?u\.?|ml)\b|\bper\s+(?:i\.?u\.?|ml|unit)\b)"
)
"""A HCPCS drug descriptor naming one substance and a billing dose ("injection, triamcinolone acetonide, not
otherwise specified, 10 mg"): "not otherwise specified" there means "not a formulation with its own code"."""
HCPCS_REQUIRED_REVENUE = ((300, 319), (320, 359), (360, 369), (400, 409), (450, 450), (510, 510), (610, 619))
"""Revenue codes whose outpatient lines need a HCPCS code (lab, radiology, OR, imaging, ED, clinic, MRI)."""


def shape(code: str) -> str:
    """ "CPT", "HCPCS" or "" for a procedure code's form (5 characters: 5 digits or 4 digits + F/T/U/M; letter + 4)."""
    if len(code) != 5:
        return ""
    if code[0] in DIGITS:
        return "CPT" if code[4] in CPT_LAST and all(c in DIGITS for c in code[1:4]) else ""
    return "HCPCS" if code[0] in HCPCS_FIRST and all(c in DIGITS for c in code[1:]) else ""


def hc_lines(facts: ClaimFacts) -> Iterator[LineFact]:
    """Lines whose code is a CPT/HCPCS code (qualifier HC, or none given)."""
    for ln in facts.lines:
        if ln.code and ln.qualifier in ("HC", ""):
            yield ln


def rvu_of(ctx: ScrubContext, code: str, day: date | None) -> RvuRow | None:
    """The PFS RVU row for the code on the day, or None (no schedule loaded, no PFS year for the date, no row)."""
    if day is None or ctx.fees is None:
        return None
    memo = ctx.memo("pr-rvu")
    key = (code, day)
    if key in memo:
        row: RvuRow | None = memo[key]
        return row
    try:
        row = ctx.rvu(code, "", day)
    except Exception:  # the PFS for the date is not loaded: no indicator to check
        row = None
    memo[key] = row
    return row


def medicare_edits(ctx: ScrubContext) -> bool:
    return ctx.bool_param("medicare_coverage_edits", ctx.profile.name == "medicare")


def hcpcs_record(ctx: ScrubContext, code: str) -> CatalogCode | None:
    return ctx.catalog(CodeSystem.HCPCS, code)


def hcpcs_detail(ctx: ScrubContext, code: str) -> dict[str, object] | None:
    """The HCPCS record's parsed detail (coverage, NOC flag ...), cached per code; None for an unknown code."""
    memo = ctx.memo("pr-hcpcs-detail")
    if code not in memo:
        rec = hcpcs_record(ctx, code)
        memo[code] = rec.detail if rec is not None else None
    detail: dict[str, object] | None = memo[code]
    return detail


def unlisted(ctx: ScrubContext, ln: LineFact) -> bool:
    """A NOC HCPCS code (CMS NOC list, less single-drug dosed codes such as J3301) or an unlisted CPT code (one of
    ``UNLISTED_CPT``, or a number ending in 99 that the PFS does not price as a fixed service)."""
    kind = shape(ln.code)
    if kind == "HCPCS":
        detail = hcpcs_detail(ctx, ln.code)
        return detail is not None and bool(detail.get("not_otherwise_classified")) and not dosed_drug(ctx, ln.code)
    if kind == "CPT" and ln.code in UNLISTED_CPT:
        return True
    if kind == "CPT" and ln.code.endswith("99"):
        row = rvu_of(ctx, ln.code, ln.day)
        return row is None or row.status not in PAYABLE
    return False


def dosed_drug(ctx: ScrubContext, code: str) -> bool:
    """A NOC-listed HCPCS drug code that names the substance and its billing unit (J3301, J1566, J9201 ...)."""
    memo = ctx.memo("pr-dosed-drug")
    found: bool | None = memo.get(code)
    if found is None:
        rec = hcpcs_record(ctx, code)
        found = memo[code] = rec is not None and bool(_DRUG_DOSE.match(rec.title.strip().lower()))
    return found


@rule("PR001", "procedure-code-malformed", severity=Severity.ERROR)
def malformed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A CPT/HCPCS procedure code is missing or does not have the form of one.

    What it checks:
        Every line reported with qualifier HC (CPT/HCPCS) has a code of five characters: five digits, four digits
        followed by F, T, U or M (CPT Category II, Category III, PLA and MAAA codes), or a letter followed by four
        digits (HCPCS Level II). 837I lines that carry only a revenue code (no SV202) are left to PR014/PR016.
    Why it matters:
        The X12 front end rejects a line whose SV101-2 / SV202-2 is not a code of the named code set; the claim
        never reaches adjudication (277CA rejection, or CARC 16 "claim lacks information").
    Example:
        Line 1 with code "9921" (four characters) or "99213A" (six): neither is a CPT or HCPCS code.
    How to fix:
        Correct the code (without modifiers or punctuation: modifiers go in SV101-3 to SV101-6).
    References:
        X12 005010X222A1 2400 SV101-1/SV101-2; X12 005010X223A2 2400 SV202-1/SV202-2; 45 CFR 162.1002 (HCPCS and
        CPT as HIPAA code sets); CMS IOM 100-04 ch. 23 §20.
    """
    for ln in facts.lines:
        if ln.qualifier not in ("HC", ""):
            continue
        if not ln.code:
            if facts.kind == "P":
                yield Hit(f"line {ln.number} has no procedure code", ln.number, "enter the CPT/HCPCS code")
        elif not shape(ln.code):
            yield Hit(
                f"line {ln.number}: {ln.code!r} is not a CPT or HCPCS code "
                "(5 characters: 5 digits, 4 digits + F/T/U/M, or a letter + 4 digits)",
                ln.number,
                "correct the code; put modifiers in the modifier fields",
            )


@rule("PR002", "hcpcs-unknown", severity=Severity.ERROR)
def hcpcs_unknown(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A HCPCS Level II code has the right form but is not in the CMS HCPCS file.

    What it checks:
        Every line with a code of the HCPCS Level II form (letter + four digits, qualifier HC) whose code is not
        in the CMS HCPCS alpha-numeric file at all (neither active nor terminated).
    Why it matters:
        Payers edit HCPCS against the quarterly CMS file; an unknown code is rejected as invalid (CARC 181
        "procedure code was invalid on the date of service", RARC M20/MA130).
    Example:
        A4999 on 2024-08-14 (no such HCPCS code; A9999 and A4649 are the miscellaneous supply codes).
    How to fix:
        Look the item up in the current HCPCS file and report the code that describes it.
    References:
        CMS HCPCS Level II quarterly update files; CMS IOM 100-04 ch. 23 §20.3; X12 005010X222A1 2400 SV101-2.
    """
    for ln in hc_lines(facts):
        if shape(ln.code) == "HCPCS" and hcpcs_record(ctx, ln.code) is None:
            yield Hit(f"line {ln.number}: {ln.code} is not a HCPCS Level II code", ln.number, "report a current code")


@rule("PR003", "hcpcs-not-valid-on-date", severity=Severity.ERROR)
def hcpcs_dated(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A HCPCS Level II code was not yet added or already terminated on the line's date of service.

    What it checks:
        Every HCPCS Level II code on a line is valid on that line's date of service by the add and termination
        dates of the CMS HCPCS file.
    Why it matters:
        A code is valid for dates of service from its add date through its termination date; a claim with a
        deleted code (no grace period for HCPCS Level II since 2005) is returned unprocessable (CARC 181).
    Example:
        A4397 on 2024-08-14: terminated on 2021-12-31.
    How to fix:
        Report the code that replaced it (the HCPCS file's cross-reference) for the date of service.
    References:
        CMS IOM 100-04 ch. 23 §20.3 (HCPCS updates, no grace period); CMS HCPCS quarterly update files;
        X12 005010X222A1 2400 SV101-2.
    """
    for ln in hc_lines(facts):
        if ln.day is None or shape(ln.code) != "HCPCS":
            continue
        rec = hcpcs_record(ctx, ln.code)
        if rec is not None and rec.period_on(ln.day) is None:
            span = ", ".join(f"{p.start.isoformat()} to {p.end.isoformat() if p.end else 'now'}" for p in rec.periods)
            yield Hit(
                f"line {ln.number}: HCPCS {ln.code} is not valid on {ln.day.isoformat()} (valid {span})",
                ln.number,
                "report the code valid on the date of service",
            )


@rule("PR004", "cpt-not-known", severity=Severity.WARNING)
def cpt_unknown(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A CPT code number is not known from the CMS tables (or the imported CPT file).

    What it checks:
        Every line with a code of CPT form (5 digits, or 4 digits + F/T/U/M) that is neither in the user's
        imported CPT file nor in the CMS tables that list CPT numbers (PFS RVU file, NCCI MUE and add-on tables).
    Why it matters:
        An invalid CPT code is rejected (CARC 181). Without the licensed AMA file medbill cannot be certain a
        code does not exist (a code can be absent from every CMS table), hence a warning rather than an error.
    Example:
        99999 on 2024-08-14: not a CPT code number in any CMS table.
    How to fix:
        Check the code against the current CPT book; import the licensed CPT file (medbill codes import-cpt) to
        make this edit exact.
    References:
        AMA CPT (45 CFR 162.1002(a)(5)); CMS PFS Relative Value File CY2024; NCCI MUE tables; CMS IOM 100-04
        ch. 23 §20.
    """
    for ln in hc_lines(facts):
        if shape(ln.code) == "CPT" and ctx.catalog(CodeSystem.CPT, ln.code) is None:
            yield Hit(
                f"line {ln.number}: {ln.code} is not a CPT code number known from the CMS tables",
                ln.number,
                "verify the code in the current CPT edition",
            )


@rule("PR005", "units-invalid", severity=Severity.ERROR)
def units_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Service units are missing, zero, negative, or fractional where the unit basis is units (UN).

    What it checks:
        Every line's service unit count (837P SV104, 837I SV205) is present and positive, and is a whole number
        when the unit of measure (SV103 / SV204) is UN.
    Why it matters:
        Units multiply the allowed amount; a line without units or with zero or negative units is rejected, and
        CMS does not accept fractional units of service (CARC 16 with RARC M53 "missing/incomplete/invalid days
        or units of service").
    Example:
        Line 2 36415 with 0 units, or with 1.5 units (UN).
    How to fix:
        Report the number of units the code's descriptor counts (a whole number for UN; minutes MJ for
        anesthesia time).
    References:
        X12 005010X222A1 2400 SV103/SV104; X12 005010X223A2 2400 SV204/SV205; CMS IOM 100-04 ch. 26 §10.4 (item
        24G, units); CMS MLN Medicare Billing: 837P and Form CMS-1500.
    """
    for ln in facts.lines:
        units = ln.units
        if units is None or units <= 0:
            yield Hit(
                f"line {ln.number} ({ln.code or 'no code'}) has {'no' if units is None else units} units",
                ln.number,
                "report a positive number of units",
            )
        elif ln.line.unit_basis in ("UN", "") and units != units.to_integral_value():
            yield Hit(
                f"line {ln.number} ({ln.code}) reports fractional units {units} with unit basis UN",
                ln.number,
                "report whole units (round per the code's descriptor)",
            )


@rule("PR006", "charge-invalid", severity=Severity.ERROR)
def charge_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line charge is missing, zero or negative.

    What it checks:
        Every line has a charge (837P SV102, 837I SV203) greater than zero. Quality-data codes (CPT Category II,
        ending in F, and HCPCS G8000-G9999), the post-operative visit 99024 (global-period tracking, PFS status
        B) and lines with modifier SL (state-supplied vaccine) or FB (item provided without cost) may be
        reported at zero; a negative charge is always flagged.
    Why it matters:
        A service line must carry the provider's usual charge; zero or negative charges are rejected at the front
        end or deny (CARC 16, RARC M79 "missing/incomplete/invalid charge").
    Example:
        Line 1 99213 with charge 0.00.
    How to fix:
        Enter the practice's usual and customary charge for the service.
    References:
        X12 005010X222A1 2400 SV102; X12 005010X223A2 2400 SV203; CMS IOM 100-04 ch. 26 §10.4 (item 24F); CMS MIPS
        claims-based quality reporting (QDCs at $0.00); CMS IOM 100-04 ch. 12 §40.2 (99024 reporting); CMS
        HCPCS modifiers SL and FB; CDC Vaccines for Children program (state-supplied vaccine at no charge).
    """
    for ln in facts.lines:
        charge = ln.charge
        if charge is None:
            yield Hit(f"line {ln.number} ({ln.code or 'no code'}) has no charge", ln.number, "enter the line charge")
        elif charge < 0 or (charge == 0 and not zero_charge_allowed(ln)):
            yield Hit(f"line {ln.number} ({ln.code}) has charge {charge}", ln.number, "enter the usual charge")


ZERO_CHARGE_CODES = frozenset({"99024"})
ZERO_CHARGE_MODIFIERS = frozenset({"SL", "FB"})


def zero_charge_allowed(ln: LineFact) -> bool:
    """A line that is correctly sent at $0.00: quality data, 99024 tracking, a free (SL/FB) item."""
    return quality_code(ln.code) or ln.code in ZERO_CHARGE_CODES or not ZERO_CHARGE_MODIFIERS.isdisjoint(ln.modifiers)


def quality_code(code: str) -> bool:
    return (len(code) == 5 and code[4] == "F") or (code[:2] in ("G8", "G9") and shape(code) == "HCPCS")


@rule("PR007", "charge-implausible", severity=Severity.WARNING)
def charge_high(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line charge per unit is implausibly high (over the profile's `max_line_charge`).

    What it checks:
        Every line's charge divided by its units (1 when units are missing or not positive) against the profile
        parameter ``max_line_charge`` (default 99999.99).
    Why it matters:
        A misplaced decimal point or a units/charge swap inflates the claim; payers pend such lines for review and
        an overstated charge raises compliance questions (42 CFR 1003 civil monetary penalties for false claims).
    Example:
        Line 1 99213 with charge 125000.00 and 1 unit.
    How to fix:
        Check the charge and the units; raise ``max_line_charge`` in the profile for high-cost services.
    References:
        X12 005010X222A1 2400 SV102 (monetary amount); CMS IOM 100-04 ch. 1 §30.3.12 (charges); 42 CFR 1003.200.
    """
    limit = ctx.param("max_line_charge", "99999.99")
    try:
        cap = Decimal(str(limit))
    except ArithmeticError:
        cap = Decimal("99999.99")
    for ln in facts.lines:
        if ln.charge is None:
            continue
        units = ln.units if ln.units is not None and ln.units > 0 else Decimal(1)
        if ln.charge / units > cap:
            yield Hit(
                f"line {ln.number} ({ln.code}) charges {ln.charge} for {units} unit(s), over {cap} per unit",
                ln.number,
                "check the charge and the units",
            )


@rule("PR008", "procedure-qualifier-invalid", severity=Severity.ERROR)
def qualifier_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The product/service id qualifier of a line is not one the 837 allows.

    What it checks:
        Every line's procedure qualifier (837P SV101-1, 837I SV202-1) is HC (CPT/HCPCS), HP (HIPPS), IV (HIEC),
        ER (jurisdiction-specific) or WK (ABC codes).
    Why it matters:
        Any other qualifier fails X12 implementation-guide validation and the claim is rejected (999/277CA).
    Example:
        Line 1 99213 with qualifier "CP".
    How to fix:
        Use HC for CPT and HCPCS codes.
    References:
        X12 005010X222A1 2400 SV101-1; X12 005010X223A2 2400 SV202-1 (code list 235 values allowed by the TR3).
    """
    for ln in facts.lines:
        if ln.qualifier not in PROCEDURE_QUALIFIERS and (ln.qualifier or ln.code):
            yield Hit(
                f"line {ln.number}: procedure qualifier {ln.qualifier!r} is not HC, HP, IV, ER or WK",
                ln.number,
                "use HC for CPT/HCPCS codes",
            )


@rule("PR009", "procedure-qualifier-mismatch", severity=Severity.ERROR)
def qualifier_mismatch(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A known CPT or HCPCS code is reported under a qualifier other than HC.

    What it checks:
        Lines with qualifier HP, IV, ER or WK whose code is a known CPT code number or HCPCS Level II code.
    Why it matters:
        The qualifier tells the payer which code set to read; a CPT/HCPCS code under HP (HIPPS) or IV (HIEC) is
        looked up in the wrong table and rejected as invalid (CARC 181/16).
    Example:
        Line 1 99213 with qualifier HP.
    How to fix:
        Report CPT and HCPCS codes with qualifier HC.
    References:
        X12 005010X222A1 2400 SV101-1 (HC: HCPCS codes, which include CPT); X12 005010X223A2 2400 SV202-1.
    """
    for ln in facts.lines:
        if ln.qualifier in ("HP", "IV", "ER", "WK") and shape(ln.code) and ctx.procedure(ln.code) is not None:
            yield Hit(
                f"line {ln.number}: {ln.code} is a CPT/HCPCS code reported with qualifier {ln.qualifier}",
                ln.number,
                "use qualifier HC",
            )


@rule("PR010", "unlisted-code-undocumented", severity=Severity.WARNING)
def unlisted_undocumented(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An unlisted CPT or not-otherwise-classified HCPCS code is billed without a description of the service.

    What it checks:
        Lines with a HCPCS code on the CMS NOC list (J3490, J9999, E1399, A9999 ...) or an unlisted CPT code
        (a CPT number ending in 99 that the PFS does not price as a fixed service: 17999, 64999, 99499 ...; or
        one of the unlisted codes numbered otherwise: 76499's siblings 76496-76498, 90749, 96379, 97139 ...) on a
        claim that carries no note (NTE). NOC-list drug codes that name one substance and a billing dose
        ("injection, triamcinolone acetonide, not otherwise specified, 10 mg": J3301) are specific, priced codes
        and are not flagged. The claim model has no SV101-7 line description, so a claim-level note
        is the only narrative it can hold.
    Why it matters:
        A NOC/unlisted code says nothing about what was done; payers require a description (and for drugs the
        name, dose and NDC) and deny without it (CARC 16, RARC M51/N350 "missing/incomplete description").
    Example:
        Line 1 J3490 on a claim with no NTE note.
    How to fix:
        Describe the service (SV101-7 / NTE: drug name, dose and route, or the procedure performed) and attach
        the operative or clinical documentation; use a specific code if one exists.
    References:
        CMS IOM 100-04 ch. 26 §10.2 (item 19, unlisted/NOC descriptions) and ch. 17 §20.1.3 (NOC drugs);
        X12 005010X222A1 2400 SV101-7 and 2300/2400 NTE; CPT guidelines on unlisted procedures.
    """
    if facts.claim.notes:
        return
    for ln in hc_lines(facts):
        if unlisted(ctx, ln):
            yield Hit(
                f"line {ln.number}: {ln.code} is an unlisted/NOC code and the claim has no description note",
                ln.number,
                "describe the service (SV101-7 or NTE) and attach documentation",
            )


def ndc_digits(ndc: str) -> str:
    return ndc.replace("-", "").replace(" ", "")


@rule("PR011", "ndc-format", severity=Severity.ERROR)
def ndc_format(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An NDC on a line is not an 11-digit (5-4-2) National Drug Code.

    What it checks:
        Every line with an NDC (837 2410 LIN03, qualifier N4) has exactly 11 digits once hyphens are removed.
    Why it matters:
        The 837 requires the 11-digit 5-4-2 billing format; a 10-digit package NDC (4-4-2, 5-3-2, 5-4-1) must be
        padded with a leading zero in the short segment. Anything else is rejected, and Medicaid drug rebate
        claims for the line are lost (CARC 16, RARC M119 "missing/incomplete/invalid NDC").
    Example:
        NDC 0409-4888-02 given as "0409488802" (10 digits): should be 00409488802.
    How to fix:
        Convert the package NDC to 11 digits (5-4-2) by zero-padding the short segment; send digits only.
    References:
        X12 005010X222A1 2410 LIN02 (N4) / LIN03; X12 005010X223A2 2410 LIN03; CMS Medicaid Drug Rebate Program
        (Deficit Reduction Act of 2005 §6002, 42 CFR 447.520).
    """
    for ln in facts.lines:
        ndc = ln.line.ndc
        if ndc:
            digits = ndc_digits(ndc)
            if len(digits) != 11 or not digits.isdigit():
                yield Hit(
                    f"line {ln.number} ({ln.code}): NDC {ndc!r} is not 11 digits (5-4-2)",
                    ln.number,
                    "zero-pad the NDC to 11 digits",
                )


@rule("PR012", "ndc-quantity-missing", severity=Severity.ERROR)
def ndc_quantity(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line has an NDC but no drug quantity or unit of measure.

    What it checks:
        Every line with an NDC also has a positive NDC quantity (2410 CTP04) and a unit of measure (CTP05-1).
    Why it matters:
        The CTP segment is required whenever LIN is sent; without it the NDC cannot be priced or rebated and the
        line is rejected (CARC 16, RARC M119 / N362).
    Example:
        Line 1 J1100 with NDC 63323016501 and no quantity.
    How to fix:
        Report the quantity of the package NDC actually administered with its unit (F2, GR, ME, ML, UN).
    References:
        X12 005010X222A1 2410 CTP04 / CTP05-1; X12 005010X223A2 2410 CTP04 / CTP05-1.
    """
    for ln in facts.lines:
        if ln.line.ndc:
            qty = ln.line.ndc_quantity
            if qty is None or qty <= 0 or not ln.line.ndc_unit.strip():
                yield Hit(
                    f"line {ln.number} ({ln.code}): NDC given without a positive quantity and unit",
                    ln.number,
                    "add the NDC quantity and unit of measure",
                )


@rule("PR013", "ndc-unit-invalid", severity=Severity.ERROR)
def ndc_unit(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The NDC unit of measure is not F2, GR, ME, ML or UN.

    What it checks:
        Every line whose NDC unit of measure (2410 CTP05-1) is given uses one of the five codes the 837 allows:
        F2 (international unit), GR (gram), ME (milligram), ML (milliliter), UN (unit).
    Why it matters:
        Other unit codes fail implementation-guide validation and the claim is rejected.
    Example:
        Line 1 J1100 with NDC quantity 1 and unit "MG".
    How to fix:
        Use ME for milligrams, ML for milliliters, GR for grams, F2 for international units, UN for each.
    References:
        X12 005010X222A1 2410 CTP05-1; X12 005010X223A2 2410 CTP05-1.
    """
    for ln in facts.lines:
        unit = ln.line.ndc_unit.strip().upper()
        if unit and unit not in NDC_UNITS:
            yield Hit(
                f"line {ln.number} ({ln.code}): NDC unit {unit!r} is not F2, GR, ME, ML or UN",
                ln.number,
                "use F2, GR, ME, ML or UN",
            )


@rule("PR014", "revenue-code-invalid", severity=Severity.ERROR, kinds="I")
def revenue_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An institutional line has no revenue code or one that is not four digits.

    What it checks:
        Every 837I line has a revenue code (SV201) of exactly four digits (NUBC form: 0450, not 450).
    Why it matters:
        The revenue code is required on every institutional line and drives the payer's pricing; a missing or
        malformed one is rejected at the front end.
    Example:
        Line 1 99284 with revenue code "450".
    How to fix:
        Report the four-digit NUBC revenue code with its leading zero.
    References:
        X12 005010X223A2 2400 SV201; NUBC UB-04 Data Specifications Manual FL 42; CMS IOM 100-04 ch. 25 §75.5.
    """
    for ln in facts.lines:
        rev = ln.line.revenue_code.strip()
        if len(rev) != 4 or not rev.isdigit():
            yield Hit(
                f"line {ln.number}: revenue code {rev!r} is not a four-digit revenue code"
                if rev
                else f"line {ln.number} has no revenue code",
                ln.number,
                "report the four-digit NUBC revenue code",
            )


@rule("PR015", "revenue-code-needs-hcpcs", severity=Severity.ERROR, kinds="I")
def revenue_needs_hcpcs(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An outpatient (type of bill 13x) line has a revenue code that requires a HCPCS code, and none.

    What it checks:
        On 837I claims with type of bill 13x (hospital outpatient), lines with revenue codes 030x-031x
        (laboratory), 032x-035x (radiology, CT), 036x (operating room), 040x (other imaging), 0450 (emergency
        room), 0510 (clinic) or 061x (MRI) carry a HCPCS/CPT code.
    Why it matters:
        Under the OPPS every separately payable outpatient service is identified by HCPCS; the I/OCE returns
        the line (edit 48, "revenue center requires HCPCS") and the service is not paid.
    Example:
        TOB 131, line 2 revenue code 0320 with no HCPCS code.
    How to fix:
        Report the CPT/HCPCS code of the service on the line.
    References:
        CMS IOM 100-04 ch. 4 §20.5 (HCPCS required for OPPS services) and §20.6; Integrated Outpatient Code
        Editor specifications, edit 48; X12 005010X223A2 2400 SV202.
    """
    if facts.claim.facility_code[:2] != "13":
        return
    for ln in facts.lines:
        rev = ln.line.revenue_code.strip()
        if ln.code or len(rev) != 4 or not rev.isdigit():
            continue
        value = int(rev)
        if any(lo <= value <= hi for lo, hi in HCPCS_REQUIRED_REVENUE):
            yield Hit(
                f"line {ln.number}: revenue code {rev} needs a HCPCS code on an outpatient (13x) claim",
                ln.number,
                "report the CPT/HCPCS code",
            )


@rule("PR016", "hcpcs-medicare-noncovered", severity=Severity.WARNING)
def hcpcs_noncovered(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A HCPCS code's Medicare coverage code says Medicare does not pay it (I, M or S).

    What it checks:
        When Medicare coverage edits are on (profile parameter ``medicare_coverage_edits``; on by default for
        the medicare profile), each HCPCS Level II line whose coverage code in the CMS HCPCS file is I (not
        payable by Medicare), M (non-covered by Medicare) or S (non-covered by Medicare statute).
    Why it matters:
        Medicare denies these lines (CARC 96 non-covered, CARC 204); billing the beneficiary needs a valid ABN
        (modifier GA) for M/S items or a GY/GX modifier to show the line is billed for denial.
    Example:
        S0630 (a commercial-payer temporary code, coverage I) on a Medicare claim.
    How to fix:
        Use the Medicare code for the service (G-code or CPT) or append GY/GA as appropriate.
    References:
        CMS HCPCS file record layout (coverage code field); CMS IOM 100-04 ch. 23 §20.3; CMS IOM 100-04
        ch. 30 §50 (ABN) and §90 (GY modifier).
    """
    if not medicare_edits(ctx):
        return
    for ln in hc_lines(facts):
        if shape(ln.code) != "HCPCS":
            continue
        detail = hcpcs_detail(ctx, ln.code)
        cov = detail.get("coverage") if detail is not None else None
        if isinstance(cov, str) and cov in MEDICARE_NONCOVERED:
            if "GY" in ln.modifiers or "GX" in ln.modifiers or "GZ" in ln.modifiers:
                continue
            yield Hit(
                f"line {ln.number}: HCPCS {ln.code} has Medicare coverage code {cov} ({MEDICARE_NONCOVERED[cov]})",
                ln.number,
                "use the Medicare code or append GY/GX/GZ",
            )


def pfs_status_lines(facts: ClaimFacts, ctx: ScrubContext, statuses: frozenset[str]) -> Iterator[tuple[LineFact, str]]:
    if not medicare_edits(ctx) or ctx.fees is None:
        return
    for ln in hc_lines(facts):
        if not shape(ln.code):
            continue
        row = rvu_of(ctx, ln.code, ln.day)
        if row is not None and row.status in statuses:
            yield ln, row.status


@rule("PR017", "pfs-status-not-valid", severity=Severity.ERROR)
def pfs_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The PFS says the code is not valid for Medicare (status I or G: Medicare uses another code).

    What it checks:
        With Medicare coverage edits on (``medicare_coverage_edits``; default on for the medicare profile), each
        line whose code has PFS status code I or G on the date of service.
    Why it matters:
        Status I/G codes are "not valid for Medicare purposes": Medicare pays the service only under another
        code and rejects the line as invalid (CARC 181/B18).
    Example:
        90399 (status I) on a Medicare claim on 2024-08-14.
    How to fix:
        Report the HCPCS/CPT code Medicare recognises for the service.
    References:
        CMS PFS Relative Value File documentation (RVU24C), status code I and G; 42 CFR 414.22; CMS IOM 100-04
        ch. 12 §20.
    """
    for ln, status in pfs_status_lines(facts, ctx, frozenset({"I", "G"})):
        yield Hit(
            f"line {ln.number}: {ln.code} has PFS status {status}: not valid for Medicare",
            ln.number,
            "report the code Medicare uses for the service",
        )


@rule("PR018", "pfs-status-noncovered", severity=Severity.WARNING)
def pfs_noncovered(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The PFS marks the code as a non-covered service (status N).

    What it checks:
        With Medicare coverage edits on (``medicare_coverage_edits``; default on for the medicare profile), each
        line whose code has PFS status N on the date of service and no GA/GX/GY/GZ modifier.
    Why it matters:
        Medicare denies status N services as non-covered (CARC 96/204); the patient can be billed only when the
        line shows liability (GY statutory exclusion, GX voluntary ABN, GA required ABN).
    Example:
        88099 (status N) on a Medicare claim on 2024-08-14.
    How to fix:
        Append GY (or GX/GA per the ABN rules) or do not bill Medicare for the service.
    References:
        CMS PFS Relative Value File documentation (RVU24C), status code N; CMS IOM 100-04 ch. 30 §40, §50, §90.
    """
    for ln, status in pfs_status_lines(facts, ctx, frozenset({"N"})):
        if not {"GA", "GX", "GY", "GZ"} & set(ln.modifiers):
            yield Hit(
                f"line {ln.number}: {ln.code} has PFS status {status}: non-covered by Medicare",
                ln.number,
                "append GY/GX/GA as appropriate or do not bill Medicare",
            )


@rule("PR019", "pfs-status-bundled", severity=Severity.WARNING)
def pfs_bundled(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The PFS marks the code as always bundled (status B or P): no separate payment.

    What it checks:
        With Medicare coverage edits on (``medicare_coverage_edits``; default on for the medicare profile), each
        line whose code has PFS status B (bundled) or P (bundled/excluded) on the date of service. Reporting-only
        lines are skipped: the post-operative visit 99024 (global-period tracking) and lines charged $0.00.
    Why it matters:
        Medicare never pays these separately (CARC 97 "included in another service"); billed alone they deny,
        and some (post-operative visit 99024) are reporting-only.
    Example:
        97010 (hot or cold packs, status B) on a Medicare claim on 2024-08-14.
    How to fix:
        Bill the service the code is bundled into, or report the line at zero charge only where a payer asks
        for it (e.g. 99024 tracking).
    References:
        CMS PFS Relative Value File documentation (RVU24C), status codes B and P; CMS IOM 100-04 ch. 12 §30.
    """
    for ln, status in pfs_status_lines(facts, ctx, frozenset({"B", "P"})):
        if ln.code in ZERO_CHARGE_CODES or ln.charge == 0:
            continue  # reported for tracking, not for payment
        yield Hit(
            f"line {ln.number}: {ln.code} has PFS status {status}: bundled, no separate Medicare payment",
            ln.number,
            "do not expect separate payment for this line",
        )


@rule("PR020", "line-date-missing", severity=Severity.ERROR, kinds="P")
def line_date_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A professional service line has no date of service.

    What it checks:
        Every 837P line has its own service date (2400 DTP*472).
    Why it matters:
        DTP*472 is required on every 837P service line; without it the claim is rejected (CARC 16, RARC M59
        "missing/incomplete/invalid date of service").
    Example:
        Line 2 36415 without a service date.
    How to fix:
        Enter the date (or date span) the service was performed.
    References:
        X12 005010X222A1 2400 DTP*472 (required); CMS IOM 100-04 ch. 26 §10.4 (item 24A).
    """
    for ln in facts.lines:
        if ln.line.service_date_from is None:
            yield Hit(f"line {ln.number} ({ln.code}) has no date of service", ln.number, "enter the service date")


@rule("PR021", "line-date-outside-statement", severity=Severity.ERROR, kinds="I")
def line_outside_statement(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An institutional line's date of service is outside the claim's statement period.

    What it checks:
        On 837I claims with a statement period (2300 DTP*434), each line date (2400 DTP*472, when given) falls
        within it.
    Why it matters:
        Line dates outside the statement covers period are rejected by the FISS/OCE edits (CARC 16, RARC M59);
        they usually mean a line belongs to another claim.
    Example:
        Statement 2024-08-14 to 2024-08-14 with a line dated 2024-08-16.
    How to fix:
        Correct the line date or extend the statement period (or move the line to the right claim).
    References:
        X12 005010X223A2 2300 DTP*434 and 2400 DTP*472; CMS IOM 100-04 ch. 25 §75.5 (FL 6 and FL 45).
    """
    span = facts.claim.dates.get("434")
    if span is None or span[0] is None:
        return
    start, end = span[0], span[1] or span[0]
    for ln in facts.lines:
        line = ln.line
        first, last = line.service_date_from, line.service_date_to or line.service_date_from
        if first is None or last is None:
            continue
        if first < start or last > end:
            yield Hit(
                f"line {ln.number} ({ln.code}) dated {first.isoformat()} is outside the statement period "
                f"{start.isoformat()} to {end.isoformat()}",
                ln.number,
                "correct the line date or the statement period",
            )


@rule("PR022", "line-dates-reversed", severity=Severity.ERROR)
def line_reversed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A service line's to-date is before its from-date.

    What it checks:
        Every line with a date span (DTP*472 RD8) has a to-date on or after its from-date.
    Why it matters:
        A reversed span is an invalid date and is rejected (CARC 16, RARC M59).
    Example:
        Line 1 from 2024-08-14 to 2024-08-12.
    How to fix:
        Enter the span in order (from, then to).
    References:
        X12 005010X222A1 2400 DTP03 (RD8 CCYYMMDD-CCYYMMDD); X12 005010X223A2 2400 DTP*472; CMS IOM 100-04
        ch. 26 §10.4 (item 24A).
    """
    for ln in facts.lines:
        first, last = ln.line.service_date_from, ln.line.service_date_to
        if first is not None and last is not None and last < first:
            yield Hit(
                f"line {ln.number} ({ln.code}) ends {last.isoformat()} before it starts {first.isoformat()}",
                ln.number,
                "put the dates in order",
            )


EM_HCPCS = frozenset({"G0402", "G0438", "G0439"})
"""HCPCS E/M-like visits (initial preventive physical examination, annual wellness visits)."""


def is_em(code: str) -> bool:
    """An E/M service: CPT 99202-99499 and the HCPCS preventive visits G0402, G0438, G0439 (the one definition
    the procedure, modifier, NCCI and payer edits share)."""
    if len(code) == 5 and code.startswith("99") and code.isdigit():
        return "99202" <= code <= "99499"
    return code in EM_HCPCS


@rule("PR023", "per-day-code-date-span", severity=Severity.WARNING)
def per_day_span(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An evaluation and management code is reported over a span of dates on one line.

    What it checks:
        Lines with an E/M code (99202-99499) whose from-date and to-date differ.
    Why it matters:
        E/M services are per encounter/day; payers (and the NCCI MUE date-of-service edits) need one line per
        date, and spans deny or are priced as a single visit (CARC 16, RARC M59/N347).
    Example:
        99213 from 2024-08-14 to 2024-08-16 with 3 units.
    How to fix:
        Report each visit on its own line with its own date.
    References:
        CMS IOM 100-04 ch. 12 §30.6 (E/M visits per date); CMS IOM 100-04 ch. 26 §10.4 (item 24A, from-to dates
        only for identical services on consecutive days); X12 005010X222A1 2400 DTP*472.
    """
    for ln in facts.lines:
        first, last = ln.line.service_date_from, ln.line.service_date_to
        if first is not None and last is not None and last != first and is_em(ln.code):
            yield Hit(
                f"line {ln.number}: E/M {ln.code} spans {first.isoformat()} to {last.isoformat()}",
                ln.number,
                "report one line per visit date",
            )
