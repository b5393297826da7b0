"""Cases for the PR (procedure, units, charges, NDC, revenue code) rules: one change from a clean claim each."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from scrubkit import DOS, Case, flag, institutional, line, ok, professional, with_lines

from medbill.billing.claim import Claim, ServiceLine

P = professional()
INST = institutional()
MEDICARE = {"medicare_coverage_edits": True}


def pl(*lines: ServiceLine) -> Claim:
    return with_lines(P, *lines)


E_M = line(1, "99213", "125.00")
VENI = line(2, "36415", "15.00")
DRUG = line(2, "J1100", "20.00", ndc="63323016501", ndc_quantity=Decimal("1"), ndc_unit="ML")

CASES: list[Case] = [
    flag("PR001", pl(E_M, line(2, "3641", "15.00")), "four-character code"),
    flag("PR001", pl(E_M, line(2, "36415A", "15.00")), "six-character code"),
    ok("PR001", pl(E_M, line(2, "0001U", "15.00")), "PLA code form 4 digits + U"),
    ok("PR001", pl(E_M, line(2, "J1100", "15.00")), "HCPCS form"),
    flag("PR002", pl(E_M, line(2, "A4999", "15.00")), "no such HCPCS code"),
    ok("PR002", pl(E_M, line(2, "A4216", "15.00")), "existing HCPCS code"),
    flag("PR003", pl(E_M, line(2, "A4397", "15.00")), "HCPCS terminated 2021-12-31"),
    ok("PR003", pl(E_M, line(2, "A4397", "15.00", day=date(2021, 6, 1))), "HCPCS valid in 2021"),
    flag("PR004", pl(E_M, line(2, "99999", "15.00")), "CPT number unknown to CMS tables"),
    ok("PR004", pl(E_M, line(2, "0001U", "15.00")), "PLA code known from MUE table"),
    flag("PR005", pl(E_M, line(2, "36415", "15.00", units="0")), "zero units"),
    flag("PR005", pl(E_M, line(2, "36415", "15.00", units="1.5")), "fractional units UN"),
    ok("PR005", pl(E_M, line(2, "36415", "30.00", units="2")), "two whole units"),
    ok("PR005", pl(E_M, line(2, "00840", "900.00", units="37.5", unit_basis="MJ")), "anesthesia minutes fractional"),
    flag("PR006", pl(line(1, "99213", "0.00"), VENI), "zero charge on E/M"),
    flag("PR006", pl(line(1, "99213", "-5.00"), VENI), "negative charge"),
    ok("PR006", pl(E_M, line(2, "3074F", "0.00")), "Category II quality code at zero"),
    ok("PR006", pl(line(1, "99024", "0.00")), "post-operative visit 99024 tracked at zero"),
    ok("PR006", pl(E_M, line(2, "90700", "0.00", mods=("SL",)), line(3, "90460", "25.00")), "VFC vaccine at zero"),
    flag("PR006", pl(E_M, line(2, "90700", "0.00")), "purchased vaccine at zero"),
    flag("PR007", pl(line(1, "99213", "125000.00"), VENI), "charge over default cap"),
    ok("PR007", pl(line(1, "99213", "125000.00"), VENI), "cap raised", params={"max_line_charge": "200000"}),
    ok("PR007", pl(E_M, line(2, "36415", "150000.00", units="2")), "per unit under cap"),
    flag("PR008", pl(line(1, "99213", "125.00", procedure_qualifier="CP"), VENI), "bad qualifier CP"),
    ok("PR008", pl(line(1, "HAFK1", "125.00", procedure_qualifier="HP"), VENI), "HIPPS qualifier HP"),
    flag("PR009", pl(line(1, "99213", "125.00", procedure_qualifier="HP"), VENI), "CPT under HP"),
    ok("PR009", pl(line(1, "HAFK1", "125.00", procedure_qualifier="HP"), VENI), "HIPPS code under HP"),
    flag("PR010", pl(E_M, line(2, "J3490", "50.00")), "NOC drug without note"),
    flag("PR010", pl(E_M, line(2, "64999", "500.00")), "unlisted CPT without note"),
    ok("PR010", replace(pl(E_M, line(2, "J3490", "50.00")), notes=(("ADD", "DRUG X 10 MG IV"),)), "NOC with note"),
    ok("PR010", pl(E_M, line(2, "21199", "500.00")), "code ending 99 priced by PFS (not unlisted)"),
    ok("PR010", pl(E_M, line(2, "J3301", "20.00", units="4")), "J3301 is on the NOC list but names drug and dose"),
    ok("PR010", pl(E_M, line(2, "J9201", "90.00", units="5")), "gemcitabine NOS 200 mg: a dosed drug code"),
    flag("PR010", pl(E_M, line(2, "76498", "500.00")), "unlisted MRI: an unlisted code not ending in 99"),
    flag("PR010", pl(E_M, line(2, "96379", "50.00")), "unlisted therapeutic injection"),
    flag("PR011", pl(E_M, replace(DRUG, ndc="6332301650")), "10-digit NDC"),
    ok("PR011", pl(E_M, replace(DRUG, ndc="63323-0165-01")), "11-digit NDC with hyphens"),
    flag("PR012", pl(E_M, replace(DRUG, ndc_quantity=None)), "NDC without quantity"),
    ok("PR012", pl(E_M, DRUG), "NDC with quantity and unit"),
    flag("PR013", pl(E_M, replace(DRUG, ndc_unit="MG")), "NDC unit MG"),
    ok("PR013", pl(E_M, replace(DRUG, ndc_unit="ME")), "NDC unit ME"),
    flag("PR014", with_lines(INST, line(1, "99284", "850.00", ptr=(), revenue_code="450")), "three-digit revenue"),
    flag("PR014", with_lines(INST, line(1, "99284", "850.00", ptr=())), "no revenue code"),
    ok("PR014", with_lines(INST, line(1, "99284", "850.00", ptr=(), revenue_code="0450")), "four-digit revenue"),
    flag("PR015", with_lines(INST, line(1, "", "240.00", ptr=(), revenue_code="0320")), "radiology rev without HCPCS"),
    ok("PR015", with_lines(INST, line(1, "", "40.00", ptr=(), revenue_code="0250")), "pharmacy rev needs no HCPCS"),
    flag("PR016", pl(E_M, line(2, "S0630", "50.00")), "HCPCS coverage I on Medicare", profile="medicare"),
    ok("PR016", pl(E_M, line(2, "S0630", "50.00")), "commercial plan", profile="commercial"),
    ok("PR016", pl(E_M, line(2, "S0630", "50.00", mods=("GY",))), "GY appended", profile="medicare"),
    flag("PR017", pl(E_M, line(2, "90399", "50.00")), "PFS status I on Medicare", profile="medicare"),
    ok(
        "PR017",
        pl(E_M, line(2, "90399", "50.00")),
        "edits off",
        profile="medicare",
        params={"medicare_coverage_edits": False},
    ),
    flag("PR018", pl(E_M, line(2, "88099", "50.00")), "PFS status N on Medicare", params=MEDICARE),
    ok("PR018", pl(E_M, line(2, "88099", "50.00", mods=("GY",))), "status N with GY", params=MEDICARE),
    flag("PR019", pl(E_M, line(2, "97010", "20.00")), "PFS status B on Medicare", profile="medicare"),
    ok("PR019", pl(line(1, "99024", "0.01")), "99024 global-period tracking is reporting-only", profile="medicare"),
    ok("PR019", pl(E_M, line(2, "97010", "0.00")), "a zero-charge line expects no payment", profile="medicare"),
    ok("PR019", pl(E_M, line(2, "99211", "40.00")), "status A code", profile="medicare"),
    flag("PR020", pl(E_M, replace(VENI, service_date_from=None)), "line without date"),
    ok("PR020", pl(E_M, VENI), "line with date"),
    flag(
        "PR021",
        with_lines(INST, line(1, "99284", "850.00", ptr=(), revenue_code="0450", day=date(2024, 8, 16))),
        "line after statement",
    ),
    ok(
        "PR021",
        replace(
            with_lines(INST, line(1, "99284", "850.00", ptr=(), revenue_code="0450", day=date(2024, 8, 16))),
            dates={"434": (DOS, date(2024, 8, 16))},
        ),
        "statement covers the line",
    ),
    flag("PR022", pl(line(1, "99213", "125.00", to=date(2024, 8, 12)), VENI), "to before from"),
    ok("PR022", pl(E_M, line(2, "36415", "30.00", units="2", to=date(2024, 8, 15))), "span in order"),
    flag("PR023", pl(line(1, "99213", "375.00", units="3", to=date(2024, 8, 16)), VENI), "E/M over span"),
    ok("PR023", pl(E_M, line(2, "36415", "30.00", units="2", to=date(2024, 8, 15))), "non-E/M span"),
]
