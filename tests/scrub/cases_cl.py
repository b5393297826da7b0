"""Cases for the CL rules (claim structure and required fields)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from scrubkit import (
    DOS,
    NPI_FACILITY,
    Case,
    flag,
    institutional,
    line,
    ok,
    professional,
    with_lines,
    with_patient,
    with_person,
)

from medbill.billing.claim import Address, OtherPayer, Party
from medbill.scrub import ClaimExtras

P = professional()
I = institutional()  # noqa: E741
SUB = P.subscriber
FACILITY = Party(
    "2",
    "SPRINGFIELD GENERAL HOSPITAL",
    id_qualifier="XX",
    id=NPI_FACILITY,
    address=Address("800 HOSPITAL DR", "", "SPRINGFIELD", "IL", "627029999"),
)
PRIMARY = OtherPayer(SUB, replace(P.payer, name="FIRST PLAN", payer_id="54321"), "P", paid=Decimal("120.00"))
CHILD = with_patient(P, date(2015, 5, 1), "M")
assert CHILD.patient is not None
KID = CHILD.patient
MANY_P = tuple(line(n, "36415", "15.00") for n in range(1, 52))

CASES: list[Case] = [
    flag("CL001", professional(claim_id="CLM-2024-08-14-OFFICE-VISIT-0001"), "claim id over 20 characters"),
    flag("CL001", professional(claim_id=""), "claim id empty"),
    ok("CL001", professional(claim_id="CLM-2024-0814-000001"), "claim id of exactly 20 characters"),
    flag("CL002", professional(total_charge=None), "total charge unreadable"),
    flag("CL002", professional(total_charge=Decimal("-170.00")), "negative total"),
    ok("CL002", professional(total_charge=Decimal("0.00"), lines=()), "zero total is a readable amount"),
    flag("CL003", professional(total_charge=Decimal("180.00")), "total 180 vs lines 170"),
    flag("CL003", professional(total_charge=Decimal("170.01")), "off by a cent"),
    ok("CL003", professional(total_charge=Decimal("170.0")), "same amount written with one decimal"),
    flag("CL004", professional(lines=()), "no lines at all"),
    ok("CL004", with_lines(P, line(1, "99213", "125.00")), "a single line is enough"),
    flag("CL005", with_lines(P, *MANY_P), "51 lines on an 837P"),
    ok("CL005", with_lines(P, *MANY_P[:50]), "50 lines is the 837P limit"),
    ok(
        "CL005",
        with_lines(I, *(line(n, "36415", "15.00", ptr=(), revenue_code="0300") for n in range(1, 52))),
        "51 lines are fine on an 837I",
    ),
    flag(
        "CL006", professional(subscriber=replace(SUB, party=replace(SUB.party, last_or_org=""))), "no subscriber name"
    ),
    flag("CL006", replace(CHILD, patient=replace(KID, party=Party("1", "", "JOHNNY"))), "no patient name"),
    ok("CL006", CHILD, "dependant with both names"),
    flag("CL007", professional(subscriber=replace(SUB, member_id="", party=replace(SUB.party, id=""))), "no member id"),
    ok(
        "CL007",
        professional(subscriber=replace(SUB, member_id="", party=replace(SUB.party, id="1EG4TE5MK73"))),
        "member id carried on the NM1 only",
    ),
    flag("CL008", professional(subscriber=replace(SUB, birth_date=None)), "subscriber-patient without birth date"),
    flag("CL008", with_person(P, sex=" "), "subscriber-patient without sex"),
    flag("CL008", replace(CHILD, patient=replace(KID, birth_date=None)), "dependant without birth date"),
    ok(
        "CL008",
        replace(CHILD, subscriber=replace(CHILD.subscriber, birth_date=None)),
        "subscriber's own birth date is optional when a dependant is the patient",
    ),
    flag("CL009", with_person(P, sex="X"), "sex code X"),
    flag("CL009", with_patient(P, date(2015, 5, 1), "B"), "patient sex code B"),
    ok("CL009", with_person(P, sex="U"), "U (unknown) is valid"),
    flag("CL010", professional(payer=replace(P.payer, payer_id="")), "payer id missing"),
    flag("CL010", professional(payer=replace(P.payer, name="")), "payer name missing"),
    ok("CL010", professional(payer=replace(P.payer, payer_id="SX123")), "alphanumeric payer id"),
    flag("CL011", professional(subscriber=replace(SUB, claim_filing_indicator="")), "SBR09 missing"),
    flag("CL011", professional(subscriber=replace(SUB, claim_filing_indicator="XX")), "SBR09 XX"),
    ok("CL011", professional(subscriber=replace(SUB, claim_filing_indicator="MB")), "Medicare Part B"),
    flag("CL012", professional(frequency_code="2"), "interim frequency on a professional claim"),
    flag("CL012", institutional(frequency_code="6"), "6 is not a NUBC frequency"),
    ok("CL012", institutional(frequency_code="3"), "interim continuing claim on an 837I"),
    ok("CL012", professional(frequency_code="7", payer_claim_control_number="2024123456789"), "replacement 837P"),
    flag("CL013", professional(frequency_code="7"), "replacement without REF*F8"),
    flag("CL013", institutional(frequency_code="8"), "void without REF*F8"),
    ok("CL013", professional(frequency_code="8", payer_claim_control_number="2024123456789"), "void with REF*F8"),
    flag("CL014", professional(payer_claim_control_number="2024123456789"), "original claim with REF*F8"),
    ok("CL014", professional(frequency_code="7", payer_claim_control_number="2024123456789"), "replacement with F8"),
    flag("CL015", professional(facility_code="30"), "POS 30 is unassigned"),
    flag("CL015", with_lines(P, line(1, "99213", "125.00", place_of_service="1")), "line POS of one digit"),
    ok("CL015", professional(facility_code="22", service_facility=FACILITY), "POS 22 with its facility"),
    flag("CL016", professional(facility_code="22"), "outpatient hospital POS, no 2310C"),
    flag("CL016", with_lines(P, line(1, "99232", "140.00", place_of_service="21")), "line POS 21 without 2310C"),
    ok("CL016", professional(facility_code="22", service_facility=FACILITY), "POS 22 with the hospital in 2310C"),
    flag(
        "CL017",
        professional(facility_code="22", service_facility=FACILITY),
        "office location, POS 22",
        extras=ClaimExtras(facility_kind="office"),
    ),
    flag(
        "CL017",
        professional(facility_code="11"),
        "hospital location billed as office",
        extras=ClaimExtras(facility_kind="hospital"),
    ),
    ok(
        "CL017", professional(facility_code="11"), "office location, POS 11", extras=ClaimExtras(facility_kind="office")
    ),
    ok(
        "CL017",
        professional(facility_code="22", service_facility=FACILITY),
        "unknown location kind",
        extras=ClaimExtras(facility_kind="mobile van"),
    ),
    flag("CL018", institutional(facility_code="15"), "type of bill 15x does not exist"),
    flag("CL018", institutional(facility_qualifier="B"), "CLM05-2 B on an 837I"),
    ok("CL018", institutional(facility_code="85"), "critical access hospital 85x"),
    flag("CL019", institutional(dates={}), "no statement dates"),
    ok("CL019", institutional(dates={"434": (DOS, None)}), "single-day statement period"),
    flag("CL020", institutional(facility_code="11"), "inpatient 11x without admission date"),
    ok("CL020", institutional(facility_code="11", dates={"434": (DOS, DOS), "435": (DOS, None)}), "with admission"),
    ok("CL020", institutional(facility_code="13"), "outpatient 13x needs no admission date"),
    flag("CL021", institutional(institutional=("1", "7", "08")), "status 08 retired"),
    flag("CL021", institutional(institutional=None), "no CL1 segment"),
    ok("CL021", institutional(institutional=("1", "7", "30")), "still a patient (30)"),
    flag("CL021", institutional(institutional=("1", "7", "40")), "40 (expired at home) is for hospice bills only"),
    ok("CL021", institutional(facility_code="81", institutional=("1", "7", "40")), "hospice bill: 40 is valid"),
    ok("CL021", institutional(institutional=("1", "7", "09")), "09 on an outpatient bill"),
    flag(
        "CL021",
        institutional(
            facility_code="11", dates={"434": (DOS, DOS), "435": (DOS, None)}, institutional=("1", "7", "09")
        ),
        "09 on an inpatient bill: not in the MCE list",
    ),
    ok(
        "CL021",
        institutional(
            facility_code="11", dates={"434": (DOS, DOS), "435": (DOS, None)}, institutional=("1", "7", "63")
        ),
        "inpatient discharge to a long-term care hospital (63)",
    ),
    flag("CL022", institutional(attending_provider=None), "no attending"),
    ok(
        "CL022",
        institutional(operating_provider=Party("1", "CUTTER", "SAM", id_qualifier="XX", id="1333333338")),
        "attending present with an operating physician",
    ),
    flag("CL023", with_lines(P, line(1, "99213", "125.00", ptr=(5,))), "pointer 5 with 4 diagnoses"),
    flag("CL023", with_lines(P, line(1, "99213", "125.00", ptr=(0,))), "pointer 0"),
    ok("CL023", with_lines(P, line(1, "99213", "125.00", ptr=(4,))), "pointer 4 with 4 diagnoses"),
    flag("CL024", with_lines(P, line(1, "99213", "125.00", ptr=())), "professional line without pointer"),
    ok("CL024", with_lines(P, line(1, "99213", "125.00", ptr=(3,))), "one pointer"),
    flag("CL025", with_lines(P, line(1, "99213", "125.00", ptr=(1, 2, 1))), "pointer 1 twice"),
    ok("CL025", with_lines(P, line(1, "99213", "125.00", ptr=(2, 1))), "distinct pointers in any order"),
    flag("CL026", with_lines(P, line(1, "99213", "125.00", ptr=(1, 2, 3, 4, 1))), "five pointers"),
    ok("CL026", with_lines(P, line(1, "99213", "125.00", ptr=(4, 3, 2, 1))), "four pointers"),
    flag("CL027", professional(provider_signature="N"), "signature not on file"),
    ok("CL027", professional(provider_signature="Y"), "signature on file"),
    flag("CL028", professional(benefits_assignment="N"), "no AOB with assignment accepted"),
    ok("CL028", professional(benefits_assignment="N", assignment="C"), "no AOB and not assigned"),
    flag("CL029", professional(release_of_info=""), "release of information empty"),
    flag("CL029", professional(release_of_info="N"), "release of information N"),
    ok("CL029", professional(release_of_info="I"), "informed consent"),
    flag("CL030", professional(related_causes=("AA",), dates={"439": (date(2024, 8, 10), None)}), "AA without state"),
    ok("CL030", professional(related_causes=("AA", "OH"), dates={"439": (date(2024, 8, 10), None)}), "AA in OH"),
    ok("CL030", professional(related_causes=("EM",)), "employment needs no state"),
    flag("CL031", professional(related_causes=("OA",)), "other accident without date"),
    flag("CL031", professional(related_causes=("AA", "IL")), "auto accident without date"),
    ok("CL031", professional(related_causes=("OA",), dates={"439": (date(2024, 8, 10), None)}), "OA with date"),
    ok("CL031", professional(related_causes=("EM",)), "employment related only"),
    flag("CL032", replace(CHILD, subscriber=replace(CHILD.subscriber, relationship="18")), "SBR02 18 with 2000C"),
    flag("CL032", professional(subscriber=replace(SUB, relationship="")), "no patient loop, SBR02 empty"),
    flag("CL032", with_patient(P, date(2015, 5, 1), "M", relationship="18"), "patient loop with PAT01 18"),
    ok("CL032", CHILD, "dependant with SBR02 empty and PAT01 19"),
    flag("CL033", with_patient(P, date(1960, 5, 1), "M", relationship="02"), "PAT01 02"),
    ok("CL033", with_patient(P, date(1960, 5, 1), "M", relationship="01"), "spouse"),
    ok("CL033", with_patient(P, date(1990, 5, 1), "F", relationship="G8"), "other relationship"),
    flag("CL034", professional(subscriber=replace(SUB, payer_responsibility="S")), "secondary without 2320"),
    flag("CL034", institutional(subscriber=replace(SUB, payer_responsibility="T")), "tertiary without 2320"),
    ok(
        "CL034",
        professional(subscriber=replace(SUB, payer_responsibility="S"), other_payers=(PRIMARY,)),
        "secondary with the primary's adjudication",
    ),
    flag(
        "CL035",
        professional(
            subscriber=replace(SUB, payer_responsibility="S"), other_payers=(replace(PRIMARY, paid=Decimal("200.00")),)
        ),
        "primary paid 200 of 170",
    ),
    ok(
        "CL035",
        professional(
            subscriber=replace(SUB, payer_responsibility="S"), other_payers=(replace(PRIMARY, paid=Decimal("170.00")),)
        ),
        "primary paid it all",
    ),
]
