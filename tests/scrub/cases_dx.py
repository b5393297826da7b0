"""Cases for the diagnosis rules (DX): each starts from a clean claim and changes one thing.

Every code is verified against the store as billable on 2024-08-14 unless the case is about an invalid code
(or uses another date on purpose).
"""

from __future__ import annotations

from datetime import date

from scrubkit import (
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

from medbill.billing.claim import Claim, Diagnosis


def dx(*codes: str, principal: str = "ABK", other: str = "ABF") -> tuple[Diagnosis, ...]:
    """Like scrubkit.dx but keeps the code exactly as typed (malformed-code cases need the dots)."""
    return tuple(Diagnosis(c, principal if i == 0 else other) for i, c in enumerate(codes))


def pro(*codes: str) -> Claim:
    return professional(diagnoses=dx(*codes))


def on(day: date, *codes: str, principal: str = "ABK", other: str = "ABF") -> Claim:
    """A one-line office visit on another date of service."""
    claim = professional(diagnoses=dx(*codes, principal=principal, other=other))
    return with_lines(claim, line(1, "99213", "125.00", ptr=(1,), day=day))


def inpatient(*diagnoses: Diagnosis) -> Claim:
    """The clean institutional claim as an inpatient stay (type of bill 111)."""
    return institutional(facility_code="11", diagnoses=diagnoses)


def sided(code: str, modifier: str) -> Claim:
    claim = professional(diagnoses=dx(code))
    return with_lines(claim, line(1, "20610", "150.00", mods=(modifier,), ptr=(1,)))


CHILD = date(2016, 2, 1)  # 8 on the date of service
NEWBORN = date(2024, 8, 10)  # 4 days old
ADULT = date(1994, 5, 20)  # 30
BEFORE_ICD10 = date(2015, 9, 20)
MANY = [
    *("I10", "E11.65", "D64.9", "Z79.84", "E78.5", "J45.909", "K21.9", "M54.50", "G47.33", "F41.1", "N39.0"),
    *("R51.9", "E03.9", "M17.11", "L40.0", "H52.4", "K59.00", "R42", "E55.9", "I48.91", "J30.9", "M81.0"),
    *("N18.30", "G43.909", "R53.83", "K57.30"),
]
"""26 distinct codes billable on 2024-08-14."""

CASES: list[Case] = [
    # -- validity on the date ------------------------------------------------------------------------------
    flag("DX001", pro("I10", "250.00"), "an ICD-9-CM code on a 2024 claim: not an ICD-10-CM shape"),
    flag("DX001", pro("I10-I1A"), "a block range is not a code"),
    ok("DX001", pro("E11.65", "I10"), "dotted code as printed in the tabular is fine"),
    flag("DX002", pro("I10", "E11.6"), "E11.6 is a subcategory with billable codes below"),
    ok("DX002", pro("I10", "E11.65"), "E11.65 is billable"),
    flag("DX003", pro("I10", "E11.66"), "E11.66 does not exist"),
    ok("DX003", pro("I10", "T36.01A"), "placeholder problem reported by DX009, not as unknown"),
    ok("DX003", pro("I10", "E11.69"), "E11.69 exists"),
    flag("DX004", pro("E11.A"), "E11.A starts 2025-10-01, after the 2024-08-14 service"),
    ok("DX004", on(date(2025, 11, 3), "E11.A"), "E11.A is valid on 2025-11-03"),
    flag("DX005", pro("H81.41"), "H81.41 was deleted after 2019-09-30"),
    ok("DX005", on(date(2019, 5, 1), "H81.41"), "H81.41 valid on 2019-05-01"),
    flag("DX006", on(BEFORE_ICD10, "I10"), "ICD-10 qualifier ABK on a 2015-09-20 service"),
    ok("DX006", on(BEFORE_ICD10, "4019", "25000", principal="BK", other="BF"), "ICD-9 codes with BK/BF in 2015"),
    flag("DX007", pro("S72.001"), "fracture without its 7th character"),
    ok("DX007", pro("S72.001A"), "7th character A given"),
    flag("DX008", pro("S72.001Z"), "Z is not a 7th character of S72"),
    ok("DX008", pro("S72.001D"), "D (subsequent, routine healing) is allowed"),
    flag("DX009", pro("T36.01A"), "T36.01A lacks the placeholder X"),
    ok("DX009", pro("T36.0X1A"), "placeholder present"),
    flag("DX037", pro("S72.0A"), "7th character typed after a 4-character header"),
    ok("DX037", pro("S72.001A"), "full code then the 7th character"),
    # -- tabular instructions --------------------------------------------------------------------------------
    flag("DX010", pro("I10", "E11.65", "E10.9", "Z79.84"), "E11 Excludes1 type 1 diabetes (E10.-)"),
    flag("DX010", pro("E66.01", "E66.2"), "E66.01 Excludes1 E66.2 (code-level note)"),
    ok(
        "DX010",
        pro("I10", "E11.65", "E10.9", "Z79.84"),
        "payer accepts the pair as unrelated (guideline I.A.12.a exception)",
        params={"excludes1_exempt": ["E11:E10"]},
    ),
    ok("DX010", pro("I10", "I63.9"), "I10 Excludes2 I60-I69: both may be coded"),
    ok("DX010", pro("L97.411", "L89.610"), "L97 Excludes2 pressure ulcer (L89.-)"),
    flag("DX011", pro("D63.1", "N18.5"), "manifestation D63.1 first-listed"),
    ok("DX011", pro("N18.5", "D63.1"), "etiology N18.5 first, manifestation after"),
    flag("DX012", pro("I10", "D63.1", "N18.5"), "D63.1 code first N18.- but N18.5 follows it"),
    flag("DX012", pro("F02.80", "I10"), "F02.80 code first the underlying condition; nothing precedes it"),
    ok("DX012", pro("M06.9", "D63.8"), "D63.8 'code first underlying disease, such as': RA is not in the examples"),
    ok("DX012", pro("B20", "G63"), "G63 'such as' list: HIV disease precedes the polyneuropathy"),
    ok("DX012", pro("I10", "N18.5", "D63.1"), "N18.5 precedes D63.1"),
    ok("DX012", pro("G30.9", "F02.80"), "Alzheimer's G30.9 precedes the dementia manifestation"),
    ok("DX012", pro("J18.9", "I10"), "J18 code first influenza is 'if applicable': conditional"),
    flag("DX013", pro("I10", "E11.65", "D64.9"), "E11 use additional code for control (Z79.-) absent"),
    ok("DX013", pro("I10", "E11.65", "D64.9", "Z79.4"), "insulin use Z79.4 satisfies the note"),
    ok("DX013", pro("Z12.31"), "Z12 'use additional code to identify any family history (Z80.-)' is conditional"),
    ok("DX013", pro("Z12.11", "Z86.010"), "screening colonoscopy without a family history of cancer"),
    # -- MCE age and sex ------------------------------------------------------------------------------------
    flag("DX014", with_patient(pro("Z00.110"), date(2023, 8, 1), "M"), "newborn code for a 1-year-old"),
    ok("DX014", with_patient(pro("Z00.110"), NEWBORN, "M"), "newborn check at 4 days"),
    flag("DX015", pro("E30.1"), "precocious puberty for a 66-year-old"),
    ok("DX015", with_patient(pro("E30.1"), CHILD, "F"), "precocious puberty at 8"),
    flag("DX015", with_person(pro("E30.1"), date(1930, 1, 2)), "precocious puberty at 94 (age shown as 90 or older)"),
    flag("DX016", pro("O24.410", "Z3A.28"), "gestational diabetes for a 66-year-old"),
    ok("DX016", with_person(pro("O24.410", "Z3A.28"), ADULT), "gestational diabetes at 30"),
    ok("DX016", with_person(pro("O24.410", "Z3A.28"), date(1964, 1, 10)), "60 is inside 9-64 (from FY2020)"),
    ok("DX016", with_person(pro("O24.410", "Z3A.28"), ADULT), "age edits off", params={"age_edits": False}),
    flag("DX017", pro("H05.019"), "cellulitis of unspecified orbit; right/left codes exist"),
    ok("DX017", pro("H05.011"), "cellulitis of right orbit"),
    flag("DX018", with_patient(pro("F01.50"), CHILD, "M"), "vascular dementia for an 8-year-old"),
    ok("DX018", pro("F01.50"), "vascular dementia at 66"),
    flag("DX019", pro("C61"), "prostate cancer for a patient recorded F (Medicare)", profile="medicare"),
    flag(
        "DX019",
        with_person(pro("O24.410", "Z3A.28"), ADULT, "M"),
        "pregnancy code for a patient recorded M (female flag through FY2024)",
        profile="medicare",
    ),
    ok("DX019", with_person(pro("C61"), sex="M"), "prostate cancer for a male patient", profile="medicare"),
    ok("DX019", with_person(pro("C61"), sex="U"), "unknown sex is skipped", profile="medicare"),
    ok("DX019", pro("C61"), "commercial profile turns sex edits off (sex_edits = false)"),
    ok("DX019", pro("C61"), "sex_edits false", profile="medicare", params={"sex_edits": False}),
    # -- sequencing and the principal diagnosis ---------------------------------------------------------------
    flag("DX020", pro("W19.XXXA", "S72.001A"), "external cause first-listed"),
    ok("DX020", pro("S72.001A", "W19.XXXA"), "injury first, external cause after"),
    flag("DX021", inpatient(*dx("Z79.84", "E11.65")), "long-term drug use code as inpatient principal"),
    ok("DX021", inpatient(*dx("E11.65", "Z79.84")), "condition first, status code after"),
    ok("DX021", pro("Z00.00", "I10"), "an outpatient encounter reason is first-listed on a professional claim"),
    flag("DX041", pro("T38.3X5A", "R55"), "adverse effect first-listed"),
    flag("DX041", pro("Z68.41", "E66.01"), "body mass index first-listed"),
    flag("DX041", pro("B96.20", "N39.0"), "infectious agent before the infection"),
    ok("DX041", pro("R55", "T38.3X5A"), "nature of the effect first"),
    ok("DX041", pro("T38.3X1A", "R55"), "an accidental poisoning is first-listed by guideline"),
    ok("DX041", pro("Z00.00", "I10"), "an encounter reason first"),
    flag("DX022", inpatient(Diagnosis("I10", "ABK", "Y"), Diagnosis("R06.00", "ABJ")), "I10 principal inpatient"),
    ok("DX022", inpatient(Diagnosis("J18.9", "ABK", "Y"), Diagnosis("I10", "ABF", "Y")), "I10 secondary only"),
    ok("DX022", institutional(diagnoses=dx("I10", "R06.00")), "outpatient (13x): MCE qadm does not apply"),
    flag("DX023", pro("I10", "E11.65", "I10", "Z79.84"), "I10 twice"),
    flag("DX023", pro("I10", "E11.65", "E1165", "Z79.84"), "E11.65 and E1165 are the same code"),
    ok("DX023", pro("I10", "E11.65", "E11.9", "Z79.84"), "distinct codes"),
    flag("DX024", professional(diagnoses=()), "no diagnosis"),
    ok("DX024", pro("I10"), "one diagnosis"),
    flag("DX025", pro(*MANY[:13]), "13 diagnoses on an 837P"),
    ok("DX025", pro(*MANY[:12]), "12 diagnoses"),
    ok("DX025", pro(*MANY[:13]), "payer allows 13", params={"max_diagnoses_professional": 13}),
    flag("DX026", institutional(diagnoses=dx(*MANY)), "26 principal and other diagnoses on an 837I"),
    ok("DX026", institutional(diagnoses=dx(*MANY[:25])), "25 diagnoses"),
    flag("DX027", professional(diagnoses=dx("I10", "E11.65", principal="ABF")), "first diagnosis sent as ABF"),
    ok("DX027", professional(diagnoses=dx("I10", "E11.65")), "first diagnosis ABK"),
    flag("DX038", professional(diagnoses=dx("I10", "E11.65", other="ABK")), "second ABK"),
    ok("DX038", professional(diagnoses=dx("I10", "E11.65", "Z79.84")), "one ABK, others ABF"),
    flag("DX028", professional(diagnoses=dx("I10", "E11.65", principal="BK")), "ICD-9 qualifier BK in 2024"),
    ok("DX028", on(BEFORE_ICD10, "4019", principal="BK"), "BK on a 2015-09-20 service"),
    flag("DX039", professional(diagnoses=(Diagnosis("I10", "ABK"), Diagnosis("R06.00", "APR"))), "APR on 837P"),
    ok("DX039", institutional(diagnoses=dx("J18.9", "R06.00", "W19.XXXA", other="APR")), "APR on 837I"),
    flag(
        "DX040",
        institutional(diagnoses=(Diagnosis("S72.001A", "ABK"), Diagnosis("S72.001A", "ABN"))),
        "injury code sent as external cause",
    ),
    ok(
        "DX040",
        institutional(diagnoses=(Diagnosis("S72.001A", "ABK"), Diagnosis("W19.XXXA", "ABN"))),
        "W19.XXXA as external cause",
    ),
    # -- 837I POA and admitting diagnosis --------------------------------------------------------------------
    flag("DX029", inpatient(Diagnosis("J18.9", "ABK", "X"), Diagnosis("R06.00", "ABJ")), "POA X"),
    ok("DX029", inpatient(Diagnosis("J18.9", "ABK", "W"), Diagnosis("R06.00", "ABJ")), "POA W"),
    flag("DX030", inpatient(Diagnosis("J18.9", "ABK"), Diagnosis("R06.00", "ABJ")), "inpatient without POA"),
    ok("DX030", inpatient(Diagnosis("J18.9", "ABK", "Y"), Diagnosis("R06.00", "ABJ")), "POA Y given"),
    ok("DX030", institutional(diagnoses=dx("J18.9", "I10")), "outpatient 13x: POA not required"),
    flag("DX031", inpatient(Diagnosis("J18.9", "ABK", "Y"), Diagnosis("I10", "ABF", "Y")), "no ABJ on 111"),
    ok("DX031", inpatient(Diagnosis("J18.9", "ABK", "Y"), Diagnosis("R06.00", "ABJ")), "ABJ given"),
    # -- clinical consistency --------------------------------------------------------------------------------
    flag("DX032", pro("S72.001A"), "initial-encounter fracture without an external cause"),
    ok("DX032", pro("S72.001A", "W19.XXXA"), "fall code present"),
    ok("DX032", pro("T36.0X1A"), "poisoning codes include the external cause"),
    flag("DX033", pro("S72.001S", "M24.551"), "sequela code first, residual after"),
    ok("DX033", pro("M24.551", "S72.001S"), "residual condition first"),
    flag("DX034", with_person(pro("O24.410"), ADULT), "gestational diabetes without Z3A"),
    ok("DX034", with_person(pro("O24.410", "Z3A.28"), ADULT), "Z3A.28 present"),
    ok("DX034", with_person(pro("O24.430"), ADULT), "gestational diabetes in the puerperium: no weeks to report"),
    ok("DX034", with_person(pro("O99.43", "I10"), ADULT), "circulatory disease complicating the puerperium"),
    ok("DX034", with_person(pro("O94"), ADULT), "sequelae of a complication of pregnancy"),
    flag("DX035", pro("E10.9", "Z79.4"), "Z79.4 with type 1 diabetes"),
    ok("DX035", pro("E11.9", "Z79.4"), "Z79.4 with type 2 diabetes"),
    flag("DX036", sided("M17.10", "RT"), "unspecified-knee osteoarthritis on an RT line"),
    ok("DX036", sided("M17.11", "RT"), "right-knee code on an RT line"),
    ok("DX036", sided("S93.401A", "RT"), "'unspecified ligament of right ankle' names the side"),
    ok("DX036", sided("S72.001A", "RT"), "'unspecified part of neck of right femur' names the side"),
    ok("DX036", sided("M75.101", "RT"), "'unspecified rotator cuff tear ... of right shoulder' names the side"),
    flag("DX036", sided("M75.100", "RT"), "rotator cuff tear of unspecified shoulder on an RT line"),
]
