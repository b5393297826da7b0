"""Cases for the NCCI rules (NC): PTP pairs, MUEs, add-on codes, E/M with global surgery, edition notice.

Pairs and limits are real rows of the NCCI 2024Q3 tables (practitioner and hospital outpatient PTP, MUE, add-on
code edits); global periods are the CY2024 PFS "GLOB DAYS".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scrubkit import DOS, RENDERING, Case, flag, institutional, line, ok, professional, with_lines

from medbill.billing.claim import Claim, ServiceLine

OTHER_RENDERING = replace(RENDERING, last_or_org="BROWN", id="1245319599")
BEFORE_2019 = date(2019, 2, 1)
MID_2023 = date(2023, 6, 15)
DAY_BEFORE = date(2024, 8, 13)
TWO_DAYS_BEFORE = date(2024, 8, 12)


def p(*lines: ServiceLine) -> Claim:
    return with_lines(professional(), *lines)


def i(*lines: ServiceLine) -> Claim:
    return with_lines(institutional(), *lines)


CASES: list[Case] = [
    # NC001: indicator 0 (11102 / 64450, "Misuse of column two code with column one code")
    flag("NC001", p(line(1, "11102"), line(2, "64450")), "biopsy with nerve block, indicator 0"),
    flag("NC001", p(line(1, "11102"), line(2, "64450", mods=("XS",))), "XS does not bypass an indicator 0 edit"),
    ok(
        "NC001",
        p(line(1, "11102"), line(2, "64450", rendering_provider=OTHER_RENDERING)),
        "different line rendering providers are not paired",
    ),
    ok("NC001", p(line(1, "11102"), line(2, "64450", day=DAY_BEFORE)), "different dates of service"),
    # NC002: indicator 1 without a bypassing modifier
    flag("NC002", p(line(1, "11102"), line(2, "17000")), "11102/17000 indicator 1, no modifier"),
    ok("NC002", p(line(1, "11102"), line(2, "17000", mods=("XS",))), "XS on column 2 bypasses"),
    ok("NC002", p(line(1, "11102", mods=("59",)), line(2, "17000")), "59 on either line bypasses"),
    flag("NC002", p(line(1, "29881", mods=("RT",)), line(2, "29875", mods=("RT",))), "same knee: RT on both lines"),
    flag("NC002", p(line(1, "29881", mods=("RT",)), line(2, "29875")), "anatomic modifier on one line only"),
    ok("NC002", p(line(1, "29881", mods=("RT",)), line(2, "29875", mods=("LT",))), "RT vs LT: different knees"),
    flag("NC002", p(line(1, "99213", mods=("59",)), line(2, "11102")), "59 on an E/M does not bypass 11102/99213"),
    flag("NC002", p(line(1, "99213"), line(2, "11102", mods=("25",))), "25 on the procedure bypasses nothing"),
    ok("NC002", p(line(1, "99213", mods=("25",)), line(2, "11102")), "25 on the E/M bypasses the E/M edit"),
    flag("NC002", p(line(1, "99213"), line(2, "10060")), "10060/99213 is a practitioner PTP pair"),
    flag("NC002", p(line(1, "99213"), line(2, "99177")), "99213/99177: procedure bundled into a column 1 E/M"),
    ok("NC002", p(line(1, "99213"), line(2, "99177", mods=("59",))), "59 on the column 2 procedure of an E/M pair"),
    flag("NC002", p(line(1, "99213", mods=("59",)), line(2, "99177")), "59 on the E/M itself never bypasses"),
    ok(
        "NC002",
        i(line(1, "99213", revenue_code="0510"), line(2, "10060", revenue_code="0510")),
        "837I uses the outpatient table, which has no 10060/99213 pair",
    ),
    ok(
        "NC002",
        p(line(1, "99213"), line(2, "10060")),
        "profile ncci_setting outpatient",
        params={"ncci_setting": "outpatient"},
    ),
    ok("NC002", p(line(1, "43237"), line(2, "43239")), "43237/43239 deleted 2019-03-31"),
    flag(
        "NC002",
        p(line(1, "43237", day=BEFORE_2019), line(2, "43239", day=BEFORE_2019)),
        "43237/43239 in force before its deletion",
    ),
    ok("NC002", p(line(1, "22630", day=MID_2023), line(2, "63052", day=MID_2023)), "indicator 9 is not an edit"),
    flag("NC002", p(line(1, "10030"), line(2, "10060")), "10030/10060 mutually exclusive, no modifier"),
    ok("NC002", p(line(1, "10030"), line(2, "10060", mods=("XS",))), "10030/10060 with XS: separate site"),
    # NC003: bypassed pairs (info)
    flag("NC003", p(line(1, "11102"), line(2, "17000", mods=("XS",))), "bypass by XS is on record"),
    flag("NC003", p(line(1, "29881", mods=("RT",)), line(2, "29875", mods=("LT",))), "bypass by RT/LT"),
    ok("NC003", p(line(1, "11102"), line(2, "17000")), "no bypass: NC002 reports it, not NC003"),
    flag("NC003", p(line(1, "99213", mods=("25",)), line(2, "11102")), "bypass by 25 on the E/M"),
    ok(
        "NC001",
        i(line(1, "11102", revenue_code="0510"), line(2, "64450", revenue_code="0510")),
        "837I: the outpatient table has 11102/64450 with indicator 1, not 0",
    ),
    flag(
        "NC002",
        i(line(1, "11102", revenue_code="0510"), line(2, "64450", revenue_code="0510")),
        "837I: outpatient 11102/64450 indicator 1 without modifier",
    ),
    ok(
        "NC002",
        i(line(1, "11102", revenue_code="0510"), line(2, "64450", mods=("XS",), revenue_code="0510")),
        "837I: outpatient 11102/64450 bypassed by XS",
    ),
    # NC010: MUE MAI 1 (A0425 ground mileage, 250 per line)
    flag("NC010", p(line(1, "A0425", units="300")), "300 miles on one line"),
    ok("NC010", p(line(1, "A0425", units="200"), line(2, "A0425", units="200")), "MAI 1 is per line"),
    # NC011: MUE MAI 2 (11102, 1 per day)
    flag("NC011", p(line(1, "11102"), line(2, "11102", mods=("59",))), "two 11102 lines: 2 > 1 whatever the 59"),
    ok("NC011", p(line(1, "11102"), line(2, "11103", units="2")), "additional lesions as 11103"),
    # NC012: MUE MAI 3 (99213, 2 per day)
    flag("NC012", p(line(1, "99213", units="3")), "3 units of 99213"),
    flag("NC012", p(line(1, "99213", units="2"), line(2, "99213", mods=("25",))), "units summed over lines"),
    ok("NC012", p(line(1, "99213", units="2")), "2 units: at the MUE"),
    # NC013: MUE 0
    flag("NC013", p(line(1, "E0100")), "cane on a practitioner claim: MUE 0", profile="medicare"),
    ok(
        "NC013",
        p(line(1, "E0100")),
        "DME supplier table (MUE 1) when the profile says so",
        profile="medicare",
        params={"mue_dme_codes": ["E"]},
    ),
    flag("NC013", p(line(1, "20930")), "20930 practitioner MUE 0", profile="medicaid"),
    ok("NC013", i(line(1, "20930", revenue_code="0360")), "20930 outpatient MUE 1", profile="medicaid"),
    ok("NC013", p(line(1, "99396")), "preventive visit: MUE 0 is Medicare coverage, not a commercial plan's"),
    flag("NC013", p(line(1, "99396")), "preventive visit under Medicare", profile="medicare"),
    ok("NC013", p(line(1, "99392")), "EPSDT preventive visit: Medicaid covers it (PFS status N)", profile="medicaid"),
    flag("NC013", p(line(1, "20930")), "commercial plan opting in", params={"mue_zero_units": True}),
    # NC020: type 1 add-on without listed primary
    flag("NC020", p(line(1, "11102"), line(2, "17003", units="2")), "17003 without 17000"),
    ok("NC020", p(line(1, "17000"), line(2, "17003", units="2")), "17003 with its primary 17000"),
    ok(
        "NC020",
        p(line(1, "15150"), line(2, "15151"), line(3, "15152")),
        "15152's only listed primary 15151 is itself an add-on",
    ),
    ok(
        "NC020",
        p(line(1, "99215"), line(2, "99415"), line(3, "99416", units="2")),
        "99416 with 99415 (an add-on) as its primary",
    ),
    # NC021: type 2 add-on (info)
    flag("NC021", p(line(1, "36556"), line(2, "76937")), "76937 with a procedure: confirm the primary"),
    ok("NC021", p(line(1, "36556")), "no type 2 add-on"),
    # NC022: type 2 add-on alone
    flag("NC022", p(line(1, "76937")), "76937 alone"),
    ok("NC022", p(line(1, "36556"), line(2, "76937")), "76937 with a procedure"),
    # NC023: type 3 add-on without listed primary
    flag("NC023", p(line(1, "20526"), line(2, "64727")), "64727 with an unlisted primary"),
    ok("NC023", p(line(1, "64721"), line(2, "64727")), "64727 with its listed primary 64721"),
    # NC024: add-on alone
    flag("NC024", p(line(1, "17003", units="2")), "17003 billed alone"),
    ok("NC024", p(line(1, "17000"), line(2, "17003", units="2")), "17003 with 17000"),
    ok("NC024", p(line(1, "17000", day=DAY_BEFORE), line(2, "17003", units="2", day=DAY_BEFORE)), "same day, earlier"),
    # NC030: E/M with a minor procedure
    flag("NC030", p(line(1, "99213"), line(2, "11102")), "E/M with a 000-global biopsy, no 25"),
    flag("NC030", p(line(1, "99213"), line(2, "10060")), "E/M with a 010-global I&D, no 25"),
    ok("NC030", p(line(1, "99213", mods=("25",)), line(2, "11102")), "E/M with 25"),
    ok("NC030", p(line(1, "99213"), line(2, "11102", day=DAY_BEFORE)), "procedure on another day"),
    ok("NC030", p(line(1, "99213", mods=("FT",)), line(2, "11102")), "FT: E/M unrelated to the global package"),
    ok(
        "NC030",
        p(line(1, "99291", mods=("25",)), line(2, "99292"), line(3, "31500")),
        "critical care add-on 99292 follows 99291-25 (intubation 31500, global 000)",
    ),
    flag("NC030", p(line(1, "99291"), line(2, "99292"), line(3, "31500")), "critical care without 25"),
    # NC031: E/M with a major surgery
    flag("NC031", p(line(1, "99213"), line(2, "29881")), "E/M the day of a 090 surgery, no 57"),
    flag("NC031", p(line(1, "99213", day=DAY_BEFORE), line(2, "29881")), "E/M the day before, no 57"),
    ok("NC031", p(line(1, "99213", mods=("57",)), line(2, "29881")), "decision for surgery: 57"),
    ok("NC031", p(line(1, "99213", day=TWO_DAYS_BEFORE), line(2, "29881")), "two days before is not the window"),
    ok("NC031", p(line(1, "99291", mods=("FT",)), line(2, "29881")), "FT: critical care unrelated to the surgery"),
    # NC040: edition
    flag("NC040", p(line(1, "99213", day=date(2024, 10, 15))), "DOS after NCCI 2024Q3"),
    ok("NC040", p(line(1, "99213", day=date(2024, 9, 30))), "last day of the loaded quarter"),
]

assert date(2024, 8, 14) == DOS
