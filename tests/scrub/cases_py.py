"""Cases for the payer rules (PY): Medicare PY1xx, Medicaid PY2xx, commercial PY3xx, each under its profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from scrubkit import PAYER, REFERRING, Case, flag, institutional, line, ok, professional, with_lines

from medbill.billing.claim import Claim, OtherPayer, Payer, ServiceLine


def p(*lines: ServiceLine, **changes: Any) -> Claim:
    return replace(with_lines(professional(), *lines), **changes)


def member(member_id: str) -> Claim:
    claim = professional()
    return replace(claim, subscriber=replace(claim.subscriber, member_id=member_id))


def filing(claim: Claim, code: str, responsibility: str = "P") -> Claim:
    return replace(
        claim, subscriber=replace(claim.subscriber, claim_filing_indicator=code, payer_responsibility=responsibility)
    )


MB = filing(professional(), "MB")
MC = filing(professional(), "MC")
SECONDARY_PAYER = OtherPayer(professional().subscriber, Payer("OTHER PLAN", "99999"), "P")
LAB_GA = line(3, "85025", "30.00", mods=("GA",), ptr=(2, 3))
LAB_GZ = line(3, "85025", "30.00", mods=("GZ",), ptr=(2, 3))
VISIT = line(1, "99213", "125.00", ptr=(1, 2, 3, 4))
DRAW = line(2, "36415", "15.00", ptr=(2,))
NDC = "63323016501"

MEDICARE = "medicare"
MEDICAID = "medicaid"
COMMERCIAL = "commercial"

CASES: list[Case] = [
    # PY101 MBI
    flag("PY101", member("1EG4-TE5-MK73"), "MBI with dashes", profile=MEDICARE),
    flag("PY101", member("1OG4TE5MK73"), "letter O in position 2", profile=MEDICARE),
    flag("PY101", member("0EG4TE5MK73"), "position 1 is 0", profile=MEDICARE),
    flag("PY101", member("123456789A"), "an SSN-based HICN", profile=MEDICARE),
    ok("PY101", member("1EG4TE5MK73"), "the CMS sample MBI", profile=MEDICARE),
    ok(
        "PY101",
        member("1EG4-TE5-MK73"),
        "profile without the MBI format",
        profile=MEDICARE,
        params={"member_id_format": ""},
    ),
    # PY102 referring provider for ordered services
    flag("PY102", p(line(1, "71046", "60.00")), "chest X-ray without a referring provider", profile=MEDICARE),
    flag("PY102", p(line(1, "85025", "30.00")), "lab billed alone without a referring provider", profile=MEDICARE),
    ok(
        "PY102",
        p(line(1, "71046", "60.00"), referring_provider=REFERRING),
        "referring provider present",
        profile=MEDICARE,
    ),
    ok("PY102", professional(), "lab ordered at the same-day visit by the rendering physician", profile=MEDICARE),
    ok("PY102", p(line(1, "77067", "180.00")), "screening mammography needs no order", profile=MEDICARE),
    flag("PY102", p(line(1, "77066", "180.00")), "a diagnostic mammogram does", profile=MEDICARE),
    ok(
        "PY102",
        p(line(1, "36556", "300.00"), line(2, "76937", "60.00"), facility_code="22"),
        "ultrasound guidance by the surgeon for the same-day catheter insertion (global 000)",
        profile=MEDICARE,
    ),
    flag(
        "PY102",
        p(line(1, "36556", "300.00", day=date(2024, 8, 13)), line(2, "76937", "60.00"), facility_code="22"),
        "imaging on another day than the procedure",
        profile=MEDICARE,
    ),
    # PY103 charge below the PFS amount (Illinois localities: 99213 from 88.25 to 95.58)
    flag("PY103", p(line(1, "99213", "40.00")), "99213 charged 40.00", profile=MEDICARE),
    ok("PY103", p(line(1, "99213", "125.00")), "99213 charged 125.00", profile=MEDICARE),
    flag(
        "PY103",
        p(line(1, "99213", "90.00")),
        "below the Chicago amount with pfs_locality",
        profile=MEDICARE,
        params={"pfs_locality": "06102/16"},
    ),
    ok("PY103", p(line(1, "99213", "90.00")), "above the lowest Illinois amount", profile=MEDICARE),
    # PY104 GA
    flag("PY104", p(VISIT, DRAW, LAB_GA), "CBC with GA", profile=MEDICARE),
    ok("PY104", p(VISIT, DRAW, LAB_GZ), "GZ is not GA", profile=MEDICARE),
    # PY105 Medicare filing indicator
    flag("PY105", professional(), "SBR09 CI on a Medicare claim", profile=MEDICARE),
    flag("PY105", filing(professional(), "MA"), "Part A indicator on an 837P", profile=MEDICARE),
    ok("PY105", MB, "MB on an 837P", profile=MEDICARE),
    ok("PY105", filing(institutional(), "MA"), "MA on an 837I", profile=MEDICARE),
    # PY106 GZ
    flag("PY106", p(VISIT, DRAW, LAB_GZ), "CBC with GZ", profile=MEDICARE),
    ok("PY106", p(VISIT, DRAW, LAB_GA), "CBC with GA", profile=MEDICARE),
    # PY107 GA with GZ
    flag("PY107", p(VISIT, DRAW, replace(LAB_GA, modifiers=("GA", "GZ"))), "GA and GZ", profile=MEDICARE),
    ok("PY107", p(VISIT, DRAW, LAB_GA), "GA only", profile=MEDICARE),
    # PY201 NDC on drug lines
    flag(
        "PY201",
        p(VISIT, line(2, "96372", "25.00"), line(3, "J1100", "5.00", units="4")),
        "J1100 without NDC",
        profile=MEDICAID,
    ),
    ok(
        "PY201",
        p(
            VISIT,
            line(2, "96372", "25.00"),
            line(3, "J1100", "5.00", units="4", ndc=NDC, ndc_quantity=Decimal(1), ndc_unit="ML"),
        ),
        "J1100 with NDC",
        profile=MEDICAID,
    ),
    flag(
        "PY201",
        p(line(1, "90471", "20.00"), line(2, "90686", "25.00")),
        "flu vaccine product without NDC where the state lists vaccines",
        profile=MEDICAID,
        params={"ndc_required_prefixes": ["J", "Q0", "Q2", "Q4", "Q5", "Q9", "C9", "90476-90759"]},
    ),
    ok(
        "PY201",
        p(line(1, "90471", "20.00"), line(2, "90686", "25.00")),
        "vaccines are not rebated drugs: the shipped Medicaid profile asks no NDC for them",
        profile=MEDICAID,
    ),
    ok("PY201", p(VISIT, line(2, "90471", "20.00")), "vaccine administration needs no NDC", profile=MEDICAID),
    ok(
        "PY201",
        p(line(1, "25600", "300.00"), line(2, "Q4012", "40.00")),
        "Q4012 is a cast supply under the Q4 prefix, not a drug",
        profile=MEDICAID,
    ),
    ok(
        "PY201",
        institutional(
            facility_code="81",
            lines=(line(1, "Q5001", "2800.00", units="14", ptr=(), revenue_code="0651"),),
            total_charge=Decimal("2800.00"),
        ),
        "Q5001 (hospice care at home) is a place-of-care code, not a Q51xx biosimilar",
        profile=MEDICAID,
    ),
    flag(
        "PY201",
        p(VISIT, line(2, "96372", "25.00"), line(3, "Q5101", "50.00", units="300")),
        "Q5101 (filgrastim biosimilar) still needs its NDC",
        profile=MEDICAID,
    ),
    # PY202 Medicaid filing indicator
    flag("PY202", professional(), "SBR09 CI on a Medicaid claim", profile=MEDICAID),
    ok("PY202", MC, "SBR09 MC", profile=MEDICAID),
    # PY203 NDC quantity and unit
    flag("PY203", p(VISIT, line(2, "J1100", "5.00", units="4", ndc=NDC)), "NDC without quantity", profile=MEDICAID),
    ok(
        "PY203",
        p(VISIT, line(2, "J1100", "5.00", units="4", ndc=NDC, ndc_quantity=Decimal(1), ndc_unit="ML")),
        "NDC with 1 ML",
        profile=MEDICAID,
    ),
    # PY204 prior authorization format
    flag("PY204", replace(professional(), prior_authorization="PA 12345"), "space in the number", profile=MEDICAID),
    ok("PY204", replace(professional(), prior_authorization="PA12345"), "letters and digits", profile=MEDICAID),
    flag(
        "PY204",
        replace(professional(), prior_authorization="PA12345"),
        "state pattern of ten digits",
        profile=MEDICAID,
        params={"prior_authorization_pattern": "[0-9]{10}"},
    ),
    # PY205 payer of last resort
    flag(
        "PY205", replace(MC, other_payers=(SECONDARY_PAYER,)), "Medicaid primary with another payer", profile=MEDICAID
    ),
    ok(
        "PY205",
        replace(filing(professional(), "MC", "S"), other_payers=(SECONDARY_PAYER,)),
        "Medicaid secondary",
        profile=MEDICAID,
    ),
    # PY301 prior authorization required
    flag("PY301", p(line(1, "70553", "900.00")), "brain MRI without authorization", profile=COMMERCIAL),
    ok("PY301", p(line(1, "70553", "900.00"), prior_authorization="AUTH7788"), "authorized", profile=COMMERCIAL),
    ok("PY301", p(line(1, "70450", "300.00")), "head CT is not on the list", profile=COMMERCIAL),
    # PY302 Medicare indicator on a commercial claim
    flag("PY302", MB, "SBR09 MB on a commercial profile", profile=COMMERCIAL),
    ok("PY302", filing(professional(), "BL"), "Blue Cross indicator", profile=COMMERCIAL),
    # PY303 HMO referral
    flag("PY303", filing(professional(), "HM"), "HMO claim without referral", profile=COMMERCIAL),
    ok(
        "PY303",
        replace(filing(professional(), "HM"), referral_number="R55120"),
        "referral number present",
        profile=COMMERCIAL,
    ),
    ok(
        "PY303",
        filing(professional(), "HM"),
        "plan does not require referrals",
        profile=COMMERCIAL,
        params={"hmo_referral_required": False},
    ),
]

assert PAYER.payer_id
