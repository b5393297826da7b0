"""Payer rules (PY): edits one payer class applies, selected by the payer profile.

PY1xx are Medicare fee-for-service edits, PY2xx state Medicaid edits, PY3xx commercial-plan edits; each shipped
profile ignores the other payers' prefixes. Thresholds and code lists come from the profile's ``params`` with
defaults here, so a profile without a parameter still gets sensible behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from medbill.billing.fees import facility_pos
from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts, LineFact
from medbill.scrub.registry import Hit, rule
from medbill.scrub.rules.ncci_edits import MAJOR_GLOBAL, MINOR_GLOBALS, global_days, per_profile
from medbill.scrub.rules.procedure import is_em

# -- shared helpers ----------------------------------------------------------------------------------------------

Ranges = tuple[tuple[str, str], ...]


def _parse_ranges(value: object, default: Iterable[str]) -> Ranges:
    """A profile list of codes and code ranges ("70010-79999", "93306") as (low, high) pairs."""
    items = tuple(value) if isinstance(value, list | tuple) else tuple(default)
    out: list[tuple[str, str]] = []
    for item in items:
        text = str(item).strip().upper()
        if text:
            low, _, high = text.partition("-")
            out.append((low.strip(), (high or low).strip()))
    return tuple(out)


class CodeSet:
    """Profile code ranges with a per-code answer cache (the same few hundred codes recur in a batch)."""

    __slots__ = ("known", "ranges")

    def __init__(self, ranges: Ranges) -> None:
        self.ranges = ranges
        self.known: dict[str, bool] = {}

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        answer = self.known.get(code)
        if answer is None:
            answer = self.known[code] = _in_ranges(code, self.ranges)
        return answer

    def __bool__(self) -> bool:
        return bool(self.ranges)


def _referring_ranges(ctx: ScrubContext) -> CodeSet:
    return CodeSet(_parse_ranges(ctx.param("require_referring_for"), REFERRING_DEFAULT))


def _prior_auth_ranges(ctx: ScrubContext) -> CodeSet:
    return CodeSet(_parse_ranges(ctx.param("prior_authorization_required"), ()))


def _in_ranges(code: str, ranges: Ranges) -> bool:
    """A code inside one of the ranges (same length and kind of code: CPT with CPT, E-codes with E-codes)."""
    for low, high in ranges:
        if len(code) == len(low) and code[:1].isdigit() == low[:1].isdigit() and low <= code <= high:
            return True
    return False


def _filing(facts: ClaimFacts) -> str:
    return facts.claim.subscriber.claim_filing_indicator.strip().upper()


def _has_referring(facts: ClaimFacts) -> bool:
    party = facts.claim.referring_provider
    return party is not None and bool(party.id.strip() or party.last_or_org.strip())


# -- Medicare (PY1xx) --------------------------------------------------------------------------------------------

MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_MBI = re.compile(
    rf"[1-9][{MBI_LETTERS}][{MBI_LETTERS}0-9][0-9][{MBI_LETTERS}][{MBI_LETTERS}0-9][0-9][{MBI_LETTERS}]{{2}}[0-9]{{2}}"
)
MEDICARE_FILING = frozenset({"MA", "MB", "16"})
REFERRING_DEFAULT = ("70010-79999", "80047-89398", "E0100-E8002", "K0001-K0899")
ROW_MODIFIERS = ("26", "TC", "53")


def is_mbi(value: str) -> bool:
    """True for an 11-character Medicare Beneficiary Identifier in the CMS format (no dashes, upper case)."""
    return len(value) == 11 and _MBI.fullmatch(value) is not None


@rule("PY101", "medicare-member-id-not-mbi", severity=Severity.ERROR)
def medicare_mbi(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The subscriber's member id is not a Medicare Beneficiary Identifier (MBI).

    What it checks:
        When the profile's ``member_id_format`` is "mbi" (the default for Medicare), that the subscriber's
        member id (2010BA NM109) has the CMS MBI format: 11 characters, position 1 a digit 1-9, positions 2, 5,
        8 and 9 letters, positions 4, 7, 10 and 11 digits 0-9, positions 3 and 6 a letter or digit; letters are
        upper case and never S, L, O, I, B or Z; no dashes or spaces.
    Why it matters:
        Since 2020-01-01 Medicare rejects claims with the old SSN-based HICN or a malformed MBI (front-end
        rejection, CARC 16 / RARC MA61 or N382 "missing/incomplete/invalid patient identifier").
    Example:
        A member id with a dash (1EG4-TE5-MK73, as printed on some cards) or with the letter O in position 2.
    How to fix:
        Copy the MBI from the patient's Medicare card or the MAC's MBI look-up tool, without dashes; for a
        Medicare Advantage plan use that plan's profile instead.
    References:
        CMS "Understanding the Medicare Beneficiary Identifier (MBI) Format" (MBI format specification);
        CMS New Medicare Card project (MACRA §501, HICN removal by 2020-01-01); X12 005010X222A1 2010BA NM109.
    """
    if str(ctx.param("member_id_format", "mbi")).strip().lower() != "mbi":
        return
    member = facts.claim.subscriber.member_id.strip()
    if not is_mbi(member):
        problem = "is empty" if not member else f"has {len(member)} characters" if len(member) != 11 else "is malformed"
        yield Hit(
            f"the subscriber member id {problem}: it is not a Medicare Beneficiary Identifier (11 characters, CMS MBI "
            "format)",
            None,
            "enter the MBI from the Medicare card, upper case, without dashes",
        )


@rule("PY102", "medicare-referring-provider-missing", severity=Severity.ERROR, kinds="P")
def medicare_referring(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An ordered service (imaging, laboratory, DME) is billed without a referring/ordering provider.

    What it checks:
        On 837P claims, lines whose code is in the profile's ``require_referring_for`` ranges (default:
        radiology 70010-79999, pathology and laboratory 80047-89398, DME E0100-E8002 and K0001-K0899) when the
        claim has no referring provider (2310A). A line is exempt when the same claim carries, on the same date,
        an E/M visit or a surgical procedure (PFS global period 000, 010 or 090, e.g. 36556 with its ultrasound
        guidance 76937): the rendering physician who saw or treated the patient ordered the service, and the TR3
        then needs no separate ordering provider (2420E "required when ... ordered by a provider different than
        the rendering provider"). Screening mammography (77067, 77063) needs no order at all.
    Why it matters:
        Medicare denies ordered and referred services whose claim lacks the name and NPI of an eligible ordering
        or referring provider (ordering/referring edits, RARC N264/N265 with CARC 16/183).
    Example:
        71046 (chest X-ray, 2 views) billed alone by an imaging practice on 2024-08-14 without 2310A.
    How to fix:
        Enter the ordering physician (2310A referring provider, or 2420E on the line) with an NPI enrolled in
        PECOS.
    References:
        42 CFR 424.507 (ordering/referring provider requirements); CMS Pub. 100-04 Ch. 26 §10.2 item 17; CMS
        MLN SE1305 (ordering/referring edits); X12 005010X222A1 2310A and 2420E.
    """
    if _has_referring(facts):
        return
    ranges = per_profile(ctx, "py-referring-ranges", _referring_ranges)
    if not ranges:
        return
    visit_days: set[date | None] | None = None
    for ln in facts.lines:
        if not ln.code or ln.code not in ranges or ln.code in NO_ORDER_NEEDED:
            continue
        if visit_days is None:
            visit_days = _self_ordering_days(facts, ctx, ranges)
        if ln.day not in visit_days:
            yield Hit(
                f"line {ln.number}: {ln.code} is an ordered service and the claim has no referring/ordering provider",
                ln.number,
                "add the ordering provider's name and NPI (2310A or 2420E)",
            )


NO_ORDER_NEEDED = frozenset({"77063", "77067"})
"""Screening mammography (digital breast tomosynthesis add-on 77063, screening mammogram 77067): Medicare pays it
without a physician's order (42 CFR 410.34(c); CMS Pub. 100-02 Ch. 15 §280.3), so no ordering provider is due."""


def _self_ordering_days(facts: ClaimFacts, ctx: ScrubContext, ranges: CodeSet) -> set[date | None]:
    """Dates on which the claim's own practitioner saw or operated on the patient: an E/M visit, or a procedure
    with a PFS global period (000, 010, 090) that is not itself an ordered service (its imaging guidance)."""
    days: set[date | None] = set()
    for v in facts.lines:
        if is_em(v.code):
            days.add(v.day)
        elif v.day is not None and v.code and v.code not in ranges and ctx.fees is not None:
            period = global_days(ctx, v.code, v.day)
            if period in MINOR_GLOBALS or period == MAJOR_GLOBAL:
                days.add(v.day)
    return days


def _pfs_amount(
    ctx: ScrubContext, ln: LineFact, pos: str, chosen: str, state: str, memo: dict[Any, Any]
) -> Decimal | None:
    """The Medicare PFS amount for one unit of the line, or None when it cannot be derived (memoized).

    The locality is the profile's ``pfs_locality`` ("MAC/locality", e.g. "06102/16" for Chicago); without it, the
    lowest amount among the localities of the billing provider's state (a charge below that is below the fee
    wherever the service was done)."""
    fees = ctx.fees
    if fees is None or ln.day is None:
        return None
    day = ln.day
    modifier = ""
    for m in ln.modifiers:
        if m in ROW_MODIFIERS:
            modifier = m
            break
    key = (ln.code, modifier, pos, chosen, state, day)
    if key in memo:
        cached: Decimal | None = memo[key]
        return cached
    amount: Decimal | None = None
    try:
        facility = facility_pos(pos)
        if chosen:
            mac, _, number = chosen.partition("/")
            localities = [fees.locality(mac, number)]
        else:
            wanted = state.strip().upper()
            localities = [loc for loc in fees.localities.values() if loc.state == wanted]
        amounts = []
        for loc in localities:
            price = fees.allowed(ln.code, modifier or None, loc, facility, day)
            if price is not None and price.amount is not None:
                amounts.append(price.amount)
        amount = min(amounts) if amounts and len(amounts) == len(localities) else None
    except Exception:  # date outside the PFS year, unknown locality: nothing to compare
        amount = None
    memo[key] = amount
    return amount


def _fee_ratio(ctx: ScrubContext) -> Decimal:
    try:
        return Decimal(str(ctx.param("charge_below_fee_ratio", "1.00")))
    except (InvalidOperation, ValueError):
        return Decimal("1.00")


def _pfs_locality(ctx: ScrubContext) -> str:
    return str(ctx.param("pfs_locality", "") or "").strip()


@rule("PY103", "medicare-charge-below-fee", severity=Severity.INFO, kinds="P")
def medicare_charge_below_fee(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line's charge is below the Medicare physician fee schedule amount for the service.

    What it checks:
        For each 837P line priced under the Medicare PFS, the charge against the PFS amount for its units times
        the profile's ``charge_below_fee_ratio`` (default 1.00). The locality is the profile's ``pfs_locality``
        when set, else the lowest amount among the billing provider's state localities; the facility or
        non-facility rate follows the place of service, and 26/TC/53 select their own RVU row.
    Why it matters:
        Medicare pays the lower of the charge and the fee schedule amount: a charge under the PFS amount leaves
        money unpaid on every such claim (usually a stale charge master entry).
    Example:
        99213 charged 40.00 in Illinois on 2024-08-14, when the lowest Illinois PFS amount is above that.
    How to fix:
        Review the charge master price for the code; charges should be at or above the highest payer allowance.
    References:
        42 CFR 414.21 and 414.22 (PFS payment: lesser of the actual charge or the fee schedule amount); Social
        Security Act §1848(a)(1); CMS Pub. 100-04 Ch. 12 §20.
    """
    if ctx.fees is None:
        return
    ratio = per_profile(ctx, "py-fee-ratio", _fee_ratio)
    chosen = per_profile(ctx, "py-pfs-locality", _pfs_locality)
    address = facts.claim.billing_provider.address
    state = address.state if address is not None else ""
    memo = ctx.memo("py-pfs-amount")
    claim_pos = facts.claim.facility_code
    for ln in facts.lines:
        if ln.charge is None or ln.units is None or ln.units <= 0 or not ln.code:
            continue
        amount = _pfs_amount(ctx, ln, ln.place_of_service or claim_pos, chosen, state, memo)
        if amount is None:
            continue
        floor = (amount * ln.units * ratio).quantize(Decimal("0.01"))
        if ln.charge < floor:
            yield Hit(
                f"line {ln.number}: {ln.code} is charged {ln.charge} for {ln.units.normalize():f} unit(s), below the "
                f"Medicare PFS amount of {floor} on {ln.day}",
                ln.number,
                "review the charge master price: Medicare pays the lower of the charge and the fee schedule",
            )


@rule("PY104", "medicare-abn-on-file", severity=Severity.INFO)
def medicare_ga(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line carries modifier GA: an Advance Beneficiary Notice (ABN) is on file for it.

    What it checks:
        Lines with modifier GA ("waiver of liability statement issued as required by payer policy").
    Why it matters:
        GA tells the MAC the beneficiary signed an ABN; if the service is denied as not reasonable and necessary
        the patient is liable. The signed ABN (form CMS-R-131) must be kept and produced on request, or the
        practice bears the loss.
    Example:
        85025 with GA on 2024-08-14 (a CBC expected to be denied for frequency).
    How to fix:
        Nothing to change if the ABN was signed before the service; keep the form with the record.
    References:
        CMS Pub. 100-04 Ch. 30 §40.3 and §90 (ABN and the GA, GX, GY, GZ modifiers); form CMS-R-131; 42 CFR
        411.404 (limitation on liability).
    """
    for ln in facts.lines:
        if "GA" in ln.modifiers:
            yield Hit(
                f"line {ln.number}: {ln.code} carries GA: a signed ABN must be on file for this service",
                ln.number,
                "keep the signed ABN (CMS-R-131) with the record",
            )


@rule("PY105", "medicare-filing-indicator", severity=Severity.INFO)
def medicare_filing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim filing indicator (SBR09) is not a Medicare one although the Medicare profile scrubs it.

    What it checks:
        That the subscriber's claim filing indicator is MB (Medicare Part B) on 837P, MA (Medicare Part A) on
        837I, or 16 (Medicare HMO); reports a missing or other indicator, and MA on an 837P / MB on an 837I.
    Why it matters:
        The indicator routes the claim and selects the payer's edits; a commercial indicator on a Medicare
        claim, or the wrong Part, is rejected at the MAC front end or sent to the wrong adjudication.
    Example:
        SBR09 "CI" (commercial insurance) on a claim scrubbed with the Medicare profile.
    How to fix:
        Set SBR09 to MB for Part B professional claims, MA for Part A institutional claims, 16 for Medicare
        Advantage HMO; or scrub with the profile of the real payer.
    References:
        X12 005010X222A1 / 005010X223A2 2000B SBR09 (claim filing indicator code); CMS 837P and 837I Companion
        Guides (SBR09 = MB / MA).
    """
    code = _filing(facts)
    if code not in MEDICARE_FILING:
        shown = f"'{code}'" if code else "missing"
        yield Hit(
            f"claim filing indicator (SBR09) is {shown}, not a Medicare indicator (MB, MA or 16)",
            None,
            "set SBR09 to MB (Part B) or MA (Part A), or scrub with the right payer profile",
        )
    elif (facts.kind == "P" and code == "MA") or (facts.kind == "I" and code == "MB"):
        part = "MB (Part B)" if facts.kind == "P" else "MA (Part A)"
        yield Hit(
            f"claim filing indicator {code} does not match an {facts.kind} claim: Medicare expects {part}",
            None,
            f"set SBR09 to {part[:2]}",
        )


@rule("PY106", "medicare-gz-no-abn", severity=Severity.WARNING)
def medicare_gz(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line carries modifier GZ: the service is expected to be denied and no ABN was obtained.

    What it checks:
        Lines with modifier GZ ("item or service expected to be denied as not reasonable and necessary, no ABN on
        file").
    Why it matters:
        MACs deny GZ lines automatically (CARC 50 with group CO): the provider is liable and cannot bill the
        beneficiary. Billing it is lawful, but it is revenue lost.
    Example:
        93000 with GZ on 2024-08-14.
    How to fix:
        If an ABN was signed use GA instead; otherwise expect the denial (some practices hold such lines).
    References:
        CMS Pub. 100-04 Ch. 30 §90 (GZ modifier, automatic denial) and §40.3 (ABN); 42 CFR 411.404.
    """
    for ln in facts.lines:
        if "GZ" in ln.modifiers and "GA" not in ln.modifiers:
            yield Hit(
                f"line {ln.number}: {ln.code} carries GZ (no ABN): Medicare will deny it and the patient cannot be "
                "billed",
                ln.number,
                "use GA if an ABN was signed; otherwise expect a provider-liable denial",
            )


@rule("PY107", "medicare-ga-with-gz", severity=Severity.ERROR)
def medicare_ga_gz(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line carries both GA (ABN on file) and GZ (no ABN): the modifiers contradict each other.

    What it checks:
        Lines whose modifiers include both GA and GZ.
    Why it matters:
        One says an ABN was signed, the other that none was: Medicare returns such lines as unprocessable
        (CARC 16 / RARC MA130) and liability cannot be determined.
    Example:
        85025 with modifiers GA and GZ.
    How to fix:
        Keep GA when the patient signed an ABN before the service, GZ when not; never both.
    References:
        CMS Pub. 100-04 Ch. 30 §90 (GA and GZ may not be reported on the same line); form CMS-R-131.
    """
    for ln in facts.lines:
        if "GA" in ln.modifiers and "GZ" in ln.modifiers:
            yield Hit(
                f"line {ln.number}: {ln.code} carries both GA and GZ",
                ln.number,
                "keep GA (ABN signed) or GZ (no ABN), not both",
            )


# -- Medicaid (PY2xx) --------------------------------------------------------------------------------------------

NDC_DEFAULT = ("J", "Q0", "Q2", "Q4", "Q5", "Q9", "C9", "90")
VACCINE_PRODUCTS = (("90281", "90399"), ("90476", "90759"))
"""CPT immune globulin and vaccine/toxoid product codes: the drug codes inside the 90xxx Medicine section."""
PRIOR_AUTH_PATTERN = r"[A-Z0-9-]{1,50}"


NOT_DRUGS = (
    ("Q0035", "Q0035"),  # cardiokymography
    ("Q0081", "Q0092"),  # infusion/chemotherapy administration, Pap smear collection, portable X-ray set-up
    ("Q0111", "Q0115"),  # office microscopy (wet mount, KOH, pinworm, fern, post-coital)
    ("Q0477", "Q0509"),  # ventricular assist device supplies
    ("Q4001", "Q4051"),  # cast and splint supplies
    ("Q5001", "Q5010"),  # hospice and home health place-of-care codes (not the Q51xx biosimilars)
    ("C9352", "C9364"),  # implanted collagen matrices and skin substitutes (devices)
)
"""HCPCS ranges inside the default drug prefixes (Q0, Q4, Q5, C9) that are services, supplies or devices."""


def _needs_ndc(code: str, prefixes: frozenset[str]) -> bool:
    if any(low <= code <= high for low, high in NOT_DRUGS if len(code) == len(low)):
        return False
    for p in prefixes:
        if "-" in p:
            low, _, high = p.partition("-")
            if len(code) == len(low) and low <= code <= high:
                return True
        elif code.startswith(p):
            if code[:1].isdigit():  # a CPT prefix: only the drug products, not administration or psychiatry
                return any(low <= code <= high for low, high in VACCINE_PRODUCTS)
            return True
    return False


def _ndc_prefixes(ctx: ScrubContext) -> frozenset[str]:
    return ctx.set_param("ndc_required_prefixes", frozenset(NDC_DEFAULT))


@rule("PY201", "medicaid-ndc-missing", severity=Severity.ERROR)
def medicaid_ndc(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A physician-administered drug line has no National Drug Code (NDC).

    What it checks:
        Lines whose HCPCS/CPT code starts with one of the profile's ``ndc_required_prefixes`` (default J, Q0, Q2,
        Q4, Q5, Q9, C9 and CPT 90xxx; entries may also be ranges "A-B"; a numeric CPT prefix only covers the
        immune globulin and vaccine product codes 90281-90399 and 90476-90759) and carry no NDC (2410 LIN03).
        Codes under those prefixes that are not drugs are left alone: Q0035, Q0081-Q0092, Q0111-Q0115, Q0477-Q0509
        (services, VAD supplies), Q4001-Q4051 (cast supplies), Q5001-Q5010 (hospice place of care), C9352-C9364
        (implanted matrices).
    Why it matters:
        States must collect NDCs for physician-administered drugs to invoice manufacturer rebates; Medicaid
        denies drug lines without an NDC (CARC 16 / RARC M119).
    Example:
        J1100 (dexamethasone sodium phosphate, 1 mg) on 2024-08-14 without an NDC.
    How to fix:
        Enter the 11-digit NDC (5-4-2) of the package used, with its quantity and unit (LIN/CTP in 2410).
    References:
        Deficit Reduction Act of 2005 §6002 (Social Security Act §1927(a)(7)); 42 CFR 447.520; X12 005010X222A1
        2410 LIN03 and CTP04/CTP05-1.
    """
    prefixes = per_profile(ctx, "py-ndc-prefixes", _ndc_prefixes)
    memo = ctx.memo("py-needs-ndc")
    for ln in facts.lines:
        if not ln.code or ln.line.ndc.strip():
            continue
        key = (prefixes, ln.code)
        needs = memo.get(key)
        if needs is None:
            needs = memo[key] = _needs_ndc(ln.code, prefixes)
        if needs:
            yield Hit(
                f"line {ln.number}: drug code {ln.code} has no NDC",
                ln.number,
                "enter the 11-digit NDC with its quantity and unit of measure",
            )


@rule("PY202", "medicaid-filing-indicator", severity=Severity.INFO)
def medicaid_filing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim filing indicator (SBR09) is not MC although the Medicaid profile scrubs the claim.

    What it checks:
        That the subscriber's claim filing indicator is MC (Medicaid).
    Why it matters:
        State Medicaid front ends and clearinghouses route on SBR09; another indicator sends the claim to the
        wrong edits or has it rejected.
    Example:
        SBR09 "CI" on a claim scrubbed with the Medicaid profile.
    How to fix:
        Set SBR09 to MC for Medicaid fee-for-service (managed-care plans may require their own indicator: use
        their profile).
    References:
        X12 005010X222A1 / 005010X223A2 2000B SBR09 (code MC "Medicaid"); state Medicaid 837 companion guides.
    """
    code = _filing(facts)
    if code != "MC":
        shown = f"'{code}'" if code else "missing"
        yield Hit(
            f"claim filing indicator (SBR09) is {shown}, not MC (Medicaid)",
            None,
            "set SBR09 to MC, or scrub with the right payer profile",
        )


@rule("PY203", "medicaid-ndc-quantity-missing", severity=Severity.ERROR)
def medicaid_ndc_quantity(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line has an NDC but no NDC quantity or unit of measure.

    What it checks:
        Lines with an NDC (2410 LIN03) whose NDC quantity (CTP04) is missing or not positive, or whose unit of
        measure (CTP05-1: F2, GR, ME, ML, UN) is missing.
    Why it matters:
        Rebates are invoiced in NDC units; Medicaid rejects drug lines whose NDC has no quantity or unit (the
        X12 TR3 requires CTP when LIN is sent).
    Example:
        J1100 with NDC 63323016501 and no quantity.
    How to fix:
        Enter the quantity of the NDC package units administered and its unit (ML, UN, GR, F2, ME).
    References:
        42 CFR 447.520 (NDC for physician-administered drugs); X12 005010X222A1 2410 CTP04 and CTP05-1.
    """
    for ln in facts.lines:
        src = ln.line
        if not src.ndc.strip():
            continue
        qty = src.ndc_quantity
        if qty is None or qty <= 0 or src.ndc_unit.strip().upper() not in {"F2", "GR", "ME", "ML", "UN"}:
            yield Hit(
                f"line {ln.number}: {ln.code} has an NDC without a valid quantity and unit of measure",
                ln.number,
                "enter CTP04 (quantity) and CTP05-1 (F2, GR, ME, ML or UN)",
            )


@rule("PY204", "medicaid-prior-auth-format", severity=Severity.WARNING)
def medicaid_prior_auth(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The prior authorization number does not have the format the state Medicaid program issues.

    What it checks:
        When the claim carries a prior authorization number (2300 REF*G1), that it matches the profile's
        ``prior_authorization_pattern`` (a regular expression, matched in full against the upper-cased value;
        default: 1-50 letters, digits or hyphens).
    Why it matters:
        The state matches the number against its authorization file; a mistyped number (spaces, a payer
        prefix, too long) finds no authorization and the service is denied (CARC 197/15).
    Example:
        "PA 12345" (with a space) under the default pattern.
    How to fix:
        Copy the authorization number exactly as issued, without spaces or labels.
    References:
        42 CFR 440.230(d) (utilization controls such as prior authorization); X12 005010X222A1 2300 REF*G1
        (REF02 1-50 characters); state Medicaid provider manuals.
    """
    number = facts.claim.prior_authorization.strip().upper()
    if not number:
        return
    pattern = str(ctx.param("prior_authorization_pattern", PRIOR_AUTH_PATTERN))
    memo = ctx.memo("py-patterns")
    compiled = memo.get(pattern)
    if compiled is None:
        try:
            compiled = memo[pattern] = re.compile(pattern)
        except re.error:
            compiled = memo[pattern] = re.compile(PRIOR_AUTH_PATTERN)
    if compiled.fullmatch(number) is None:
        yield Hit(
            f"the prior authorization number ({len(number)} characters) does not match the expected format",
            None,
            "enter the authorization number exactly as the state issued it",
        )


@rule("PY205", "medicaid-not-payer-of-last-resort", severity=Severity.WARNING)
def medicaid_last_resort(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Medicaid is billed as the primary payer although the claim names another payer.

    What it checks:
        Claims whose subscriber payer responsibility (SBR01) is P (primary) while other payers are listed on the
        claim (2320/2330 loops).
    Why it matters:
        Medicaid is the payer of last resort: other coverage must pay first, and the state denies or recovers
        payment when other insurance exists (CARC 22 "may be covered by another payer").
    Example:
        A Medicaid claim with SBR01 = P and a commercial plan in a 2320 loop.
    How to fix:
        Bill the other payer first and send Medicaid the claim as secondary (SBR01 = S) with the other payer's
        adjudication (2320 AMT/CAS, 2430).
    References:
        Social Security Act §1902(a)(25); 42 CFR 433.139 (payment of claims with third-party liability);
        X12 005010X222A1 2000B SBR01 and 2320.
    """
    if facts.claim.other_payers and facts.claim.subscriber.payer_responsibility.strip().upper() == "P":
        yield Hit(
            f"Medicaid is billed as primary (SBR01 P) while {len(facts.claim.other_payers)} other payer(s) are on the "
            "claim",
            None,
            "bill the other payer first and send Medicaid the claim as secondary",
        )


# -- commercial (PY3xx) ------------------------------------------------------------------------------------------


@rule("PY301", "commercial-prior-auth-missing", severity=Severity.ERROR)
def commercial_prior_auth(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A service the plan lists as requiring prior authorization is billed without an authorization number.

    What it checks:
        Lines whose code is in the profile's ``prior_authorization_required`` codes or ranges (e.g. advanced
        imaging 70551-70553, echocardiography 93306) when the claim has no prior authorization number
        (2300 REF*G1). Without the parameter nothing is checked.
    Why it matters:
        Plans deny services that needed an authorization and have none on the claim (CARC 197 "precertification/
        authorization absent"); retro-authorization is rarely granted.
    Example:
        70553 (MRI brain without and with contrast) on 2024-08-14 with no REF*G1.
    How to fix:
        Enter the authorization number obtained before the service; if none was obtained, request a retro
        authorization before billing.
    References:
        X12 005010X222A1 / 005010X223A2 2300 REF*G1 (prior authorization); the plan's provider manual and
        utilization-management list; CARC 197.
    """
    if facts.claim.prior_authorization.strip():
        return
    ranges = per_profile(ctx, "py-prior-auth-ranges", _prior_auth_ranges)
    if not ranges:
        return
    for ln in facts.lines:
        if ln.code and ln.code in ranges:
            yield Hit(
                f"line {ln.number}: {ln.code} requires prior authorization and the claim has no authorization number",
                ln.number,
                "enter the prior authorization number (2300 REF*G1)",
            )


@rule("PY302", "commercial-medicare-filing-indicator", severity=Severity.WARNING)
def commercial_filing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A claim scrubbed with a commercial profile carries a Medicare Part A/B filing indicator.

    What it checks:
        That the subscriber's claim filing indicator (SBR09) is not MA (Medicare Part A) or MB (Medicare Part B)
        on a claim scrubbed as commercial.
    Why it matters:
        Either the indicator is wrong (the commercial plan rejects or misroutes the claim) or the claim is really
        a Medicare claim and is being scrubbed (and sent) to the wrong payer.
    Example:
        SBR09 "MB" on a claim to a commercial plan.
    How to fix:
        Use the commercial indicator (CI, BL, HM …) or, for a Medicare beneficiary, bill Medicare with the
        Medicare profile.
    References:
        X12 005010X222A1 / 005010X223A2 2000B SBR09 (claim filing indicator code list).
    """
    code = _filing(facts)
    if code in {"MA", "MB"}:
        yield Hit(
            f"claim filing indicator {code} (Medicare Part {code[1]}) on a claim scrubbed as commercial",
            None,
            "use the plan's commercial indicator, or bill Medicare",
        )


@rule("PY303", "commercial-hmo-referral-missing", severity=Severity.WARNING)
def commercial_hmo_referral(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An HMO claim has neither a referral number nor a referring provider.

    What it checks:
        When the claim filing indicator is HM (health maintenance organization) and the profile's
        ``hmo_referral_required`` is true (default), that the claim carries a referral number (2300 REF*9F) or a
        referring provider (2310A).
    Why it matters:
        HMO plans pay specialist and outpatient services only on referral from the primary care physician; a
        claim without one is denied (CARC 197/288 "referral absent").
    Example:
        A specialist 99213 billed to an HMO (SBR09 HM) with no REF*9F and no 2310A.
    How to fix:
        Enter the referral number from the PCP's referral (REF*9F) and the referring PCP (2310A).
    References:
        X12 005010X222A1 2300 REF*9F (referral number) and 2310A (referring provider); the plan's provider manual.
    """
    if _filing(facts) != "HM" or not ctx.bool_param("hmo_referral_required", True):
        return
    if facts.claim.referral_number.strip() or _has_referring(facts):
        return
    yield Hit(
        "HMO claim (SBR09 HM) without a referral number or referring provider",
        None,
        "enter the referral number (REF*9F) and the referring provider (2310A)",
    )
