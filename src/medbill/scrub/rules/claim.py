"""CL rules: claim structure and the fields the 837P (005010X222A1) and 837I (005010X223A2) TR3s require.

These are the edits a clearinghouse front end runs before a payer ever sees the claim: a missing or malformed
required field produces a 999/277CA rejection, not a denial, so the claim never enters adjudication.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from medbill.codes.editions import CodeSystem
from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts
from medbill.scrub.registry import Hit, rule

CLAIM_ID_MAX = 20
MAX_LINES = {"P": 50, "I": 999}
SEX_CODES = frozenset({"M", "F", "U"})
FILING_INDICATORS = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "AM",
        "BL",
        "CH",
        "CI",
        "DS",
        "FI",
        "HM",
        "LM",
        "MA",
        "MB",
        "MC",
        "OF",
        "TV",
        "VA",
        "WC",
        "ZZ",
    ]
)
FREQUENCY_P = frozenset({"1", "6", "7", "8"})
FREQUENCY_I = frozenset(
    [
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "7",
        "8",
        "9",
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        "G",
        "H",
        "I",
        "J",
        "K",
        "M",
        "O",
        "P",
        "Q",
    ]
)
"""NUBC claim frequency codes (UB-04 FL 4, third digit) including the CMS-recognised letter codes."""
TOB_FACILITY = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "18",
        "21",
        "22",
        "23",
        "28",
        "32",
        "33",
        "34",
        "41",
        "43",
        "65",
        "66",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "77",
        "79",
        "81",
        "82",
        "83",
        "84",
        "85",
        "86",
        "89",
    ]
)
"""First two type-of-bill digits (NUBC facility type + bill classification) in current use."""
INPATIENT_TOB = frozenset({"11", "18", "21"})
PATIENT_STATUS = frozenset(
    [
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        "09",
        "20",
        "21",
        "30",
        "40",
        "41",
        "42",
        "43",
        "50",
        "51",
        "61",
        "62",
        "63",
        "64",
        "65",
        "66",
        "69",
        "70",
        "81",
        "82",
        "83",
        "84",
        "85",
        "86",
        "87",
        "88",
        "89",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
    ]
)
"""NUBC patient discharge status codes (UB-04 FL 17)."""
HOSPICE_STATUS = frozenset({"40", "41", "42"})
"""Expired at home / in a facility / place unknown: NUBC reserves them for hospice claims (type of bill 81x, 82x)."""
HOSPICE_TOB = frozenset({"81", "82"})
MCE_INPATIENT_SINCE: dict[str, date] = {
    "21": date(2009, 10, 1),
    "43": date(2003, 10, 1),
    "61": date(2001, 10, 1),
    "62": date(2001, 10, 1),
    "63": date(2001, 10, 1),
    "64": date(2002, 10, 1),
    "65": date(2003, 10, 1),
    "66": date(2005, 10, 1),
    "69": date(2013, 10, 1),
    "70": date(2008, 4, 1),
    **{str(n): date(2013, 10, 1) for n in range(81, 96)},
    **{c: date(1980, 10, 1) for c in ("01", "02", "03", "04", "05", "06", "07", "20", "30", "50", "51")},
}
"""The CMS Medicare Code Editor's valid discharge statuses for inpatient claims, with their first discharge date
(MCE discharge status table; the retired 08, 10, 13, 22, 23, 71 and 72 are not NUBC codes any more). 09 (admitted
as an inpatient to this hospital) is an outpatient-claim status and 40-42 hospice-only, so the MCE rejects them."""
FACILITY_POS = frozenset({"19", "21", "22", "23", "24", "26", "31", "34", "51", "52", "56", "61"})
KIND_CONFLICTS: dict[str, frozenset[str]] = {
    "office": FACILITY_POS,
    "clinic": FACILITY_POS,
    "hospital": frozenset({"11", "12", "13", "14", "16", "32", "33", "49", "50", "71", "72"}),
    "home": frozenset({"11", "19", "21", "22", "23", "24", "31", "49", "50", "51", "61"}),
    "asc": frozenset({"11", "12", "21", "22", "23"}),
}
PATIENT_RELATIONSHIPS = frozenset({"01", "19", "20", "21", "39", "40", "53", "G8"})
CAUSE_CODES = frozenset({"AA", "EM", "OA"})
SECONDARY = frozenset({"S", "T", "A", "B", "C", "D", "E", "F", "G", "H"})
MAX_POINTERS = 4


def _pos_ok(code: str, facts: ClaimFacts, ctx: ScrubContext) -> bool:
    day = facts.first_day
    memo = ctx.memo("cl-pos")
    key = (code, day)
    known = memo.get(key)
    if known is None:
        rec = ctx.catalog(CodeSystem.POS, code) if code else None
        known = (
            rec is not None
            and (day is None or rec.period_on(day) is not None)
            and rec.detail.get("setting") != "Unassigned"
        )
        memo[key] = known
    return bool(known)


@rule("CL001", "claim-id-invalid")
def claim_id_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The patient control number (CLM01) is missing or longer than 20 characters.

    What it checks:
        CLM01 (2300 CLM, the claim submitter's identifier) must be present and, although the element allows 38
        characters, it must not exceed the 20 characters receivers are required to store and return.
    Why it matters:
        The number comes back on the 277CA and the 835 (CLP01); a payer truncates anything past 20 characters,
        so remittances and acknowledgements cannot be matched to the claim, and an empty CLM01 is a
        syntax rejection (999 IK4).
    Example:
        CLM01 "ENC-2024-08-14-DOE-OFFICE-VISIT-0001" (36 characters).
    How to fix:
        Use a short unique patient account/claim number of at most 20 characters.
    References:
        X12 005010X222A1 and 005010X223A2, 2300 CLM01 usage note ("the maximum number of characters to be
        supported for this field is 20"); X12 835 005010X221A1 CLP01.
    """
    cid = facts.claim_id.strip()
    if not cid:
        yield Hit("the claim has no patient control number (CLM01)", None, "assign a unique claim number")
    elif len(cid) > CLAIM_ID_MAX:
        yield Hit(
            f"patient control number is {len(cid)} characters; receivers keep only {CLAIM_ID_MAX}",
            None,
            "shorten CLM01 to 20 characters or fewer",
        )


@rule("CL002", "total-charge-missing")
def total_charge_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The total claim charge (CLM02) is missing or negative.

    What it checks:
        CLM02 must be a readable amount of zero or more.
    Why it matters:
        CLM02 is a required element; an empty or negative total is rejected by the clearinghouse or payer front
        end (999 IK4).
    Example:
        CLM02 empty on a claim with three lines.
    How to fix:
        Report the sum of the line charges in CLM02.
    References:
        X12 005010X222A1 and 005010X223A2, 2300 CLM02 (Total Claim Charge Amount, required).
    """
    total = facts.claim.total_charge
    if total is None:
        yield Hit("the total claim charge (CLM02) is missing or unreadable", None, "report the sum of line charges")
    elif total < 0:
        yield Hit(f"the total claim charge {total} is negative", None, "charges are reported as positive amounts")


@rule("CL003", "total-charge-mismatch")
def total_charge_mismatch(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The total claim charge (CLM02) does not equal the sum of the service line charges.

    What it checks:
        CLM02 compared, as exact decimals, with the sum of SV102 (837P) or SV203 (837I) over all lines.
    Why it matters:
        The TR3 requires the claim total to balance to the lines; clearinghouses and payers reject an
        unbalanced claim at the front end (277CA rejection).
    Example:
        CLM02 180.00 with line charges 125.00 + 15.00 + 30.00 = 170.00.
    How to fix:
        Recompute CLM02 from the lines (or correct the line that is wrong).
    References:
        X12 005010X222A1 2300 CLM02 note ("must balance to the sum of all service line charge amounts");
        X12 005010X223A2 2300 CLM02 note.
    """
    total = facts.claim.total_charge
    if total is None or not facts.lines:
        return
    lines = facts.claim.line_total
    if total != lines:
        yield Hit(
            f"total claim charge {total} does not equal the sum of line charges {lines}",
            None,
            "make CLM02 the exact sum of the line charges",
        )


@rule("CL004", "no-service-lines")
def no_service_lines(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim has no service lines.

    What it checks:
        At least one 2400 service line (LX/SV1 or LX/SV2) is present.
    Why it matters:
        Loop 2400 is required (minimum one repetition); a claim without lines is rejected as non-compliant.
    Example:
        A claim with diagnoses and a total but an empty line list.
    How to fix:
        Add the services performed, each with its procedure or revenue code and charge.
    References:
        X12 005010X222A1 Loop 2400 (required, 1-50); X12 005010X223A2 Loop 2400 (required, 1-999).
    """
    if not facts.lines:
        yield Hit("the claim has no service lines (loop 2400)", None, "add at least one service line")


@rule("CL005", "too-many-lines")
def too_many_lines(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim has more service lines than the TR3 allows (50 on an 837P, 999 on an 837I).

    What it checks:
        The number of 2400 loops against the loop repeat limit of the claim's guide.
    Why it matters:
        A loop over its repeat count fails 999 syntax validation and the whole claim is rejected.
    Example:
        An 837P with 51 service lines.
    How to fix:
        Split the services into two claims (each with its own total) or combine identical lines with units.
    References:
        X12 005010X222A1 Loop 2400 repeat 50; X12 005010X223A2 Loop 2400 repeat 999.
    """
    limit = MAX_LINES.get(facts.kind, 50)
    if len(facts.lines) > limit:
        yield Hit(
            f"{len(facts.lines)} service lines; the 837{facts.kind} allows {limit}",
            None,
            "split the claim",
        )


@rule("CL006", "name-missing")
def name_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The subscriber's or the patient's last name (NM103) is missing.

    What it checks:
        2010BA NM103 (subscriber) and, when a 2000C patient loop exists, 2010CA NM103 (patient) are present.
    Why it matters:
        Both names are required; the payer matches the member by name and id and rejects the claim otherwise
        (277CA rejection / CARC 16).
    Example:
        A dependant claim whose patient loop has no last name.
    How to fix:
        Enter the names exactly as on the member's insurance card.
    References:
        X12 005010X222A1 and 005010X223A2, 2010BA NM103 and 2010CA NM103 (required).
    """
    if not facts.claim.subscriber.party.last_or_org.strip():
        yield Hit("the subscriber's last name (2010BA NM103) is missing", None, "enter the subscriber's name")
    patient = facts.claim.patient
    if patient is not None and not patient.party.last_or_org.strip():
        yield Hit("the patient's last name (2010CA NM103) is missing", None, "enter the patient's name")


@rule("CL007", "member-id-missing")
def member_id_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The subscriber's member identification number (2010BA NM109) is missing.

    What it checks:
        The subscriber's primary identifier (NM108 "MI", NM109) is present.
    Why it matters:
        The payer cannot find the member's eligibility without it; the claim is rejected at the front end or
        denied with CARC 31, patient cannot be identified as our insured).
    Example:
        A claim whose subscriber has an empty member id.
    How to fix:
        Copy the member id from the insurance card or an eligibility (271) response.
    References:
        X12 005010X222A1 and 005010X223A2, 2010BA NM108/NM109 (required); CARC 31.
    """
    sub = facts.claim.subscriber
    if not (sub.member_id.strip() or sub.party.id.strip()):
        yield Hit("the subscriber's member id (2010BA NM109) is missing", None, "enter the member id")


@rule("CL008", "demographics-missing")
def demographics_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The patient's birth date or sex (DMG) is missing.

    What it checks:
        When the subscriber is the patient, 2010BA DMG02 (birth date) and DMG03 (sex) are present; when a
        2000C patient loop exists, 2010CA DMG02 and DMG03 are.
    Why it matters:
        The DMG segment is required for the patient; age and sex edits and member matching depend on it and
        payers reject claims without it (CARC 16, missing information).
    Example:
        Subscriber-patient with no birth date.
    How to fix:
        Record the patient's birth date and sex from registration.
    References:
        X12 005010X222A1 and 005010X223A2, 2010BA DMG ("required when the subscriber is the patient") and
        2010CA DMG (required).
    """
    claim = facts.claim
    if claim.patient is None:
        who, birth, sex, loop = "subscriber (the patient)", claim.subscriber.birth_date, claim.subscriber.sex, "2010BA"
    else:
        who, birth, sex, loop = "patient", claim.patient.birth_date, claim.patient.sex, "2010CA"
    if birth is None:
        yield Hit(f"the {who} has no birth date ({loop} DMG02)", None, "record the birth date")
    if not sex.strip():
        yield Hit(f"the {who} has no sex code ({loop} DMG03)", None, "record M, F or U")


@rule("CL009", "sex-code-invalid")
def sex_code_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A sex code (DMG03) other than M, F or U.

    What it checks:
        The subscriber's and the patient's DMG03, when present, are one of M (male), F (female), U (unknown).
    Why it matters:
        DMG03 is an ID element with a closed code list in both guides; any other value fails 999 validation.
    Example:
        DMG03 "X" or "Female".
    How to fix:
        Map the practice's sex/gender values to M, F or U for the claim.
    References:
        X12 005010X222A1 and 005010X223A2, 2010BA and 2010CA DMG03 (code list F, M, U).
    """
    claim = facts.claim
    sex = claim.subscriber.sex.strip().upper()
    if sex and sex not in SEX_CODES:
        yield Hit(f"subscriber sex code {sex!r} is not M, F or U", None, "use M, F or U")
    if claim.patient is not None:
        psex = claim.patient.sex.strip().upper()
        if psex and psex not in SEX_CODES:
            yield Hit(f"patient sex code {psex!r} is not M, F or U", None, "use M, F or U")


@rule("CL010", "payer-missing")
def payer_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The payer's name (2010BB NM103) or payer id (NM109) is missing.

    What it checks:
        Both the payer name and the payer identifier of loop 2010BB are present.
    Why it matters:
        The clearinghouse routes the claim by payer id; without it the claim cannot be delivered and is
        rejected as an unknown payer.
    Example:
        Payer "ACME HEALTH PLAN" with no payer id.
    How to fix:
        Use the payer id from the clearinghouse payer list for the member's plan.
    References:
        X12 005010X222A1 and 005010X223A2, 2010BB NM103 and NM108/NM109 (required).
    """
    payer = facts.claim.payer
    if not payer.name.strip():
        yield Hit("the payer name (2010BB NM103) is missing", None, "enter the payer name")
    if not payer.payer_id.strip():
        yield Hit("the payer id (2010BB NM109) is missing", None, "enter the payer id from the payer list")


@rule("CL011", "filing-indicator-invalid")
def filing_indicator_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim filing indicator (SBR09) is missing or not an X12 code.

    What it checks:
        2000B SBR09 is one of 11-17, AM, BL, CH, CI, DS, FI, HM, LM, MA, MB, MC, OF, TV, VA, WC, ZZ.
    Why it matters:
        SBR09 tells the payer which line of business (Medicare Part B, Medicaid, commercial…) pays; an empty
        or unknown value is rejected by most payers and clearinghouses.
    Example:
        SBR09 "XX" or empty on a commercial claim.
    How to fix:
        Set the filing indicator from the member's plan type (CI commercial, MB Medicare Part B, MC Medicaid…).
    References:
        X12 005010X222A1 and 005010X223A2, 2000B SBR09 (element 1032 code list).
    """
    code = facts.claim.subscriber.claim_filing_indicator.strip().upper()
    if not code:
        yield Hit("the claim filing indicator (SBR09) is missing", None, "set SBR09 from the plan type")
    elif code not in FILING_INDICATORS:
        yield Hit(f"claim filing indicator {code!r} is not an X12 code", None, "use a code from element 1032")


@rule("CL012", "frequency-invalid")
def frequency_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim frequency code (CLM05-3) is missing or not valid for the claim type.

    What it checks:
        On an 837P, CLM05-3 is 1 (original), 6 (corrected), 7 (replacement) or 8 (void); on an 837I it is a
        NUBC frequency code (type of bill third digit: 0-5, 7, 8, 9 or a CMS letter code).
    Why it matters:
        The frequency code tells the payer whether the claim is new or changes an earlier one; an unknown
        value is rejected at the front end.
    Example:
        CLM05-3 "2" on an 837P (interim billing exists only for institutional claims).
    How to fix:
        Use 1 for a first submission, 7 to replace and 8 to void a claim the payer already processed.
    References:
        X12 005010X222A1 2300 CLM05-3 (NUBC code source 235); X12 005010X223A2 2300 CLM05-3; NUBC UB-04
        manual FL 04 type of bill, frequency codes.
    """
    code = facts.claim.frequency_code.strip().upper()
    valid = FREQUENCY_I if facts.kind == "I" else FREQUENCY_P
    if code not in valid:
        yield Hit(
            f"claim frequency code {code or '(empty)'!r} is not valid on an 837{facts.kind}",
            None,
            "use 1 (original), 7 (replacement) or 8 (void)",
        )


@rule("CL013", "replacement-without-reference")
def replacement_without_reference(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A replacement (7) or void (8) claim without the payer's claim control number (REF*F8).

    What it checks:
        When CLM05-3 is 7 or 8, 2300 REF*F8 (the payer claim control number of the claim being changed) is
        present.
    Why it matters:
        The payer cannot tell which claim to replace or void; it rejects the claim or, worse, processes it as
        a new claim and denies it as a duplicate (CARC 18).
    Example:
        Frequency 7 with an empty payer claim control number.
    How to fix:
        Copy the payer's claim number from the 835 (CLP07) of the original claim into REF*F8.
    References:
        X12 005010X222A1 and 005010X223A2, 2300 REF*F8 (required when CLM05-3 is 7 or 8).
    """
    if facts.claim.frequency_code.strip() in ("7", "8") and not facts.claim.payer_claim_control_number.strip():
        yield Hit(
            f"frequency {facts.claim.frequency_code.strip()} claim without the payer claim control number (REF*F8)",
            None,
            "copy CLP07 of the original claim's remittance into REF*F8",
        )


@rule("CL014", "original-with-reference", severity=Severity.WARNING)
def original_with_reference(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An original claim (frequency 1) carries a payer claim control number (REF*F8).

    What it checks:
        CLM05-3 is 1 and 2300 REF*F8 is nonetheless filled.
    Why it matters:
        REF*F8 is only sent when changing an earlier claim; its presence on an original usually means the
        claim was meant as a replacement (7), and a resubmitted original is denied as a duplicate (CARC 18).
    Example:
        Frequency 1 with payer claim control number 2024123456789.
    How to fix:
        Use frequency 7 to replace the earlier claim, or remove REF*F8 if this really is a new claim.
    References:
        X12 005010X222A1 and 005010X223A2, 2300 REF*F8 situational rule; CARC 18 (duplicate claim).
    """
    if facts.claim.frequency_code.strip() == "1" and facts.claim.payer_claim_control_number.strip():
        yield Hit(
            "original claim (frequency 1) carries a payer claim control number",
            None,
            "send it as a replacement (7) or drop REF*F8",
        )


@rule("CL015", "place-of-service-invalid", kinds="P")
def place_of_service_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The place of service (CLM05-1 or SV105) is not a CMS place of service code on the date.

    What it checks:
        The claim place of service and every line's place of service are assigned POS codes (not "Unassigned")
        in the CMS place of service code set on the date of service.
    Why it matters:
        Payers price professional services by place of service (facility vs non-facility RVUs); an invalid
        code is rejected (CARC 5 / 58, place of service invalid).
    Example:
        CLM05-1 "30" (unassigned) or "1" (one digit).
    How to fix:
        Use the two-digit CMS code for where the service was furnished (11 office, 22 outpatient hospital…).
    References:
        CMS Place of Service Code Set; CMS IOM 100-04 Chapter 26 Section 10.5; X12 005010X222A1 2300 CLM05-1
        and 2400 SV105; CARC 58.
    """
    pos = facts.claim.facility_code.strip()
    if not _pos_ok(pos, facts, ctx):
        yield Hit(f"place of service {pos or '(empty)'!r} (CLM05-1) is not a valid POS code", None, "use a CMS POS")
    for ln in facts.lines:
        own = ln.line.place_of_service.strip()
        if own and own != pos and not _pos_ok(own, facts, ctx):
            yield Hit(f"line {ln.number}: place of service {own!r} is not a valid POS code", ln.number, "use a CMS POS")


@rule("CL016", "facility-pos-without-location", severity=Severity.WARNING, kinds="P")
def facility_pos_without_location(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A facility place of service (hospital, ASC, SNF …) with no service facility location (2310C).

    What it checks:
        When the claim or a line is billed in a facility POS (19, 21, 22, 23, 24, 26, 31, 34, 51, 52, 56, 61),
        loop 2310C (service facility location) is present, instead of the billing provider's address standing
        in for where the service was done.
    Why it matters:
        2310C is required when the service location differs from the billing address; a practice does not
        operate the hospital, so the billing address cannot be the facility. Payers (and Medicare locality
        pricing) use the facility address; claims without it are rejected or mispriced.
    Example:
        POS 22 (on-campus outpatient hospital) with no 2310C, billing address 100 MAIN ST (the clinic).
    How to fix:
        Add the hospital/ASC name, NPI and street address in 2310C.
    References:
        X12 005010X222A1 2310C NM1*77 situational rule; CMS IOM 100-04 Chapter 26 Section 10.2 (item 32).
    """
    if facts.claim.service_facility is not None:
        return
    seen: set[str] = set()
    for ln in facts.lines:
        pos = ln.place_of_service
        if pos in FACILITY_POS and pos not in seen:
            seen.add(pos)
            yield Hit(
                f"place of service {pos} is a facility but no service facility location (2310C) is given",
                None,
                "add the facility's name, NPI and address in loop 2310C",
            )
    if not facts.lines and facts.claim.facility_code in FACILITY_POS:
        yield Hit(f"place of service {facts.claim.facility_code} without a service facility location", None, None)


@rule("CL017", "pos-contradicts-location", severity=Severity.WARNING, kinds="P")
def pos_contradicts_location(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The place of service contradicts the practice's record of where the service happened.

    What it checks:
        When the practice recorded the location kind (extras.facility_kind: office, clinic, hospital, home,
        asc), the claim and line POS codes are compared with it: an office with a hospital POS (21, 22, 23…),
        a hospital with an office or home POS (11, 12…), and so on.
    Why it matters:
        A wrong POS pays the wrong rate (facility vs non-facility) and is a frequent OIG audit finding; an
        overpayment found later is recouped.
    Example:
        facility_kind "office" with POS 22.
    How to fix:
        Use the POS of where the patient actually was (CMS POS definitions), or correct the location record.
    References:
        CMS IOM 100-04 Chapter 26 Section 10.5 (place of service instructions); CMS Place of Service Code Set;
        X12 005010X222A1 2300 CLM05-1.
    """
    kind = facts.extras.facility_kind.strip().lower()
    if not kind:
        return
    conflicts = KIND_CONFLICTS.get(kind)
    if conflicts is None:
        return
    seen: set[str] = set()
    for ln in facts.lines:
        pos = ln.place_of_service
        if pos in conflicts and pos not in seen:
            seen.add(pos)
            yield Hit(f"place of service {pos} contradicts the recorded location kind {kind!r}", None, "fix the POS")
    if not facts.lines and facts.claim.facility_code in conflicts:
        yield Hit(f"place of service {facts.claim.facility_code} contradicts location kind {kind!r}", None, None)


@rule("CL018", "type-of-bill-invalid", kinds="I")
def type_of_bill_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The 837I type of bill (CLM05-1 facility type and classification) is not a NUBC code in use.

    What it checks:
        CLM05-1 is two digits naming a facility type and bill classification in use (11 hospital inpatient,
        13 hospital outpatient, 21 SNF inpatient, 71 RHC, 85 CAH, …) and CLM05-2 is "A" (uniform billing).
    Why it matters:
        The type of bill routes the claim to the right payment system (IPPS, OPPS, SNF PPS…); an unknown one
        is returned to the provider (Medicare RTP) or rejected.
    Example:
        CLM05-1 "15" (no such classification).
    How to fix:
        Use the NUBC type of bill for the facility and setting; the third digit goes in CLM05-3.
    References:
        NUBC UB-04 Data Specifications Manual FL 04 (type of bill); X12 005010X223A2 2300 CLM05-1/CLM05-2;
        CMS IOM 100-04 Chapter 25 Section 75.1.
    """
    code = facts.claim.facility_code.strip()
    if code not in TOB_FACILITY:
        yield Hit(f"type of bill facility code {code or '(empty)'!r} is not a NUBC code in use", None, "fix TOB")
    if facts.claim.facility_qualifier.strip().upper() != "A":
        yield Hit(
            f"facility code qualifier {facts.claim.facility_qualifier!r} must be A on an 837I",
            None,
            "set CLM05-2 to A",
        )


@rule("CL019", "statement-dates-missing", kinds="I")
def statement_dates_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The 837I statement covers period (DTP*434) is missing.

    What it checks:
        2300 DTP*434 (statement from and through dates) is present with a from date.
    Why it matters:
        The statement period is required on every institutional claim (UB-04 FL 6); payers reject claims
        without it.
    Example:
        An outpatient claim with line dates but no DTP*434.
    How to fix:
        Report the first and last dates of service covered by the bill.
    References:
        X12 005010X223A2 2300 DTP*434 (required); NUBC UB-04 FL 06.
    """
    span = facts.claim.dates.get("434")
    if span is None or span[0] is None:
        yield Hit("the statement covers period (DTP*434) is missing", None, "add the statement from/through dates")


@rule("CL020", "admission-date-missing", kinds="I")
def admission_date_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An inpatient 837I (type of bill 11x, 18x, 21x) without the admission date (DTP*435).

    What it checks:
        When CLM05-1 is 11 (hospital inpatient), 18 (swing bed) or 21 (SNF inpatient), 2300 DTP*435 is present.
    Why it matters:
        The admission date is required on inpatient claims (UB-04 FL 12); it drives DRG/PPS day counts and
        benefit periods. Claims without it are rejected or returned.
    Example:
        Type of bill 111 with no DTP*435.
    How to fix:
        Report the date (and hour) of admission.
    References:
        X12 005010X223A2 2300 DTP*435 ("required on all inpatient claims"); NUBC UB-04 FL 12.
    """
    if facts.claim.facility_code.strip() not in INPATIENT_TOB:
        return
    span = facts.claim.dates.get("435")
    if span is None or span[0] is None:
        yield Hit(
            f"inpatient type of bill {facts.claim.facility_code}x without an admission date (DTP*435)",
            None,
            "add the admission date",
        )


@rule("CL021", "patient-status-invalid", kinds="I")
def patient_status_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The 837I patient (discharge) status (CL1-03) is missing or not a NUBC code.

    What it checks:
        CL1 is present and CL1-03 is a NUBC patient discharge status code (01-07, 09, 20, 21, 30, 40-43, 50,
        51, 61-66, 69, 70, 81-95); 40, 41 and 42 (expired, hospice) only on hospice bills (81x, 82x); on inpatient
        bills (11x, 18x, 21x) a status the Medicare Code Editor accepts on the discharge date (not 09, which is
        for outpatient claims; 21 from 2009-10-01, 69 and 81-95 from 2013-10-01 …).
    Why it matters:
        CL1-03 is required; the status drives transfer and post-acute care payment rules and the MCE flags
        an invalid status, so the claim is returned or rejected.
    Example:
        CL1-03 "08" (retired by NUBC) or empty; "09" on an inpatient 111 bill; "40" on an outpatient 131 bill.
    How to fix:
        Report the patient's status at the end of the billing period (01 home, 30 still a patient…).
    References:
        X12 005010X223A2 2300 CL103 (required, code source 239); NUBC UB-04 FL 17; CMS Medicare Code Editor
        (invalid discharge status edit and its discharge status table).
    """
    inst = facts.claim.institutional
    status = inst[2].strip() if inst is not None else ""
    tob = facts.claim.facility_code.strip()[:2]
    if not status:
        yield Hit("the patient status (CL1-03) is missing", None, "report the NUBC patient status")
    elif status not in PATIENT_STATUS:
        yield Hit(f"patient status {status!r} (CL1-03) is not a NUBC discharge status", None, "use a NUBC code")
    elif status in HOSPICE_STATUS and tob not in HOSPICE_TOB:
        yield Hit(
            f"patient status {status} (CL1-03, expired under hospice) is for hospice claims (81x, 82x) only",
            None,
            "use 20 (expired) on a non-hospice claim",
        )
    elif tob in INPATIENT_TOB:
        since = MCE_INPATIENT_SINCE.get(status)
        day = facts.last_day
        if since is None or (day is not None and day < since):
            yield Hit(
                f"patient status {status} (CL1-03) is not a valid inpatient discharge status (Medicare Code Editor)",
                None,
                "report the status at discharge (09 belongs on outpatient claims only)",
            )


@rule("CL022", "attending-missing", kinds="I")
def attending_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The 837I has no attending provider (2310A).

    What it checks:
        Loop 2310A (attending provider, NM1*71) is present.
    Why it matters:
        The attending provider is required on institutional claims for services other than non-scheduled
        transportation; Medicare returns claims without an attending NPI.
    Example:
        An outpatient hospital claim with no attending physician.
    How to fix:
        Report the physician primarily responsible for the patient's care, with NPI.
    References:
        X12 005010X223A2 Loop 2310A situational rule; NUBC UB-04 FL 76; CMS IOM 100-04 Chapter 25.
    """
    if facts.claim.attending_provider is None:
        yield Hit("no attending provider (loop 2310A)", None, "add the attending physician and NPI")


@rule("CL023", "pointer-out-of-range", kinds="P")
def pointer_out_of_range(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A diagnosis pointer (SV107) points at no diagnosis on the claim.

    What it checks:
        Every pointer on every line is between 1 and the number of diagnoses in the HI segment (at most 12).
    Why it matters:
        A pointer past the diagnoses (or below 1) links the service to nothing; the claim is rejected at the
        front end (CARC 16 if it reaches adjudication).
    Example:
        Line 2 points at diagnosis 5 on a claim with 4 diagnoses.
    How to fix:
        Point each line at the position(s) of the diagnoses that support it.
    References:
        X12 005010X222A1 2400 SV107-1 to SV107-4 (diagnosis code pointers, 1-12).
    """
    n = len(facts.dx)
    for ln in facts.lines:
        for p in ln.pointers:
            if p < 1 or p > n:
                yield Hit(f"line {ln.number}: diagnosis pointer {p} but the claim has {n} diagnoses", ln.number, None)


@rule("CL024", "line-without-pointer", kinds="P")
def line_without_pointer(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A professional service line has no diagnosis pointer.

    What it checks:
        Each 837P line carries at least one diagnosis pointer (SV107-1).
    Why it matters:
        SV107-1 is required; without it the payer cannot see why the service was done and rejects the line.
    Example:
        Line 3 (85025) with no pointer.
    How to fix:
        Point the line at the diagnosis that made the service medically necessary.
    References:
        X12 005010X222A1 2400 SV107-1 (required); CMS-1500 item 24E.
    """
    for ln in facts.lines:
        if not ln.pointers:
            yield Hit(f"line {ln.number} ({ln.code}) has no diagnosis pointer", ln.number, "add a pointer")


@rule("CL025", "pointer-repeated", severity=Severity.WARNING, kinds="P")
def pointer_repeated(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line lists the same diagnosis pointer twice.

    What it checks:
        The pointers of a line are distinct.
    Why it matters:
        Each pointer position is meant to name a different supporting diagnosis (in declining importance); a
        repeated pointer wastes a position and many payer front ends reject the line as invalid.
    Example:
        Line 1 pointers 1:2:1.
    How to fix:
        Keep each pointer once, in order of relevance.
    References:
        X12 005010X222A1 2400 SV107-1 to SV107-4 notes (remaining pointers in declining level of importance);
        CMS IOM 100-04 Chapter 26 Section 10.4 (item 24E).
    """
    for ln in facts.lines:
        if len(set(ln.pointers)) != len(ln.pointers):
            yield Hit(f"line {ln.number}: a diagnosis pointer is repeated", ln.number, "list each pointer once")


@rule("CL026", "too-many-pointers", kinds="P")
def too_many_pointers(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A line has more than four diagnosis pointers.

    What it checks:
        A line carries at most four pointers (SV107-1 to SV107-4).
    Why it matters:
        The composite has four positions; a fifth cannot be transmitted and the claim fails syntax checks
        (and CMS-1500 item 24E has four).
    Example:
        Line 1 pointers 1:2:3:4:5.
    How to fix:
        Keep the four diagnoses most relevant to the service.
    References:
        X12 005010X222A1 2400 SV107-1 to SV107-4; CMS IOM 100-04 Chapter 26 Section 10.4 (item 24E).
    """
    for ln in facts.lines:
        if len(ln.pointers) > MAX_POINTERS:
            yield Hit(f"line {ln.number} has {len(ln.pointers)} diagnosis pointers; 4 allowed", ln.number, None)


@rule("CL027", "provider-signature-missing", kinds="P")
def provider_signature_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The provider signature indicator (CLM06) says the provider's signature is not on file.

    What it checks:
        CLM06 is "Y".
    Why it matters:
        Payers require the provider's signature (or signature on file) for a claim to be payable; "N" is
        rejected (Medicare returns it as unprocessable, CARC 16).
    Example:
        CLM06 "N".
    How to fix:
        Get the provider's signature on file with the payer and send Y.
    References:
        X12 005010X222A1 2300 CLM06 (Provider or Supplier Signature Indicator); CMS IOM 100-04 Chapter 26
        Section 10.2 (item 31); 42 CFR 424.32 (basic requirements for all claims).
    """
    if facts.claim.provider_signature.strip().upper() != "Y":
        yield Hit(
            f"provider signature indicator is {facts.claim.provider_signature or '(empty)'!r}, not Y",
            None,
            "put the provider's signature on file and send Y",
        )


@rule("CL028", "assignment-conflict", severity=Severity.WARNING)
def assignment_conflict(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Benefits are not assigned (CLM08 N) but the provider accepts assignment (CLM07 A or B).

    What it checks:
        CLM08 "N" (patient did not assign benefits to the provider) together with CLM07 "A" or "B"
        (provider accepts assignment).
    Why it matters:
        Without the patient's assignment the payer pays the patient, not the provider, even though the
        provider accepted assignment; the practice then has to collect from the patient.
    Example:
        CLM07 A, CLM08 N.
    How to fix:
        Get the patient's signed assignment of benefits (then CLM08 Y), or bill as non-assigned.
    References:
        X12 005010X222A1 and 005010X223A2, 2300 CLM07 and CLM08; 42 CFR 424.55 (payment under assignment).
    """
    claim = facts.claim
    if claim.benefits_assignment.strip().upper() == "N" and claim.assignment.strip().upper() in ("A", "B"):
        yield Hit("benefits not assigned (CLM08 N) although assignment is accepted (CLM07)", None, "get the AOB")


@rule("CL029", "release-of-info-missing")
def release_of_info_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The release of information code (CLM09) is missing or not I/Y.

    What it checks:
        CLM09 is "Y" (signed statement on file) or "I" (informed consent, required by law).
    Why it matters:
        CLM09 is required; the payer may not process the claim without authority to obtain records
        (rejection, or CARC 16).
    Example:
        CLM09 empty.
    How to fix:
        Get a release of information on file and send Y.
    References:
        X12 005010X222A1 and 005010X223A2, 2300 CLM09 (required; codes I, Y).
    """
    code = facts.claim.release_of_info.strip().upper()
    if code not in ("I", "Y"):
        yield Hit(f"release of information code {code or '(empty)'!r} is not I or Y", None, "send Y or I")


@rule("CL030", "auto-accident-state-missing", kinds="P")
def auto_accident_state_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An auto accident (CLM11 AA) without the state where it happened (CLM11-4).

    What it checks:
        When a related-cause code is AA, a state or province code is reported with it.
    Why it matters:
        CLM11-4 is required for auto accidents; it determines no-fault liability and the claim is rejected
        without it.
    Example:
        CLM11 "AA" with no state.
    How to fix:
        Add the two-letter state (or province) of the accident.
    References:
        X12 005010X222A1 2300 CLM11-4 ("required when CLM11-1 or CLM11-2 is AA"); CMS-1500 item 10b.
    """
    causes = facts.claim.related_causes
    if "AA" in causes and not any(c not in CAUSE_CODES for c in causes):
        yield Hit("auto accident (AA) without the accident state (CLM11-4)", None, "add the accident state")


@rule("CL031", "accident-date-missing", kinds="P")
def accident_date_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An accident-related claim (CLM11 AA or OA) without the accident date (DTP*439).

    What it checks:
        When a related cause is AA (auto accident) or OA (other accident), 2300 DTP*439 is present.
    Why it matters:
        The accident date is required with these causes; payers use it for coordination with liability
        carriers and reject the claim without it.
    Example:
        CLM11 "OA" and no DTP*439.
    How to fix:
        Report the date of the accident.
    References:
        X12 005010X222A1 2300 DTP*439 (required when CLM11-1 or CLM11-2 is AA or OA); CMS-1500 item 14.
    """
    causes = facts.claim.related_causes
    if ("AA" in causes or "OA" in causes) and facts.claim.dates.get("439") is None:
        yield Hit("accident-related claim without the accident date (DTP*439)", None, "add the accident date")


@rule("CL032", "relationship-conflict")
def relationship_conflict(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The subscriber relationship (SBR02) and the patient loop (2000C) disagree.

    What it checks:
        When the subscriber is the patient (no 2000C loop), SBR02 is 18 (self); when a 2000C patient loop
        exists, SBR02 is empty and the patient relationship (PAT01) is not 18.
    Why it matters:
        The TR3 sends SBR02 "18" only when the subscriber is the patient, and the patient loop only when
        the patient is someone else; contradictory data is rejected or matched to the wrong member (CARC 31).
    Example:
        SBR02 18 and a 2000C loop for a child.
    How to fix:
        Either drop the patient loop (patient is the subscriber) or clear SBR02 and give PAT01 the patient's
        relationship.
    References:
        X12 005010X222A1 and 005010X223A2, 2000B SBR02 (required when the subscriber is the patient, code 18)
        and 2000C PAT01.
    """
    claim = facts.claim
    sbr = claim.subscriber.relationship.strip()
    if claim.patient is None:
        if sbr != "18":
            yield Hit(f"no patient loop but subscriber relationship is {sbr or '(empty)'!r}, not 18", None, None)
        return
    if sbr == "18":
        yield Hit("subscriber relationship 18 (self) with a separate patient loop (2000C)", None, "clear SBR02")
    if claim.patient.relationship.strip() == "18":
        yield Hit("patient loop (2000C) with relationship 18 (self)", None, "drop the 2000C loop")


@rule("CL033", "patient-relationship-invalid")
def patient_relationship_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The patient's relationship to the subscriber (PAT01) is not a 2000C code.

    What it checks:
        When a 2000C loop exists, PAT01 is one of 01 spouse, 19 child, 20 employee, 21 unknown, 39 organ donor,
        40 cadaver donor, 53 life partner, G8 other relationship.
    Why it matters:
        PAT01 is required in 2000C with a closed code list; other values fail 999 validation.
    Example:
        PAT01 "18" or "02".
    How to fix:
        Pick the relationship from the list (G8 for any other).
    References:
        X12 005010X222A1 and 005010X223A2, 2000C PAT01 (Individual Relationship Code).
    """
    patient = facts.claim.patient
    if patient is None:
        return
    rel = patient.relationship.strip().upper()
    if rel != "18" and rel not in PATIENT_RELATIONSHIPS:
        yield Hit(f"patient relationship {rel or '(empty)'!r} is not a 2000C code", None, "use 01, 19, 20, 21, G8…")


@rule("CL034", "secondary-without-other-payer")
def secondary_without_other_payer(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A secondary or tertiary claim with no other-payer information (2320).

    What it checks:
        When SBR01 is not P (primary) or U (unknown) — e.g. S secondary, T tertiary — at least one 2320 loop
        (other subscriber and payer, with their adjudication) is present.
    Why it matters:
        The secondary payer pays from the primary's adjudication; without it the claim is rejected or denied
        (CARC 22, may be covered by another payer / 16 missing COB information).
    Example:
        SBR01 "S" and no other payers.
    How to fix:
        Add the primary payer in 2320/2330B with its paid amount and adjustments from its 835.
    References:
        X12 005010X222A1 and 005010X223A2, Loop 2320 ("required when other payers are known"); CMS IOM 100-05
        (MSP manual) Chapter 3; CARC 22.
    """
    resp = facts.claim.subscriber.payer_responsibility.strip().upper()
    if resp in SECONDARY and not facts.claim.other_payers:
        yield Hit(f"payer responsibility {resp} but no other payer (2320) on the claim", None, "add the 2320 loop")


@rule("CL035", "other-payer-paid-exceeds-total")
def other_payer_paid_exceeds_total(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Another payer's paid amount (2320 AMT*D) is more than the claim's total charge.

    What it checks:
        Each other payer's paid amount is not greater than CLM02.
    Why it matters:
        A payer cannot have paid more than was charged; the claim fails COB balancing and is rejected.
    Example:
        CLM02 170.00, primary paid 200.00.
    How to fix:
        Copy the paid amount exactly from the primary's 835 (CLP04) and check the claim total.
    References:
        X12 005010X222A1 and 005010X223A2, 2320 AMT*D (Payer Paid Amount) and the COB balancing notes.
    """
    total = facts.claim.total_charge
    if total is None:
        return
    for n, other in enumerate(facts.claim.other_payers, 1):
        if other.paid is not None and other.paid > total:
            yield Hit(f"other payer {n} paid {other.paid}, more than the claim total {total}", None, None)
